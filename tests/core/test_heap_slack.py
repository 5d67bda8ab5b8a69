"""glibc keeps freed temporaries' pages (backend/heap.py): a CNN step faults no memory in
once warm; the user's own allocator settings, or ``EMBER_HEAP_SLACK=0``, leave glibc alone."""

import os
import subprocess
import sys

import pytest

from ember.backend import heap

if not (hasattr(os, "confstr") and os.confstr("CS_GNU_LIBC_VERSION")):
    pytest.skip("the heap setting is made only on glibc", allow_module_level=True)

_STEPS = """
import resource
import ember
import ember.backend

F = ember.nn.functional
x = ember.randn(64, 1, 28, 28)
w1 = ember.randn(8, 1, 3, 3, requires_grad=True)
w2 = ember.randn(16, 8, 3, 3, requires_grad=True)


def step():
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, padding=1)), 2)
    F.conv2d(h, w2, padding=1).sum().backward()


for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, ember.backend.heap_slack_kept)
"""


def _faults_and_setting(**env):
    environ = {k: v for k, v in os.environ.items() if "MALLOC" not in k and "EMBER_HEAP" not in k}
    environ.update(env)
    out = subprocess.run(
        [sys.executable, "-c", _STEPS], env=environ, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), out[1] == "True"


def test_warm_steps_fault_in_far_fewer_pages_than_with_glibcs_default():
    faults, kept = _faults_and_setting()
    default_faults, default_kept = _faults_and_setting(EMBER_HEAP_SLACK="0")
    assert kept and not default_kept
    assert default_faults > 1000  # glibc's default trims and faults the pages in again
    assert faults * 20 < default_faults


@pytest.mark.parametrize(
    "environ,wanted",
    [
        ({}, heap.TOP_PAD),
        ({"EMBER_HEAP_SLACK": "0"}, 0),
        ({"EMBER_HEAP_SLACK": "1048576"}, 1 << 20),
        ({"MALLOC_TOP_PAD_": "131072"}, 0),  # the user tuned glibc: left as they chose
        ({"MALLOC_MMAP_THRESHOLD_": "65536"}, 0),
        ({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}, 0),
        ({"GLIBC_TUNABLES": "glibc.rtld.nns=4"}, heap.TOP_PAD),
    ],
)
def test_the_setting_follows_the_environment(environ, wanted):
    assert heap.slack_wanted(environ) == wanted


def test_a_bad_slack_value_warns_and_keeps_the_default():
    with pytest.warns(RuntimeWarning, match="EMBER_HEAP_SLACK must be a number of bytes"):
        assert heap.slack_wanted({"EMBER_HEAP_SLACK": "lots"}) == heap.TOP_PAD
