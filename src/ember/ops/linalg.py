"""Matrix products: ``matmul`` in every rank combination, ``mm``/``bmm``/``mv``/``dot``,
and ``addmm``/``addmv``/``baddbmm`` (``beta * input + alpha * product``).

PyTorch does not promote dtypes in matrix products: mixed operands raise the error of
the kernel PyTorch would reach, and so do mismatched shapes.  ``matmul`` is one node
here; PyTorch reaches different kernels by rank, and the node takes the ``grad_fn`` name
of the one PyTorch would show (``MmBackward0``, ``UnsafeViewBackward0``, ...).
"""

from __future__ import annotations

from ..autograd.node import Node, array_backward
from ..dtypes import C_TYPE_NAMES, scalar_type_name
from ..tensor_base import TensorBase as Tensor
from . import batching, registry
from ._spec import OpSpec
from .registry import declare, op, public_names


def ctype_name(t):
    """PyTorch's C type name of ``t``'s dtype (``float``, ``long int``)."""
    return C_TYPE_NAMES.get(str(t._data.dtype), str(t._data.dtype))


def prod(shape):
    """The product of a shape's sizes (1 for ``()``)."""
    n = 1
    for s in shape:
        n *= s
    return n


def not_implemented(kernel, t):
    """PyTorch's error for a kernel that has no implementation for ``t``'s dtype."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(t)}'")


def dtype_mismatch(message, a, b, name=scalar_type_name):
    """PyTorch's error ``message`` for operands of two dtypes, its ``{}`` filled with their
    names (``name`` gives a dtype's word: ``Float`` or the C type)."""
    return RuntimeError(message.format(name(a), name(b)))


def mm_shape_error(s1, s2):
    """PyTorch's error for matrices of shapes ``s1`` and ``s2`` that cannot be multiplied."""
    return RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({s1[0]}x{s1[1]} and {s2[0]}x{s2[1]})"
    )


def require_tensor(x, fn, name, pos):
    """Raise PyTorch's TypeError unless argument ``name`` of ``fn`` is a tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )


_MM_TOL = dict(atol=1e-4, rtol=1e-4)
# PyTorch's messages for operands of different dtypes, by the kernel that meets them.
M1_M2_DTYPES = "expected m1 and m2 to have the same dtype, but got: {} != {}"
SELF_MAT2_DTYPES = "self and mat2 must have the same dtype, but got {} and {}"
MAT1_MAT2_DTYPES = "mat1 and mat2 must have the same dtype, but got {} and {}"
SCALAR_TYPES = "expected scalar type {} but found {}"


# ----- matmul and its kernels -----------------------------------------------------------
def _matmul_grads(grad, a, b, a_vec, b_vec):
    """Gradients of ``a @ b`` (``None`` where ``a``/``b`` was not saved): vectors act as a row
    (``a``) or a column (``b``); broadcast batches are summed back by the engine."""
    if a_vec and b_vec:
        g = grad.reshape(1, 1)
    elif a_vec:
        g = grad.unsqueeze(-2)
    elif b_vec:
        g = grad.unsqueeze(-1)
    else:
        g = grad
    ga = gb = None
    if b is not None:
        ga = g @ (b.unsqueeze(-1) if b_vec else b).mT
        if a_vec:
            ga = ga.squeeze(-2)
    if a is not None:
        gb = (a.unsqueeze(0) if a_vec else a).mT @ g
        if b_vec:
            gb = gb.squeeze(-1)
    return ga, gb


class MatMul(Node):
    """d(a @ b) = grad @ b^T for a, a^T @ grad for b (vectors promoted, batches summed)"""

    def forward(self, a, b):
        n = self.needs_input_grad
        if n is not None:
            self.dims = (a.ndim, b.ndim)
            self.save_for_backward(a if n[1] else None, b if n[0] else None)
        return _product(self.xp, a, b)

    def backward(self, grad):
        da, db = self.dims
        if da > 1 and db > 1 and array_backward(grad):
            a, b = self.saved_arrays()
            g = grad._data
            if all(t is None or t.dtype == g.dtype for t in (a, b)):
                # the products the Ember-op form records, on arrays
                make, xp = type(grad)._make, self.xp
                ga = None if b is None else make(_product(xp, g, xp.swapaxes(b, -1, -2)))
                gb = None if a is None else make(_product(xp, xp.swapaxes(a, -1, -2), g))
                return ga, gb
        a, b = self.saved_tensors
        return _matmul_grads(grad, a, b, da == 1, db == 1)


def _product(xp, a, b):
    """``a @ b`` on arrays (both of rank >= 1)."""
    if b.ndim == 2 and a.ndim > 2 and a.size > 4096 and a.flags.c_contiguous:
        # one GEMM over the folded batch: faster than NumPy's loop of one per matrix
        # (for small operands the two reshapes cost more than they save)
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[1:])
    return xp.matmul(a, b)


# PyTorch's matmul reaches a different kernel per rank combination, each with its own
# grad_fn name; one subclass per name (the function picks it in ``_matmul_node``).
class Mm(MatMul):
    """d(a @ b) = grad @ b^T for a, a^T @ grad for b"""


class Bmm(MatMul):
    """d(a @ b) = grad @ b^T for a, a^T @ grad for b, per batch"""


class Mv(MatMul):
    """d(A @ v) = outer(grad, v) for A, A^T @ grad for v"""


class Dot(MatMul):
    """d(a . b) = grad * b for a, grad * a for b"""


class VecMat(MatMul):
    """d(v @ B) = B @ grad for v, outer(v, grad) for B (PyTorch: a row times B, squeezed)"""


class FoldedMatMul(MatMul):
    """d(A @ B) for a matrix A and a batch B (PyTorch: one folded product, copied out)"""


class FoldedRowMatMul(MatMul):
    """d(A @ B) as ``FoldedMatMul`` when the folded result needs no copy (PyTorch: a transpose)"""


def _matmul_node(a, b):
    """The node PyTorch's matmul would show for operands ``a``, ``b`` (ranks >= 1)."""
    sa, sb = a._data.shape, b._data.shape
    da, db = len(sa), len(sb)
    if da <= 2 and db <= 2:
        return _SMALL[da, db]
    # A matrix (or a batch of one) times a larger batch while ``a`` requires grad: PyTorch
    # folds the batch into one product on the transposes and copies the result back out.
    if a._requires_grad and db >= 3 and (da == 2 or (da == db == 3 and sa[0] == 1 != sb[0])):
        n, p = sa[-2], sb[-1]
        if n == 1 or p == 1 or not prod(sb[:-2]) * n * p:
            return FoldedRowMatMul
        return FoldedMatMul
    return MatMul


def _check_dot(a, b):
    if a._data.dtype != b._data.dtype:
        raise dtype_mismatch(
            "dot : expected both vectors to have same dtype, but found {} and {}", a, b
        )
    na, nb = a._data.shape[0], b._data.shape[0]
    if na != nb:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{na}] and src [{nb}] to have the same "
            f"number of elements, but got {na} and {nb} elements respectively"
        )
    if a._data.dtype.kind == "b":
        raise not_implemented("dot", a)


def _check_mv(mat_shape, vec_len, mat, vec, out_dtype_of=None):
    n, k = mat_shape
    if k != vec_len:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({vec_len})")
    first = out_dtype_of if out_dtype_of is not None else vec
    if not (first._data.dtype == mat._data.dtype == vec._data.dtype):
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{scalar_type_name(first)}, {scalar_type_name(mat)}, and {scalar_type_name(vec)}"
        )
    if mat._data.dtype.kind == "b":
        raise not_implemented("addmv_impl_cpu", mat)


def _check_mm(s1, s2, a, b):
    if s1[1] != s2[0]:
        raise mm_shape_error(s1, s2)
    if a._data.dtype != b._data.dtype:
        raise dtype_mismatch(M1_M2_DTYPES, a, b, ctype_name)
    if a._data.dtype.kind == "b":
        raise not_implemented("addmm_impl_cpu_", a)


def _check_batch2(want, got, a, b):
    """PyTorch's batched-product checks: ``batch2``'s leading sizes ``got`` must be ``want``
    and both operands one dtype."""
    if want != got:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{want[0]}, "
            f"{want[1]}] but got: [{got[0]}, {got[1]}]."
        )
    if a._data.dtype != b._data.dtype:
        raise dtype_mismatch(SCALAR_TYPES, a, b)


def _broadcast_batch(sa, sb):
    """The broadcast of two batch shapes, with PyTorch's error."""
    n = max(len(sa), len(sb))
    out = []
    for i in range(n):
        x = sa[i - n + len(sa)] if i - n + len(sa) >= 0 else 1
        y = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {i}"
            )
        out.append(y if x == 1 else x)
    return tuple(out)


def _check_matmul(a, b):
    """Raise what PyTorch's matmul raises for these operands (it dispatches by rank)."""
    sa, sb = a._data.shape, b._data.shape
    da, db = len(sa), len(sb)
    if not da or not db:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        _check_dot(a, b)
    elif db == 1:  # matrix (or folded batch) times vector
        _check_mv((prod(sa[:-1]), sa[-1]), sb[0], a, b)
    elif db == 2:  # (a folded batch of) matrix times matrix
        _check_mm((prod(sa[:-1]), sa[-1]), sb, a, b)
    else:
        batch = prod(_broadcast_batch(sa[:-2], sb[:-2]))
        _check_batch2((batch, sa[-1]), (batch, sb[-2]), a, b)
        if a._data.dtype.kind == "b":
            raise not_implemented("bmm", a)


def _mm_spec(name, samples, **kw):
    return OpSpec(name, lambda t, a, b: t.matmul(a, b), samples, shapes=None, **kw)


@op(MatMul, methods="matmul", grad_fn="UnsafeViewBackward0", vmap=batching.matmul,
    spec=_mm_spec("matmul",
                  [((2, 3, 4), (4, 5)), ((2, 3, 5), (5,)), ((5,), (2, 5, 3)),
                   ((2, 1, 3, 4), (5, 4, 2)), ((1, 3, 4), (1, 4, 5))],
                  **_MM_TOL))  # fmt: skip
def matmul(input, other):
    """Matrix product with NumPy/PyTorch rank rules (vectors, matrices, broadcast batches)."""
    require_tensor(input, "matmul", "input", 1)
    require_tensor(other, "matmul", "other", 2)
    if (
        input._data.dtype != other._data.dtype
        and input._data.ndim >= 2
        and other._data.ndim >= 3
        and not (input._data.size and other._data.size)
    ):
        # PyTorch's batched product skips its dtype check when an operand is empty and
        # answers in the second operand's dtype.
        input = input.to(other.dtype)
    _check_matmul(input, other)
    return _matmul_node(input, other).apply(input, other)


declare(VecMat, None, grad_fn="SqueezeBackward4", vmap=batching.matmul,
        spec=_mm_spec("matmul_vec_mat", [((4,), (4, 5)), ((0,), (0, 3))]))  # fmt: skip
declare(FoldedMatMul, None, grad_fn="CloneBackward0", vmap=batching.matmul,
        spec=_mm_spec("matmul_folded", [((3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5))],
                      **_MM_TOL))  # fmt: skip
declare(FoldedRowMatMul, None, grad_fn="TransposeBackward0", vmap=batching.matmul,
        spec=_mm_spec("matmul_folded_row", [((1, 4), (2, 4, 5)), ((0, 3), (2, 3, 4))]))  # fmt: skip


@op(Mm, methods="mm", vmap=batching.matmul,
    spec=(OpSpec("mm", lambda t, a, b: t.mm(a, b), [((3, 4), (4, 2)), ((0, 2), (2, 3))],
                 shapes=None),
          _mm_spec("matmul_2d", [((3, 4), (4, 5)), ((0, 3), (3, 2))], **_MM_TOL)))  # fmt: skip
def mm(input, mat2):
    """Product of two matrices (2-D only)."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(input._data.shape, mat2._data.shape, input, mat2)
    return Mm.apply(input, mat2)


@op(Bmm, methods="bmm", vmap=batching.matmul,
    spec=OpSpec("bmm", lambda t, a, b: t.bmm(a, b),
                [((2, 3, 4), (2, 4, 5)), ((0, 2, 3), (0, 3, 1))], shapes=None))  # fmt: skip
def bmm(input, mat2):
    """Batched product of two 3-D tensors with equal batch sizes."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = input._data.shape, mat2._data.shape
    _check_batch2((s1[0], s1[2]), s2[:2], input, mat2)
    if input._data.dtype.kind == "b":
        raise not_implemented("bmm", input)
    return Bmm.apply(input, mat2)


@op(Mv, methods="mv", vmap=batching.matmul,
    spec=(OpSpec("mv", lambda t, a, b: t.mv(a, b), [((3, 4), (4,)), ((0, 2), (2,))], shapes=None),
          _mm_spec("matmul_mv", [((3, 4), (4,))])),
    out="same")  # fmt: skip
def mv(input, vec):
    """Matrix-vector product."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}"
        )
    _check_mv(input._data.shape, vec._data.shape[0], input, vec)
    return Mv.apply(input, vec)


@op(Dot, methods="dot", vmap=batching.matmul,
    spec=(OpSpec("dot", lambda t, a, b: t.dot(a, b), [((4,), (4,)), ((0,), (0,))], shapes=None),
          _mm_spec("matmul_dot", [((4,), (4,))])))  # fmt: skip
def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    _check_dot(input, other)
    return Dot.apply(input, other)


_SMALL = {(1, 1): Dot, (2, 1): Mv, (1, 2): VecMat, (2, 2): Mm}


# ----- beta * input + alpha * (a @ b) ----------------------------------------------------
class AddMatMul(Node):
    """d(beta*c + alpha*(a @ b)) = beta*grad for c; the matmul rule on alpha*grad for a, b"""

    def forward(self, c, a, b, beta, alpha):
        xp = self.xp
        out = xp.matmul(a, b)
        if alpha != 1:
            out = xp.multiply(out, alpha, out=out, casting="unsafe")
        if beta != 0:  # beta == 0 ignores c entirely (its NaNs too), as PyTorch does
            if beta == 1:
                out += c
            else:
                xp.add(out, xp.multiply(c, beta), out=out, casting="unsafe")
        n = self.needs_input_grad
        if n is not None:
            self.dims = (a.ndim, b.ndim)
            self.beta, self.alpha = beta, alpha
            self.save_for_backward(a if n[2] else None, b if n[1] else None)
        return out

    def backward(self, grad):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gc = None
        if n[0]:
            gc = grad if self.beta == 1 else grad * self.beta
        g = grad if self.alpha == 1 else grad * self.alpha
        ga, gb = _matmul_grads(g, a, b, self.dims[0] == 1, self.dims[1] == 1)
        return gc, ga, gb, None, None


class Addmm(AddMatMul):
    """d(beta*c + alpha*(a @ b)) = beta*grad for c; alpha*grad @ b^T, alpha*a^T @ grad"""


class Addmv(AddMatMul):
    """d(beta*c + alpha*(A @ v)) = beta*grad for c; alpha*outer(grad, v), alpha*A^T @ grad"""


class Baddbmm(AddMatMul):
    """d(beta*c + alpha*(a @ b)) = beta*grad for c; the batched matmul rule for a, b"""


def check_expand(t, target):
    """Raise PyTorch's expand error unless ``t`` broadcasts to exactly ``target``."""
    from ..autograd.errors import legacy_type_name

    shape = t._data.shape
    target = list(target)
    if len(shape) > len(target):
        raise RuntimeError(
            f"expand({legacy_type_name(t._data)}{{{list(shape)}}}, size={target}): the number "
            f"of sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    lead = len(target) - len(shape)
    for i in reversed(range(len(shape))):  # PyTorch checks from the last dimension
        s, want = shape[i], target[lead + i]
        if s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) "
                f"at non-singleton dimension {lead + i}.  Target sizes: {target}.  Tensor "
                f"sizes: {list(shape)}"
            )


@op(Addmm, methods="addmm", vmap=registry.LOOP,
    spec=(OpSpec("addmm", lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2.0),
                 [((3, 2), (3, 4), (4, 2)), ((2,), (3, 4), (4, 2)), ((), (3, 4), (4, 2))],
                 shapes=None, **_MM_TOL),
          OpSpec("addmm_default", lambda t, c, a, b: t.addmm(c, a, b), [((1, 2), (3, 4), (4, 2))],
                 shapes=None)),
    out="same")  # fmt: skip
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    s1, s2 = mat1._data.shape, mat2._data.shape
    check_expand(input, (s1[0], s2[1]))
    if s1[1] != s2[0]:
        raise mm_shape_error(s1, s2)
    if input._data.dtype != mat2._data.dtype:
        raise dtype_mismatch(SELF_MAT2_DTYPES, input, mat2)
    if mat1._data.dtype != mat2._data.dtype:
        raise dtype_mismatch(MAT1_MAT2_DTYPES, mat1, mat2)
    if mat1._data.dtype.kind == "b":
        raise not_implemented("addmm_impl_cpu_", mat1)
    return Addmm.apply(input, mat1, mat2, beta, alpha)


@op(Addmv, methods="addmv", vmap=registry.LOOP,
    spec=OpSpec("addmv", lambda t, c, a, b: t.addmv(c, a, b, beta=1.5, alpha=-1.0),
                [((3,), (3, 4), (4,)), ((1,), (3, 4), (4,))], shapes=None),
    out="same")  # fmt: skip
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    if mat._data.ndim != 2 or vec._data.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input._data.ndim}, {mat._data.ndim}, "
            f"{vec._data.ndim}"
        )
    n, k = mat._data.shape
    if k != vec._data.shape[0] or (input._data.ndim == 1 and input._data.shape[0] not in (1, n)):
        got = input._data.shape[0] if input._data.ndim else n
        raise RuntimeError(
            f"size mismatch, got input ({got}), mat ({n}x{k}), vec ({vec._data.shape[0]})"
        )
    _check_mv((n, k), k, mat, vec, out_dtype_of=input)
    return Addmv.apply(input, mat, vec, beta, alpha)


@op(Baddbmm, methods="baddbmm", vmap=registry.LOOP,
    spec=OpSpec("baddbmm", lambda t, c, a, b: t.baddbmm(c, a, b, beta=0.5, alpha=2.0),
                [((2, 3, 2), (2, 3, 4), (2, 4, 2)), ((3, 1), (2, 3, 4), (2, 4, 2))], shapes=None),
    out="same")  # fmt: skip
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    if batch1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = batch1._data.shape, batch2._data.shape
    check_expand(input, (s1[0], s1[1], s2[2]))
    _check_batch2((s1[0], s1[2]), s2[:2], batch1, batch2)
    if input._data.dtype != batch1._data.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {ctype_name(input)}, batch1: "
            f"{ctype_name(batch1)}, batch2: {ctype_name(batch2)}"
        )
    if batch1._data.dtype.kind == "b":
        raise not_implemented("baddbmm", batch1)
    return Baddbmm.apply(input, batch1, batch2, beta, alpha)


__all__ = public_names(__name__)
