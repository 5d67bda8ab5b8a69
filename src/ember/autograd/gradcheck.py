"""``gradcheck`` and ``gradgradcheck``: analytical gradients against finite differences."""

from __future__ import annotations

import warnings

from ..backend import asnumpy, np


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical gradients disagree."""


def _as_tuple(x):
    from ..tensor import Tensor

    return (x,) if isinstance(x, Tensor) else tuple(x)


def _outputs(fn, inputs):
    out = fn(*inputs)
    return _as_tuple(out)


def _diff_outputs(outs):
    return [o for o in outs if o._data.dtype.kind in "fc"]


def _numerical_jacobian(fn, inputs, i, eps):
    """Central-difference Jacobian of every float output w.r.t. ``inputs[i]``."""
    x = inputs[i]
    data = x._data
    flat = data.reshape(-1) if data.flags.c_contiguous else None
    if flat is None:  # non-contiguous leaf: perturb through an index view
        flat_index = list(np.ndindex(*data.shape))
    cols = []
    if True:  # grad mode stays on: functions like gradgradcheck's vjp need it
        n = data.size
        for k in range(n):
            idx = k if flat is not None else flat_index[k]
            target = flat if flat is not None else data
            orig = target[idx].copy()
            target[idx] = orig + eps
            plus = [
                asnumpy(o._data).astype(np.float64).ravel()
                for o in _diff_outputs(_outputs(fn, inputs))
            ]
            target[idx] = orig - eps
            minus = [
                asnumpy(o._data).astype(np.float64).ravel()
                for o in _diff_outputs(_outputs(fn, inputs))
            ]
            target[idx] = orig
            cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    outs = _diff_outputs(_outputs(fn, inputs))
    # jac[o] has shape (numel(input), numel(output o))
    return [np.array([c[o] for c in cols]).reshape(n, outs[o]._data.size) for o in range(len(outs))]


def _analytical_jacobian(fn, inputs, i):
    from ..tensor import Tensor
    from . import grad as _grad

    outs = _diff_outputs(_outputs(fn, inputs))
    x = inputs[i]
    jacs = []
    for out in outs:
        m = out._data.size
        jac = np.zeros((x._data.size, m))
        for j in range(m):
            go = np.zeros(out._data.shape, dtype=out._data.dtype)
            go.reshape(-1)[j] = 1
            if not out._requires_grad:
                continue
            (g,) = _grad(out, x, Tensor._make(go), retain_graph=True, allow_unused=True)
            if g is not None:
                jac[:, j] = asnumpy(g._data).astype(np.float64).reshape(-1)
        jacs.append(jac)
    return jacs


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              fast_mode=False, masked=None):  # fmt: skip
    """Check ``func``'s gradients against central finite differences (float64 inputs advised).

    Returns True, or raises ``GradcheckError`` naming the output, the input and the
    first element that disagrees (or returns False with ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    for k, x in enumerate(inputs):
        if hasattr(x, "_requires_grad") and x._requires_grad and x._data.dtype != np.float64:
            warnings.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=2,
            )
    for i, x in enumerate(inputs):
        if not (hasattr(x, "_requires_grad") and x._requires_grad):
            continue
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = _analytical_jacobian(func, inputs, i)
        for o, (num, ana) in enumerate(zip(numerical, analytical)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol, equal_nan=True):
                bad = np.argwhere(~np.isclose(ana, num, rtol=rtol, atol=atol, equal_nan=True))
                r, c = bad[0]
                elem = np.unravel_index(r, x._data.shape) if x._data.ndim else ()
                msg = (
                    f"Jacobian mismatch for output {o} with respect to input {i},\n"
                    f"numerical:{_fmt(num)}\nanalytical:{_fmt(ana)}\n"
                    f"First mismatch: d output[{o}] element {int(c)} / d input[{i}] element "
                    f"{tuple(int(e) for e in elem)}: numerical {num[r, c]:.6g}, analytical "
                    f"{ana[r, c]:.6g} ({len(bad)} of {num.size} entries differ).\n"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _fmt(m):
    from ..tensor import Tensor

    return repr(Tensor._make(m))


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  fast_mode=False, masked=False):  # fmt: skip
    """Check second derivatives: ``gradcheck`` of the vector-Jacobian product of ``func``."""
    from ..tensor import Tensor
    from . import grad as _grad

    inputs = _as_tuple(inputs)
    outs = _diff_outputs(_outputs(func, inputs))
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        grad_outputs = [
            Tensor._make(
                rng.standard_normal(o._data.shape).astype(o._data.dtype), requires_grad=True
            )
            for o in outs
        ]
    else:
        grad_outputs = list(_as_tuple(grad_outputs))
    n_in = len(inputs)
    diff_idx = [k for k, x in enumerate(inputs) if getattr(x, "_requires_grad", False)]

    def vjp(*args):
        ins, gos = args[:n_in], args[n_in:]
        os_ = _diff_outputs(_outputs(func, ins))
        pairs = [(o, g) for o, g in zip(os_, gos) if o._requires_grad]
        if not pairs:
            return ()
        grads = _grad([p[0] for p in pairs], [ins[k] for k in diff_idx], [p[1] for p in pairs],
                      create_graph=True, allow_unused=True)  # fmt: skip
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)  # fmt: skip
