"""The ``*_copy`` functions against PyTorch: values, fresh memory, gradients, errors."""

import numpy as np
import pytest
import torch

import ember

from ._oracle import same

CASES = [
    ("alias_copy", ()),
    ("as_strided_copy", ((2, 2), (1, 2), 1)),
    ("diagonal_copy", (1, 0, 1)),
    ("expand_copy", ((2, 3, 4),)),
    ("narrow_copy", (1, 1, 2)),
    ("permute_copy", ((1, 0),)),
    ("select_copy", (1, -1)),
    ("slice_copy", (1, 1, None, 2)),
    ("squeeze_copy", ()),
    ("squeeze_copy", (0,)),
    ("squeeze_copy", ((0, 1),)),
    ("t_copy", ()),
    ("transpose_copy", (0, 1)),
    ("unfold_copy", (1, 2, 1)),
    ("unsqueeze_copy", (1,)),
    ("view_copy", ((2, 6),)),
]


def _pair(shape=(3, 4)):
    a = np.random.default_rng(0).standard_normal(shape)
    return (
        ember.tensor(a, requires_grad=True),
        torch.tensor(a, requires_grad=True),
    )


@pytest.mark.parametrize("name,args", CASES)
def test_copy_matches_pytorch_and_owns_its_memory(name, args):
    e, t = _pair()
    ye, yt = getattr(ember, name)(e, *args), getattr(torch, name)(t, *args)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    assert ye.is_contiguous()
    assert not np.shares_memory(ye.detach().numpy(), e.detach().numpy())
    assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__
    w = np.arange(ye.numel(), dtype=np.float64).reshape(tuple(ye.shape))
    ye.backward(ember.tensor(w))
    yt.backward(torch.tensor(w))
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize(
    "name,args",
    [("split_copy", (3, 1)), ("split_with_sizes_copy", ([1, 3], 1)), ("unbind_copy", (1,))],
)
def test_multi_output_copies(name, args):
    e, t = _pair()
    ye, yt = getattr(ember, name)(e, *args), getattr(torch, name)(t, *args)
    assert type(ye) is type(yt) and len(ye) == len(yt)
    for a, b in zip(ye, yt):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
    (ye[0] * 2).sum().backward()
    (yt[0] * 2).sum().backward()
    np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())


def test_second_order_through_a_copy():
    e, t = _pair()
    ge = ember.autograd.grad((ember.t_copy(e) ** 3).sum(), e, create_graph=True)[0]
    gt = torch.autograd.grad((torch.t_copy(t) ** 3).sum(), t, create_graph=True)[0]
    ge.sum().backward()
    gt.sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy())


def test_the_copy_does_not_follow_writes():
    x = ember.zeros(2, 3)
    y = ember.permute_copy(x, (1, 0))
    x.add_(1)
    assert y.sum().item() == 0


def test_out_and_dtype_forms():
    for lib in (ember, torch):
        o = lib.empty(0)
        r = lib.permute_copy(lib.ones(2, 3), (1, 0), out=o)
        assert r is o and tuple(o.shape) == (3, 2)
    same(
        lambda: ember.view_copy(ember.ones(2), ember.int32).tolist(),
        lambda: torch.view_copy(torch.ones(2), torch.int32).tolist(),
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.view_copy(lib.ones(2, 3), (4,)),
        lambda lib: lib.view_copy(lib.ones(2, 3), -1),
        lambda lib: lib.permute_copy(lib.ones(2, 3), (0,)),
        lambda lib: lib.select_copy(lib.ones(2, 3), 0, 5),
        lambda lib: lib.values_copy(lib.ones(2, 3)),
        lambda lib: lib.indices_copy(lib.ones(2, 3)),
        lambda lib: lib.crow_indices_copy(lib.ones(2, 3)),
        lambda lib: lib.view_as_complex_copy(lib.ones(2, 2, requires_grad=True)),
    ],
)
def test_errors_match_pytorch(call):
    same(lambda: call(ember), lambda: call(torch))


def test_sparse_only_messages():
    with pytest.raises(RuntimeError, match="values expected sparse tensor layout but got Strided"):
        ember.values_copy(ember.ones(2))


def test_complex_views():
    c = ember.complex(ember.ones(2), ember.arange(2.0))
    r = ember.view_as_real_copy(c)
    assert r.tolist() == [[1.0, 0.0], [1.0, 1.0]]
    back = ember.view_as_complex_copy(r)
    assert back.tolist() == c.tolist()
