"""ember.fft's n-d Hermitian transforms (hfft2, hfftn, ihfft2, ihfftn) against PyTorch:
values for s/dim/norm, argument errors, gradients of real losses."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import ember
import ember.fft  # noqa: F401

from ._both import both, grads

RNG = np.random.default_rng(3)
Z = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
R = RNG.standard_normal((2, 3, 4))
KWARGS = [
    {},
    {"s": (2, 5)},
    {"s": (4, 7), "norm": "forward"},
    {"dim": (0, 1), "norm": "ortho"},
    {"dim": (0,)},
    {"s": (5,), "dim": -1},
]


def fft(lib):
    return importlib.import_module(lib.__name__ + ".fft")


def vr(t, z):
    return t.view_as_real(z.resolve_conj()) if z.is_complex() else z


@pytest.mark.parametrize("name", ["hfft2", "hfftn"])
@pytest.mark.parametrize("kw", KWARGS)
def test_hfft_values(name, kw):
    both(lambda t: getattr(fft(t), name)(t.tensor(Z), **kw), rtol=1e-10)
    both(lambda t: getattr(fft(t), name)(t.tensor(Z.real.astype(np.float32)), **kw), rtol=1e-4)


@pytest.mark.parametrize("name", ["ihfft2", "ihfftn"])
@pytest.mark.parametrize("kw", KWARGS)
def test_ihfft_values(name, kw):
    both(lambda t: vr(t, getattr(fft(t), name)(t.tensor(R), **kw)), rtol=1e-10)
    both(lambda t: vr(t, getattr(fft(t), name)(t.tensor(R, dtype=t.float32), **kw)), rtol=1e-4)


@pytest.mark.parametrize("name", ["hfft2", "hfftn", "ihfft2", "ihfftn"])
@pytest.mark.parametrize(
    "kw",
    [{"dim": ()}, {"s": (3, 4), "dim": (0,)}, {"s": (0, 3)}, {"norm": "bad"}, {"dim": (0, 5)}],
)
def test_argument_errors(name, kw):
    both(lambda t: getattr(fft(t), name)(t.tensor(R), **kw))


@pytest.mark.parametrize("name", ["ihfft2", "ihfftn"])
def test_complex_input_refused_by_ihfft(name):
    both(lambda t: getattr(fft(t), name)(t.tensor(Z)))


def test_low_rank_inputs():
    both(lambda t: fft(t).hfft2(t.tensor([1.0, 2.0])))
    both(lambda t: fft(t).ihfft2(t.tensor(1.0)))
    both(lambda t: fft(t).ihfftn(t.tensor(1.0)))
    both(lambda t: fft(t).hfftn(t.tensor([1.0, 2.0, 3.0])))


@pytest.mark.parametrize("kw", [{}, {"s": (2, 5), "norm": "ortho"}, {"dim": (0,)}])
def test_gradients_of_real_losses(kw):
    grads(lambda t, a, b: fft(t).hfftn(t.complex(a, b), **kw), Z.real, Z.imag)
    grads(lambda t, a, b: fft(t).hfft2(t.complex(a, b), **kw), Z.real, Z.imag)
    grads(lambda t, x: vr(t, fft(t).ihfftn(x, **kw)), R[0])
    grads(lambda t, x: vr(t, fft(t).ihfft2(x, **kw)), R[0])


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.fft.hfft2(t.ones(3, 4), out=t.empty(0)),
        lambda t: t.fft.hfftn(t.ones(3, 4), out=t.empty(0, dtype=t.int64)),
        lambda t: t.fft.hfftn(t.ones(3, 4, requires_grad=True), out=t.empty(0)),
        lambda t: vr(t, t.fft.ihfft2(t.ones(3, 4), out=t.empty(0, dtype=t.complex64))),
        lambda t: t.fft.ihfftn(t.ones(3, 4), out=t.empty(0)),
        lambda t: t.fft.ihfft2(t.ones(3, 4, requires_grad=True), out=t.empty(0, dtype=t.complex64)),
    ],
)
def test_out_argument(call):
    both(lambda t: call(importlib.import_module(t.__name__)))
