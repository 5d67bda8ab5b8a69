"""Discrete Fourier transforms (``ember.fft``): fft, ifft, rfft, irfft, hfft, ihfft and their
2-d and n-d forms, fftfreq, rfftfreq, fftshift, ifftshift.

Three nodes, as in PyTorch: complex-to-complex (FftC2CBackward0), real-to-complex
(FftR2CBackward0) and complex-to-real (FftC2RBackward0).  Each backward is the adjoint
transform with the dual normalization ("backward" <-> "forward", "ortho" itself); R2C
adds the missing half of the spectrum as zeros and keeps the real part, C2R doubles the
frequencies its Hermitian extension counts twice.  ``n``/``s`` crop or zero-pad the input
first, with ordinary (differentiable) ops.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out
from ._binary import type_word
from ._results import write_out as _write_out
from ._spec import OpSpec
from .clamp import tensor_arg
from .complex_ops import complex as _complex
from .complex_ops import conj, conj_physical, real
from .registry import LOOP, declare, op, public_names

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_COMPLEX = {"float32": "complex64", "float64": "complex128"}
_REAL = {"complex64": "float32", "complex128": "float64"}


def _fft_module(lib):
    import importlib

    return importlib.import_module(lib.__name__ + ".fft")


def _norm(norm):
    norm = "backward" if norm is None else norm
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


class FftC2C(Node):
    """d fftn(x) = ifftn(grad) with the dual normalization (and the other way round)"""

    def forward(self, x, dims, norm, forward):
        self.dims, self.norm, self.forward_ = dims, norm, forward
        fn = self.xp.fft.fftn if forward else self.xp.fft.ifftn
        return fn(x, axes=dims, norm=norm).astype(x.dtype, copy=False)

    def backward(self, grad):
        return FftC2C.apply(grad, self.dims, _DUAL[self.norm], not self.forward_), None, None, None


class FftR2C(Node):
    """d rfftn(x) = Re(ifftn(grad padded with zeros to the full spectrum)), dual norm"""

    def forward(self, x, dims, norm, onesided):
        xp = self.xp
        self.dims, self.norm, self.onesided = dims, norm, onesided
        self.full = x.shape[dims[-1]] if dims else 0
        fn = xp.fft.rfftn if onesided else xp.fft.fftn
        return fn(x, axes=dims, norm=norm).astype(_COMPLEX[x.dtype.name], copy=False)

    def backward(self, grad):
        from .join import cat

        last = self.dims[-1]
        if self.onesided and grad.shape[last] < self.full:
            pad = list(grad.shape)
            pad[last] = self.full - grad.shape[last]
            grad = cat([grad, grad.new_zeros(pad)], last)
        return real(FftC2C.apply(grad, self.dims, _DUAL[self.norm], False)), None, None, None


class FftC2R(Node):
    """d irfftn(X) = rfftn(grad) with the dual norm, the twice-counted frequencies doubled"""

    def forward(self, x, dims, norm, last_size):
        self.dims, self.norm, self.last_size = dims, norm, last_size
        sizes = [x.shape[d] for d in dims[:-1]] + [last_size]
        out = self.xp.fft.irfftn(x, s=sizes, axes=dims, norm=norm)
        return out.astype(_REAL[x.dtype.name], copy=False)

    def backward(self, grad):
        last = self.dims[-1]
        g = FftR2C.apply(grad, self.dims, _DUAL[self.norm], True)
        m = g.shape[last]
        twice = self.last_size - m  # frequencies 1..twice stand for two in the full spectrum
        if twice > 0:
            scale = _np.ones(m, dtype=_REAL[g._data.dtype.name])
            scale[1 : 1 + twice] = 2
            shape = [1] * g._data.ndim
            shape[last] = m
            g = g * Tensor._make(scale.reshape(shape))
        return g, None, None, None


# ----- argument handling --------------------------------------------------------------------
def _float_of(x):
    """Integer and bool inputs as the default float dtype; half refused as PyTorch does."""
    name = x._data.dtype.name
    if name == "float16":
        raise RuntimeError("Unsupported dtype Half")
    if x._data.dtype.kind in "biu":
        return x.to(_dt.get_default_dtype())
    return x


def _resize(x, dims, sizes):
    """``x`` cropped or zero-padded along each of ``dims`` to ``sizes`` (None: as it is)."""
    from .join import cat

    for d, n in zip(dims, sizes):
        if n is None:
            continue
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
        cur = x.shape[d]
        if n < cur:
            x = x.narrow(d, 0, n)
        elif n > cur:
            pad = list(x.shape)
            pad[d] = n - cur
            x = cat([x, x.new_zeros(pad)], d)
    return x


def _dims(x, s, dim, default_all):
    """Normalized (dims, sizes) from PyTorch's ``s``/``dim`` arguments."""
    nd = x._data.ndim
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if s is not None and not isinstance(s, (tuple, list)):
        s = (s,)
    if dim is None:
        if s is not None:
            dim = tuple(range(nd - len(s), nd))
        else:
            dim = tuple(range(nd)) if default_all else (-2, -1)
    if nd == 0 and dim:
        raise IndexError(f"Dimension specified as {dim[0]} but tensor has no dimensions")
    dims = tuple(_wrap_dim(d, nd) for d in dim)
    if s is not None and len(s) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    return dims, (list(s) if s is not None else [None] * len(dims))


def _as_complex(x):
    if x._data.dtype.kind == "c":
        return x
    return _complex(x, x.new_zeros(x.shape))


def _c2c(x, dims, sizes, norm, forward):
    x = _resize(_float_of(x), dims, sizes)
    norm = _norm(norm)
    if not dims:
        return _as_complex(x)
    if x._data.dtype.kind != "c":
        if forward:
            return FftR2C.apply(x, dims, norm, False)
        return conj(FftR2C.apply(x, dims, _DUAL[norm], False))
    return FftC2C.apply(x, dims, norm, forward)


def _r2c(name, x, dims, sizes, norm):
    x = _float_of(x)
    if x._data.dtype.kind == "c":
        raise RuntimeError(f"{name} expects a real input tensor, but got {type_word(x)}")
    x = _resize(x, dims, sizes)
    return FftR2C.apply(x, dims, _norm(norm), True)


def _c2r(x, dims, sizes, norm):
    x = _as_complex(_float_of(x))
    last = sizes[-1] if sizes[-1] is not None else 2 * (x.shape[dims[-1]] - 1)
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    x = _resize(x, dims, sizes[:-1] + [last // 2 + 1])
    return FftC2R.apply(x, dims, _norm(norm), last)


def _one(x, n, dim):
    tensor_arg("fft", x, "input", 1)
    if x._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return (_wrap_dim(dim, x._data.ndim),), [n]


def _spec(name, fn, samples, **kw):
    return OpSpec(name, fn, samples, shapes=None, **kw)


def _vr(t, z):
    """A real view of a complex result, for comparing (complex outputs are views here)."""
    return t.view_as_real(z.resolve_conj()) if z.dtype in (t.complex64, t.complex128) else z


_S1 = [((8,),), ((3, 5),), ((1,),)]
_S2 = [((4, 2),), ((3, 3, 2),)]


# ----- the nodes' declarations ------------------------------------------------------------
def _c(t, x):
    return t.view_as_complex(x)


declare(FftC2C, vmap=LOOP,
        spec=(_spec("fft_c2c", lambda t, x: _vr(t, _fft_module(t).fft(_c(t, x), dim=0)), _S2),
              _spec("ifft_c2c_ortho",
                    lambda t, x: _vr(t, _fft_module(t).ifft(_c(t, x), n=5, dim=0, norm="ortho")),
                    [((4, 2),)]),
              _spec("fft2_c2c", lambda t, x: _vr(t, _fft_module(t).fft2(_c(t, x))),
                    [((3, 4, 2),)])))  # fmt: skip
declare(FftR2C, vmap=LOOP,
        spec=(_spec("fft_real", lambda t, x: _vr(t, _fft_module(t).fft(x)), _S1),
              _spec("rfft", lambda t, x: _vr(t, _fft_module(t).rfft(x, n=6)), _S1),
              _spec("rfftn", lambda t, x: _vr(t, _fft_module(t).rfftn(x, norm="ortho")),
                    [((3, 4),)])))  # fmt: skip
declare(FftC2R, vmap=LOOP,
        spec=(_spec("irfft", lambda t, x: _fft_module(t).irfft(_c(t, x)), [((5, 2),)]),
              _spec("irfft_odd", lambda t, x: _fft_module(t).irfft(_c(t, x), n=7, norm="ortho"),
                    [((3, 4, 2),)]),
              _spec("irfftn", lambda t, x: _fft_module(t).irfftn(_c(t, x), s=(3, 4)),
                    [((3, 3, 2),)])))  # fmt: skip


def _out_kind(kernel, complex_result):
    """The ``out=`` rule of a transform: PyTorch wants a complex ``out`` for a complex
    result and a real floating one for a real result (then any dtype it casts to)."""

    def rule(name, out, result):
        kind = out._data.dtype.kind
        if complex_result and kind != "c":
            raise RuntimeError(
                f"{kernel} expects a complex output tensor, but got {type_word(out)}"
            )
        if not complex_result and kind != "f":
            raise RuntimeError(
                f"{kernel} expects a floating point output tensor, but got {type_word(out)}"
            )
        _out.castable(result._data.dtype, out)

    return rule


# ----- 1-d transforms -----------------------------------------------------------------------
@op(None, public=False, out=_out_kind("fft", True))
def fft(input, n=None, dim=-1, norm=None):
    """The one-dimensional discrete Fourier transform along ``dim`` (``n`` points)."""
    dims, sizes = _one(input, n, dim)
    return _c2c(input, dims, sizes, norm, True)


@op(None, public=False,
    spec=_spec("ifft_real", lambda t, x: _vr(t, _fft_module(t).ifft(x, norm="forward")), _S1),
    out=_out_kind("ifft", True))  # fmt: skip
def ifft(input, n=None, dim=-1, norm=None):
    """The one-dimensional inverse discrete Fourier transform along ``dim``."""
    dims, sizes = _one(input, n, dim)
    return _c2c(input, dims, sizes, norm, False)


@op(None, public=False, out=_out_kind("rfft", True))
def rfft(input, n=None, dim=-1, norm=None):
    """The Fourier transform of a real signal: the non-negative frequencies only."""
    dims, sizes = _one(input, n, dim)
    return _r2c("rfft", input, dims, sizes, norm)


@op(None, public=False, out=_out_kind("irfft", False))
def irfft(input, n=None, dim=-1, norm=None):
    """The inverse of ``rfft``: a real signal of ``n`` points from its non-negative
    frequencies."""
    dims, sizes = _one(input, n, dim)
    return _c2r(input, dims, sizes, norm)


@op(None, public=False, spec=_spec("hfft", lambda t, x: _fft_module(t).hfft(_c(t, x)), [((4, 2),)]),
    out=_out_kind("hfft", False))  # fmt: skip
def hfft(input, n=None, dim=-1, norm=None):
    """The Fourier transform of a Hermitian-symmetric signal given by its first half: real."""
    dims, sizes = _one(input, n, dim)
    return _c2r(conj(_as_complex(_float_of(input))), dims, sizes, _DUAL[_norm(norm)])


@op(None, public=False, spec=_spec("ihfft", lambda t, x: _vr(t, _fft_module(t).ihfft(x)), _S1),
    out=_out_kind("ihfft", True))  # fmt: skip
def ihfft(input, n=None, dim=-1, norm=None):
    """The inverse of ``hfft``: half of the spectrum of a real signal, conjugated."""
    dims, sizes = _one(input, n, dim)
    return conj(_r2c("ihfft", input, dims, sizes, _DUAL[_norm(norm)]))


# ----- 2-d and n-d transforms ---------------------------------------------------------------
@op(None, public=False, out=_out_kind("fftn", True))
def fft2(input, s=None, dim=(-2, -1), norm=None):
    """The 2-d discrete Fourier transform over ``dim``."""
    tensor_arg("fft2", input, "input", 1)
    return _c2c(input, *_dims(input, s, dim, False), norm, True)


@op(None, public=False, out=_out_kind("ifftn", True))
def ifft2(input, s=None, dim=(-2, -1), norm=None):
    """The 2-d inverse discrete Fourier transform over ``dim``."""
    tensor_arg("ifft2", input, "input", 1)
    return _c2c(input, *_dims(input, s, dim, False), norm, False)


@op(None, public=False, out=_out_kind("fftn", True))
def fftn(input, s=None, dim=None, norm=None):
    """The n-d discrete Fourier transform over ``dim`` (all dimensions by default)."""
    tensor_arg("fftn", input, "input", 1)
    return _c2c(input, *_dims(input, s, dim, True), norm, True)


@op(None, public=False, out=_out_kind("ifftn", True))
def ifftn(input, s=None, dim=None, norm=None):
    """The n-d inverse discrete Fourier transform over ``dim`` (all by default)."""
    tensor_arg("ifftn", input, "input", 1)
    return _c2c(input, *_dims(input, s, dim, True), norm, False)


@op(None, public=False, out=_out_kind("rfftn", True))
def rfft2(input, s=None, dim=(-2, -1), norm=None):
    """``rfftn`` over two dimensions."""
    tensor_arg("rfft2", input, "input", 1)
    return _r2c("rfftn", input, *_dims(input, s, dim, False), norm)


@op(None, public=False, out=_out_kind("rfftn", True))
def rfftn(input, s=None, dim=None, norm=None):
    """The n-d Fourier transform of a real signal, halved along the last of ``dim``."""
    tensor_arg("rfftn", input, "input", 1)
    return _r2c("rfftn", input, *_dims(input, s, dim, True), norm)


@op(None, public=False, out=_out_kind("irfftn", False))
def irfft2(input, s=None, dim=(-2, -1), norm=None):
    """``irfftn`` over two dimensions."""
    tensor_arg("irfft2", input, "input", 1)
    return _c2r(input, *_dims(input, s, dim, False), norm)


@op(None, public=False, out=_out_kind("irfftn", False))
def irfftn(input, s=None, dim=None, norm=None):
    """The inverse of ``rfftn``."""
    tensor_arg("irfftn", input, "input", 1)
    return _c2r(input, *_dims(input, s, dim, True), norm)


def _at_least_one(name, dims):
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")


def _hfft(name, input, s, dim, default_all, norm, out):
    """``hfftn`` (called as ``name``): the inverse real transform of the conjugate with the
    dual normalization."""
    tensor_arg(name, input, "input", 1)
    dims, sizes = _dims(input, s, dim, default_all)
    _at_least_one("hfftn", dims)
    result = _c2r(conj(_as_complex(_float_of(input))), dims, sizes, _DUAL[_norm(norm)])
    return _hermitian_out("hfftn", "_fft_c2r", result, out, input)


def _ihfft(name, input, s, dim, default_all, norm, out):
    """``ihfftn`` (called as ``name``): the half spectrum of the last dimension
    (conjugated), then the inverse complex transform over the others, as PyTorch stages it."""
    tensor_arg(name, input, "input", 1)
    dims, sizes = _dims(input, s, dim, default_all)
    _at_least_one("ihfftn", dims)
    x = _float_of(input)
    if x._data.dtype.kind == "c":
        raise RuntimeError(f"Only supports floating-point dtypes, but found: {type_word(x)}")
    norm = _norm(norm)
    x = _resize(x, dims, sizes)
    result = conj_physical(FftR2C.apply(x, dims[-1:], _DUAL[norm], True))
    if len(dims) > 1:
        result = FftC2C.apply(result, dims[:-1], norm, False)
    return _hermitian_out("ihfftn", "_fft_c2c", result, out, input)


def _hermitian_out(name, kernel, result, out, input):
    """``result``, or written into ``out`` (which must be real for hfftn, complex for
    ihfftn), with PyTorch's checks."""
    if out is None:
        return result
    if hasattr(out, "_data"):
        complex_out = out._data.dtype.kind == "c"
        if name == "ihfftn" and not complex_out:
            raise RuntimeError(f"ihfftn expects a complex output tensor, but got {type_word(out)}")
        if name == "hfftn" and out._data.dtype.kind != "f":
            raise RuntimeError(
                f"hfftn expects a floating point output tensor, but got {type_word(out)}"
            )
    return _write_out(kernel, result, out, input)


@op(None, public=False,
    spec=_spec("hfft2", lambda t, x: _fft_module(t).hfft2(_c(t, x)), [((3, 4, 2),)]))  # fmt: skip
def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``hfftn`` over two dimensions."""
    return _hfft("hfft2", input, s, dim, False, norm, out)


@op(None, public=False,
    spec=_spec("hfftn", lambda t, x: _fft_module(t).hfftn(_c(t, x), s=(2, 5), norm="ortho"),
               [((3, 4, 2),)]))  # fmt: skip
def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-d Fourier transform of a signal Hermitian-symmetric in the last of ``dim``,
    given by its first half: real."""
    return _hfft("hfftn", input, s, dim, True, norm, out)


@op(None, public=False,
    spec=_spec("ihfft2", lambda t, x: _vr(t, _fft_module(t).ihfft2(x)),
               [((3, 4),), ((2, 3, 5),)]))  # fmt: skip
def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``ihfftn`` over two dimensions."""
    return _ihfft("ihfft2", input, s, dim, False, norm, out)


@op(None, public=False,
    spec=_spec("ihfftn", lambda t, x: _vr(t, _fft_module(t).ihfftn(x, s=(4, 3), norm="forward")),
               [((3, 4),), ((2, 3, 5),)]))  # fmt: skip
def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of ``hfftn``: the half spectrum of a real signal over ``dim``."""
    return _ihfft("ihfftn", input, s, dim, True, norm, out)


# ----- frequencies and shifts ---------------------------------------------------------------
def _factory_dtype(dtype):
    return _dt.get_default_dtype().np if dtype is None else _dt.to_numpy_dtype(dtype)


@op(None, public=False)
def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an ``n``-point transform with sample spacing ``d``."""
    out = Tensor._make(_np.fft.fftfreq(n, d).astype(_factory_dtype(dtype)))
    return out.requires_grad_() if requires_grad else out


@op(None, public=False)
def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of an ``n``-point real transform."""
    out = Tensor._make(_np.fft.rfftfreq(n, d).astype(_factory_dtype(dtype)))
    return out.requires_grad_() if requires_grad else out


def _shift(input, dim, sign):
    nd = input._data.ndim
    dims = tuple(range(nd)) if dim is None else (dim if isinstance(dim, (tuple, list)) else (dim,))
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    shifts = tuple(sign * (input.shape[d] // 2) for d in dims)
    return input.roll(shifts, dims)


@op(None, public=False)
def fftshift(input, dim=None):
    """The zero frequency moved to the middle (a roll by half of each dimension)."""
    tensor_arg("fftshift", input, "input", 1)
    return _shift(input, dim, 1)


@op(None, public=False)
def ifftshift(input, dim=None):
    """The inverse of ``fftshift``."""
    tensor_arg("ifftshift", input, "input", 1)
    return _shift(input, dim, -1)


__all__ = public_names(__name__)
