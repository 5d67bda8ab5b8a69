"""``torch.backends.cuda``: cuBLAS and attention switches on a build without CUDA.

``is_built()`` is False. ``matmul.allow_tf32`` mirrors ``set_float32_matmul_precision`` as in
PyTorch; the scaled-dot-product-attention switches are kept for the code that reads them.
"""

from __future__ import annotations

import contextlib
import warnings

from .. import matmul_precision as _precision
from ._flags import check_bool


def is_built() -> bool:
    """False: this build has no CUDA."""
    return False


class cuBLASModule:
    """``torch.backends.cuda.matmul``: cuBLAS's switches (TF32, reduced-precision sums)."""

    _REDUCTIONS = (
        "allow_fp16_reduced_precision_reduction",
        "allow_bf16_reduced_precision_reduction",
    )

    def __init__(self):
        state = {name: True for name in self._REDUCTIONS}
        state["allow_fp16_accumulation"] = False
        object.__setattr__(self, "_state", state)

    def __getattr__(self, name):
        if name == "allow_tf32":
            return _precision.get_float32_matmul_precision() != "highest"
        state = object.__getattribute__(self, "_state")
        if name in state:
            return state[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            check_bool(value, "set_allow_tf32_cublas")
            _precision.set_float32_matmul_precision("high" if value else "highest")
        elif name in self._REDUCTIONS:
            if not isinstance(value, (bool, tuple, list)):
                raise TypeError(
                    f"{name} expects a bool or a tuple/list of bools, but got {type(value)}"
                )
            self._state[name] = value if isinstance(value, bool) else bool(value[0])
        elif name == "allow_fp16_accumulation":
            self._state[name] = check_bool(value, "set_allow_fp16_accumulation_cublas")
        else:
            raise AttributeError(f"Unknown attribute {name}")


matmul = cuBLASModule()

# Scaled dot-product attention kernels PyTorch may pick; all enabled by default.
_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}
_fp16_bf16_reduction_math = [False]


def flash_sdp_enabled() -> bool:
    """Whether the flash attention kernel may be used."""
    return _sdp["flash"]


def mem_efficient_sdp_enabled() -> bool:
    """Whether the memory-efficient attention kernel may be used."""
    return _sdp["mem_efficient"]


def math_sdp_enabled() -> bool:
    """Whether the plain (math) attention implementation may be used."""
    return _sdp["math"]


def cudnn_sdp_enabled() -> bool:
    """Whether the cuDNN attention kernel may be used."""
    return _sdp["cudnn"]


def enable_flash_sdp(enabled: bool) -> None:
    """Allow or forbid the flash attention kernel."""
    _sdp["flash"] = check_bool(enabled, "set_sdp_use_math")


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Allow or forbid the memory-efficient attention kernel."""
    _sdp["mem_efficient"] = check_bool(enabled, "set_sdp_use_math")


def enable_math_sdp(enabled: bool) -> None:
    """Allow or forbid the plain (math) attention implementation."""
    _sdp["math"] = check_bool(enabled, "set_sdp_use_math")


def enable_cudnn_sdp(enabled: bool) -> None:
    """Allow or forbid the cuDNN attention kernel."""
    _sdp["cudnn"] = check_bool(enabled, "set_sdp_use_cudnn")


def fp16_bf16_reduction_math_sdp_allowed() -> bool:
    """Whether the math attention may reduce in float16/bfloat16 (False by default)."""
    return _fp16_bf16_reduction_math[0]


def allow_fp16_bf16_reduction_math_sdp(enabled: bool) -> None:
    """Allow the math attention to reduce in float16/bfloat16."""
    _fp16_bf16_reduction_math[0] = check_bool(enabled, "set_sdp_use_math")


def is_flash_attention_available() -> bool:
    """False: flash attention needs CUDA."""
    return False


def sdp_kernel(enable_flash: bool = True, enable_math: bool = True,
               enable_mem_efficient: bool = True, enable_cudnn: bool = True):  # fmt: skip
    """Deprecated: choose attention kernels inside a ``with`` block."""
    warnings.warn(
        "`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context manager "
        "will be removed. Please see `torch.nn.attention.sdpa_kernel()` for the new context "
        "manager, with updated signature",
        FutureWarning,
        stacklevel=2,
    )
    return _sdp_region(enable_flash, enable_math, enable_mem_efficient, enable_cudnn)


@contextlib.contextmanager
def _sdp_region(flash, math, mem_efficient, cudnn):
    saved = dict(_sdp)
    enable_flash_sdp(flash)
    enable_math_sdp(math)
    enable_mem_efficient_sdp(mem_efficient)
    enable_cudnn_sdp(cudnn)
    try:
        yield
    finally:
        _sdp.update(saved)
