"""Flatten parameters into one vector and back."""

from __future__ import annotations

from ...backend import xp_of
from ...tensor import Tensor


def parameters_to_vector(parameters):
    """One 1-d tensor of all parameters, concatenated (differentiable)."""
    import ember

    params = list(parameters)
    flat = [p.reshape(-1) for p in params]
    cat = getattr(ember, "cat", None)
    if cat is not None:
        return cat(flat)
    xp = xp_of(params[0]._data)
    return Tensor._make(xp.concatenate([p._data.reshape(-1) for p in params]))


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into each parameter's data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for p in parameters:
        n = p.numel()
        p._data = (
            vec._data[pointer : pointer + n].reshape(p._data.shape).astype(p._data.dtype, copy=True)
        )
        p._bump_version("vector_to_parameters", site=False)
        pointer += n
