"""frexp, ldexp, nextafter, positive, sgn, renorm, vdot and Tensor.sum_to_size against
PyTorch: values, dtypes, gradients, errors."""

import numpy as np
import pytest

import ember

from ._both import both, grads, torch

R = np.random.default_rng(2)
X = R.standard_normal((3, 4)) * 3
XR = X[::-1].copy()
SPECIAL = [0.0, -0.0, 1.0, -3.5, float("inf"), float("-inf"), float("nan"), 1e-40, 6e4]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_frexp_values_and_dtypes(dtype):
    def readable(r):  # NumPy cannot hold bfloat16: compare it as float32
        m = r.mantissa
        return (m.float() if m.dtype == m.new_zeros(()).bfloat16().dtype else m), r.exponent

    both(lambda lib: readable(lib.frexp(lib.tensor(SPECIAL, dtype=getattr(lib, dtype)))))
    both(lambda lib: readable(lib.tensor(X, dtype=getattr(lib, dtype)).frexp()))


def test_frexp_result_out_and_errors():
    for lib in (ember, torch):
        r = lib.frexp(lib.tensor([8.0]))
        assert r.mantissa.item() == 0.5 and r.exponent.item() == 4
        assert type(r).__name__ == "frexp"
        outs = (lib.empty(1), lib.empty(1, dtype=lib.int32))
        assert type(lib.frexp(lib.tensor([8.0]), out=outs)).__name__ == "frexp_out"
        assert outs[1].item() == 4
    both(lambda lib: lib.frexp(lib.tensor([1, 8])))
    both(lambda lib: lib.frexp(lib.tensor([1.0]), out=(lib.empty(1), lib.empty(1).long())))
    both(lambda lib: lib.frexp(lib.tensor([1.0]), out=(lib.empty(1).double(), lib.empty(1).int())))
    grads(lambda lib, a: lib.frexp(a).mantissa, X)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.ldexp(lib.tensor([1.0, 2.0]), lib.tensor([2, 3])),
        lambda lib: lib.ldexp(lib.tensor([1, 2]), lib.tensor([2, -3])),
        lambda lib: lib.ldexp(lib.tensor([1.0, 2.0]), lib.tensor([2.0, 3.5])),
        lambda lib: lib.ldexp(lib.tensor([1.0, 2.0]).double(), lib.tensor([[2], [3]])),
        lambda lib: lib.ldexp(lib.tensor([1.0, 2.0]).half(), lib.tensor([2, 3])),
        lambda lib: lib.ldexp(lib.tensor([1.0, 2.0]), lib.tensor(3)),
        lambda lib: lib.ldexp(lib.tensor([1.0, 2.0]), 3),
        lambda lib: lib.tensor([1, 2]).ldexp_(lib.tensor([2, 3])),
        lambda lib: lib.tensor([1.0, 2]).ldexp_(lib.tensor([2, 3])),
        lambda lib: lib.ldexp_(lib.tensor([1.0, 2]), lib.tensor([2, 3])),
        lambda lib: lib.ldexp(lib.tensor([1.0]), lib.tensor([2]), out=lib.empty(1).long()),
        lambda lib: lib.nextafter(lib.tensor(SPECIAL), lib.tensor(SPECIAL[::-1])),
        lambda lib: lib.nextafter(lib.tensor(SPECIAL).double(), lib.tensor(0.0)),
        lambda lib: lib.nextafter(lib.tensor(SPECIAL).half(), lib.tensor(SPECIAL[::-1]).half()),
        lambda lib: lib.nextafter(
            lib.tensor(SPECIAL).bfloat16(), lib.tensor(SPECIAL[::-1]).bfloat16()
        ).float(),
        lambda lib: lib.nextafter(lib.tensor([1.0, 2.0]), lib.tensor([2.0, 1.0]).double()),
        lambda lib: lib.nextafter(lib.tensor([1, 2]), lib.tensor([2, 1])),
        lambda lib: lib.nextafter(lib.tensor([1.0, 2.0]), 3.0),
        lambda lib: lib.tensor([1.0, 2.0]).nextafter_(lib.tensor([3.0, 0.0]).double()),
        lambda lib: lib.nextafter(lib.ones(2), lib.ones(2), out=lib.empty(2).long()),
    ],
)
def test_ldexp_nextafter(call):
    both(call, rtol=0, atol=0)


def test_ldexp_nextafter_gradients():
    grads(lambda lib, a, b: lib.ldexp(a, b), X, X[:1] / 3)
    grads(lambda lib, a, b: lib.nextafter(a, b), X, XR)
    for lib in (ember, torch):
        a = lib.tensor(X, requires_grad=True)
        assert type(lib.ldexp(a, lib.tensor(2)).grad_fn).__name__ == "LdexpBackward0"


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.positive(lib.tensor([1, 2])),
        lambda lib: lib.positive(lib.tensor([True])),
        lambda lib: lib.positive(lib.tensor(2 + 1j)),
        lambda lib: lib.sgn(lib.tensor([3 + 4j, 0j, -2 + 0j, 1j])),
        lambda lib: lib.sgn(lib.tensor([1, -2, 0])),
        lambda lib: lib.sgn(lib.tensor([True, False])),
        lambda lib: lib.sgn(lib.tensor([1.0, -0.0, float("nan"), -2])),
        lambda lib: lib.tensor([3 + 4j, 0j]).sgn_(),
        lambda lib: lib.tensor([2, -3]).sgn_(),
        lambda lib: lib.sgn(lib.tensor([1 + 1j]), out=lib.empty(1)),
        lambda lib: lib.sgn(lib.tensor([1.0]), out=lib.empty(1).double()),
    ],
)
def test_positive_sgn(call):
    both(call)


def test_positive_is_input_and_sgn_gradients():
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        assert lib.positive(x) is x and x.positive() is x
        lib.sgn(x).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(force=True), np.zeros_like(X))
    grads(lambda lib, a, b: lib.view_as_real(lib.sgn(lib.complex(a, b))), X, XR)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.renorm(lib.tensor(X), 2, 0, 3),
        lambda lib: lib.renorm(lib.tensor(X), 1, 1, 2.5),
        lambda lib: lib.renorm(lib.tensor(X), float("inf"), -1, 2),
        lambda lib: lib.renorm(lib.tensor(X), 0.5, 0, 3),
        lambda lib: lib.renorm(lib.tensor(X), 2, 0, lib.tensor(3.0)),
        lambda lib: lib.renorm(lib.tensor(X).half(), 2, 0, 3),
        lambda lib: lib.renorm(lib.tensor(X + 1j * XR), 2, 1, 3),
        lambda lib: lib.renorm(lib.zeros(0, 3), 2, 0, 3),
        lambda lib: lib.tensor(X).renorm_(2, 1, 3),
        lambda lib: lib.renorm(lib.tensor([[1, 2]]), 2, 0, 3),
        lambda lib: lib.renorm(lib.tensor(X), -1, 0, 3),
        lambda lib: lib.renorm(lib.tensor(X), 0, 0, 3),
        lambda lib: lib.renorm(lib.tensor(X), 2, 0, -3),
        lambda lib: lib.renorm(lib.tensor([1.0, 2.0]), 2, 0, 3),
        lambda lib: lib.renorm(lib.tensor(X), 2, 2, 3),
        lambda lib: lib.renorm(lib.tensor(X), 2, 0, 3, out=lib.empty(3, 4).double()),
    ],
)
def test_renorm(call):
    both(call, rtol=1e-5)


def test_renorm_gradients():
    for p in (2, 1, 3, float("inf")):
        grads(lambda lib, a, p=p: lib.renorm(a, p, 0, 4.0), X)
        grads(lambda lib, a, p=p: lib.renorm(a, p, 1, 2.0), X)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.vdot(lib.tensor([1 + 2j, 3j]), lib.tensor([2 + 0j, 1 - 1j])),
        lambda lib: lib.tensor([1.0, 2.0]).vdot(lib.tensor([2.0, 3.0])),
        lambda lib: lib.vdot(lib.tensor([1, 2]), lib.tensor([2, 3])),
        lambda lib: lib.vdot(lib.tensor([1.0, 2.0]), lib.tensor([2.0, 3.0]).double()),
        lambda lib: lib.vdot(lib.tensor([1.0, 2.0]), lib.tensor([2.0, 3.0, 4.0])),
        lambda lib: lib.vdot(lib.tensor([[1.0, 2.0]]), lib.tensor([2.0, 3.0])),
        lambda lib: lib.vdot(lib.tensor([True]), lib.tensor([True])),
        lambda lib: lib.vdot(lib.ones(2), lib.ones(2), out=lib.empty(()).double()),
        lambda lib: lib.vdot(lib.ones(2), lib.ones(2), out=lib.empty(())),
    ],
)
def test_vdot(call):
    both(call)


def test_vdot_gradients_conjugate_the_first():
    grads(lambda lib, a, b: lib.vdot(a, b), X[0], X[1])
    grads(
        lambda lib, a, b: lib.view_as_real(lib.vdot(lib.complex(a, b), lib.complex(b, a * 2))),
        X[0],
        X[1],
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: x.sum_to_size(1, 4),
        lambda lib, x: x.sum_to_size((4,)),
        lambda lib, x: x.sum_to_size([3, 1]),
        lambda lib, x: x.sum_to_size(lib.Size([1, 1])),
        lambda lib, x: x.sum_to_size(2, 4),
        lambda lib, x: x.sum_to_size(1, 3, 4),
        lambda lib, x: x.sum_to_size(),
        lambda lib, x: x.sum_to_size(1.5),
        lambda lib, x: x.long().sum_to_size(1),
        lambda lib, x: (x > 0).sum_to_size(3, 1),
    ],
)
def test_sum_to_size(call):
    both(lambda lib: call(lib, lib.tensor(X)), rtol=1e-5)


def test_sum_to_size_identity_and_grad_fn():
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        assert x.sum_to_size(3, 4) is x
        assert type(x.sum_to_size(3, 1).grad_fn).__name__ == "SumBackward1"
        assert type(x.sum_to_size(4).grad_fn).__name__ == "ViewBackward0"
    assert not hasattr(ember, "sum_to_size")
