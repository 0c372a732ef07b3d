"""K.function: compile a graph once into straight-line Python, then run it.

Compiling prunes the graph to what the outputs and updates need, orders it
topologically and generates one Python function whose body is one line per
node (`v7 = f3(v2, v5)`), deleting each intermediate after its last use.  A
call is then just that function: no per-node dictionary lookups or dispatch.
Updates are `assign` nodes, written into their variables after the call, or
in-place steps (ops/optim.py), run at the end of the call.
"""
import functools

import numpy as np

from . import graph_state
from .ops import OPS
from .ops.optim import inplace_targets
from ._shapes import fmt, compatible
from ._dtypes import compute_dtype
from ._kernels import denormals_enter, denormals_exit
from .tensor import Tensor, Variable, Placeholder, Constant


def _feed_converter(tensor):
    """Checks and converts an array fed for `tensor`: its dtype once per
    call only when it differs, its shape once per new shape."""
    dtype = np.dtype(compute_dtype(tensor.dtype))
    shape = tensor.shape
    accepted = None     # the last shape that passed

    def convert(value):
        nonlocal accepted
        array = np.asarray(value)
        if array.dtype != dtype:
            array = _cast_feed(tensor, value, array, dtype)
        if array.shape != accepted:
            if not compatible(shape, array.shape):
                raise ValueError(f"function: input '{tensor.name}' expects shape {fmt(shape)}, "
                                 f'got an array of shape {fmt(array.shape)}')
            accepted = array.shape
        return array
    return convert


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
    array = np.asarray(value)
    if array.dtype.name != dtype:
        return array.astype(dtype)
    if copy or not array.flags.writeable:
        return array.copy()
    return array


class Function:
    def __init__(self, inputs, outputs, updates=None, name=None):
        self.name = name
        self.inputs = list(inputs or [])
        self._single = isinstance(outputs, Tensor)
        self.outputs = [outputs] if self._single else list(outputs or [])
        for t in self.inputs + self.outputs:
            if not isinstance(t, Tensor):
                raise TypeError(f'function: inputs and outputs must be tensors, got {t!r}')
        self.updates = [_as_assign(u) for u in (updates or [])]
        self._compile()

    def _compile(self):
        fed = {t.id: i for i, t in enumerate(self.inputs)}
        nodes = graph_state.reachable(self.outputs + self.updates, leaves=fed)
        assigns = [n for n in nodes if n.op == 'assign']
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
        last_use = {}
        for k, n in enumerate(plan):
            if n.id not in fed and n.id not in folded:
                for i in n.inputs:
                    last_use[i.id] = k
        slot = {n.id: f'v{k}' for k, n in enumerate(plan)}
        self._slots, self._line_nodes = slot, {}
        env = {'_feeds': [_feed_converter(t) for t in self.inputs], '_f32': _to_float32,
               '_detach': _detach}
        lines = []
        for k, n in enumerate(plan):
            v = slot[n.id]
            if n.id in steps and (k == 0 or plan[k - 1].id not in steps):
                _detach_line(lines, [slot[m.id] for m in self.outputs + assigns
                                     if m.id not in steps],
                             [f'_{slot[t.id]}.value' for m in plan if m.id in steps
                              for t in steps[m.id]])
            if n.id in fed:
                lines.append(f'{v} = _feeds[{fed[n.id]}](fed[{fed[n.id]}])')
                continue
            if n.id in folded:
                env[f'_{v}'] = folded[n.id]
                lines.append(f'{v} = _{v}')
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
                self._line_nodes[len(lines) + 2] = n     # +2: after the def line, 1-based
                lines.append(f'{v} = _{v}({args})')
            dead = {slot[i.id] for i in n.inputs if last_use.get(i.id) == k and i.id not in keep}
            if dead:
                lines.append('del ' + ', '.join(sorted(dead)))
        outs = ', '.join(slot[n.id] for n in self.outputs)
        news = ', '.join(slot[n.id] for n in assigns)
        lines.append(f'return ({outs}{"," if self.outputs else ""}), ({news}{"," if assigns else ""})')
        source = 'def _run(fed):\n    ' + '\n    '.join(lines) + '\n'
        exec(compile(source, f'<kback function {self.name or ""}>', 'exec'), env)
        self._run = env['_run']
        self._source = source
        # Copy outputs that alias a variable, a folded constant or a fed array.
        self._out_specs = [(n.dtype, isinstance(n, Variable) or n.id in folded or n.id in fed
                            or n.id in steps) for n in self.outputs]
        self._assigns = [n.inputs[0] for n in assigns]

    def __call__(self, inputs=()):
        if isinstance(inputs, dict):
            missing = [t.name for t in self.inputs if t not in inputs]
            if missing:
                raise ValueError(f'function: the dict of inputs has no value for {missing}')
            inputs = [inputs[t] for t in self.inputs]
        elif not isinstance(inputs, (list, tuple)):
            # Keras 2.3's Function takes a list or tuple only: a lone array
            # would be read as a list of its rows.
            got = f'an array of shape {fmt(np.shape(inputs))}' \
                if isinstance(inputs, np.ndarray) else f'a {type(inputs).__name__}'
            raise TypeError(f'function: inputs must be a list or tuple of {len(self.inputs)} '
                            f'arrays ({", ".join(t.name for t in self.inputs)}), got {got}; '
                            'pass [array] for one input')
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
        results = [_finish(v, dtype, copy) for v, (dtype, copy) in zip(outs, self._out_specs)]
        for var, value in zip(self._assigns, news):
            var.assign_value(value, op='update')
        return results[0] if self._single else results

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
        local = tb.tb_frame.f_locals
        values = [i.value if isinstance(i, Variable) else local.get(self._slots[i.id])
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


def _inplace_steps(nodes, fed):
    """{id: target variables} of the in-place update nodes among `nodes`."""
    steps = {n.id: inplace_targets(n) for n in nodes}
    steps = {i: targets for i, targets in steps.items() if targets is not None}
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


def _as_assign(update):
    from .ops import apply
    if isinstance(update, Tensor):
        if update.op != 'assign' and inplace_targets(update) is None:
            raise TypeError(f"function: updates must be (variable, new_value) pairs or results "
                            f"of K.update*, got tensor '{update.name}'")
        return update
    try:
        var, value = update
    except (TypeError, ValueError):
        raise TypeError(f'function: updates must be (variable, new_value) pairs, got {update!r}') from None
    return apply('assign', var, value)
