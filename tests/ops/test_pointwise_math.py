"""addcmul/addcdiv, sinc, deg2rad/rad2deg, heaviside, gcd/lcm: dtypes, out=, in-place, errors."""

from __future__ import annotations

import pytest

from ._both import both, grads

X = [1.0, -2.0, 0.0, 3.5]


def test_addcmul_addcdiv_promotion_and_value():
    both(lambda t: t.addcmul(t.tensor([1, 2]), t.tensor([1, 2]), t.tensor([1, 2]), value=2.5))
    both(lambda t: t.addcmul(t.tensor(1.0), t.tensor(X, dtype=t.float64), t.tensor(X)))
    both(lambda t: t.addcmul(t.tensor(X).half(), t.tensor(X), t.tensor(X)))
    both(lambda t: t.addcmul(t.tensor([1, 2]), t.tensor([1.0, 2]), t.tensor([1.0, 2])))
    both(lambda t: t.addcdiv(t.tensor(X), t.tensor(X), t.tensor([2.0, 4, 8, 16]), value=-3))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.addcdiv(t.tensor([1, 2]), t.tensor([1, 2]), t.tensor([1, 2])),
        lambda t: t.addcmul(t.tensor([True]), t.tensor([True]), t.tensor([True])),
        lambda t: t.addcmul(t.ones(2), t.ones(2), t.ones(3)),
        lambda t: t.addcdiv(t.ones(2), t.ones(2), t.ones(2), value=2j),
        lambda t: t.ones(2).addcmul_(t.ones(2), t.ones(3, 2)),
        lambda t: t.addcmul(t.ones(2), 1.0, t.ones(2)),
        lambda t: t.addcdiv(t.ones(2), t.ones(2), t.ones(2), out=t.zeros(2, dtype=t.int64)),
    ],
)
def test_addc_errors(call):
    both(call)


def test_addc_out_and_inplace():
    both(lambda t: t.addcmul(t.ones(2), t.ones(2), t.ones(2), value=3, out=t.zeros(2)))
    both(lambda t: t.addcmul(t.ones(2), t.ones(2), t.ones(2), out=t.zeros(5)))
    both(lambda t: t.tensor(X).addcdiv_(t.tensor(X), t.tensor([2.0, 4, 8, 16]), value=0.5))
    both(lambda t: t.tensor(X).addcmul_(t.tensor(X), t.tensor(X)))


def test_addc_gradients():
    grads(lambda t, x, a, b: t.addcmul(x, a, b, value=-1.5), X, [[2.0], [3.0]], [0.5])
    grads(lambda t, x, a, b: t.addcdiv(x, a, b, value=2), X, [[2.0], [3.0]], [0.5, 1.0, 2, 4])


def test_sinc_and_angles():
    both(lambda t: t.sinc(t.tensor([0.0, 1e-20, 1.0, -0.5, 2.5])))
    both(lambda t: t.sinc(t.tensor([1, 0, 2])))
    both(lambda t: t.deg2rad(t.tensor([180, 90])))
    both(lambda t: t.rad2deg(t.tensor([True, False])))
    both(lambda t: t.deg2rad(t.tensor(X).half()))
    both(lambda t: t.deg2rad_(t.tensor(X)))
    both(lambda t: t.sinc_(t.tensor(X)))
    both(lambda t: t.tensor([1, 2]).deg2rad_())
    both(lambda t: t.rad2deg(t.tensor(X), out=t.zeros(4, dtype=t.float64)))
    grads(lambda t, x: t.sinc(x), [0.0, 0.25, -1.5, 3.0])


def test_heaviside():
    both(lambda t: t.heaviside(t.tensor([0.0, -1, 1, float("nan")]), t.tensor([7.0])))
    both(lambda t: t.heaviside(t.tensor([0, -3, 2]), t.tensor(2)))
    both(lambda t: t.heaviside(t.tensor(X), t.tensor(0.5, dtype=t.float64)))
    both(lambda t: t.heaviside(t.tensor(X), 0.5))
    both(lambda t: t.tensor(X).heaviside_(t.tensor(0.5)))
    both(lambda t: t.heaviside(t.tensor(X), t.tensor(0.5), out=t.zeros(4)))


def test_heaviside_has_no_derivative():
    def backward(t):
        x = t.tensor(X, requires_grad=True)
        y = t.heaviside(x, t.tensor(1.0))
        assert y.requires_grad
        y.sum().backward()

    both(backward)


def test_gcd_lcm():
    a, b = [12, -8, 0, 7, -6], [18, 12, 0, 0, 4]
    both(lambda t: t.gcd(t.tensor(a), t.tensor(b)))
    both(lambda t: t.lcm(t.tensor(a), t.tensor(b)))
    both(lambda t: t.gcd(t.tensor(a), t.tensor(b, dtype=t.int32)))
    both(lambda t: t.gcd(t.tensor(a, dtype=t.uint8), t.tensor(b, dtype=t.uint8)))
    both(lambda t: t.gcd(t.tensor(X), t.tensor(X)))
    both(lambda t: t.gcd(t.tensor(a), 4))
    both(lambda t: t.gcd(t.tensor([True]), t.tensor([True])))
    both(lambda t: t.gcd_(t.tensor(a), t.tensor(b)))
    both(lambda t: t.tensor(a).lcm_(t.tensor(b)))
    both(lambda t: t.lcm(t.tensor(a), t.tensor(b), out=t.zeros(5, dtype=t.int64)))
