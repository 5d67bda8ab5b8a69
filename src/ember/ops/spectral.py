"""The short-time Fourier transform and its inverse (``stft``, ``istft``), composed of
Ember ops (padding, ``unfold``, the FFTs, ``fold`` for overlap-add), so that gradients
flow through real losses of their results, as in PyTorch."""

from __future__ import annotations

import math
import warnings

from ._spec import OpSpec
from .registry import op, public_names

_WARNED: set = set()

_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_NO_WINDOW_INVERSE = (
    "A window was not provided. A rectangular window will be applied.Please provide the same "
    "window used by stft to make the inversion lossless.To suppress this warning and use a "
    "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_REAL_PAIRS = (
    "stft with return_complex=False is deprecated. In a future pytorch release, stft will "
    "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
    "Note: you can still call torch.view_as_real on the complex output to recover the old "
    "return format."
)
_SHORT = (
    "The length of signal is shorter than the length parameter. Result is being padded with "
    "zeros in the tail. Please check your center and hop_length settings."
)


def _warn_once(text):
    # PyTorch gives these warnings once per process.
    if text not in _WARNED:
        _WARNED.add(text)
        warnings.warn(text, UserWarning, stacklevel=3)


def _type(t):
    from ..dtypes import legacy_type_name

    return legacy_type_name(t.dtype)


def _frames_text(n_fft, hop, win_length, window):
    """The framing arguments as PyTorch's stft/istft errors print them."""
    shown = "None" if window is None else f"{_type(window)}{{{list(window.shape)}}}"
    return f"n_fft={n_fft}, hop_length={hop}, win_length={win_length}, window={shown}"


def _flag(value):
    """An optional flag as PyTorch's stft/istft errors print it."""
    return "None" if value is None else str(int(value))


def _check_win_length(prefix, win_length, n_fft, inverse=False):
    """PyTorch's error for a window length outside ``(0, n_fft]``."""
    if not 0 < win_length <= n_fft:
        # istft states the bound only; stft adds the length it got.
        got = "" if inverse else f", but got win_length={win_length}"
        raise RuntimeError(f"{prefix} : expected 0 < win_length <= n_fft{got}")


def _padded_window(window, win_length, n_fft, name, prefix):
    """The window centred in ``n_fft`` samples (``None``: none)."""
    if window is None:
        return None
    if window.dim() != 1 or window.shape[0] != win_length:
        if name == "istft":
            raise RuntimeError(
                f"{prefix} : Invalid window shape. window has to be 1D and length of `win_length`"
            )
        raise RuntimeError(
            f"{prefix} : expected a 1D window tensor of size equal to win_length={win_length}, "
            f"but got window with size {list(window.shape)}"
        )
    if win_length < n_fft:
        from .broadcasting import constant_pad_nd

        left = (n_fft - win_length) // 2
        window = constant_pad_nd(window, (left, n_fft - win_length - left))
    return window


def _sample_stft(lib, a):
    """The specs' transform: 8-sample Hann frames, 2 apart."""
    return lib.stft(a, 8, 2, window=lib.hann_window(8, dtype=a.dtype), return_complex=True)


@op(
    None,
    methods="stft",
    spec=OpSpec(
        "stft",
        lambda lib, a: lib.view_as_real(_sample_stft(lib, a)),
        [((20,),), ((2, 16),)],
        shapes=None,
        atol=1e-4,
        rtol=1e-4,
    ),
)
def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):  # fmt: skip
    """Fourier transforms of overlapping windowed frames: ``(freq, frames)`` per signal."""
    from .. import fft
    from ..nn.functional import pad

    if window is None:
        _warn_once(_NO_WINDOW)
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None:
        if not complex_in:
            raise RuntimeError(
                "stft requires the return_complex parameter be given for real inputs, and will "
                "further require that return_complex=True in a future PyTorch release."
            )
        return_complex = True
    if not return_complex:
        _warn_once(_REAL_PAIRS)
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win_length = n_fft if win_length is None else int(win_length)
    x = input
    if center and x.dim() in (1, 2, 3):
        if pad_mode not in ("constant", "reflect", "replicate", "circular"):
            raise NotImplementedError(f"Unrecognised padding mode {pad_mode}")
        p = n_fft // 2
        x = pad(x.view((1,) * (3 - x.dim()) + tuple(x.shape)), (p, p), mode=pad_mode)
        x = x.view(tuple(x.shape[3 - input.dim() :]))
    prefix = (
        f"stft({_type(x)}{list(x.shape)}, {_frames_text(n_fft, hop, win_length, window)}, "
        f"normalized={int(bool(normalized))}, onesided={_flag(onesided)}, "
        f"return_complex={int(bool(return_complex))}, align_to_window={align_to_window})"
    )
    if x.dim() not in (1, 2):
        raise RuntimeError(f"{prefix} : expected a 1D or 2D tensor")
    batched = x.dim() == 2
    if not batched:
        x = x.unsqueeze(0)
    length = x.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"{prefix} : expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{prefix} : expected hop_length > 0, but got hop_length={hop}")
    _check_win_length(prefix, win_length, n_fft)
    w = _padded_window(window, win_length, n_fft, "stft", prefix)
    frames = x.unfold(-1, n_fft, hop)
    if w is not None:
        frames = frames * w
    one = (not complex_in) if onesided is None else onesided
    if one and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    spec = fft.rfft(frames, dim=-1) if one else fft.fft(frames, dim=-1)
    if normalized:
        spec = spec * (1.0 / math.sqrt(n_fft))
    spec = spec.transpose(-1, -2)
    if not batched:
        spec = spec.squeeze(0)
    if return_complex:
        return spec
    from .complex_ops import view_as_real

    return view_as_real(spec)


def _overlap_add(frames, hop, total):
    """Sum of ``frames`` ``(B, n_frames, n_fft)`` placed ``hop`` apart: ``(B, total)``."""
    from ..nn.functional import fold

    n_fft = frames.shape[-1]
    cols = frames.transpose(-1, -2)
    if cols.is_complex():
        from .complex_ops import complex as _complex

        return _complex(
            _overlap_add(frames.real.contiguous(), hop, total),
            _overlap_add(frames.imag.contiguous(), hop, total),
        )
    out = fold(cols, (1, total), (1, n_fft), stride=(1, hop))
    return out.reshape(frames.shape[0], total)


@op(
    None,
    methods="istft",
    spec=OpSpec(
        "istft",
        lambda lib, a: lib.istft(
            _sample_stft(lib, a), 8, 2, window=lib.hann_window(8, dtype=a.dtype)
        ),
        [((20,),), ((2, 16),)],
        shapes=None,
        atol=1e-4,
        rtol=1e-4,
    ),
)
def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):  # fmt: skip
    """The signal whose ``stft`` is ``input`` (windowed overlap-add of inverse FFTs)."""
    from .. import fft
    from ..creation import ones

    if not input.is_complex():
        raise RuntimeError(
            "istft requires a complex-valued input tensor matching the output from stft with "
            "return_complex=True."
        )
    if window is None:
        _warn_once(_NO_WINDOW_INVERSE)
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win_length = n_fft if win_length is None else int(win_length)
    n_freq = input.shape[-2] if input.dim() >= 2 else 0
    one = (n_freq != n_fft) if onesided is None else onesided
    prefix = (
        f"istft(CPU{_scalar(input)}Type{list(input.shape)}, "
        f"{_frames_text(n_fft, hop, win_length, window)}, center={int(bool(center))}, "
        f"normalized={int(bool(normalized))}, onesided={_flag(onesided)}, length={length}, "
        f"return_complex={int(bool(return_complex))})"
    )
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"{prefix} : expected a tensor with 3 or 4 dimensions of real, or 2 or 3 "
            f"dimensions of complex, but got {input.dim()}"
        )
    if one and return_complex:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if one and n_freq != n_fft // 2 + 1:
        raise RuntimeError(
            f"{prefix} : expected the frequency dimension (3rd to the last) of the input tensor "
            f"to match n_fft / 2 + 1 when onesided=True, but got {n_freq}"
        )
    if not one and n_freq != n_fft:
        raise RuntimeError(
            f"{prefix} : expected the frequency dimension (3rd to the last) of the input tensor "
            f"to match n_fft when onesided=False, but got {n_freq}"
        )
    if not 0 < hop <= win_length:
        raise RuntimeError(f"{prefix} : expected 0 < hop_length <= win_length")
    _check_win_length(prefix, win_length, n_fft, inverse=True)
    w = _padded_window(window, win_length, n_fft, "istft", prefix)
    batched = input.dim() == 3
    spec = input if batched else input.unsqueeze(0)
    spec = spec.transpose(-1, -2)
    frames = fft.irfft(spec, n=n_fft, dim=-1) if one else fft.ifft(spec, dim=-1)
    if not one and not return_complex:
        frames = frames.real
    if normalized:
        frames = frames * math.sqrt(n_fft)
    if w is None:
        real = frames.real if frames.is_complex() else frames
        w = ones(n_fft, dtype=real.dtype)
    frames = frames * w
    n_frames = frames.shape[-2]
    total = n_fft + hop * (n_frames - 1)
    y = _overlap_add(frames, hop, total)
    envelope = _overlap_add((w * w).expand(1, n_frames, n_fft), hop, total)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + int(length)
    else:
        end = total - n_fft // 2 if center else total
    end = min(end, total)
    y = y[..., start:end]
    envelope = envelope[..., start:end]
    lowest = envelope.abs().min() if envelope.numel() else None
    if lowest is not None and not lowest.item() > 1e-11:
        raise RuntimeError(
            # PyTorch prints the failed check (a true boolean), not the minimum.
            f"{prefix} window overlap add min: 1\n[ CPUBoolType{{}} ]"
        )
    y = y / envelope
    if length is not None and y.shape[-1] < length:
        _warn_once(_SHORT)
        from .broadcasting import constant_pad_nd

        y = constant_pad_nd(y, (0, int(length) - y.shape[-1]))
    return y if batched else y.squeeze(0)


def _scalar(t):
    from ..dtypes import scalar_type_name

    return scalar_type_name(t.dtype)


__all__ = public_names(__name__)
