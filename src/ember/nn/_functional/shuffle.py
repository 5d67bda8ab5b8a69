"""Rearranging channels and pixels: pixel (un)shuffle and channel shuffle."""

from __future__ import annotations


def _check_factor(name, what, r):
    if r <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {r}")


def _lead_and_last3(input, name):
    if input.dim() < 3:
        raise RuntimeError(
            f"{name} expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    return tuple(input.shape[:-3]), tuple(input.shape[-3:])


def pixel_shuffle(input, upscale_factor: int):
    """(*, C r^2, H, W) -> (*, C, H r, W r): channel blocks become r x r pixel blocks."""
    r = upscale_factor
    _check_factor("pixel_shuffle", "upscale_factor", r)
    lead, (c, h, w) = _lead_and_last3(input, "pixel_shuffle")
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    k = len(lead)
    x = input.reshape(lead + (c // (r * r), r, r, h, w))
    perm = tuple(range(k)) + tuple(k + i for i in (0, 3, 1, 4, 2))
    return x.permute(perm).reshape(lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor: int):
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of ``pixel_shuffle``."""
    r = downscale_factor
    _check_factor("pixel_unshuffle", "downscale_factor", r)
    lead, (c, h, w) = _lead_and_last3(input, "pixel_unshuffle")
    for what, n in (("height", h), ("width", w)):
        if n % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {what} to be divisible by downscale_factor, but input."
                f"size({-2 if what == 'height' else -1})={n} is not divisible by {r}"
            )
    k = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    perm = tuple(range(k)) + tuple(k + i for i in (0, 2, 4, 1, 3))
    return x.permute(perm).reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups: int):
    """(N, g k, *) -> (N, k g, *): interleave the channels of ``groups`` groups."""
    if input.dim() <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    rest = tuple(input.shape[2:])
    x = input.reshape((n, groups, c // groups) + rest).transpose(1, 2)
    return x.reshape((n, c) + rest)


native_channel_shuffle = channel_shuffle
