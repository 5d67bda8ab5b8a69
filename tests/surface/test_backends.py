"""``ember.backends`` flags read, validate and restore as ``torch.backends`` does."""

import pytest
import torch

import ember

from ._oracle import same

CUDNN_FLAGS = ["enabled", "benchmark", "deterministic", "allow_tf32"]


@pytest.fixture(autouse=True)
def _restore_flags():
    saved = {n: getattr(torch.backends.cudnn, n) for n in CUDNN_FLAGS}
    e_saved = {n: getattr(ember.backends.cudnn, n) for n in CUDNN_FLAGS}
    prec = torch.get_float32_matmul_precision(), ember.get_float32_matmul_precision()
    yield
    for n, v in saved.items():
        setattr(torch.backends.cudnn, n, v)
    for n, v in e_saved.items():
        setattr(ember.backends.cudnn, n, v)
    torch.set_float32_matmul_precision(prec[0])
    ember.set_float32_matmul_precision(prec[1])


def test_cudnn_queries():
    for name in ["is_available", "version"]:
        same(getattr(ember.backends.cudnn, name), getattr(torch.backends.cudnn, name))
    assert ember.backends.cudnn.is_acceptable(ember.zeros(1)) is False
    assert ember.backends.cudnn.benchmark_limit is torch.backends.cudnn.benchmark_limit


@pytest.mark.parametrize("flag", CUDNN_FLAGS)
def test_cudnn_flag_defaults_and_setting(flag):
    assert getattr(ember.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag)
    for value in [True, False, "x", 1, None]:

        def run(lib, value=value):
            def go():
                setattr(lib.backends.cudnn, flag, value)
                return getattr(lib.backends.cudnn, flag)

            return go

        same(run(ember), run(torch))
    with pytest.raises(RuntimeError, match="expects a bool, but got str"):
        setattr(ember.backends.cudnn, flag, "yes")


def test_cudnn_flags_context():
    def run(lib):
        def go():
            c = lib.backends.cudnn
            with c.flags(enabled=False, benchmark=True, deterministic=True, allow_tf32=False):
                inside = [getattr(c, n) for n in CUDNN_FLAGS]
            with c.flags(benchmark=True):
                defaults = [getattr(c, n) for n in CUDNN_FLAGS]
            return inside, defaults, [getattr(c, n) for n in CUDNN_FLAGS]

        return go

    same(run(ember), run(torch))


def test_cudnn_unknown_attribute():
    same(lambda: ember.backends.cudnn.foo, lambda: torch.backends.cudnn.foo)


def test_mps_backend():
    for name in ["is_available", "is_built"]:
        same(getattr(ember.backends.mps, name), getattr(torch.backends.mps, name))
    same(ember.backends.mps.is_macos13_or_newer, torch.backends.mps.is_macos13_or_newer)


MATMUL = [
    "allow_tf32",
    "allow_fp16_reduced_precision_reduction",
    "allow_bf16_reduced_precision_reduction",
    "allow_fp16_accumulation",
]


@pytest.mark.parametrize("attr", MATMUL)
def test_cuda_matmul_flags(attr):
    e, t = ember.backends.cuda.matmul, torch.backends.cuda.matmul
    same(lambda: getattr(e, attr), lambda: getattr(t, attr))
    for value in ["x", 1]:
        same(lambda v=value: setattr(e, attr, v), lambda v=value: setattr(t, attr, v))
    original = getattr(t, attr)
    try:
        for value in [True, False]:
            same(
                lambda v=value: (setattr(e, attr, v), getattr(e, attr)),
                lambda v=value: (setattr(t, attr, v), getattr(t, attr)),
            )
    finally:
        setattr(t, attr, original)
        setattr(e, attr, original)


def test_cuda_matmul_unknown_attribute():
    same(lambda: ember.backends.cuda.matmul.foo, lambda: torch.backends.cuda.matmul.foo)
    same(
        lambda: setattr(ember.backends.cuda.matmul, "foo", 1),
        lambda: setattr(torch.backends.cuda.matmul, "foo", 1),
    )


def test_allow_tf32_mirrors_float32_matmul_precision():
    def run(lib):
        def go():
            seen = []
            for p in ["high", "medium", "highest"]:
                lib.set_float32_matmul_precision(p)
                seen.append(lib.backends.cuda.matmul.allow_tf32)
            lib.backends.cuda.matmul.allow_tf32 = True
            seen.append(lib.get_float32_matmul_precision())
            lib.backends.cuda.matmul.allow_tf32 = False
            seen.append(lib.get_float32_matmul_precision())
            return seen

        return go

    same(run(ember), run(torch))


@pytest.mark.parametrize("value", ["high", "foo", 1])
def test_set_float32_matmul_precision(value):
    same(
        lambda: (ember.set_float32_matmul_precision(value), ember.get_float32_matmul_precision()),
        lambda: (torch.set_float32_matmul_precision(value), torch.get_float32_matmul_precision()),
    )


SDP = ["flash", "mem_efficient", "math", "cudnn"]


@pytest.mark.parametrize("kind", SDP)
def test_sdp_switches(kind):
    eb, tb = ember.backends.cuda, torch.backends.cuda
    enabled, enable = f"{kind}_sdp_enabled", f"enable_{kind}_sdp"
    try:
        for value in [False, True, "x"]:
            same(
                lambda v=value: (getattr(eb, enable)(v), getattr(eb, enabled)()),
                lambda v=value: (getattr(tb, enable)(v), getattr(tb, enabled)()),
            )
    finally:
        getattr(tb, enable)(True)
        getattr(eb, enable)(True)


def test_sdp_kernel_context_and_misc():
    def run(lib):
        def go():
            b = lib.backends.cuda
            with b.sdp_kernel(enable_flash=False, enable_math=True):
                inside = (b.flash_sdp_enabled(), b.math_sdp_enabled())
            return inside, b.flash_sdp_enabled()

        return go

    same(run(ember), run(torch))
    for name in [
        "is_built",
        "is_flash_attention_available",
        "fp16_bf16_reduction_math_sdp_allowed",
    ]:
        same(getattr(ember.backends.cuda, name), getattr(torch.backends.cuda, name))
