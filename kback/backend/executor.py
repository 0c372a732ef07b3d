"""K.function: compile a graph once into straight-line Python, then run it.

Compiling prunes the graph to what the outputs and updates need, orders it
topologically and generates one Python function whose body is one line per
node (`v7 = f3(v2, v5)`), deleting each intermediate after its last use.  A
call is then just that function: no per-node dictionary lookups or dispatch.
What an op does besides computing its value it declares in the op table
(ops/_registry.py): `writes_back` (an assign: its value is written into its
variable after the call), `mutates` (an in-place step, run at the end of the
call) and `inplace` (an elementwise op whose result may go into an input that
dies at that node, see _inplace_out); the executor knows no op by name.
"""
import functools

import numpy as np

from . import graph_state
from .ops import OPS
from .ops.state import assign
from ._shapes import fmt, compatible
from ._dtypes import compute_dtype, is_float
from ._kernels import denormals_enter, denormals_exit
from .tensor import Tensor, Variable, Placeholder, Constant


class _Feed:
    """Checks and converts an array fed for `tensor`.  The generated code calls
    it only for what is not already an ndarray of the compute dtype and of the
    last shape that passed, so a feed is checked once per shape."""
    __slots__ = ('tensor', 'dtype', 'accepted')

    def __init__(self, tensor):
        self.tensor = tensor
        self.dtype = np.dtype(compute_dtype(tensor.dtype))
        self.accepted = None

    def __call__(self, value):
        array = np.asarray(value)
        if array.dtype != self.dtype:
            array = _cast_feed(self.tensor, value, array, self.dtype)
        if array.shape != self.accepted:
            if not compatible(self.tensor.shape, array.shape):
                raise ValueError(f"function: input '{self.tensor.name}' expects shape "
                                 f'{fmt(self.tensor.shape)}, got an array of shape '
                                 f'{fmt(array.shape)}')
            self.accepted = array.shape
        return array


def _cast_feed(tensor, value, array, dtype):
    """array as dtype, refusing what is no number (None would become NaN) and
    what the cast would change (2**40 wrapping in int32, 1.5 truncated to 1,
    1e300 becoming inf in float32); a float placeholder takes any number in
    its range, rounded."""
    if array.dtype.kind not in 'biuf':
        got = 'None' if value is None else f'{type(value).__name__} of dtype {array.dtype}'
        raise TypeError(f"function: input '{tensor.name}' expects dtype {tensor.dtype} (numbers: "
                        f'an array or a number), got {got}')
    if np.can_cast(array.dtype, dtype):
        return array.astype(dtype)
    if dtype.kind == 'f':
        try:
            with np.errstate(over='raise'):     # 1e300 would become inf
                return array.astype(dtype)
        except FloatingPointError:
            raise ValueError(f"function: input '{tensor.name}' is {tensor.dtype}, but the "
                             f'{array.dtype} values fed for it exceed its range (largest '
                             f'{np.finfo(dtype).max:g})') from None
    with np.errstate(invalid='ignore', over='ignore'):
        cast = array.astype(dtype)
        changed = cast != array
    if changed.any():
        i = int(np.flatnonzero(changed)[0])
        raise ValueError(f"function: input '{tensor.name}' is {tensor.dtype}, but the "
                         f'{array.dtype} value {array.flat[i].item()!r} fed for it does not '
                         f'fit {tensor.dtype} (casting gives {cast.flat[i].item()!r})')
    return cast


def _finish(value, dtype, copy):
    """An output as the user gets it: an array of its declared dtype that
    shares no memory with a variable, a constant, a feed or a later call."""
    array = np.asarray(value)
    if array.dtype != dtype:
        return array.astype(dtype)
    if copy or not array.flags.writeable:
        return array.copy()
    return array


def _effects(node):
    """The op-table entry of a computed node (None for variables, placeholders
    and constants)."""
    return OPS.get(node.op) if type(node) is Tensor else None


class Function:
    def __init__(self, inputs, outputs, updates=None, name=None):
        self.name = name
        self.inputs = list(inputs or [])
        self._single = isinstance(outputs, Tensor)
        self.outputs = [outputs] if self._single else list(outputs or [])
        for t in self.inputs + self.outputs:
            if not isinstance(t, Tensor):
                raise TypeError(f'function: inputs and outputs must be tensors, got {t!r}')
        self.updates = [_as_update(u) for u in (updates or [])]
        self._compile()

    def _compile(self):
        fed = {t.id: i for i, t in enumerate(self.inputs)}
        nodes = graph_state.reachable(self.outputs + self.updates, leaves=fed)
        assigns = [n for n in nodes if n.id not in fed and _effects(n) is not None
                   and _effects(n).writes_back is not None]
        steps = _inplace_steps(nodes, fed)
        keep = {n.id for n in self.outputs + assigns}
        folded = _fold_constants(nodes, fed, self.name)
        # A folded node is emitted only where a computed node or an output reads it.
        used = {i.id for n in nodes if n.id not in folded and n.id not in fed for i in n.inputs}
        plan = _hoist_early([n for n in nodes
                             if n.id not in folded or n.id in used or n.id in keep])
        # In-place steps run last: every output and assigned value is computed
        # from the old state first (nothing else reads a step, so order holds).
        plan = [n for n in plan if n.id not in steps] + [n for n in plan if n.id in steps]
        last_use, reusable = _lifetimes(plan, fed, folded, keep | set(steps))
        # Folded values are read straight from the function's globals.
        slot = {n.id: f'_c{k}' if n.id in folded else f'v{k}' for k, n in enumerate(plan)}
        self._slots, self._line_nodes = slot, {}
        env = {'_f32': _to_float32, '_detach': _detach, '_nd': np.ndarray}
        lines = []
        for k, n in enumerate(plan):
            v = slot[n.id]
            if n.id in steps and (k == 0 or plan[k - 1].id not in steps):
                _detach_line(lines, [slot[m.id] for m in self.outputs + assigns
                                     if m.id not in steps and m.id not in folded],
                             [f'_{slot[t.id]}.value' for m in plan if m.id in steps
                              for t in steps[m.id]])
            if n.id in fed:
                k_in = fed[n.id]
                feed = _Feed(n)
                env[f'_in{k_in}'], env[f'_in{k_in}_dtype'] = feed, feed.dtype
                lines.append(f'{v} = fed[{k_in}]')
                lines.append(f'if type({v}) is not _nd or {v}.dtype is not _in{k_in}_dtype or '
                             f'{v}.shape != _in{k_in}.accepted: {v} = _in{k_in}({v})')
                continue
            if n.id in folded:
                env[v] = folded[n.id]
                continue
            if isinstance(n, Variable):
                env[f'_{v}'] = n
                cast = '_f32' if n.dtype == 'float16' else ''
                lines.append(f'{v} = {cast}(_{v}.value)')
            elif isinstance(n, Placeholder):
                if n.default is None:
                    raise ValueError(f"function: placeholder '{n.name}' (shape {fmt(n.shape)}) "
                                     'is needed to compute the outputs but is not among the inputs')
                env[f'_{v}'] = n
                lines.append(f'{v} = _{v}.default()')
            else:
                env[f'_{v}'] = _bind(OPS[n.op].forward, n.attrs)
                # A step rewrites its variables' own arrays (slots may hold copies).
                mutated = {t.id for t in steps.get(n.id, ())}
                args = ', '.join(f'_{slot[i.id]}.value' if i.id in mutated else slot[i.id]
                                 for i in n.inputs)
                out = _inplace_out(n, k, slot, reusable, last_use)
                self._line_nodes[len(lines) + 2] = n     # +2: after the def line, 1-based
                lines.append(f'{v} = _{v}({args}{out})')
            dead = {slot[i.id] for i in n.inputs if last_use.get(i.id) == k and i.id not in keep
                    and i.id not in folded}
            if dead:
                lines.append('del ' + ', '.join(sorted(dead)))
        outs = ', '.join(slot[n.id] for n in self.outputs)
        news = ', '.join(slot[n.id] for n in assigns)
        lines.append(f'return ({outs}{"," if self.outputs else ""}), ({news}{"," if assigns else ""})')
        source = 'def _run(fed):\n    ' + '\n    '.join(lines) + '\n'
        exec(compile(source, f'<kback function {self.name or ""}>', 'exec'), env)
        self._run = env['_run']
        self._source = source
        # Outputs that alias a variable, a folded constant, a fed array or a
        # stepped variable are copied; the others only checked.
        aliased = [isinstance(n, Variable) or n.id in folded or n.id in fed or n.id in steps
                   for n in self.outputs]
        targets = [n.inputs[_effects(n).writes_back] for n in assigns]
        self._finish = _finisher(self.outputs, aliased, targets, self._single, self.name)

    def __call__(self, inputs=()):
        if type(inputs) is not list and type(inputs) is not tuple:
            inputs = self._as_list(inputs)
        if len(inputs) != len(self.inputs):
            raise ValueError(f'function: expects {len(self.inputs)} input arrays '
                             f'({", ".join(t.name for t in self.inputs)}), got {len(inputs)}')
        # Denormals flush to zero while the graph runs (kernels and numpy alike),
        # not in the user's own numpy code around it.
        prev = denormals_enter()
        try:
            outs, news = self._run(inputs)
        except Exception as error:
            explained = self._explain(error)
            if explained is None:
                raise
            raise explained from error
        finally:
            denormals_exit(prev)
        return self._finish(outs, news)

    def _as_list(self, inputs):
        """The inputs given as a dict (or a list/tuple subclass) as a list."""
        if isinstance(inputs, dict):
            missing = [t.name for t in self.inputs if t not in inputs]
            if missing:
                raise ValueError(f'function: the dict of inputs has no value for {missing}')
            return [inputs[t] for t in self.inputs]
        if isinstance(inputs, (list, tuple)):
            return inputs
        # Keras 2.3's Function takes a list or tuple only: a lone array
        # would be read as a list of its rows.
        got = f'an array of shape {fmt(np.shape(inputs))}' \
            if isinstance(inputs, np.ndarray) else f'a {type(inputs).__name__}'
        raise TypeError(f'function: inputs must be a list or tuple of {len(self.inputs)} '
                        f'arrays ({", ".join(t.name for t in self.inputs)}), got {got}; '
                        'pass [array] for one input')

    def _explain(self, error):
        """The error a node raised in a call, as the same exception type that
        also names the node's op, its layer and its inputs (None when it did not
        come from a node's line: a feed's check already names its input)."""
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code is not self._run.__code__:
            tb = tb.tb_next
        node = self._line_nodes.get(tb.tb_lineno) if tb is not None else None
        if node is None:
            return None
        local, folded = tb.tb_frame.f_locals, tb.tb_frame.f_globals
        values = [i.value if isinstance(i, Variable) else
                  local.get(self._slots[i.id], folded.get(self._slots[i.id]))
                  for i in node.inputs]
        return node_error(error, node, values, self.name)


def node_error(error, node, values, function_name=None):
    """`error` raised computing `node` from `values`, as the same exception
    type whose message adds the op, the layer and the inputs' dtypes and
    shapes (or None when that type cannot be built from a message)."""
    inputs = ', '.join(f"'{i.name}' {getattr(v, 'dtype', type(v).__name__)} "
                       f"{fmt(np.shape(v)) if v is not None else '(freed)'}"
                       for i, v in zip(node.inputs, values))
    where = f"layer '{node.scope}'" if node.scope else 'no layer'
    message = (f"{error}\n  raised by op '{node.op}' (node '{node.name}', built in {where}) "
               f"in kback function '{function_name or ''}'; inputs: {inputs or 'none'}")
    try:
        return type(error)(message)
    except Exception:   # an exception type whose constructor wants more than a message
        return None


def _fold_constants(nodes, fed, function_name):
    """Values of the nodes computable at compile time (constants and pure ops
    on them), so that a call never recomputes them."""
    folded = {}
    for n in nodes:
        if n.id in fed:
            continue
        if isinstance(n, Constant):
            folded[n.id] = n.value
        elif n.inputs and not OPS[n.op].stateful and all(i.id in folded for i in n.inputs):
            values = [folded[i.id] for i in n.inputs]
            try:
                folded[n.id] = OPS[n.op].forward(*values, **n.attrs)
            except Exception as error:
                explained = node_error(error, n, values, function_name)
                if explained is None:
                    raise
                raise explained from error
    return folded


def _hoist_early(plan):
    """The plan with each node of an `early` op (a collective's start) moved
    up to just after the last of its inputs, so that it runs as soon as they
    exist: the nodes that the gradient of an earlier layer needs were created
    later, and would otherwise all run before it."""
    early = [n for n in plan if n.op in OPS and OPS[n.op].early]
    if not early:
        return plan
    early_ids = {n.id for n in early}
    out, done = [], set()

    def release():
        for n in list(early):
            if all(i.id in done for i in n.inputs):
                early.remove(n)
                out.append(n)
                done.add(n.id)
    release()
    for n in plan:
        if n.id not in early_ids:
            out.append(n)
            done.add(n.id)
            release()
    return out


def _lifetimes(plan, fed, folded, kept):
    """{id: index in the plan of the last node that reads it}, and the ids of
    the values that a node may overwrite with its result where they die:
    computed by an op that declares `inplace` (so a new array nobody else
    holds), read only by such ops (so no view or stash of it outlives it),
    and not kept (outputs, assigned values, steps)."""
    last_use, readers = {}, {}
    for k, n in enumerate(plan):
        if n.id not in fed and n.id not in folded:
            for i in n.inputs:
                last_use[i.id] = k
                readers.setdefault(i.id, set()).add(n.op)
    reusable = {n.id for n in plan if n.id not in fed and n.id not in folded
                and n.id not in kept and _effects(n) is not None and _effects(n).inplace
                and n.shape != () and all(OPS[op].inplace for op in readers.get(n.id, ()))}
    return last_use, reusable


def _inplace_out(node, k, slot, reusable, last_use):
    """`, out=vN` when `node` (the k-th of the plan) can write its float result
    into an input that dies here: the first declared input that is reusable, of
    the node's compute dtype and surely of its result's shape (else a test at run
    time, out=None making the op allocate); '' when none can."""
    op = _effects(node)
    # Floats only: numpy gives some integer results another dtype (exp of ints).
    if not op.inplace or not is_float(node.dtype):
        return ''
    for i in op.inplace:
        x = node.inputs[i]
        if x.id not in reusable or last_use.get(x.id) != k or x.shape != node.shape or \
                compute_dtype(x.dtype) != compute_dtype(node.dtype):
            continue
        others = [y for y in node.inputs if y is not x]
        if all(_broadcasts_into(y.shape, x.shape) for y in others):
            return f', out={slot[x.id]}'
        if all(y.shape == x.shape for y in others):      # equal unless a None differs
            test = ' and '.join(f'{slot[x.id]}.shape == {slot[y.id]}.shape' for y in others)
            return f', out={slot[x.id]} if {test} else None'
    return ''


def _broadcasts_into(small, big):
    """Whether an operand of static shape `small` surely broadcasts against one
    of static shape `big` to `big` itself (None: a size known at run time)."""
    if len(small) > len(big):
        return False
    return all(s == 1 or (s is not None and s == b)
               for s, b in zip(small[::-1], big[::-1]))


def _finisher(outputs, aliased, targets, single, function_name):
    """The generated epilogue of a call: each output finished (an output that
    is already a writeable ndarray of its dtype and aliases nothing is only
    checked), then each assigned value written into its variable."""
    env = {'_nd': np.ndarray, '_fin': _finish}
    lines = []
    if outputs:
        lines.append(f'{"".join(f"o{k}, " for k in range(len(outputs)))}= outs')
    if targets:
        lines.append(f'{"".join(f"a{k}, " for k in range(len(targets)))}= news')
    for k, (n, copy) in enumerate(zip(outputs, aliased)):
        env[f'_d{k}'] = np.dtype(n.dtype)
        if copy:
            lines.append(f'o{k} = _fin(o{k}, _d{k}, True)')
        else:
            lines.append(f'if type(o{k}) is not _nd or o{k}.dtype is not _d{k} or '
                         f'not o{k}.flags.writeable: o{k} = _fin(o{k}, _d{k}, False)')
    for k, var in enumerate(targets):
        env[f'_t{k}'] = var
        lines.append(f"_t{k}.assign_value(a{k}, op='update')")
    results = 'o0' if single else f'[{", ".join(f"o{k}" for k in range(len(outputs)))}]'
    lines.append(f'return {results}')
    source = 'def _finish(outs, news):\n    ' + '\n    '.join(lines) + '\n'
    exec(compile(source, f'<kback function {function_name or ""} outputs>', 'exec'), env)
    return env['_finish']


def _inplace_steps(nodes, fed):
    """{id: target variables} of the nodes among `nodes` whose op declares
    that it rewrites variables (`mutates`)."""
    steps = {}
    for n in nodes:
        op = _effects(n) if n.id not in fed else None
        if op is not None and op.mutates is not None:
            steps[n.id] = [n.inputs[i] for i in op.mutates(n.attrs)]
    for n in nodes:
        for i in n.inputs:
            if i.id in steps:
                raise ValueError(f"function: in-place update '{i.name}' can only be an update "
                                 f"or an output, not an input of '{n.name}'")
    for i, targets in steps.items():
        for t in targets:
            if t.id in fed:
                raise ValueError(f"function: variable '{t.name}' is updated in place and "
                                 'cannot also be an input')
    return steps


def _detach_line(lines, values, targets):
    """Before the first in-place step: copy the values (outputs, assigned
    values) that share memory with an array about to be rewritten."""
    values = sorted(set(values))
    if values:
        lines.append(f'{", ".join(values)}, = _detach(({", ".join(values)},), '
                     f'({", ".join(sorted(set(targets)))},))')


def _detach(values, targets):
    ids = {id(t) for t in targets}
    out = []
    for v in values:
        if isinstance(v, np.ndarray) and (id(v) in ids or v.base is not None and any(
                np.may_share_memory(v, t) for t in targets)):
            v = v.copy()
        out.append(v)
    return out


def _to_float32(array):
    return array.astype(np.float32)


def _bind(forward, attrs):
    if not attrs:
        return forward
    return functools.partial(forward, **attrs)


def _as_update(update):
    """An update given to K.function: a node whose op declares that it writes a
    variable (K.update*, an optimizer step), or a (variable, value) pair."""
    if isinstance(update, Tensor):
        op = _effects(update)
        if op is None or (op.writes_back is None and op.mutates is None):
            raise TypeError(f"function: updates must be (variable, new_value) pairs or results "
                            f"of K.update*, got tensor '{update.name}'")
        return update
    try:
        var, value = update
    except (TypeError, ValueError):
        raise TypeError(f'function: updates must be (variable, new_value) pairs, got {update!r}') from None
    return assign(var, value)
