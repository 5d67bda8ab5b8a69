"""Complex numbers: view_as_real, view_as_complex, real, imag, conj (conj_physical,
resolve_conj, is_conj), angle, polar, complex.

Gradients follow PyTorch's convention for complex tensors: the gradient of a real loss L
with respect to z = x + iy is dL/dx + i dL/dy, so that for a real input feeding a complex
output the gradient is the real part of ``conj(d out / d in) * grad``.
"""

from __future__ import annotations

import math

from .. import dtypes as _dt
from ..autograd.node import Node
from . import batching
from ._binary import apply_broadcast, type_word
from ._results import write_out
from ._spec import OpSpec
from .clamp import tensor_arg
from .linalg import dtype_mismatch
from .registry import LOOP, op, public_names
from .where import where

_COMPLEX_OF = {"float32": "complex64", "float64": "complex128", "float16": "complex64"}
_REAL_OF = {"complex64": "float32", "complex128": "float64"}


# ----- view_as_real / view_as_complex -------------------------------------------------------
class ViewAsReal(Node):
    """d view_as_real(z) = view_as_complex(grad)"""

    is_view = True

    def forward(self, z):
        if z.size == 0:  # nothing to share; NumPy's strides of empty arrays may not view
            return self.xp.empty(z.shape + (2,), _REAL_OF[z.dtype.name])
        return z[..., None].view(_REAL_OF[z.dtype.name])

    def backward(self, grad):
        return (view_as_complex(grad.contiguous()),)


class ViewAsComplex(Node):
    """d view_as_complex(x) = view_as_real(grad)"""

    is_view = True

    def forward(self, x):
        if x.size == 0:
            return self.xp.empty(x.shape[:-1], _COMPLEX_OF[x.dtype.name])
        return x.view(_COMPLEX_OF[x.dtype.name])[..., 0]

    def backward(self, grad):
        return (view_as_real(grad),)


def _pairs(t, x):
    """A complex tensor made from a real sample with a last dimension of 2."""
    return t.view_as_complex(x)


_PAIRS = [((3, 2),), ((2, 3, 2),)]


@op(
    ViewAsReal,
    vmap=LOOP,
    spec=OpSpec("view_as_real", lambda t, x: t.view_as_real(_pairs(t, x)) * 1, _PAIRS, shapes=None),
)
def view_as_real(input):
    """A real view of a complex tensor, with a last dimension of 2 (real, imaginary)."""
    tensor_arg("view_as_real", input, "input", 1)
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


@op(
    ViewAsComplex,
    vmap=LOOP,
    spec=OpSpec("view_as_complex", lambda t, x: t.view_as_complex(x) * 1, _PAIRS, shapes=None),
)
def view_as_complex(input):
    """A complex view of a real tensor whose last dimension (of size 2, stride 1) holds the
    real and imaginary parts."""
    tensor_arg("view_as_complex", input, "input", 1)
    data = input._data
    if data.dtype.name == "float16":
        raise _no_complex_half("view_as_complex")
    if data.dtype.name not in ("float32", "float64"):
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {type_word(input)}"
        )
    if data.ndim == 0 or data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    item = data.dtype.itemsize
    if data.size and data.strides[-1] != item:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if data.size and any(
        s % (2 * item) for s, n in zip(data.strides[:-1], data.shape[:-1]) if n > 1
    ):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if data.size and data.ctypes.data % (2 * item):
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return ViewAsComplex.apply(input)


# ----- real / imag / conj -------------------------------------------------------------------
@op(None, spec=OpSpec("real", lambda t, x: t.real(_pairs(t, x)), _PAIRS, shapes=None))
def real(input):
    """The real part (a view) of a complex tensor; a real tensor itself."""
    tensor_arg("real", input, "input", 1)
    if input._data.dtype.kind != "c":
        return input
    return view_as_real(input).select(-1, 0)


@op(None, spec=OpSpec("imag", lambda t, x: t.imag(_pairs(t, x)), _PAIRS, shapes=None))
def imag(input):
    """The imaginary part (a view) of a complex tensor."""
    tensor_arg("imag", input, "input", 1)
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input).select(-1, 1)


class Conj(Node):
    """d conj(z) = conj(grad)"""

    def forward(self, z):
        return self.xp.conj(z)

    def backward(self, grad):
        return (conj(grad),)


class ConjPhysical(Conj):
    """d conj_physical(z) = conj(grad)"""


@op(
    Conj,
    methods=("conj",),
    vmap=batching.elementwise,
    spec=OpSpec(
        "conj",
        lambda t, x: t.view_as_real(t.conj(_pairs(t, x)).resolve_conj()),
        _PAIRS,
        shapes=None,
    ),
    out=False,  # PyTorch gives it no out=
)
def conj(input):
    """The complex conjugate (the tensor itself for real dtypes)."""
    tensor_arg("conj", input, "input", 1)
    if input._data.dtype.kind != "c":
        return input
    return Conj.apply(input)


@op(
    ConjPhysical,
    methods=("conj_physical",),
    inplace=True,
    vmap=batching.elementwise,
    spec=OpSpec(
        "conj_physical",
        lambda t, x: t.view_as_real(t.conj_physical(_pairs(t, x))),
        _PAIRS,
        shapes=None,
    ),
)
def conj_physical(input, *, out=None):
    """The complex conjugate, computed now (the tensor's values for real dtypes)."""
    tensor_arg("conj_physical", input, "input", 1)
    result = ConjPhysical.apply(input) if input._data.dtype.kind == "c" else input.clone()
    return write_out("conj_physical", result, out, input)


@op(None, methods="resolve_conj")
def resolve_conj(input):
    """``input`` itself: Ember computes conjugates at once (no lazy conjugate bit)."""
    return input


@op(None, methods="resolve_neg")
def resolve_neg(input):
    """``input`` itself: Ember computes negations at once (no lazy negative bit)."""
    return input


@op(None, methods="is_conj")
def is_conj(input):
    """False: Ember has no lazy conjugate bit."""
    return False


# ----- angle / polar / complex --------------------------------------------------------------
class Angle(Node):
    """d angle(z) = grad * i z / |z|**2 (0 at 0); for real x the gradient is 0"""

    def forward(self, z):
        xp = self.xp
        self.save_for_backward(z)
        if z.dtype.kind == "c":
            return xp.angle(z).astype(_REAL_OF[z.dtype.name])
        out = xp.where(z < 0, math.pi, 0.0).astype(z.dtype)
        return xp.where(xp.isnan(z), z, out)

    def backward(self, grad):
        (z,) = self.saved_tensors
        if z._data.dtype.kind != "c":
            return (grad * 0,)
        r2 = z.abs() ** 2
        zero = r2 == 0
        scale = where(zero, 0.0, grad / where(zero, 1.0, r2))
        return (complex(-imag(z) * scale, real(z) * scale),)


@op(
    Angle,
    methods="angle",
    vmap=batching.elementwise,
    spec=(
        OpSpec("angle", lambda t, x: t.angle(_pairs(t, x)), _PAIRS, shapes=None),
        OpSpec("angle_real", lambda t, x: t.angle(x), [((3, 4),)], shapes=None),
    ),
)
def angle(input, *, out=None):
    """The argument (phase) of each element: ``atan2(imag, real)``; 0 or pi for reals."""
    tensor_arg("angle", input, "input", 1)
    x = input if input._data.dtype.kind in "fc" else input.to(_dt.get_default_dtype())
    return write_out("angle", Angle.apply(x), out, input)


class Polar(Node):
    """out = r e^(i theta): d r = Re(grad e^(-i theta)), d theta = Re(-i r grad e^(-i theta))"""

    def forward(self, r, theta):
        xp = self.xp
        out = r * xp.cos(theta) + 1j * (r * xp.sin(theta))
        self.save_for_backward(r, theta)
        return out.astype(_COMPLEX_OF[r.dtype.name])

    def backward(self, grad):
        r, theta = self.saved_tensors
        c, s = theta.cos(), theta.sin()
        gx, gy = real(grad), imag(grad)
        gr = gx * c + gy * s
        gt = r * (gy * c - gx * s)
        return gr, gt


@op(
    Polar,
    vmap=batching.elementwise,
    spec=OpSpec(
        "polar",
        lambda t, r, a: t.view_as_real(t.polar(r.abs() + 0.1, a)),
        [((3, 4), (3, 4)), ((3, 1), (4,))],
        shapes=None,
    ),
)
def polar(abs, angle, *, out=None):  # noqa: A002 - PyTorch's names
    """The complex numbers with absolute values ``abs`` and phases ``angle``."""
    return _of_float_pair("polar", Polar, (abs, angle), ("abs", "angle"), out)


class Complex(Node):
    """out = x + iy: d x = Re(grad), d y = Im(grad)"""

    def forward(self, x, y):
        return (x + 1j * y).astype(_COMPLEX_OF[x.dtype.name])

    def backward(self, grad):
        return real(grad), imag(grad)


def _no_complex_half(name):
    """Ember has no complex32 (ComplexHalf) dtype: NumPy has no such type."""
    return RuntimeError(
        f"{name}: ComplexHalf (complex32) tensors are not supported by Ember; use float32"
    )


_NOT_FLOATS = "Expected both inputs to be Half, Float or Double tensors but got {} and {}"
_MIXED = "Expected object of scalar type {} but got scalar type {} for second argument"


def _of_float_pair(name, node, pair, names, out):
    """``node`` on two float tensors of one dtype, with PyTorch's argument checks for the
    function ``name`` (arguments ``names``); written into ``out`` when given."""
    a, b = pair
    tensor_arg(name, a, names[0], 1)
    tensor_arg(name, b, names[1], 2)
    if any(t._data.dtype.name not in ("float32", "float64", "float16") for t in pair):
        raise dtype_mismatch(_NOT_FLOATS, a, b, type_word)
    if a._data.dtype != b._data.dtype:
        raise dtype_mismatch(_MIXED, a, b, type_word)
    if a._data.dtype.name == "float16":
        raise _no_complex_half(name)
    return write_out(name, apply_broadcast(node, a, b), out, a, b)


@op(
    Complex,
    vmap=batching.elementwise,
    spec=OpSpec(
        "complex",
        lambda t, x, y: t.view_as_real(t.complex(x, y)),
        [((3, 4), (3, 4)), ((3, 1), (4,)), ((), ())],
        shapes=None,
    ),
)
def complex(real, imag, *, out=None):  # noqa: A001 - PyTorch's names
    """The complex tensor ``real + i imag``."""
    return _of_float_pair("complex", Complex, (real, imag), ("real", "imag"), out)


__all__ = public_names(__name__)
