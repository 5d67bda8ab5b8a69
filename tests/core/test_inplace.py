"""In-place ops: every generated ``op_`` has its out-of-place op; gradients match PyTorch."""

import numpy as np
import pytest

import ember
from ember.ops import families, registry

torch = pytest.importorskip("torch")

INPLACE = sorted(d.inplace.__name__ for d in registry.declarations() if d.inplace is not None)


@pytest.mark.parametrize("name", INPLACE)
def test_declared_inplace_form_has_its_op(name):
    assert getattr(ember.Tensor, name) is registry.tensor_methods()[name]
    assert callable(getattr(ember.Tensor, name[:-1], None) or families.function(name[:-1]))


CASES = [
    ("exp_", lambda t: t.exp_()),
    ("mul_", lambda t: t.mul_(3.0)),
    ("add_tensor", lambda t: t.add_(t * 2)),
    ("pow_", lambda t: t.pow_(2)),
    ("sigmoid_", lambda t: t.sigmoid_()),
    ("clamp_", lambda t: t.clamp_(-0.5, 0.5)),
    ("masked_fill_", lambda t: t.masked_fill_(t > 0, 0.0)),
    ("setitem_slice", lambda t: t.__setitem__(slice(0, 2), 5.0)),
    ("view_mul_", lambda t: t[1:].mul_(2)),
    ("view_of_view", lambda t: t.view(2, 3)[:, 1].mul_(2)),
    ("copy_", lambda t: t.copy_(t.flip(0) * 2)),
    ("zero_", lambda t: t.zero_()),
    ("fill_", lambda t: t.fill_(2.0)),
]


@pytest.mark.parametrize("name, op", CASES, ids=[c[0] for c in CASES])
def test_inplace_on_nonleaf_gradients_match_torch(name, op):
    data = np.array([0.5, -1.0, 2.0, -0.3, 1.2, 0.1])
    results = []
    for lib in (ember, torch):
        x = lib.tensor(data, requires_grad=True)
        y = x * 1.5
        op(y)
        (y * lib.arange(6.0, dtype=lib.float64)).sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_inplace_error_names_the_modifying_line():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    y.mul_(2)  # the line the message must name
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    assert "ExpBackward0 saved its output" in msg
    assert "mul_ at" in msg and "test_inplace.py:" in msg


def test_fast_path_allocates_nothing_and_bumps_version():
    t = ember.ones(4)
    before = t._data
    v = t._version
    t.add_(1).mul_(2).sub_(1).div_(3)
    assert t._data is before and t._version == v + 4
    np.testing.assert_allclose(t.numpy(), 1.0)


def test_int_inplace_cannot_promote():
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired"):
        ember.tensor([1, 2]).mul_(1.5)
