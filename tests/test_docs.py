"""The examples in docs/ run and print what the pages say."""

import doctest
import glob
import os

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..")
PAGES = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))) + [os.path.join(ROOT, "README.md")]


@pytest.mark.parametrize("path", PAGES, ids=[os.path.basename(p) for p in PAGES])
def test_page_examples(path):
    import ember

    ember.manual_seed(0)
    result = doctest.testfile(
        path,
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert result.failed == 0


def test_api_coverage_page_is_current():
    import subprocess
    import sys

    pytest.importorskip("torch")
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "api_coverage.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
