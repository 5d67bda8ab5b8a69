"""Linear algebra: matmul in all rank combinations, mm/bmm/mv/dot, addmm and friends,
einsum, tensordot, outer/inner/kron, trace, diag/diag_embed, tril/triu.

PyTorch does not promote dtypes in matrix products: mixed operands raise the error of
the kernel PyTorch would reach, and so do mismatched shapes.
"""

from __future__ import annotations

import functools

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from ._binary import promote
from ._spec import OpSpec, register

# PyTorch's two spellings of a dtype in its error messages.
_SCALAR = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}
_CTYPE = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _sname(t):
    return _SCALAR.get(str(t._data.dtype), str(t._data.dtype))


def _cname(t):
    return _CTYPE.get(str(t._data.dtype), str(t._data.dtype))


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _not_implemented(kernel, t):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_sname(t)}'")


def _require_tensor(x, fn, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )


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
        return self.xp.matmul(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        da, db = self.dims
        return _matmul_grads(grad, a, b, da == 1, db == 1)

    def name(self):
        da, db = self.dims
        if da <= 2 and db <= 2:
            return {(1, 1): "Dot", (2, 1): "Mv", (1, 2): "Squeeze", (2, 2): "Mm"}[(da, db)] + (
                "Backward4" if (da, db) == (1, 2) else "Backward0"
            )
        return "UnsafeViewBackward0" if da >= db or da == 1 else "CloneBackward0"


class Mm(MatMul):
    """d(a @ b) = grad @ b^T for a, a^T @ grad for b"""

    def name(self):
        return "MmBackward0"


class Bmm(Mm):
    """d(a @ b) = grad @ b^T for a, a^T @ grad for b, per batch"""

    def name(self):
        return "BmmBackward0"


class Mv(Mm):
    """d(A @ v) = outer(grad, v) for A, A^T @ grad for v"""

    def name(self):
        return "MvBackward0"


class Dot(Mm):
    """d(a . b) = grad * b for a, grad * a for b"""

    def name(self):
        return "DotBackward0"


def _check_dot(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_sname(a)} and {_sname(b)}"
        )
    na, nb = a._data.shape[0], b._data.shape[0]
    if na != nb:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{na}] and src [{nb}] to have the same "
            f"number of elements, but got {na} and {nb} elements respectively"
        )
    if a._data.dtype.kind == "b":
        raise _not_implemented("dot", a)


def _check_mv(mat_shape, vec_len, mat, vec, out_dtype_of=None):
    n, k = mat_shape
    if k != vec_len:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({vec_len})")
    first = out_dtype_of if out_dtype_of is not None else vec
    if not (first._data.dtype == mat._data.dtype == vec._data.dtype):
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{_sname(first)}, {_sname(mat)}, and {_sname(vec)}"
        )
    if mat._data.dtype.kind == "b":
        raise _not_implemented("addmv_impl_cpu", mat)


def _check_mm(s1, s2, a, b):
    if s1[1] != s2[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({s1[0]}x{s1[1]} and {s2[0]}x{s2[1]})"
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_cname(a)} != {_cname(b)}"
        )
    if a._data.dtype.kind == "b":
        raise _not_implemented("addmm_impl_cpu_", a)


def _check_bmm(batch, k1, k2, a, b):
    if k1 != k2:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k1}] "
            f"but got: [{batch}, {k2}]."
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {_sname(a)} but found {_sname(b)}")
    if a._data.dtype.kind == "b":
        raise _not_implemented("bmm", a)


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
        _check_mv((_prod(sa[:-1]), sa[-1]), sb[0], a, b)
    elif db == 2:  # (a folded batch of) matrix times matrix
        _check_mm((_prod(sa[:-1]), sa[-1]), sb, a, b)
    else:
        batch = _broadcast_batch(sa[:-2], sb[:-2])
        _check_bmm(_prod(batch), sa[-1], sb[-2], a, b)


def matmul(input, other):
    """Matrix product with NumPy/PyTorch rank rules (vectors, matrices, broadcast batches)."""
    _require_tensor(input, "matmul", "input", 1)
    _require_tensor(other, "matmul", "other", 2)
    _check_matmul(input, other)
    return MatMul.apply(input, other)


def mm(input, mat2):
    """Product of two matrices (2-D only)."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(input._data.shape, mat2._data.shape, input, mat2)
    return Mm.apply(input, mat2)


def bmm(input, mat2):
    """Batched product of two 3-D tensors with equal batch sizes."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = input._data.shape, mat2._data.shape
    if s2[0] != s1[0] or s2[1] != s1[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{s1[0]}, {s1[2]}] "
            f"but got: [{s2[0]}, {s2[1]}]."
        )
    _check_bmm(s1[0], s1[2], s1[2], input, mat2)
    return Bmm.apply(input, mat2)


def mv(input, vec):
    """Matrix-vector product."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}"
        )
    _check_mv(input._data.shape, vec._data.shape[0], input, vec)
    return Mv.apply(input, vec)


def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    _check_dot(input, other)
    return Dot.apply(input, other)


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
    for i, s in enumerate(shape):
        want = target[lead + i]
        if s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) "
                f"at non-singleton dimension {lead + i}.  Target sizes: {target}.  Tensor "
                f"sizes: {list(shape)}"
            )


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    s1, s2 = mat1._data.shape, mat2._data.shape
    check_expand(input, (s1[0], s2[1]))
    if s1[1] != s2[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({s1[0]}x{s1[1]} and {s2[0]}x{s2[1]})"
        )
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_sname(input)} and {_sname(mat2)}"
        )
    if mat1._data.dtype != mat2._data.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_sname(mat1)} and {_sname(mat2)}"
        )
    if mat1._data.dtype.kind == "b":
        raise _not_implemented("addmm_impl_cpu_", mat1)
    return Addmm.apply(input, mat1, mat2, beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
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


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    if batch1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = batch1._data.shape, batch2._data.shape
    check_expand(input, (s1[0], s1[1], s2[2]))
    if s2[0] != s1[0] or s2[1] != s1[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{s1[0]}, {s1[2]}] "
            f"but got: [{s2[0]}, {s2[1]}]."
        )
    if batch1._data.dtype != batch2._data.dtype:
        raise RuntimeError(f"expected scalar type {_sname(batch1)} but found {_sname(batch2)}")
    if input._data.dtype != batch1._data.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_cname(input)}, batch1: "
            f"{_cname(batch1)}, batch2: {_cname(batch2)}"
        )
    if batch1._data.dtype.kind == "b":
        raise _not_implemented("baddbmm_cpu", batch1)
    return Baddbmm.apply(input, batch1, batch2, beta, alpha)


# ----- outer, inner, tensordot, kron -------------------------------------------------------
def outer(input, vec2):
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return input.unsqueeze(1) * vec2


def ger(input, vec2):
    """Outer product (the old name of ``outer``)."""
    return outer(input, vec2)


def _dims_list(dims, which):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        return [dims]
    out = list(dims)
    for d in out:
        if not isinstance(d, int):
            raise TypeError(
                f"tensordot(): argument '{which}' (position 3) must be tuple of ints, not "
                f"{type(d).__name__}"
            )
    return out


def tensordot(a, b, dims=2, out=None):
    """Sum products over ``dims``: the last ``dims`` axes of ``a`` with the first of ``b``, or
    the axis lists ``dims = (dims_a, dims_b)``."""
    if isinstance(dims, Tensor) and dims._data.ndim == 0:
        dims = int(dims.item())
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        if isinstance(dims, Tensor):
            dims = dims.tolist()
        da, db = dims
        if isinstance(da, int) or isinstance(db, int):
            raise TypeError(
                "tensordot(): argument 'dims_self' (position 3) must be tuple of ints, not int"
            )
        dims_a, dims_b = _dims_list(da, "dims_self"), _dims_list(db, "dims_other")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    sa, sb = a._data.shape, b._data.shape
    wa = [_wrap_dim(d, len(sa)) for d in dims_a]
    wb = [_wrap_dim(d, len(sb)) for d in dims_b]
    for w in (wa, wb):
        if len(set(w)) != len(w):
            dup = next(d for d in w if w.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    for i in range(len(wa)):
        if sa[wa[i]] != sb[wb[i]]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa[wa[i]]} in dim "
                f"{dims_a[i]} and second has size {sb[wb[i]]} in dim {dims_b[i]}"
            )
    free_a = [d for d in range(len(sa)) if d not in wa]
    free_b = [d for d in range(len(sb)) if d not in wb]
    k = _prod(sa[d] for d in wa)
    pa, pb = free_a + wa, wb + free_b
    x = a if pa == sorted(pa) else a.permute(*pa)
    y = b if pb == sorted(pb) else b.permute(*pb)
    fa, fb = [sa[d] for d in free_a], [sb[d] for d in free_b]
    r = MatMul.apply(x.reshape(_prod(fa), k), y.reshape(k, _prod(fb)))
    return r.reshape(*fa, *fb)


def inner(input, other):
    """Sum of products over the last dimension of both tensors (a scalar product for 0-d)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    sa, sb = input._data.shape, other._data.shape
    if sa[-1] != sb[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(sa)} and {list(sb)}"
        )
    return tensordot(input, other, ([-1], [-1]))


def kron(input, other):
    """Kronecker product: every element of ``input`` times the whole of ``other``, tiled."""
    a, b = promote(input, other)
    sa, sb = a._data.shape, b._data.shape
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    ia, ib = [], []
    for x, y in zip(sa, sb):
        ia += [x, 1]
        ib += [1, y]
    out = a.reshape(*ia) * b.reshape(*ib)
    return out.reshape(*(x * y for x, y in zip(sa, sb)))


# ----- trace, diagonals, triangles -------------------------------------------------------
class Trace(Node):
    """d(trace A) = grad * I"""

    def forward(self, x):
        self.shape = x.shape
        return self.xp.trace(x, dtype=self.xp.int64 if x.dtype.kind in "biu" else None)

    def backward(self, grad):
        eye = self.xp.eye(*self.shape, dtype=grad._data.dtype)
        return (grad * Tensor._make(eye),)


def trace(input):
    """Sum of the main diagonal of a matrix."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype.kind == "b":
        raise _not_implemented("trace", input)
    return Trace.apply(input)


class Diagonal(Node):
    """d(diagonal x) = grad written back onto the diagonal of zeros"""

    def forward(self, x, offset, dim1, dim2):
        self.args = (x.shape, offset, dim1, dim2)
        return self.xp.diagonal(x, offset, dim1, dim2).copy()

    def backward(self, grad):
        return (DiagEmbed.apply(grad, *self.args), None, None, None)


class DiagEmbed(Node):
    """d(diag_embed x) = the diagonal of grad"""

    def forward(self, x, shape, offset, dim1, dim2):
        xp = self.xp
        self.args = (offset, dim1, dim2)
        out = xp.zeros(shape, dtype=x.dtype)
        # dims dim1, dim2 moved last (a writable view), then the diagonal set by index
        v = xp.moveaxis(out, (dim1, dim2), (-2, -1))
        n = x.shape[-1] if x.ndim else 1
        idx = xp.arange(n)
        v[..., idx + max(-offset, 0), idx + max(offset, 0)] = x
        return out

    def backward(self, grad):
        return (Diagonal.apply(grad, *self.args), None, None, None, None)


def _diag_embed(x, offset, d1, d2, shape=None):
    if shape is None:
        size = (x._data.shape[-1] if x._data.ndim else 1) + abs(offset)
        rest = iter(x._data.shape[:-1])
        shape = tuple(size if i in (d1, d2) else next(rest) for i in range(x._data.ndim + 1))
    return DiagEmbed.apply(x, shape, offset, d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensor whose (``dim1``, ``dim2``) planes have the last dimension of ``input`` on their
    ``offset`` diagonal and zeros elsewhere."""
    nd = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _diag_embed(input, offset, d1, d2)


def diag(input, diagonal=0):
    """1-D input: a square matrix with it on the ``diagonal``-th diagonal; 2-D input: that
    diagonal as a 1-D tensor."""
    nd = input._data.ndim
    if nd == 1:
        return _diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return Diagonal.apply(input, diagonal, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


class Tril(Node):
    """d(tril x) = tril(grad)"""

    fn = "tril"

    def forward(self, x, k):
        self.k = k
        return getattr(self.xp, self.fn)(x, k)

    def backward(self, grad):
        return type(self).apply(grad, self.k), None


class Triu(Tril):
    """d(triu x) = triu(grad)"""

    fn = "triu"


def tril(input, diagonal=0, *, out=None):
    """Lower triangle of the last two dimensions (on and below the ``diagonal``-th)."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, diagonal)


def triu(input, diagonal=0, *, out=None):
    """Upper triangle of the last two dimensions (on and above the ``diagonal``-th)."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, diagonal)


# ----- einsum ------------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ELL = "."  # an ellipsis, as one item of a parsed subscript list


class Einsum(Node):
    """d einsum / d X_k = einsum of grad with the other operands, onto X_k's labels (an
    identity factor per repeated label, broadcast over labels summed in X_k alone)"""

    def forward(self, *ops, terms, out):
        self.terms, self.out = terms, out
        n = self.needs_input_grad
        if n is not None:
            self.shapes = [x.shape for x in ops]
            keep = [any(n[j] for j in range(len(ops)) if j != k) for k in range(len(ops))]
            self.save_for_backward(*(x if s else None for x, s in zip(ops, keep)))
        return _einsum_arrays(self.xp, terms, out, ops)

    def backward(self, grad):
        saved = self.saved_tensors
        n = self.needs_input_grad
        return tuple(
            self._grad_for(k, grad, saved) if n[k] else None for k in range(len(self.terms))
        )

    def _grad_for(self, k, grad, saved):
        terms, xp = self.terms, self.xp
        term = terms[k]
        used = set(self.out).union(*(terms[j] for j in range(len(terms)) if j != k))
        fresh = iter(c for c in _LETTERS if c not in used and c not in term)
        labels, eyes, eye_ops = [], [], []
        size = dict(zip(term, self.shapes[k]))
        for c in term:
            if c in labels:  # a repeated label: its gradient lives on the diagonal only
                f = next(fresh)
                labels.append(f)
                eyes.append(c + f)
                eye_ops.append(Tensor._make(xp.eye(size[c], dtype=grad._data.dtype)))
            else:
                labels.append(c)
        present = used.union(*eyes)
        target = "".join(c for c in labels if c in present)
        others = [j for j in range(len(terms)) if j != k]
        g = Einsum.apply(
            grad,
            *(saved[j] for j in others),
            *eye_ops,
            terms=[self.out, *(terms[j] for j in others), *eyes],
            out=target,
        )
        if len(target) < len(labels):  # labels summed in X_k alone: broadcast back
            shape = self.shapes[k]
            g = g.reshape(*(s if c in present else 1 for c, s in zip(labels, shape)))
            g = g.expand(*shape)
        return g

    def name(self):
        return "EinsumBackward0"


def _einsum_arrays(xp, terms, out, ops):
    sizes = {}
    for t, x in zip(terms, ops):
        sizes.update(zip(t, x.shape))
    work = _prod(sizes.values())
    eq = ",".join(terms) + "->" + out
    res = xp.einsum(eq, *ops, optimize=len(ops) > 2 or (len(ops) == 2 and work > 4096))
    if len(ops) == 1 and xp.may_share_memory(res, ops[0]):
        res = res.copy()  # NumPy returns views for transposes and diagonals
    return xp.asarray(res)


def _parse_equation(equation, n_ops):
    """Split an equation into per-operand subscript lists and the output list (or None)."""
    terms, out = [[]], None
    cur = terms[0]
    i, n = 0, len(equation)
    while i < n:
        ch = equation[i]
        if ch == " ":
            i += 1
        elif ch == ".":
            who = "output" if cur is out else f"operand {len(terms) - 1}"
            if _ELL in cur:
                raise RuntimeError(
                    f"einsum(): found '.' for {who} for which an ellipsis was already found"
                )
            if equation[i : i + 3] != "...":
                raise RuntimeError(
                    f"einsum(): found '.' for {who} that is not part of any ellipsis"
                    + (" (...)" if cur is out else "")
                )
            cur.append(_ELL)
            i += 3
        elif ch == "," and out is None:
            terms.append([])
            cur = terms[-1]
            i += 1
        elif ch == "-" and out is None and equation[i + 1 : i + 2] == ">":
            out = []
            cur = out
            i += 2
        elif ch.isascii() and ch.isalpha():
            cur.append(ch)
            i += 1
        else:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    if len(terms) > n_ops:
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < n_ops:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return terms, out


def _sublist_args(args):
    """``einsum(op1, sub1, op2, sub2, ..., [out])`` as subscript lists and operands."""
    ops, terms = [], []
    items = list(args)
    while len(items) >= 2:
        ops.append(items.pop(0))
        terms.append(_sublist(items.pop(0)))
    out = _sublist(items[0]) if items else None
    return terms, out, ops


def _sublist(sub):
    res = []
    for s in sub:
        if s is Ellipsis:
            res.append(_ELL)
        elif isinstance(s, int) and 0 <= s < 52:
            res.append(_LETTERS[s])
        else:
            raise ValueError(
                "einsum(): subscript in subscript list is not within the valid range [0, 52)"
            )
    return res


def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; ``...`` stands for broadcast
    dimensions, repeated labels take diagonals, labels missing from the output are summed.
    Also accepts the sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if not args or (isinstance(args[0], str) and len(args) < 2):
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least "
            "one operand and its subscripts list"
        )
    if isinstance(args[0], str):
        ops = (
            list(args[1])
            if len(args) == 2 and isinstance(args[1], (list, tuple))
            else list(args[1:])
        )
        _require_tensors(ops)
        terms, out, targets = _plan_equation(args[0], tuple(x._data.shape for x in ops))
    else:
        terms, out, ops = _sublist_args(args)
        _require_tensors(ops)
        terms, out, targets = _plan(terms, out, tuple(x._data.shape for x in ops))
    first = ops[0]
    for x in ops[1:]:
        if x._data.dtype != first._data.dtype:
            raise RuntimeError(f"expected scalar type {_sname(first)} but found {_sname(x)}")
    if first._data.dtype.kind in "biu" and set("".join(terms)) - set(out):
        # PyTorch sums one operand with sum (integers to int64) and contracts pairs with bmm
        if len(ops) > 1 and first._data.dtype.kind == "b":
            raise _not_implemented("bmm", first)
        if len(ops) == 1:
            ops = [first.long()]
    # Size-1 dimensions broadcast against the label's size.
    ops = [x if t is None else x.expand(*t) for x, t in zip(ops, targets)]
    return Einsum.apply(*ops, terms=terms, out=out)


def _require_tensors(ops):
    for k, x in enumerate(ops):
        _require_tensor(x, "einsum", "operands", k + 2)


@functools.lru_cache(maxsize=512)
def _plan_equation(equation, shapes):
    terms, out = _parse_equation(equation, len(shapes))
    return _plan(terms, out, shapes)


def _plan(terms, out, shapes):
    """Explicit subscripts (ellipses as letters), the output, and each operand's broadcast
    shape (``None`` when it already has it), with PyTorch's errors."""
    # Ellipsis dimensions get letters of their own, aligned from the right.
    spare = [c for c in _LETTERS if not any(c in t for t in terms) and not (out and c in out)]
    n_ell = 0
    for k, (t, shape) in enumerate(zip(terms, shapes)):
        nd, nl = len(shape), len(t) - (_ELL in t)
        if _ELL not in t and nl != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nl}) does not match the "
                f"number of dimensions ({nd}) for operand {k} and no ellipsis was given"
            )
        if nl > nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nl}) is more than the "
                f"number of dimensions ({nd}) for operand {k}"
            )
        if _ELL in t:
            n_ell = max(n_ell, nd - nl)
    ell = spare[:n_ell]
    full = []
    for t, shape in zip(terms, shapes):
        if _ELL in t:
            i = t.index(_ELL)
            m = len(shape) - (len(t) - 1)
            t = t[:i] + ell[n_ell - m :] + t[i + 1 :]
        full.append(t)
    if out is None:
        counts = {}
        for t in full:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out_l = ell + sorted(c for c, m in counts.items() if m == 1 and c not in ell)
    else:
        out_l = []
        for c in out:
            if c == _ELL:
                out_l += ell
                continue
            if c in out_l:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
            if not any(c in t for t in full):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
            out_l.append(c)
    sizes = _einsum_sizes(full, shapes, ell)
    targets = tuple(
        None if all(sizes[c] == s for c, s in zip(t, shape)) else tuple(sizes[c] for c in t)
        for t, shape in zip(full, shapes)
    )
    return tuple("".join(t) for t in full), "".join(out_l), targets


def _einsum_sizes(full, shapes, ell):
    sizes = {}
    for k, (t, shape) in enumerate(zip(full, shapes)):
        mine = {}
        for d, (c, s) in enumerate(zip(t, shape)):
            if c in mine and mine[c] != s:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                    f"match, {s} != {mine[c]}"
                )
            mine[c] = s
            seen = sizes.get(c)
            if seen is not None and s != seen and s != 1 and seen != 1:
                if c in ell:
                    raise RuntimeError(
                        f"einsum(): dimension {d} covered by ellipsis in operand {k}has size {s} "
                        f"which does not broadcast with previously seen ellipsis with size "
                        f"{seen} for the respective dimension"
                    )
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {s} for operand {k} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            if seen is None or seen == 1:
                sizes[c] = s
    return sizes


METHODS = {
    "matmul": "matmul",
    "mm": "mm",
    "bmm": "bmm",
    "mv": "mv",
    "dot": "dot",
    "addmm": "addmm",
    "addmv": "addmv",
    "baddbmm": "baddbmm",
    "outer": "outer",
    "ger": "ger",
    "inner": "inner",
    "kron": "kron",
    "trace": "trace",
    "diag": "diag",
    "diag_embed": "diag_embed",
    "tril": "tril",
    "triu": "triu",
}

__all__ = [
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "addmm",
    "addmv",
    "baddbmm",
    "outer",
    "ger",
    "tensordot",
    "inner",
    "kron",
    "trace",
    "diag",
    "diag_embed",
    "tril",
    "triu",
    "einsum",
]


def _einsum_spec(name, eq, samples, **kw):
    return OpSpec(name, lambda t, *xs: t.einsum(eq, *xs), samples, shapes=None, **kw)


_MM_TOL = dict(atol=1e-4, rtol=1e-4)

register(
    OpSpec(
        "matmul",
        lambda t, a, b: t.matmul(a, b),
        [
            ((3, 4), (4, 5)),
            ((4,), (4, 5)),
            ((3, 4), (4,)),
            ((4,), (4,)),
            ((2, 3, 4), (4, 5)),
            ((2, 1, 3, 4), (5, 4, 2)),
            ((5,), (2, 5, 3)),
            ((2, 3, 5), (5,)),
            ((0, 3), (3, 2)),
        ],
        shapes=None,
        **_MM_TOL,
    ),
    OpSpec("dot", lambda t, a, b: t.dot(a, b), [((4,), (4,)), ((0,), (0,))], shapes=None),
    OpSpec("mm", lambda t, a, b: t.mm(a, b), [((3, 4), (4, 2)), ((0, 2), (2, 3))], shapes=None),
    OpSpec(
        "bmm",
        lambda t, a, b: t.bmm(a, b),
        [((2, 3, 4), (2, 4, 5)), ((0, 2, 3), (0, 3, 1))],
        shapes=None,
    ),
    OpSpec("mv", lambda t, a, b: t.mv(a, b), [((3, 4), (4,)), ((0, 2), (2,))], shapes=None),
    OpSpec(
        "addmm",
        lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2.0),
        [((3, 2), (3, 4), (4, 2)), ((2,), (3, 4), (4, 2)), ((), (3, 4), (4, 2))],
        shapes=None,
        **_MM_TOL,
    ),
    OpSpec(
        "addmm_default",
        lambda t, c, a, b: t.addmm(c, a, b),
        [((1, 2), (3, 4), (4, 2))],
        shapes=None,
    ),
    OpSpec(
        "addmv",
        lambda t, c, a, b: t.addmv(c, a, b, beta=1.5, alpha=-1.0),
        [((3,), (3, 4), (4,)), ((1,), (3, 4), (4,))],
        shapes=None,
    ),
    OpSpec(
        "baddbmm",
        lambda t, c, a, b: t.baddbmm(c, a, b, beta=0.5, alpha=2.0),
        [((2, 3, 2), (2, 3, 4), (2, 4, 2)), ((3, 1), (2, 3, 4), (2, 4, 2))],
        shapes=None,
    ),
    OpSpec("outer", lambda t, a, b: t.outer(a, b), [((3,), (4,)), ((0,), (2,))], shapes=None),
    OpSpec("ger", lambda t, a, b: t.ger(a, b), [((3,), (2,))], shapes=None),
    OpSpec(
        "inner",
        lambda t, a, b: t.inner(a, b),
        [((3,), (3,)), ((2, 3), (4, 3)), ((2, 1, 3), (3,)), ((), (2, 3))],
        shapes=None,
    ),
    OpSpec(
        "tensordot",
        lambda t, a, b: t.tensordot(a, b, dims=2),
        [((2, 3, 4), (3, 4, 5)), ((3, 4), (3, 4))],
        shapes=None,
    ),
    OpSpec(
        "tensordot_lists",
        lambda t, a, b: t.tensordot(a, b, dims=([0, 2], [2, 0])),
        [((2, 3, 4), (4, 5, 2))],
        shapes=None,
    ),
    OpSpec("tensordot_0", lambda t, a, b: t.tensordot(a, b, dims=0), [((2, 3), (4,))], shapes=None),
    OpSpec(
        "kron",
        lambda t, a, b: t.kron(a, b),
        [((2, 3), (4, 2)), ((3,), (2, 2)), ((2, 1, 2), (3,)), ((), (3,))],
        shapes=None,
    ),
    OpSpec("trace", lambda t, a: t.trace(a), [((3, 3),), ((2, 4),), ((0, 3),)], shapes=None),
    OpSpec("diag_1d", lambda t, a: t.diag(a), [((3,),), ((0,),)], shapes=None),
    OpSpec("diag_1d_offset", lambda t, a: t.diag(a, -2), [((3,),)], shapes=None),
    OpSpec("diag_2d", lambda t, a: t.diag(a), [((3, 4),), ((4, 2),)], shapes=None),
    OpSpec("diag_2d_offset", lambda t, a: t.diag(a, 1), [((3, 4),), ((4, 2),)], shapes=None),
    OpSpec("diag_embed", lambda t, a: t.diag_embed(a), [((2, 3),), ((3,),)], shapes=None),
    OpSpec(
        "diag_embed_dims",
        lambda t, a: t.diag_embed(a, -1, 0, 2),
        [((2, 3),), ((2, 2, 3),)],
        shapes=None,
    ),
    OpSpec("tril", lambda t, a: t.tril(a), [((3, 4),), ((2, 4, 3),), ((0, 2),)], shapes=None),
    OpSpec("tril_offset", lambda t, a: t.tril(a, -1), [((4, 3),)], shapes=None),
    OpSpec("triu", lambda t, a: t.triu(a), [((3, 4),), ((2, 4, 3),)], shapes=None),
    OpSpec("triu_offset", lambda t, a: t.triu(a, 2), [((4, 5),)], shapes=None),
    _einsum_spec("einsum_mm", "ij,jk->ik", [((3, 4), (4, 2)), ((0, 2), (2, 3))], **_MM_TOL),
    _einsum_spec("einsum_implicit", "ij,jk", [((3, 4), (4, 2))]),
    _einsum_spec("einsum_batch", "bij,bjk->bik", [((2, 3, 4), (2, 4, 5))], **_MM_TOL),
    _einsum_spec(
        "einsum_ellipsis", "...ij,...jk->...ik", [((2, 3, 4), (4, 2)), ((2, 1, 3, 4), (3, 4, 2))]
    ),
    _einsum_spec("einsum_trace", "ii->", [((3, 3),)]),
    _einsum_spec("einsum_diag", "ii->i", [((3, 3),)]),
    _einsum_spec("einsum_diag_batch", "...ii->...i", [((2, 3, 3),)]),
    _einsum_spec("einsum_repeat3", "iij,jk->ik", [((2, 2, 3), (3, 2))]),
    _einsum_spec("einsum_transpose", "ij->ji", [((2, 3),)]),
    _einsum_spec("einsum_sum", "ijk->j", [((2, 3, 4),)]),
    _einsum_spec("einsum_outer", "i,j->ij", [((3,), (4,))]),
    _einsum_spec("einsum_bcast", "ij,ij->i", [((3, 1), (3, 4)), ((1, 4), (3, 4))]),
    _einsum_spec("einsum_three", "ij,jk,kl->il", [((2, 3), (3, 4), (4, 2))], **_MM_TOL),
    _einsum_spec("einsum_three_sum", "i,ij,k->jk", [((2,), (2, 3), (4,))]),
    _einsum_spec("einsum_scalar", ",i->i", [((), (3,))]),
)
