"""Complex tensors (view_as_real/complex, real, imag, conj, angle, polar, complex), ember.fft
and linalg.eig/eigvals against PyTorch: values, argument errors, and gradients of real
losses."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import ember
import ember.fft  # noqa: F401 - the namespaces (ember/__init__ may not import them yet)
import ember.linalg  # noqa: F401

from ._both import both, torch

Z = [[1.0, 2.0], [3.0, -1.0], [0.0, 0.0]]


def fft(lib):
    return importlib.import_module(lib.__name__ + ".fft")


def vr(t, z):
    return t.view_as_real(z.resolve_conj()) if z.is_complex() else z


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.view_as_real(t.view_as_complex(t.tensor(Z))),
        lambda t: str(t.view_as_complex(t.tensor(Z, dtype=t.float64)).dtype),
        lambda t: t.view_as_real(t.tensor(Z)),
        lambda t: t.view_as_complex(t.ones(3, 3)),
        lambda t: t.view_as_complex(t.ones(2, 3)[:, :2]),
        lambda t: t.view_as_complex(t.ones(3, 2).long()),
        lambda t: t.real(t.view_as_complex(t.tensor(Z))),
        lambda t: t.imag(t.view_as_complex(t.tensor(Z))),
        lambda t: t.real(t.tensor([1.0, 2])),
        lambda t: t.imag(t.tensor([1.0, 2])),
        lambda t: vr(t, t.conj(t.view_as_complex(t.tensor(Z)))),
        lambda t: t.conj(t.tensor([1.0, 2])),
        lambda t: vr(t, t.view_as_complex(t.tensor(Z)).conj_physical()),
        lambda t: t.angle(t.view_as_complex(t.tensor(Z))),
        lambda t: t.angle(t.tensor([-1.0, 0.0, 2.0, float("nan")])),
        lambda t: t.angle(t.tensor([-1, 0, 2])),
        lambda t: vr(t, t.polar(t.tensor([1.0, 2]), t.tensor([0.5, -3.0]))),
        lambda t: t.polar(t.tensor([1.0, 2]), t.tensor([0.5, -3.0], dtype=t.float64)),
        lambda t: vr(t, t.complex(t.tensor([1.0, 2]), t.tensor([3.0, 4]))),
        lambda t: t.complex(t.tensor([1, 2]), t.tensor([3, 4])),
        lambda t: t.view_as_complex(t.tensor(Z)).is_conj(),
    ],
)
def test_complex_ops(call):
    both(call)


def test_complex_gradients_follow_pytorch_convention():
    def loss(t, x):
        z = t.view_as_complex(x)
        pieces = (t.real(z) * 2, t.imag(z) ** 2, t.angle(z), vr(t, z.conj()))
        return sum(p.sum() for p in pieces)

    a = np.array([[1.0, 2.0], [3.0, -1.0], [-0.5, 0.25]])
    out = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        loss(lib, x).backward()
        out.append(x.grad.numpy())
    np.testing.assert_allclose(*out, rtol=1e-10)


X = [1.0, 2.0, -1.0, 0.5, 3.0, -2.0]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: vr(t, fft(t).fft(t.tensor(X))),
        lambda t: vr(t, fft(t).fft(t.tensor(X), n=4)),
        lambda t: vr(t, fft(t).fft(t.tensor(X), n=9, norm="ortho")),
        lambda t: vr(t, fft(t).ifft(t.tensor(X), norm="forward")),
        lambda t: vr(t, fft(t).rfft(t.tensor(X))),
        lambda t: fft(t).irfft(fft(t).rfft(t.tensor(X))),
        lambda t: fft(t).irfft(fft(t).rfft(t.tensor(X)), n=5),
        lambda t: fft(t).hfft(fft(t).ihfft(t.tensor(X))),
        lambda t: vr(t, fft(t).fft2(t.tensor(X).reshape(2, 3))),
        lambda t: vr(t, fft(t).ifft2(t.tensor(X).reshape(2, 3), s=(3, 2))),
        lambda t: vr(t, fft(t).fftn(t.tensor(X).reshape(2, 3), s=(4,))),
        lambda t: vr(t, fft(t).rfftn(t.tensor(X).reshape(2, 3))),
        lambda t: fft(t).irfftn(fft(t).rfftn(t.tensor(X).reshape(2, 3)), s=(2, 3)),
        lambda t: vr(t, fft(t).rfft2(t.tensor(X).reshape(3, 2), norm="forward")),
        lambda t: fft(t).irfft2(fft(t).rfft2(t.tensor(X).reshape(3, 2)), s=(3, 2)),
        lambda t: vr(t, fft(t).fft(t.tensor([1, 2, 3]))),
        lambda t: vr(t, fft(t).fftn(t.tensor(2.0))),
        lambda t: fft(t).fft(t.tensor(X), norm="foo"),
        lambda t: fft(t).fft(t.tensor(X), n=0),
        lambda t: fft(t).fft(t.tensor(X).half()),
        lambda t: fft(t).fft(t.tensor(1.0)),
        lambda t: fft(t).rfft(t.tensor(X).to(t.complex64)),
        lambda t: fft(t).fft(t.tensor(X), dim=2),
        lambda t: fft(t).fftn(t.ones(2, 2), s=(3, 3), dim=(0,)),
        lambda t: fft(t).irfft(t.ones(1, dtype=t.complex64)),
        lambda t: fft(t).fftfreq(5),
        lambda t: fft(t).fftfreq(4, d=0.5),
        lambda t: fft(t).rfftfreq(5, dtype=t.float64),
        lambda t: fft(t).fftshift(t.arange(5)),
        lambda t: fft(t).ifftshift(t.arange(6).reshape(2, 3), dim=1),
        lambda t: fft(t).fftshift(t.arange(6).reshape(2, 3)),
    ],
)
def test_fft(call):
    both(call, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: fft(t).fft(x, n=8).abs(),
        lambda t, x: vr(t, fft(t).ifft(x, norm="ortho")),
        lambda t, x: fft(t).rfft(x).abs() ** 2,
        lambda t, x: fft(t).irfft(fft(t).rfft(x) * 3.0, n=6),
        lambda t, x: fft(t).fft2(x.reshape(2, 3)).abs(),
        lambda t, x: fft(t).irfftn(fft(t).rfftn(x.reshape(3, 2)).conj(), s=(3, 2)),
        lambda t, x: fft(t).hfft(fft(t).ihfft(x), n=7),
    ],
)
def test_fft_gradients_of_real_losses(fn):
    out = []
    for lib in (ember, torch):
        x = lib.tensor(np.array(X), requires_grad=True)
        y = fn(lib, x)
        weights = lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape).cos()
        (y * weights).sum().backward()
        out.append(x.grad.numpy())
    np.testing.assert_allclose(*out, rtol=1e-9, atol=1e-12)


E = [[1.0, 2, 0.5], [-3, -1, 2], [1, 1, 1]]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: vr(t, t.linalg.eigvals(t.tensor(E))),
        lambda t: vr(t, t.linalg.eig(t.tensor(E)).eigenvalues),
        lambda t: t.linalg.eig(t.tensor(E)).eigenvectors.abs(),
        lambda t: str(t.linalg.eig(t.tensor(E, dtype=t.float64)).eigenvalues.dtype),
        lambda t: t.linalg.eig(t.ones(2, 3)),
        lambda t: t.linalg.eigvals(t.ones(2, 2).long()),
        lambda t: t.linalg.eig(t.ones(3)),
    ],
)
def test_eig(call):
    both(call, rtol=1e-5, atol=1e-6)


def test_eig_gradients():
    out = []
    for lib in (ember, torch):
        a = lib.tensor(np.array(E), requires_grad=True)
        w, v = lib.linalg.eig(a)
        (lib.view_as_real(w).sum() + (v.abs() * lib.arange(9.0).reshape(3, 3)).sum()).backward()
        out.append(a.grad.numpy())
    np.testing.assert_allclose(*out, rtol=1e-8, atol=1e-10)
