"""as_strided / as_strided_ against PyTorch: views of the storage (offsets, overlaps, writes
seen by the base), PyTorch's checks and messages, and AsStridedBackward's gradients."""

from __future__ import annotations

import pytest

import ember

torch = pytest.importorskip("torch")


def _both(f):
    out = []
    for lib in (ember, torch):
        try:
            out.append(f(lib))
        except Exception as e:  # compared below: same type and message
            out.append((type(e).__name__, str(e)))
    return out


CASES = {
    "overlap": lambda t: t.arange(12.0).as_strided((3, 3), (1, 1)).tolist(),
    "offset": lambda t: t.arange(12.0).as_strided((3, 3), (1, 1), 2).tolist(),
    "function": lambda t: t.as_strided(t.arange(12.0), (2, 3), (1, 2), 1).stride(),
    "zero_d": lambda t: t.arange(12.0).as_strided((), (), 11).item(),
    "empty": lambda t: t.arange(12.0).as_strided((0, 3), (100, 100), 100).shape,
    "default_offset": lambda t: t.arange(12.0)[2:].as_strided((2,), (1,)).tolist(),
    "offset_from_storage": lambda t: t.arange(12.0)[2:].as_strided((2,), (1,), 0).tolist(),
    "chain": lambda t: t.arange(12.0).as_strided((4,), (2,), 1).as_strided((2,), (3,)).tolist(),
    "chain_offset": lambda t: t.arange(12.0).as_strided((4,), (2,), 1).storage_offset(),
    "of_transpose": lambda t: t.arange(6.0).reshape(2, 3).t().as_strided((3,), (2,)).tolist(),
    "out_of_bounds": lambda t: t.arange(12.0).as_strided((3, 3), (4, 4)),
    "zero_d_out_of_bounds": lambda t: t.arange(12.0).as_strided((), (), 12),
    "negative_size": lambda t: t.arange(12.0).as_strided((3, -3), (1, 1)),
    "negative_stride": lambda t: t.arange(12.0).as_strided((3, 3), (1, -1)),
    "lengths": lambda t: t.arange(12.0).as_strided((3, 3), (1,)),
    "negative_offset": lambda t: t.arange(12.0).as_strided((3, 3), (1, 1), -1),
    "float_offset": lambda t: t.as_strided(t.arange(12.0), (3, 3), (1, 1), 1.5),
    "float_offset_method": lambda t: t.arange(12.0).as_strided((3, 3), (1, 1), 1.5),
    "float_size": lambda t: t.as_strided(t.arange(12.0), (3, 3.0), (1, 1), 1),
    "int_size": lambda t: t.arange(12.0).as_strided(3, 1),
    "dtype_view_bounds": lambda t: t.arange(12.0).view(t.int32).as_strided((2,), (1,), 24),
    "leaf_inplace": lambda t: t.arange(6.0, requires_grad=True).as_strided_((2, 2), (1, 2)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_as_strided_matches_pytorch(name):
    e, t = _both(CASES[name])
    assert e == t


def test_writes_through_the_view_reach_the_base():
    for lib in (ember, torch):
        b = lib.zeros(6)
        v = b.as_strided((2, 2), (1, 2), 1)
        assert v._base is b
        v.fill_(5)
        assert b.tolist() == [0.0, 5.0, 5.0, 5.0, 5.0, 0.0]
        assert b._version == v._version == 1


def test_as_strided_inplace_repoints_the_tensor():
    def f(lib):
        y = lib.arange(6.0)
        r = y.as_strided_((2, 2), (1, 2), 1)
        return r is y, y.tolist(), y._version, tuple(y.shape)

    e, t = _both(f)
    assert e == t


def _grad(lib, view, weights, n=6, pre=None):
    x = lib.arange(float(n), requires_grad=True)
    v = view(pre(x) if pre else x)
    (v * lib.tensor(weights)).sum().backward()
    return x.grad.tolist()


GRADS = [
    (lambda x: x.as_strided((3, 3), (1, 1)), [[1.0, 2, 3], [4, 5, 6], [7, 8, 9]], None),
    (lambda x: x.as_strided((2, 2), (1, 1)), [[1.0, 2], [3, 4]], lambda x: x[:3].expand(2, 3)),
    (lambda x: x.as_strided((2, 2), (2, 1), 0), [[1.0, 2], [3, 4]], lambda x: x[2:]),
    (lambda x: x.as_strided((2, 2), (1, 3), 1), [[1.0, 2], [3, 4]], lambda x: x.reshape(2, 3).t()),
]


@pytest.mark.parametrize("view, weights, pre", GRADS)
def test_gradients_accumulate_and_divide_as_pytorch(view, weights, pre):
    e, t = _both(lambda lib: _grad(lib, view, weights, pre=pre))
    assert e == t


def test_inplace_write_through_a_strided_view_of_a_graph_tensor():
    def f(lib):
        x = lib.arange(6.0, requires_grad=True)
        y = x * 1
        v = y.as_strided((2,), (2,), 1)
        v.mul_(10)
        y.sum().backward()
        return y.tolist(), y.grad_fn.name(), v.grad_fn.name(), x.grad.tolist()

    e, t = _both(f)
    assert e == t


def test_as_strided_inplace_gradient():
    def f(lib):
        x = lib.arange(6.0, requires_grad=True)
        y = x * 1
        y.as_strided_((2, 2), (1, 2), 1)
        name = y.grad_fn.name()
        y.sum().backward()
        return name, x.grad.tolist(), y._base is None

    e, t = _both(f)
    assert e == t
