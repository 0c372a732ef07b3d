"""Random tensors and random-valued variables."""


def _todo(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(f'K.{name} is not implemented yet')
    fn.__name__ = name
    return fn


for _n in ('random_uniform_variable random_normal_variable random_uniform random_normal '
           'truncated_normal random_binomial'
           ).split():
    globals()[_n] = _todo(_n)
