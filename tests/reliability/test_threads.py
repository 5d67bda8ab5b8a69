"""Grad mode is per thread, and concurrent training equals sequential training."""

import threading

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


def _run_in_threads(*targets):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # surfaced in the main thread below
                errors.append(e)

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_leak_into_another():
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def disabled():
        with torch.no_grad():
            seen["a_enabled"] = torch.is_grad_enabled()
            inside.set()
            assert checked.wait(10)
            x = torch.ones(2, requires_grad=True)
            seen["a_requires_grad"] = (x * 2).requires_grad
        seen["a_after"] = torch.is_grad_enabled()

    def enabled():
        assert inside.wait(10)
        seen["b_enabled"] = torch.is_grad_enabled()
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        seen["b_requires_grad"] = y.requires_grad
        seen["b_grad_fn"] = y.grad_fn is not None
        checked.set()

    _run_in_threads(disabled, enabled)
    assert seen == {
        "a_enabled": False,
        "a_requires_grad": False,
        "a_after": True,
        "b_enabled": True,
        "b_requires_grad": True,
        "b_grad_fn": True,
    }
    assert torch.is_grad_enabled()


def test_set_grad_enabled_false_in_main_thread_is_not_inherited():
    seen = []
    with torch.set_grad_enabled(False):
        _run_in_threads(lambda: seen.append(torch.is_grad_enabled()))
        assert not torch.is_grad_enabled()
    assert seen == [True]


def _make_job(seed):
    """A small MLP, its optimizer and fixed data, all derived from ``seed``."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = torch.tensor(rng.standard_normal((64, 6)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 3, 64))

    def train(steps=150):
        for _ in range(steps):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()

    return model, train


def _params(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_two_threads_training_match_sequential_training():
    seq_a, train_a = _make_job(1)
    seq_b, train_b = _make_job(2)
    train_a()
    train_b()
    expected_a, expected_b = _params(seq_a), _params(seq_b)

    par_a, train_a = _make_job(1)
    par_b, train_b = _make_job(2)
    _run_in_threads(train_a, train_b)
    for got, want in zip(_params(par_a) + _params(par_b), expected_a + expected_b):
        np.testing.assert_array_equal(got, want)
    # the two models really did train to different places
    assert not np.array_equal(expected_a[0], _params(_make_job(1)[0])[0])


def test_threads_training_while_another_thread_is_in_no_grad():
    """One thread evaluates under no_grad while another trains: training is unaffected."""
    ref, train_ref = _make_job(3)
    train_ref()
    expected = _params(ref)

    model, train = _make_job(3)
    stop = threading.Event()
    results = []

    def evaluate():
        probe = nn.Linear(6, 3)
        xs = torch.ones(4, 6)
        while not stop.is_set():
            with torch.no_grad():
                results.append(probe(xs).requires_grad)

    def train_then_stop():
        try:
            train()
        finally:
            stop.set()

    _run_in_threads(evaluate, train_then_stop)
    assert results and not any(results)
    for got, want in zip(_params(model), expected):
        np.testing.assert_array_equal(got, want)


def test_concurrent_backward_into_one_leaf_loses_nothing():
    # Eight threads accumulate into the same large .grad (NumPy releases the GIL while it
    # adds): every addition must land, as in PyTorch.
    import threading

    import ember

    w = ember.zeros(200_000, requires_grad=True)
    steps, n_threads = 60, 8

    def work():
        for _ in range(steps):
            (w * 1.0).sum().backward()

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert float(w.grad.min()) == float(w.grad.max()) == steps * n_threads
