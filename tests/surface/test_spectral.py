"""stft/istft against PyTorch: values, shapes, dtypes, gradients through real losses,
errors and warnings."""

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops import spectral

SIGNAL = np.random.default_rng(0).standard_normal(20)


def _hann(lib, n=8):
    return lib.hann_window(n, dtype=lib.float64)


STFT = [
    lambda L, x: L.stft(x, 8, return_complex=True),
    lambda L, x: L.stft(x, 8, window=_hann(L), return_complex=True),
    lambda L, x: L.stft(x, 8, window=_hann(L), return_complex=True, center=False),
    lambda L, x: L.stft(x.view(2, 10), 4, window=_hann(L, 4), return_complex=True, onesided=False),
    lambda L, x: L.stft(x, 8, 2, 6, window=_hann(L, 6), return_complex=True, normalized=True),
    lambda L, x: L.stft(x, 8, return_complex=False, pad_mode="constant"),
    lambda L, x: L.stft(x, 8, 3, return_complex=True, pad_mode="replicate"),
    lambda L, x: L.stft(L.complex(x, x), 8, return_complex=True),
    lambda L, x: x.stft(8, window=_hann(L), return_complex=True),
    lambda L, x: L.istft(L.stft(x, 8, window=_hann(L), return_complex=True), 8, window=_hann(L)),
    lambda L, x: L.istft(
        L.stft(x, 8, window=_hann(L), return_complex=True), 8, window=_hann(L), length=25
    ),
    lambda L, x: L.istft(
        L.stft(x, 8, window=_hann(L), return_complex=True), 8, window=_hann(L), length=15
    ),
    lambda L, x: L.istft(L.stft(x, 8, return_complex=True), 8),
    lambda L, x: L.istft(
        L.stft(x, 8, window=_hann(L), return_complex=True, onesided=False), 8, window=_hann(L)
    ),
    lambda L, x: L.istft(
        L.stft(x, 8, window=_hann(L), return_complex=True, onesided=False),
        8,
        window=_hann(L),
        return_complex=True,
    ),
    lambda L, x: L.stft(
        x.view(2, 10), 4, 1, window=_hann(L, 4), return_complex=True, normalized=True
    ).istft(4, 1, window=_hann(L, 4), normalized=True),
]


@pytest.mark.parametrize("call", STFT)
def test_values_match(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = call(ember, ember.tensor(SIGNAL))
        t = call(torch, torch.tensor(SIGNAL))
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-12)


ERRORS = [
    lambda L, x: L.stft(x, 8),
    lambda L, x: L.stft(x, 30, return_complex=True, center=False),
    lambda L, x: L.stft(x, 8, window=L.ones(7), return_complex=True),
    lambda L, x: L.stft(x.view(1, 2, 10), 4, return_complex=True),
    lambda L, x: L.stft(x, 8, pad_mode="zeros", return_complex=True),
    lambda L, x: L.istft(L.stft(x, 8, return_complex=True).real, 8),
    lambda L, x: L.istft(L.stft(x, 8, return_complex=True), 8, onesided=False),
    lambda L, x: L.istft(L.stft(x, 8, return_complex=True), 8, return_complex=True),
    lambda L, x: L.istft(
        L.stft(x, 8, window=_hann(L), return_complex=True), 8, window=_hann(L), center=False
    ),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as te:
            call(torch, torch.tensor(SIGNAL))
        with pytest.raises(Exception) as ee:
            call(ember, ember.tensor(SIGNAL))
    assert type(ee.value).__mro__[-3:] == type(te.value).__mro__[-3:]
    assert str(ee.value).split("\n")[0] == str(te.value).split("\n")[0]


def test_gradients_through_real_losses():
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(SIGNAL, requires_grad=True)
        w = lib.hann_window(8, dtype=lib.float64, requires_grad=True)
        s = lib.stft(x, 8, 2, window=w, return_complex=True)
        loss = (s.abs() ** 2).sum() + lib.istft(s * 2, 8, 2, window=w).pow(2).sum()
        loss.backward()
        grads.append((x.grad.numpy(), w.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_warnings_are_given_once():
    spectral._WARNED.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = ember.tensor(SIGNAL)
        for _ in range(2):
            s = ember.stft(x, 8, return_complex=True)
            ember.stft(x, 8, return_complex=False)
            ember.istft(s, 8)
            ember.istft(s, 8, window=ember.ones(8, dtype=ember.float64), length=25)
    texts = [str(w.message) for w in caught]
    assert len(texts) == 4 and all(w.category is UserWarning for w in caught)
    assert texts[0].startswith("A window was not provided. A rectangular window will be applied,")
    assert texts[1].startswith("stft with return_complex=False is deprecated.")
    assert texts[3].startswith("The length of signal is shorter than the length parameter.")
