"""Random tensor programs run in Ember and in PyTorch, compared op by op.

A program is a list of steps drawn from ``OPS``; each step applies one op to
tensors from a growing pool (the inputs, then earlier results).  Some steps write in
place into a view of a pool tensor (which rewrites its history, or raises as PyTorch
does for leaves), run under ``no_grad``, or cut the graph with ``detach``; gradients are
taken twice with ``retain_graph=True`` and must agree.  Inputs have
random shapes (broadcastable, 0-d, empty, non-contiguous), dtypes and
``requires_grad`` flags.  Both libraries run the same program; the checker
compares every result's values, dtype, shape and ``requires_grad``, then the
gradients of a random linear function of all float results with respect to every
input.  When PyTorch raises, Ember must raise the same exception type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Each op: name -> (arity, fn(lib, *tensors, **params), params drawn by ``draw_params``).


def _dim(rng, t):
    nd = max(len(t.shape), 1)
    return int(rng.integers(-nd, nd))


UNARY = {
    "neg": lambda L, a: -a,
    "abs": lambda L, a: a.abs(),
    "exp": lambda L, a: (a.clamp(-20, 20) if hasattr(a, "clamp") else a).exp(),
    "tanh": lambda L, a: a.tanh(),
    "sigmoid": lambda L, a: a.sigmoid(),
    "relu": lambda L, a: L.relu(a),
    "sin": lambda L, a: a.sin(),
    "cos": lambda L, a: a.cos(),
    "sqrt_abs": lambda L, a: (a.abs() + 0.1).sqrt(),
    "log_abs": lambda L, a: (a.abs() + 0.5).log(),
    "square": lambda L, a: a * a,
    "scale": lambda L, a: a * 1.5 - 0.25,
    "rsub": lambda L, a: 2.0 - a,
    "recip": lambda L, a: 1.0 / (a.abs() + 1.0),
    "clone": lambda L, a: a.clone(),
    "transpose": lambda L, a: a.transpose(0, -1) if a.dim() >= 1 else a,
    "flatten": lambda L, a: a.reshape(-1),
    "unsqueeze": lambda L, a: a.unsqueeze(0),
    "squeeze": lambda L, a: a.squeeze(),
    "slice": lambda L, a: a[..., ::2] if a.dim() >= 1 else a,
    "flip": lambda L, a: a.flip(0) if a.dim() >= 1 else a,
    "round": lambda L, a: a.round(),
    "float": lambda L, a: a.float(),
    "double": lambda L, a: a.double(),
    "pow2": lambda L, a: a**2,
    "leaky": lambda L, a: L.nn.functional.leaky_relu(a, 0.1),
    "gelu": lambda L, a: L.nn.functional.gelu(a),
    "inplace_on_view": lambda L, a: _inplace_on_view(a),
    "inplace_pool_view": lambda L, a: _inplace_pool_view(a),
    "relu_inplace": lambda L, a: (a * 1.0).relu_(),
    "no_grad_scale": lambda L, a: _under_no_grad(L, lambda: a * 2.0),
    "detach_mul": lambda L, a: a.detach() * a,
}


def _inplace_on_view(a):
    """A copy of ``a`` whose first slice along the last dim is doubled in place (CopySlices).

    The copy is made contiguous: Ember refuses in-place writes through a view of a
    non-contiguous graph tensor (a documented limitation, docs/reliability.md).
    """
    v = (a * 1.0).contiguous()
    if v.dim() >= 1:
        v[..., :1].mul_(2.0)
    else:
        v.mul_(2.0)
    return v


def _inplace_pool_view(a):
    """An in-place add into a view of a leaf of the pool (one that requires grad raises, as in
    PyTorch); results of ops are left alone (``_inplace_on_view`` covers those)."""
    if a.grad_fn is not None:
        return a * 1.0
    if a.dim() >= 1:
        a[..., :1].add_(1.0)
    else:
        a.add_(1.0)
    return a * 1.0


def _under_no_grad(L, fn):
    with L.no_grad():
        return fn()


BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / (b.abs() + 0.5),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "pow": lambda L, a, b: (a.abs() + 0.5) ** b.clamp(-2, 2),
    "atan2": lambda L, a, b: L.atan2(a, b),
    "where": lambda L, a, b: L.where(a > b, a, b),
    "matmul": lambda L, a, b: a @ b,
    "cat0": lambda L, a, b: L.cat([a, b], 0),
    "lerp": lambda L, a, b: L.lerp(a, b, 0.3),
}
REDUCE = {
    "sum": lambda L, a, d: a.sum(),
    "sum_dim": lambda L, a, d: a.sum(d),
    "mean_dim": lambda L, a, d: a.mean(d, keepdim=True),
    "amax": lambda L, a, d: a.amax(d),
    "max_dim": lambda L, a, d: a.max(d).values,
    "logsumexp": lambda L, a, d: L.logsumexp(a, d),
    "softmax": lambda L, a, d: L.softmax(a, d),
    "log_softmax": lambda L, a, d: L.log_softmax(a, d),
    "var": lambda L, a, d: a.var(d),
    "prod": lambda L, a, d: a.prod(d),
    "cumsum": lambda L, a, d: a.cumsum(d),
    "norm": lambda L, a, d: a.norm(),
}


@dataclass
class Step:
    """One op of a program: its kind and name, operand indices into the pool, a dim."""

    kind: str
    name: str
    operands: tuple
    dim: int = 0


@dataclass
class Program:
    """Inputs (arrays, requires_grad flags) and the steps over them."""

    inputs: list
    flags: list
    steps: list

    def describe(self) -> str:
        """A readable listing, for mismatch reports and regression tests."""
        lines = [
            f"x{i}: shape {a.shape} {a.dtype} requires_grad={f} "
            f"{'non-contiguous' if not a.flags.c_contiguous else ''}"
            for i, (a, f) in enumerate(zip(self.inputs, self.flags))
        ]
        n = len(self.inputs)
        for k, s in enumerate(self.steps):
            args = ", ".join(f"v{o}" if o >= n else f"x{o}" for o in s.operands)
            lines.append(
                f"v{n + k} = {s.name}({args}{', dim=' + str(s.dim) if s.kind == 'reduce' else ''})"
            )
        return "\n".join(lines)


def random_shape(rng, base=None):
    """A shape of 0-3 dims (sides 0-4), often broadcastable against ``base``."""
    if base is not None and rng.random() < 0.7:
        shape = list(base)
        for i in range(len(shape)):
            if rng.random() < 0.3:
                shape[i] = 1
        while shape and rng.random() < 0.3:
            shape.pop(0)
        return tuple(shape)
    nd = int(rng.integers(0, 4))
    sides = [0, 1, 2, 3, 4]
    weights = [0.05, 0.2, 0.3, 0.25, 0.2]
    return tuple(int(rng.choice(sides, p=weights)) for _ in range(nd))


def random_program(rng, max_steps=30) -> Program:
    """A random program of 1 to ``max_steps`` steps over 1-4 random inputs."""
    n_in = int(rng.integers(1, 5))
    base = random_shape(rng)
    inputs, flags = [], []
    for _ in range(n_in):
        shape = random_shape(rng, base)
        dtype = rng.choice([np.float64, np.float64, np.float32])
        a = rng.standard_normal(shape).astype(dtype)
        if a.ndim >= 2 and rng.random() < 0.3:  # a non-contiguous input
            a = np.ascontiguousarray(np.swapaxes(a, 0, 1)).swapaxes(0, 1)
        inputs.append(a)
        flags.append(bool(rng.random() < 0.75))
    steps = []
    pool = n_in
    for _ in range(int(rng.integers(1, max_steps + 1))):
        r = rng.random()
        if r < 0.45:
            kind, table, arity = "unary", UNARY, 1
        elif r < 0.8:
            kind, table, arity = "binary", BINARY, 2
        else:
            kind, table, arity = "reduce", REDUCE, 1
        name = str(rng.choice(sorted(table)))
        ops = tuple(int(rng.integers(0, pool)) for _ in range(arity))
        steps.append(Step(kind, name, ops, int(rng.integers(-3, 3))))
        pool += 1
    return Program(inputs, flags, steps)


def _apply(lib, step, pool):
    args = [pool[i] for i in step.operands]
    if step.kind == "unary":
        return UNARY[step.name](lib, *args)
    if step.kind == "binary":
        return BINARY[step.name](lib, *args)
    a = args[0]
    nd = max(a.dim(), 1)
    d = step.dim % nd - nd if nd else 0
    return REDUCE[step.name](lib, a, d)


def run_program(lib, program):
    """Run ``program`` with ``lib`` (ember or torch): results, or the exception at a step."""
    if lib.__name__ == "torch":
        inputs = [
            lib.from_numpy(np.array(a))
            if a.flags.c_contiguous
            else lib.from_numpy(np.ascontiguousarray(a))
            for a in program.inputs
        ]
    else:
        inputs = [lib.Tensor._make(np.array(a, copy=True, order="K")) for a in program.inputs]
    for t, f in zip(inputs, program.flags):
        t.requires_grad_(f)
    pool = list(inputs)
    for k, step in enumerate(program.steps):
        try:
            out = _apply(lib, step, pool)
        except Exception as e:  # noqa: BLE001 - compared against the other library
            return inputs, pool, (k, e)
        pool.append(out)
    return inputs, pool, None


def to_np(t):
    """A tensor's values as a NumPy array (detached)."""
    t = t.detach()
    return np.array(t._data if hasattr(t, "_data") else t.numpy())


def close(a, b, dtype) -> bool:
    """Values equal within a tolerance that suits the dtype (NaNs equal)."""
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    rtol, atol = (1e-9, 1e-11) if dtype == np.float64 else (2e-4, 2e-5)
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    if not np.array_equal(a[~finite & ~np.isnan(a)], b[~finite & ~np.isnan(b)]):
        return False
    scale = max(1.0, float(np.max(np.abs(b[finite]))) if finite.any() else 1.0)
    return bool(np.allclose(a[finite], b[finite], rtol=rtol, atol=atol * scale))


def _promoted_copy_saved(error, program) -> bool:
    """Ember may miss PyTorch's in-place error when a program mixes float dtypes.

    PyTorch promotes operands inside an op's kernel and saves the originals, so writing
    into the lower-precision original later fails its backward.  Ember casts the operand
    first (a ToCopy node) and saves the cast copy, so the same backward succeeds, with the
    gradient of the values the op saw.  Documented in docs/reliability.md.
    """
    mixed = len({a.dtype for a in program.inputs}) > 1
    return mixed and "modified by an inplace operation" in str(error)


def check_program(program, ember, torch):
    """Compare one program in both libraries; returns a list of mismatch descriptions.

    Values are compared at the precision of the lowest-precision tensor in the program: a
    float32 input or intermediate bounds the accuracy of float64 results computed from it.
    """
    problems = []
    weakest = np.float32 if any(a.dtype == np.float32 for a in program.inputs) else None
    e_in, e_pool, e_err = run_program(ember, program)
    t_in, t_pool, t_err = run_program(torch, program)
    if t_err is not None or e_err is not None:
        if t_err is None or e_err is None or t_err[0] != e_err[0]:
            problems.append(f"exception mismatch: ember {e_err!r} torch {t_err!r}")
            return problems
        if not isinstance(e_err[1], type(t_err[1])):
            problems.append(
                f"step {t_err[0]}: torch raised {type(t_err[1]).__name__}: {t_err[1]}; "
                f"ember raised {type(e_err[1]).__name__}: {e_err[1]}"
            )
        return problems
    n = len(program.inputs)
    if any(str(t.dtype) in ("torch.float32", "torch.float16") for t in t_pool):
        weakest = np.float32
    for k in range(n, len(t_pool)):
        e, t = e_pool[k], t_pool[k]
        if str(e.dtype) != str(t.dtype):
            problems.append(f"v{k}: dtype {e.dtype} != torch {t.dtype}")
        elif tuple(e.shape) != tuple(t.shape):
            problems.append(f"v{k}: shape {tuple(e.shape)} != torch {tuple(t.shape)}")
        elif e.requires_grad != t.requires_grad:
            problems.append(f"v{k}: requires_grad {e.requires_grad} != torch {t.requires_grad}")
        elif not close(to_np(e), to_np(t), weakest or to_np(t).dtype):
            problems.append(f"v{k}: values differ")
    if problems:
        return problems
    # Gradients of a random linear functional of every float result that requires grad.
    rng = np.random.default_rng(len(program.steps))
    e_terms, t_terms = [], []
    for k in range(n, len(t_pool)):
        t = t_pool[k]
        if t.requires_grad and t.dtype.is_floating_point and math.prod(t.shape) > 0:
            w = rng.standard_normal(tuple(t.shape))
            if not np.isfinite(to_np(t)).all():
                continue
            t_terms.append((t * torch.tensor(w, dtype=t.dtype)).sum())
            e_terms.append((e_pool[k] * ember.tensor(w, dtype=e_pool[k].dtype)).sum())
    wrt = [i for i, f in enumerate(program.flags) if f]
    if not t_terms or not wrt:
        return problems
    t_loss = sum(x.double() for x in t_terms)
    e_loss = sum(x.double() for x in e_terms)
    try:
        t_g = torch.autograd.grad(t_loss, [t_in[i] for i in wrt], allow_unused=True)
    except Exception as te:  # noqa: BLE001
        try:
            ember.autograd.grad(e_loss, [e_in[i] for i in wrt], allow_unused=True)
        except Exception as ee:  # noqa: BLE001
            if not isinstance(ee, type(te)):
                problems.append(f"backward: torch {type(te).__name__}, ember {type(ee).__name__}")
            return problems
        if _promoted_copy_saved(te, program):
            return problems  # a known difference, see _promoted_copy_saved
        problems.append(f"backward: torch raised {te!r}, ember did not")
        return problems
    e_g = ember.autograd.grad(e_loss, [e_in[i] for i in wrt], allow_unused=True, retain_graph=True)
    # The graph was retained: a second pass must give the same gradients.
    e_g2 = ember.autograd.grad(e_loss, [e_in[i] for i in wrt], allow_unused=True)
    for i, a, b in zip(wrt, e_g, e_g2):
        if (a is None) != (b is None) or (
            a is not None and not np.array_equal(to_np(a), to_np(b), equal_nan=True)
        ):
            problems.append(f"grad x{i}: second pass with retain_graph differs")
    for i, eg, tg in zip(wrt, e_g, t_g):
        if tg is None and eg is None:
            continue
        if tg is None or eg is None:
            # torch gives None for inputs whose every use is non-differentiable
            z = eg if tg is None else tg
            if np.any(to_np(z) != 0):
                problems.append(f"grad x{i}: None vs non-zero")
            continue
        if str(eg.dtype) != str(tg.dtype):
            problems.append(f"grad x{i}: dtype {eg.dtype} != torch {tg.dtype}")
        elif not close(
            to_np(eg), to_np(tg), weakest or (np.float64 if "64" in str(tg.dtype) else np.float32)
        ):
            problems.append(f"grad x{i}: values differ")
    return problems
