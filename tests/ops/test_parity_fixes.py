"""istft's argument checks, window functions in reduced precision and complex dtypes, and
addbmm's checks on its factors' ranks, each against PyTorch."""

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _raised(fn):
    """(exception type name, message) of ``fn()``, which must raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the exception is what we compare
            return type(e).__name__, str(e)
    raise AssertionError("no exception raised")


def _same_error(call):
    """``call(lib)`` raises the same exception type with the same message in both."""
    assert _raised(lambda: call(ember)) == _raised(lambda: call(torch))


# ----- istft -------------------------------------------------------------------------------
def _spectrum(lib):
    x = lib.tensor(np.sin(np.arange(64.0)))
    return lib.stft(x, 16, 4, window=lib.hann_window(16, dtype=lib.float64), return_complex=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_fft=16, hop_length=4, win_length=20),  # window longer than n_fft
        dict(n_fft=16, hop_length=4, win_length=0),  # hop longer than the window: hop first
        dict(n_fft=16, hop_length=20, win_length=20),  # hop fits, window too long
        dict(n_fft=16, hop_length=0),
        dict(n_fft=16, hop_length=-2),
        dict(n_fft=16, hop_length=10, win_length=8, window="ones8"),
        dict(n_fft=16, hop_length=20),
        dict(n_fft=16, hop_length=4, win_length=12, window="ones10"),
        dict(n_fft=16, hop_length=4, window="ones4x4"),
        dict(n_fft=16, hop_length=4, window="ones12"),
        dict(n_fft=16, hop_length=0, window="ones3"),  # the hop is checked before the window
        dict(n_fft=16, hop_length=4, win_length=20, window="ones3"),
        dict(n_fft=14, hop_length=0),  # the frequency count is checked before the hop
    ],
)
def test_istft_argument_errors(kwargs):
    shapes = {"ones8": (8,), "ones10": (10,), "ones4x4": (4, 4), "ones12": (12,), "ones3": (3,)}

    def call(lib):
        kw = dict(kwargs)
        if "window" in kw:
            kw["window"] = lib.ones(shapes[kw["window"]], dtype=lib.float64)
        return lib.istft(_spectrum(lib), **kw)

    _same_error(call)


def test_istft_hop_equal_to_window_inverts():
    out = []
    for lib in (ember, torch):
        w = lib.ones(8, dtype=lib.float64)
        out.append(lib.istft(_spectrum(lib), 16, 8, 8, window=w).numpy())
    np.testing.assert_allclose(out[0], out[1], atol=1e-12)


# ----- windows -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_reduced_precision_windows_match_bit_for_bit(name, dtype):
    # bfloat16 rounds integers past 256, so long windows take another path through arange.
    for n in [0, 1, 2, 3, 7, 16, 33, 300]:
        for periodic in (True, False):
            e = getattr(ember, name)(n, periodic, dtype=getattr(ember, dtype))
            t = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
            assert e.dtype == getattr(ember, dtype)
            np.testing.assert_array_equal(e.float().numpy(), t.float().numpy(), err_msg=str(n))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_reduced_precision_window_parameters(dtype):
    for call in [
        lambda lib, d: lib.hamming_window(20, True, 0.6, 0.3, dtype=d),
        lambda lib, d: lib.kaiser_window(20, False, 3.5, dtype=d),
        lambda lib, d: lib.hann_window(9, dtype=d, requires_grad=True),
    ]:
        e = call(ember, getattr(ember, dtype))
        t = call(torch, getattr(torch, dtype))
        assert e.requires_grad == t.requires_grad
        np.testing.assert_array_equal(e.detach().float().numpy(), t.detach().float().numpy())


def test_default_dtype_bfloat16_window():
    before = (ember.get_default_dtype(), torch.get_default_dtype())
    try:
        ember.set_default_dtype(ember.bfloat16)
        torch.set_default_dtype(torch.bfloat16)
        e, t = ember.hann_window(12), torch.hann_window(12)
        assert e.dtype == ember.bfloat16 and t.dtype == torch.bfloat16
        np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())
    finally:
        ember.set_default_dtype(before[0])
        torch.set_default_dtype(before[1])


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_windows(name, dtype):
    for n in (0, 1):
        e = getattr(ember, name)(n, dtype=getattr(ember, dtype))
        t = getattr(torch, name)(n, dtype=getattr(torch, dtype))
        assert e.dtype == getattr(ember, dtype) and e.tolist() == t.tolist()
    for n in (2, 7):
        _same_error(lambda lib, n=n: getattr(lib, name)(n, False, dtype=getattr(lib, dtype)))
    # A negative length is refused before the dtype.
    _same_error(lambda lib: getattr(lib, name)(-1, dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("dtype", ["int64", "bool", "uint8"])
def test_integer_window_errors(dtype):
    _same_error(lambda lib: lib.hann_window(5, dtype=getattr(lib, dtype)))
    _same_error(lambda lib: lib.kaiser_window(-1, dtype=getattr(lib, dtype), requires_grad=True))


# ----- addbmm ------------------------------------------------------------------------------
# Factors whose sizes at dims 1 and 2 (where they have them) give a (3, 5) result.
_BATCH1 = {0: (), 1: (3,), 2: (2, 3), 3: (2, 3, 4), 4: (1, 3, 3, 4)}
_BATCH2 = {0: (), 1: (4,), 2: (4, 5), 3: (2, 4, 5), 4: (1, 2, 5, 5)}


@pytest.mark.parametrize("rank1", sorted(_BATCH1))
@pytest.mark.parametrize("rank2", sorted(_BATCH2))
@pytest.mark.parametrize("form", ["function", "method", "inplace"])
def test_addbmm_rank_checks(rank1, rank2, form):
    def call(lib):
        c = lib.ones(())
        a, b = lib.ones(_BATCH1[rank1]), lib.ones(_BATCH2[rank2])
        if form == "function":
            return lib.addbmm(c, a, b)
        if form == "method":
            return c.addbmm(a, b)
        return lib.ones(3, 5).addbmm_(a, b)

    if rank1 == rank2 == 3:
        assert tuple(call(ember).shape) == tuple(call(torch).shape) == (3, 5)
    else:
        _same_error(call)


@pytest.mark.parametrize(
    "input_shape, batch1, batch2",
    [((3, 5), (3, 4), (2, 4, 5)), ((4, 5), (3, 4), (2, 4, 5)), ((3, 5), (1, 2, 3, 4), (2, 4, 5)),
     ((2, 5), (1, 2, 3, 4), (2, 4, 5)), ((3, 4), (2, 3, 4), (1, 2, 4, 5)), ((1,), (3, 4), (4, 5))],
)  # fmt: skip
def test_addbmm_expands_input_before_rank_checks(input_shape, batch1, batch2):
    _same_error(lambda lib: lib.addbmm(lib.ones(input_shape), lib.ones(batch1), lib.ones(batch2)))


@pytest.mark.parametrize("name", WINDOWS)
def test_window_pinning_and_layout(name):
    for n in (-1, 0, 3):
        for kwargs in [
            dict(pin_memory=True),
            dict(dtype="int64", pin_memory=True),
            dict(dtype="complex64", pin_memory=True),
            dict(dtype="int64", layout="strided"),
        ]:

            def call(lib, n=n, kwargs=kwargs):
                kw = {k: getattr(lib, v) if isinstance(v, str) else v for k, v in kwargs.items()}
                return getattr(lib, name)(n, **kw)

            _same_error(call)
    e = getattr(ember, name)(5, pin_memory=False, layout=ember.strided, dtype=ember.float64)
    t = getattr(torch, name)(5, pin_memory=False, layout=torch.strided, dtype=torch.float64)
    np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-12)


EXPANDS = [
    ((7, 7), (3, 5)),
    ((2, 3), (4, 5)),
    ((3,), (2, 4)),
    ((3,), (-1, 3)),
    ((1, 3), (-1, 2, 3)),
    ((7,), (-1, 5)),  # two faults: PyTorch names the last dimension's
]


@pytest.mark.parametrize("shape,target", EXPANDS)
def test_expand_names_the_last_bad_dimension_as_pytorch(shape, target):
    def call(lib):
        return lib.ones(*shape).expand(*target)

    with pytest.raises(RuntimeError) as ours:
        call(ember)
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    assert str(ours.value) == str(theirs.value)


def test_addmm_input_expand_error_as_pytorch():
    def call(lib):
        return lib.addmm(lib.ones(7, 7), lib.ones(3, 2), lib.ones(2, 5))

    with pytest.raises(RuntimeError) as ours:
        call(ember)
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    assert str(ours.value) == str(theirs.value)
