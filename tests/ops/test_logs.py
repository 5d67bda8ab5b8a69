"""logit, xlogy, xlog1py, logaddexp(2), entr: special points, number operands, errors."""

from __future__ import annotations

import importlib

import pytest

from ._both import both, grads

NAN, INF = float("nan"), float("inf")
P = [0.0, 0.2, 1.0, 1.5, -0.1]


def special(lib):
    return importlib.import_module(lib.__name__ + ".special")


def test_logit_eps_and_dtypes():
    both(lambda t: t.logit(t.tensor(P)))
    both(lambda t: t.logit(t.tensor(P), 0.1))
    both(lambda t: t.logit(t.tensor(P), eps=-1.0))
    both(lambda t: t.logit(t.tensor([0, 1, 2])))
    both(lambda t: t.logit(t.tensor(P).half(), 0.25))
    both(lambda t: t.logit_(t.tensor(P), 0.1))
    both(lambda t: special(t).logit(t.tensor(P), 0.1))


def test_logit_gradient_outside_the_clamp():
    grads(lambda t, x: t.logit(x, 0.1), P)
    grads(lambda t, x: t.logit(x), [0.3, 0.5, 1.5, -0.1])


def test_xlogy_special_points():
    x, y = [0.0, 0.0, 1.0, 2.0, 0.0], [0.0, NAN, 0.0, -1.0, 0.5]
    both(lambda t: t.xlogy(t.tensor(x), t.tensor(y)))
    both(lambda t: special(t).xlog1py(t.tensor(x), t.tensor(y) - 1))
    grads(lambda t, a, b: t.xlogy(a, b), x[:3] + x[4:], y[:1] + y[2:])
    grads(lambda t, a, b: special(t).xlog1py(a, b), [0.0, 0.0, 1.0, 2.0], [-1.0, 1.0, 0.0, -1.0])


def test_xlogy_number_operands_and_dtypes():
    both(lambda t: t.xlogy(t.tensor([0, 1, 2]), t.tensor([0, 1, 2])))
    both(lambda t: t.xlogy(2, t.tensor([0, 1, 2])))
    both(lambda t: t.xlogy(t.tensor([0, 1, 2]), 2.0))
    both(lambda t: t.xlogy(2, 3))
    both(lambda t: t.xlogy(t.tensor([1.0]), 2.0, out=t.zeros(1)))
    both(lambda t: t.xlogy_(t.tensor([1.0, 0.0]), t.tensor([2.0, 0.0])))
    both(lambda t: special(t).xlogy(t.tensor([1.0]), t.tensor([3.0], dtype=t.float64)))
    # PyTorch names a different node for a number operand: XlogyBackward0/1/2.
    for fn, name in ((lambda t: t.xlogy, "Xlogy"), (lambda t: special(t).xlog1py, "Xlog1Py")):
        for args, n in (((None, 2.0), 2), ((2.0, None), 1), ((None, None), 0)):

            def call(t, fn=fn, args=args):
                x = t.tensor([0.5], requires_grad=True)
                return type(fn(t)(*[x if a is None else a for a in args]).grad_fn).__name__

            assert both(call) == f"{'Special' if 'Py' in name else ''}{name}Backward{n}"


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
def test_logaddexp(name):
    a, b = [INF, -INF, 1.0, -INF, 3.0], [INF, -INF, 2.0, 0.0, -1e30]
    both(lambda t: getattr(t, name)(t.tensor(a), t.tensor(b)))
    both(lambda t: getattr(t, name)(t.tensor([1, 2]), t.tensor([1, 2])))
    both(lambda t: getattr(t, name)(t.tensor([1.0]), 1.0))
    both(lambda t: getattr(t, name)(t.tensor([1.0]), t.tensor([2.0], dtype=t.float64)))
    both(lambda t: getattr(t, name)(t.ones(2), t.ones(3)))
    grads(lambda t, x, y: getattr(t, name)(x, y), [-INF, 1.0, 5.0], [-INF, 2.0, -3.0])


def test_entr():
    both(lambda t: special(t).entr(t.tensor([0.0, 0.5, -1.0, INF, NAN])))
    both(lambda t: special(t).entr(t.tensor([0, 1, 4])))
    grads(lambda t, x: special(t).entr(x), [0.0, 0.5, -1.0, 2.0])
