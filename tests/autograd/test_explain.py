"""explain(), the graph memory report and the backward trace."""

from __future__ import annotations

import io

import numpy as np

import ember
from ember.autograd.explain import explain
from ember.autograd.graph import report, saved_bytes, trace_backward


def test_explain_non_leaf():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp()
    msg = explain(y)
    assert "non-leaf" in msg and "ExpBackward0" in msg and "retain_grad()" in msg
    y.retain_grad()
    assert "no backward has reached it yet" in explain(y)


def test_explain_unreachable_and_reachable_leaf():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    unused = ember.tensor([1.0], requires_grad=True)
    loss = (x * x).sum()
    assert "not reachable from the loss" in explain(unused, loss)
    assert "no backward has reached it yet" in explain(x, loss)
    loss.backward()
    assert "leaf with a gradient (norm 4.47214)" in explain(x)


def test_explain_cut_graph_and_dtypes():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    msg = explain(d)
    assert "does not require grad" in msg and "detach()" in msg
    with ember.no_grad():
        y = x * 2
    assert "no_grad()" in explain(y)
    assert "integer/bool dtype" in explain(ember.tensor([1, 2]))


def test_explain_zero_gradient():
    x = ember.tensor([-1.0, -2.0], requires_grad=True)
    x.relu().sum().backward()
    assert "all zeros" in explain(x)


def test_report_counts_saved_bytes():
    x = ember.tensor(np.ones((10, 10)), requires_grad=True)
    y = x.exp()  # saves its output: 800 bytes
    z = y.log()  # saves its input, the same array: counted once
    loss = z.sum()
    r = report(loss)
    names = [n.name for n in r.nodes]
    assert names[0] == "SumBackward0" and "ExpBackward0" in names and "LogBackward0" in names
    assert r.total_bytes == 800 and r.shared_bytes == 800
    assert saved_bytes(loss) == 800
    assert "800 bytes" in str(r)
    loss.backward()
    assert "freed" in str(report(loss))


def test_trace_backward_prints_each_node_in_order():
    x = ember.tensor([3.0, 4.0], requires_grad=True)
    loss = (x * 2).exp().sum()
    buf = io.StringIO()
    lines = trace_backward(loss, file=buf)
    assert [line.split()[1] for line in lines] == [
        "SumBackward0",
        "ExpBackward0",
        "MulBackward0",
        "torch::autograd::AccumulateGrad",
    ]
    assert "shape [] norm 1" in lines[0] and "rule: d(exp x) = exp(x) dx" in lines[1]
    assert buf.getvalue().count("\n") == 4
    assert x.grad is not None


def test_deep_graph_is_not_recursive():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    assert len(report(y).nodes) == 5001
    lines = trace_backward(y.sum(), file=io.StringIO())
    assert len(lines) == 5002  # sum, 5000 muls, the leaf


def test_explain_names_the_detach_line():
    import ember
    from ember.autograd import explain

    x = ember.ones(2, requires_grad=True)
    d = (x * 2).detach()  # the line explain must point to
    text = explain(d)
    assert "detach() at" in text and "test_explain.py:" in text


def test_explain_names_the_no_grad_line():
    import inspect

    w = ember.ones(3, requires_grad=True)
    line = inspect.currentframe().f_lineno + 1
    with ember.no_grad():
        y = w * 2
        v = w[1:]  # a view made under no_grad
        z = (ember.ones(3) * 2).exp()  # inputs that never wanted grad: nothing to explain
    for t in (y, v):
        assert f"no_grad() (entered at {__file__}:{line})" in ember.autograd.explain(t)
    assert "no_grad()" not in (z._extra.origin if z._extra is not None else "")
    # Outside the block, and inside backward (which turns grad mode off), nothing is marked.
    assert (w * 2).requires_grad
    (w * w).sum().backward()
    assert w.grad._extra is None or w.grad._extra.origin is None


def test_backward_trace_prints_each_node(capsys):
    import ember

    x = ember.ones(3, requires_grad=True)
    (x.exp() * 2).sum().backward(trace=True)
    out = capsys.readouterr().out
    for name in ("SumBackward0", "MulBackward0", "ExpBackward0", "AccumulateGrad"):
        assert name in out
    assert "norm" in out and x.grad is not None
