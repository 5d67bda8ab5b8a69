"""``ember.func``: composable function transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap).

All transforms run on Ember's reverse-mode graph.  Inputs are wrapped in fresh
differentiable handles, gradients are taken with ``create_graph`` whenever grad mode is
on, so transforms nest (``jacfwd(jacrev(f))``, ``vmap(grad(f))``); a result is detached
unless its graph reaches a tensor from outside the transform (an outer transform's input
or a closed-over tensor that requires grad), so ``grad(f)(x)`` of a plain ``x`` does
not require grad, as in PyTorch.  Forward mode (``jvp``, ``jacfwd``) uses the
double-vjp trick.
"""

from __future__ import annotations

from contextlib import nullcontext

from ..autograd.grad_mode import enable_grad
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import AccumulateGrad
from . import _vmap
from ._pytree import check_tensor_leaves, tensor_leaves, tree_leaves, tree_map, tree_structure
from ._vmap import last_vmap, vmap

__all__ = [
    "grad",
    "grad_and_value",
    "vjp",
    "jvp",
    "jacrev",
    "jacfwd",
    "hessian",
    "vmap",
    "last_vmap",
    "functional_call",
]


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


def _autograd_grad(*args, **kwargs):
    from ..autograd import grad

    return grad(*args, **kwargs)


# ----- inner/outer bookkeeping -----------------------------------------------------------------
class _Level:
    """The fresh leaves one transform made: gradients reaching only them stay inside."""

    def __init__(self):
        self.fresh = set()

    def wrap(self, x):
        Tensor = _tensor_cls()
        if not isinstance(x, Tensor):
            return x
        if x.requires_grad:
            return x.view_as(x)  # keeps the outer graph: nested transforms see through it
        leaf = x.detach().requires_grad_(True)
        self.fresh.add(id(leaf))
        return leaf

    def reaches_outside(self, t):
        """True when ``t``'s graph reaches a leaf this transform did not make."""
        if not t.requires_grad:
            return False
        if t.grad_fn is None:
            return id(t) not in self.fresh
        seen = {t.grad_fn}
        stack = [t.grad_fn]
        while stack:
            n = stack.pop()
            if type(n) is AccumulateGrad:
                if id(n.variable) not in self.fresh:
                    return True
                continue
            for child, _ in n._next:
                if child is not None and child not in seen:
                    seen.add(child)
                    stack.append(child)
        return False

    def finish(self, obj):
        """Detach every tensor in ``obj`` whose graph stays inside this transform."""
        Tensor = _tensor_cls()

        def fix(x):
            if isinstance(x, Tensor) and x.requires_grad and not self.reaches_outside(x):
                return x.detach()
            return x

        return tree_map(fix, obj)


def _zeros_like(x):
    from ..creation import zeros_like

    return zeros_like(x)


def _check_argnums(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    out = []
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise RuntimeError(f"argnums must be unique, got {argnums}")
    return out


def _refill(wrapped, nums, values):
    """Per argnum, its structure with tensor leaves replaced by ``values`` in order."""
    Tensor = _tensor_cls()
    it = iter(values)
    return [
        tree_map(lambda x: next(it) if isinstance(x, Tensor) else None, wrapped[a]) for a in nums
    ]


def _pairs_grad(pairs, inputs, create):
    """Per input, the gradient of the sum of ``output * cotangent`` over the ``pairs``; all
    None when there is nothing to differentiate."""
    if not (pairs and inputs):
        return (None,) * len(inputs)
    return _autograd_grad([o for o, _ in pairs], inputs, [c for _, c in pairs], retain_graph=True,
                          create_graph=create, allow_unused=True)  # fmt: skip


def _split_aux(output, has_aux, where, check=True):
    """``(output, aux)`` of a function's result; ``aux`` is None unless ``has_aux``.

    With ``check``, PyTorch's error for an auxiliary output that holds a non-tensor (grad
    checks its output first, then calls ``check_tensor_leaves`` itself).
    """
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{where}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    if check:
        check_tensor_leaves(output[1])
    return output


def _output_leaves(output, where):
    """The leaves of a function's output, with PyTorch's errors for none or a non-tensor."""
    Tensor = _tensor_cls()
    leaves = tree_leaves(output)
    if not leaves:
        raise RuntimeError(
            f"{where}: Expected f to be a function that has non-empty output (got output = [])"
        )
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{where}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o)}"
            )
    return leaves


def _wrap_args(level, args, nums):
    args = list(args)
    for a in nums:
        args[a] = tree_map(level.wrap, args[a])
    return args


# ----- grad ------------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning ``(grad of func w.r.t. args[argnums], func's value)``."""

    def wrapper(*args, **kwargs):
        Tensor = _tensor_cls()
        nums = _check_argnums(argnums, len(args))
        level = _Level()
        outer = _grad_state.enabled
        mode = _vmap.batching_mode_of(args)
        if mode is not None:  # inside vmap's batched run: per-example gradients at once
            return _vmap.grad_and_value_batched(
                mode, func, nums, isinstance(argnums, int), has_aux, level, outer, args, kwargs
            )
        with enable_grad():
            args = _wrap_args(level, args, nums)
            output = func(*args, **kwargs)
            output, aux = _split_aux(output, has_aux, "grad_and_value(f)(*args)", check=False)
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                    "APIs instead?"
                )
            if has_aux:
                check_tensor_leaves(aux)
            diff = [tensor_leaves(args[a]) for a in nums]
            flat = [t for group in diff for t in group]
            if output.requires_grad and flat:
                grads = _autograd_grad(output, flat, create_graph=outer, allow_unused=True)
            else:
                grads = (None,) * len(flat)
        grads = [_zeros_like(t) if g is None else g for g, t in zip(grads, flat)]
        per_arg = _refill(args, nums, grads)
        result = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
        result, output, aux = level.finish((result, output, aux))
        if has_aux:
            return result, (output, aux)
        return result, output

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of scalar ``func`` w.r.t. ``args[argnums]``."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapper


# ----- vjp / jvp -------------------------------------------------------------------------------
def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` gives one gradient per primal."""
    level = _Level()
    outer = _grad_state.enabled
    with enable_grad():
        wrapped = [tree_map(level.wrap, p) for p in primals]
        output = func(*wrapped)
        output, aux = _split_aux(output, has_aux, "vjp(f, *primals)")
    out_leaves = _output_leaves(output, "vjp(f, *primals)")
    in_leaves = [t for p in wrapped for t in tensor_leaves(p)]

    def vjp_fn(*cotangents):
        cot = cotangents[0] if len(cotangents) == 1 else cotangents
        cot_leaves = tree_leaves(cot)
        if len(cot_leaves) != len(out_leaves):
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                "outputs to the function."
            )
        pairs = [(o, c) for o, c in zip(out_leaves, cot_leaves) if o.requires_grad]
        create = _grad_state.enabled and outer
        with enable_grad() if create else nullcontext():
            gs = _pairs_grad(pairs, in_leaves, create)
        gs = [_zeros_like(t) if g is None else g for g, t in zip(gs, in_leaves)]
        return level.finish(tuple(_refill(wrapped, range(len(wrapped)), gs)))

    output_f = level.finish(output)
    if has_aux:
        return output_f, vjp_fn, level.finish(aux)
    return output_f, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)``: forward-mode product (double-vjp trick)."""
    Tensor = _tensor_cls()
    where = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{where}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    p_shape, t_shape = tree_structure(primals), tree_structure(tangents)
    if p_shape != t_shape:
        # PyTorch goes on to print both structures as its own tree specs; Ember matches its
        # sentences up to there and pictures the structures in its own notation.
        raise RuntimeError(
            f"{where}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. (Ember: "
            f"primals are {p_shape}, tangents are {t_shape}.)"
        )
    p_leaves, t_leaves = tree_leaves(primals), tree_leaves(tangents)
    for what, leaves in (("primals", p_leaves), ("tangents", t_leaves)):
        if not leaves:
            raise RuntimeError(f"{where}: Expected {what} to contain at least one Tensor.")
        for x in leaves:
            if not isinstance(x, Tensor):
                raise RuntimeError(
                    f"{where}: Expected {what} to only contain Tensors, got {type(x)}"
                )
    for p, t in zip(p_leaves, t_leaves):
        for what, x in (("primal", p), ("tangent", t)):
            if not (x.is_floating_point() or x.is_complex()):
                raise ValueError(
                    f"Expected {what} to be floating point or complex, but got: {x.dtype}"
                )
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}."
            )
    level = _Level()
    with enable_grad():
        wrapped = tuple(tree_map(level.wrap, p) for p in primals)
        output = func(*wrapped)
        output, aux = _split_aux(output, has_aux, where)
        out_leaves = _output_leaves(output, where)
        in_leaves = [t for p in wrapped for t in tensor_leaves(p)]
        tan = [t for t in t_leaves if isinstance(t, Tensor)]
        results = _jvp_leaves(out_leaves, in_leaves, tan)
    it = iter(results)
    jvp_out = tree_map(lambda x: next(it), output)
    output, jvp_out, aux = level.finish((output, jvp_out, aux))
    if has_aux:
        return output, jvp_out, aux
    return output, jvp_out


def _jvp_leaves(out_leaves, in_leaves, tangents):
    """``J @ tangents`` for each output leaf (grad mode must be on)."""
    outs = [o for o in out_leaves if o.requires_grad]
    if not outs:
        return [_zeros_like(o) for o in out_leaves]
    us = [_zeros_like(o).requires_grad_(True) for o in outs]
    vj = _autograd_grad(outs, in_leaves, us, create_graph=True, allow_unused=True)
    pairs = [(g, t) for g, t in zip(vj, tangents) if g is not None and g.requires_grad]
    res = _pairs_grad(pairs, us, True)
    it = iter(res)
    final = []
    for o in out_leaves:
        if o.requires_grad:
            r = next(it)
            final.append(_zeros_like(o) if r is None else r)
        else:
            final.append(_zeros_like(o))
    return final


# ----- Jacobians -------------------------------------------------------------------------------
def _one_hot(ref, j):
    z = _zeros_like(ref)
    z._data.reshape(-1)[j] = 1
    return z


def _stack(ts, dim=0):
    from ..ops.join import stack

    return stack(list(ts), dim)


def _block(parts, dim, shape, dtype):
    """The stacked Jacobian rows/columns ``parts`` in ``shape``; zeros when there are none."""
    if parts:
        return _stack(parts, dim).reshape(shape)
    from ..creation import zeros

    return zeros(shape, dtype=dtype)


def _jacobian(func, argnums, has_aux, where, blocks_of):
    """The wrapper both Jacobian transforms share.

    ``blocks_of(out_leaves, ins, outer)`` yields, per output leaf, its blocks per input leaf;
    ``where`` names the transform PyTorch's errors blame (``vjp`` or ``jvp``).
    """

    def wrapper(*args):
        nums = _check_argnums(argnums, len(args))
        level = _Level()
        outer = _grad_state.enabled
        with enable_grad():
            wrapped = _wrap_args(level, args, nums)
            output = func(*wrapped)
            output, aux = _split_aux(output, has_aux, where)
            ins = [t for a in nums for t in tensor_leaves(wrapped[a])]
            out_leaves = _output_leaves(output, where)
            jac_per_out = []
            for blocks in blocks_of(out_leaves, ins, outer):
                per_arg = _refill(wrapped, nums, blocks)
                jac_per_out.append(per_arg[0] if isinstance(argnums, int) else tuple(per_arg))
        it2 = iter(jac_per_out)
        result = tree_map(lambda _: next(it2), output)
        result, aux = level.finish((result, aux))
        if has_aux:
            return result, aux
        return result

    return wrapper


def _rev_blocks(out_leaves, ins, outer):
    """Per output, the Jacobian blocks per input: one vjp per output element."""
    for o in out_leaves:
        rows = [[] for _ in ins]
        for j in range(o.numel()):
            if o.requires_grad:
                gs = _autograd_grad(o, ins, _one_hot(o, j), retain_graph=True, create_graph=outer,
                                    allow_unused=True)  # fmt: skip
            else:
                gs = (None,) * len(ins)
            for k, (g, x) in enumerate(zip(gs, ins)):
                rows[k].append(_zeros_like(x) if g is None else g)
        yield [
            _block(rows[k], 0, tuple(o.shape) + tuple(x.shape), x.dtype) for k, x in enumerate(ins)
        ]


def _fwd_blocks(out_leaves, ins, outer):
    """Per output, the Jacobian blocks per input: one jvp per input element."""
    # blocks[m][k]: J of output m times each basis tangent of input k
    blocks = [[None] * len(ins) for _ in out_leaves]
    for k, x in enumerate(ins):
        cols = [[] for _ in out_leaves]
        for j in range(x.numel()):
            tangents = [_one_hot(x, j) if i == k else _zeros_like(y) for i, y in enumerate(ins)]
            for m, r in enumerate(_jvp_leaves(out_leaves, ins, tangents)):
                cols[m].append(r)
        for m, o in enumerate(out_leaves):
            shape = tuple(o.shape) + tuple(x.shape)
            blocks[m][k] = _block(cols[m], o.dim(), shape, o.dtype)
    return blocks


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function returning the Jacobian of ``func`` (reverse mode, one vjp per output element)."""
    return _jacobian(func, argnums, has_aux, "vjp(f, *primals)", _rev_blocks)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """A function returning the Jacobian of ``func`` (forward mode, one jvp per input element)."""
    return _jacobian(func, argnums, has_aux, "jvp(f, primals, tangents)", _fwd_blocks)


def hessian(func, argnums=0):
    """A function returning the Hessian of scalar ``func`` (``jacfwd(jacrev(func))``)."""
    return jacfwd(jacrev(func, argnums), argnums)


# ----- functional_call -------------------------------------------------------------------------
def functional_call(
    module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False
):
    """Call ``module`` with its parameters and buffers replaced by the given tensors.

    Args:
        parameter_and_buffer_dicts: a dict (or tuple of dicts) from dotted names
            (``"layer.weight"``) to tensors.
        args, kwargs: the call's arguments (a non-tuple ``args`` is one argument).
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        mapping = dict(parameter_and_buffer_dicts)
    else:
        mapping = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                if k in mapping:
                    raise ValueError(
                        f"['{k}'] appeared in multiple dictionaries; behavior of functional call "
                        "is ambiguous"
                    )
            mapping.update(d)
    if strict:
        names = set(_named_tensors(module))
        missing = sorted(names - set(mapping))
        unexpected = sorted(set(mapping) - names)
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append(f"Unexpected key(s): {', '.join(repr(k) for k in unexpected)}.")
            if missing:
                parts.append(f"Missing key(s): {', '.join(repr(k) for k in missing)}.")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(parts)
            )
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    kwargs = kwargs or {}
    restore = []
    try:
        for name, value in mapping.items():
            owner, attr = _resolve(module, name)
            restore.append((owner, attr, _swap(owner, attr, value)))
        return module(*args, **kwargs)
    finally:
        for owner, attr, old in reversed(restore):
            _swap(owner, attr, old[1], kind=old[0])


def _resolve(module, name):
    parts = name.split(".")
    owner = module
    for p in parts[:-1]:
        owner = getattr(owner, p)
    return owner, parts[-1]


def _swap(owner, attr, value, kind=None):
    """Put ``value`` at ``owner.attr``; returns ``(kind, old value)`` to undo it."""
    for store in ("_parameters", "_buffers"):
        d = owner.__dict__.get(store)
        if isinstance(d, dict) and attr in d and (kind is None or kind == store):
            old = d[attr]
            d[attr] = value
            return store, old
    old = owner.__dict__.get(attr, getattr(owner, attr, None))
    object.__setattr__(owner, attr, value)
    return "attr", old


def _named_tensors(module):
    """Dotted names of every parameter and buffer (iterative walk over submodules)."""
    out = []
    stack = [("", module)]
    seen = set()
    while stack:
        prefix, m = stack.pop()
        if id(m) in seen:
            continue
        seen.add(id(m))
        for store in ("_parameters", "_buffers"):
            for k, v in (m.__dict__.get(store) or {}).items():
                if v is not None:
                    out.append(prefix + k)
        for k, sub in (m.__dict__.get("_modules") or {}).items():
            if sub is not None:
                stack.append((prefix + k + ".", sub))
    return out
