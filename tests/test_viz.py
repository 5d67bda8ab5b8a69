"""Graph pictures and training history (ember.viz)."""

import shutil
import xml.etree.ElementTree as ET

import pytest

import ember
from ember.viz import History, make_dot, to_mermaid, walk


def _expr():
    x = ember.ones(2, requires_grad=True)
    w = ember.ones(2, requires_grad=True)
    y = (x * w).exp().sum()
    return x, w, y


def test_make_dot_structure():
    pytest.importorskip("graphviz")
    x, w, y = _expr()
    dot = make_dot(y, params={"x": x, "w": w})
    src = dot.source
    for name in ("SumBackward0", "ExpBackward0", "MulBackward0", "x\n(2)", "w\n(2)"):
        assert name.replace("\n", "\\n") in src or name in src, name
    # edges: Mul -> Exp -> Sum, and both leaves into Mul
    mul = y.grad_fn.next_functions[0][0].next_functions[0][0]
    exp = y.grad_fn.next_functions[0][0]
    assert f"{id(mul)} -> {id(exp)}" in src
    assert f"{id(exp)} -> {id(y.grad_fn)}" in src
    for leaf_node, _ in mul.next_functions:
        assert f"{id(leaf_node)} -> {id(mul)}" in src


def test_make_dot_show_saved_lists_bytes():
    pytest.importorskip("graphviz")
    _, _, y = _expr()
    src = make_dot(y, show_saved=True).source
    assert "output[0] (2,) float32: 8 B" in src  # exp saves its output


def test_make_dot_renders_svg():
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz dot program is not installed")
    _, _, y = _expr()
    svg = make_dot(y).pipe(format="svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")


def test_make_dot_higher_order_graph():
    pytest.importorskip("graphviz")
    x = ember.tensor(3.0, requires_grad=True)
    (g,) = ember.autograd.grad(x**3, x, create_graph=True)
    assert "MulBackward0" in make_dot(g).source


def test_mermaid_needs_no_binary():
    x, w, y = _expr()
    text = to_mermaid(y, {"x": x})
    assert text.startswith("graph BT")
    assert "ExpBackward0" in text and "x<br/>(2)" in text
    assert text.count("-->") == 5  # out<-Sum<-Exp<-Mul<-x, Mul<-w


def test_walk_is_iterative_on_deep_graphs():
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y + 1
    assert len(walk([y.grad_fn])) == 50_001


def test_history_plot(tmp_path):
    pytest.importorskip("matplotlib")
    h = History()
    for e in range(1, 4):
        h.add(epoch=e, loss=1 / e, accuracy=0.5 + e / 10)
    assert h["loss"] == [1.0, 0.5, 1 / 3]
    path = h.plot(tmp_path / "h.png")
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
