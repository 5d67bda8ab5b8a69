"""Every torch name public code uses in the namespaces this surface covers resolves in Ember.

``api-usage.tsv`` lists the torch names used by 644 public PyTorch files (see its header);
behaviour is tested next to each feature, this only checks that no listed name is missing.
"""

import os

import pytest

from ember.coverage import resolves

_PREFIXES = (
    "torch.cuda.",
    "torch.backends.",
    "torch.accelerator.",
    "torch.mps.",
    "torch.cpu.",
    "torch.amp.",
    "torch.autocast",
    "torch.multiprocessing.",
    "torch.testing.",
    "torch.version.",
    "torch.profiler.",
    "torch.autograd.profiler.",
    "torch.nn.attention.",
)
_NAMES = {
    "torch.finfo",
    "torch.iinfo",
    "torch.compile",
    "torch.inf",
    "torch.nan",
    "torch.pi",
    "torch.e",
    "torch.newaxis",
    "torch.preserve_format",
    "torch.contiguous_format",
    "torch.channels_last",
    "torch.channels_last_3d",
    "torch.set_float32_matmul_precision",
    "torch.get_default_device",
    "torch.set_default_device",
    "torch.is_tensor",
    "torch.numel",
    "torch.typename",
    "torch.use_deterministic_algorithms",
    "torch.manual_seed",
    "torch.seed",
    "torch.initial_seed",
    "torch.get_rng_state",
    "torch.set_rng_state",
    "torch.set_num_threads",
    "torch.get_num_threads",
    "torch.set_num_interop_threads",
    "torch.get_num_interop_threads",
    "torch.nn.DataParallel",
    "torch.strided",
}


def _rows():
    path = os.path.join(os.path.dirname(__file__), "api-usage.tsv")
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


def _covered(name):
    return name.startswith(_PREFIXES) or name in _NAMES


def test_the_file_lists_these_namespaces():
    names = [r["name"] for r in _rows()]
    assert len(names) > 500
    assert sum(_covered(n) for n in names) >= 50


@pytest.mark.parametrize("name", sorted(r["name"] for r in _rows() if _covered(r["name"])))
def test_name_resolves(name):
    assert resolves(name), f"{name} is listed in api-usage.tsv but missing in Ember"
