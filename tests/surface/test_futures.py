"""torch.futures: Future, then, collect_all, wait_all — compared with PyTorch's."""

from __future__ import annotations

import threading

import pytest
import torch

import ember


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_future_result_then_and_wait_all(lib):
    f = lib.futures.Future()
    assert not f.done()
    chained = f.then(lambda fut: fut.wait() * 2)
    threading.Timer(0.01, lambda: f.set_result(21)).start()
    assert f.wait() == 21 and chained.wait() == 42 and f.done()
    g = lib.futures.Future()
    g.set_result(1)
    assert lib.futures.wait_all([f, g]) == [21, 1]
    assert lib.futures.wait_all([]) == []


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_future_exception_reaches_wait(lib):
    f = lib.futures.Future()
    f.set_exception(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        f.wait()
    with pytest.raises(RuntimeError):
        f.set_result(1)
