"""Shape, join/split and indexing ops: view semantics, repeated indices, PyTorch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.ops.indexing_backward import put_add

torch = pytest.importorskip("torch")


def _both(fn):
    """Run ``fn(lib)`` on both libraries; return (ember result or error, torch result or error)."""
    out = []
    for lib in (ember, torch):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(fn(lib))
        except Exception as e:  # compared below
            out.append(e)
    return out


def _x(lib, *shape):
    return lib.arange(float(np.prod(shape))).reshape(shape)


# ----- errors: same exception type and message as PyTorch ---------------------------------
ERRORS = {
    "int_oob": lambda t: _x(t, 3, 4, 5)[5],
    "int_neg_oob": lambda t: _x(t, 3, 4, 5)[:, -5],
    "array_oob": lambda t: _x(t, 3, 4, 5)[[0, 5]],
    "array_oob_ordinal": lambda t: _x(t, 3, 4, 5)[[0], :, [9]],
    "tensor_oob": lambda t: _x(t, 3, 4, 5)[:, :, t.tensor([7])],
    "too_many": lambda t: _x(t, 3, 4, 5)[0, 0, 0, 0],
    "zero_dim": lambda t: t.tensor(5.0)[0],
    "float_index": lambda t: _x(t, 3, 4)[1.5],
    "float_tensor_index": lambda t: _x(t, 3, 4)[t.tensor([1.0])],
    "negative_step": lambda t: _x(t, 3, 4)[::-1],
    "zero_step": lambda t: _x(t, 3, 4)[::0],
    "mask_shape": lambda t: _x(t, 3, 4, 5)[t.tensor([True, False])],
    "mask_shape_dim1": lambda t: _x(t, 3, 4, 5)[:, t.ones(3, dtype=t.bool)],
    "broadcast_mismatch": lambda t: _x(t, 3, 4, 5)[[[0, 1]], [0, 1, 2]],
    "cat_sizes": lambda t: t.cat([t.ones(2, 3), t.ones(2, 4)]),
    "cat_ndim": lambda t: t.cat([t.ones(2, 3), t.ones(3)]),
    "cat_empty_list": lambda t: t.cat([]),
    "cat_zero_dim": lambda t: t.cat([t.tensor(1.0), t.tensor(2.0)]),
    "cat_dim": lambda t: t.cat([t.ones(2, 3)], 2),
    "cat_tensor": lambda t: t.cat(t.ones(2, 3)),
    "cat_not_tensor": lambda t: t.cat([t.ones(2), 1]),
    "stack_sizes": lambda t: t.stack([t.ones(2, 3), t.ones(2, 4)]),
    "stack_empty": lambda t: t.stack([]),
    "split_zero": lambda t: t.ones(10).split(0),
    "split_negative": lambda t: t.ones(10).split(-1),
    "split_sizes_sum": lambda t: t.ones(10).split([3, 3]),
    "split_sizes_negative": lambda t: t.ones(10).split([-1, 11]),
    "split_0d": lambda t: t.tensor(1.0).split(1),
    "chunk_zero": lambda t: t.ones(4).chunk(0),
    "unbind_0d": lambda t: t.tensor(1.0).unbind(),
    "tensor_split_zero": lambda t: t.ones(4).tensor_split(0),
    "hsplit_divisible": lambda t: t.ones(2, 3).hsplit(2),
    "movedim_count": lambda t: t.ones(2, 3).movedim((0, 1), (1,)),
    "movedim_repeat": lambda t: t.ones(2, 3).movedim((0, 0), (1, 0)),
    "repeat_short": lambda t: t.ones(2, 3).repeat(2),
    "flip_dup": lambda t: t.ones(2, 3).flip(0, 0),
    "fliplr_1d": lambda t: t.fliplr(t.ones(3)),
    "roll_align": lambda t: t.ones(2, 3).roll((1, 2), (0,)),
    "narrow_exceeds": lambda t: t.ones(2, 3).narrow(1, 2, 2),
    "narrow_start": lambda t: t.ones(2, 3).narrow(1, 4, 0),
    "select_oob": lambda t: t.ones(2, 3).select(1, 3),
    "diagonal_same": lambda t: t.ones(2, 3).diagonal(0, 1, 1),
    "unfold_size": lambda t: t.ones(2, 3).unfold(1, 4, 1),
    "gather_dtype": lambda t: t.ones(3, 4).gather(1, t.tensor([[0.0]])),
    "gather_ndim": lambda t: t.ones(3, 4).gather(1, t.tensor([0])),
    "gather_oob": lambda t: t.ones(3, 4).gather(1, t.tensor([[0, 4]])),
    "gather_negative": lambda t: t.ones(3, 4).gather(1, t.tensor([[-1]])),
    "gather_size": lambda t: t.ones(3, 4).gather(1, t.zeros(4, 1, dtype=t.long)),
    "scatter_src_small": lambda t: t.ones(3, 4).scatter(1, t.tensor([[0, 1]]), t.ones(1, 1)),
    "scatter_dtype": lambda t: t.ones(3, 4).scatter(1, t.tensor([[0]]), t.ones(1, 1).double()),
    "scatter_add_value": lambda t: t.ones(3, 4).scatter_add(1, t.tensor([[0]]), 1.0),
    "index_select_2d": lambda t: t.ones(3, 4).index_select(1, t.tensor([[0]])),
    "index_select_dtype": lambda t: t.ones(3, 4).index_select(1, t.tensor([0.0])),
    "index_add_count": lambda t: t.ones(3, 4).index_add(1, t.tensor([0, 0]), t.ones(3, 3)),
    "index_add_shape": lambda t: t.ones(3, 4).index_add(1, t.tensor([0, 0]), t.ones(2, 2)),
    "index_add_dtype": lambda t: t.ones(3, 4).index_add(1, t.tensor([0]), t.ones(3, 1).double()),
    "index_add_oob": lambda t: t.ones(3, 4).index_add(1, t.tensor([5]), t.ones(3, 1)),
    "index_fill_value": lambda t: t.ones(3, 4).index_fill(1, t.tensor([0]), t.tensor([1.0])),
    "index_fill_oob": lambda t: t.ones(3, 4).index_fill(1, t.tensor([4]), 1.0),
    "index_copy_count": lambda t: t.ones(3, 4).index_copy(1, t.tensor([0]), t.ones(3, 2)),
    "masked_fill_float_mask": lambda t: t.ones(3, 4).masked_fill(t.ones(4), 0.0),
    "masked_fill_uint8_mask": lambda t: t.ones(3, 4).masked_fill(t.ones(4, dtype=t.uint8), 0.0),
    "masked_fill_value_dim": lambda t: t.ones(3, 4).masked_fill(t.ones(4) > 0, t.ones(1)),
    "masked_fill_broadcast": lambda t: t.ones(3, 4).masked_fill(t.ones(2) > 0, 0.0),
    "masked_fill_inplace_grow": lambda t: t.ones(4).masked_fill_(t.ones(3, 4) > 0, 0.0),
    "masked_select_float": lambda t: t.ones(3, 4).masked_select(t.ones(4)),
    "masked_scatter_few": lambda t: t.ones(3, 4).masked_scatter(t.ones(3, 4) > 0, t.ones(5)),
    "take_oob": lambda t: t.ones(3, 4).take(t.tensor([12])),
    "take_dtype": lambda t: t.ones(3, 4).take(t.tensor([1], dtype=t.int32)),
    "take_along_ndim": lambda t: t.take_along_dim(t.ones(3, 4), t.tensor([0]), 1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(name):
    e, t = _both(ERRORS[name])
    assert isinstance(t, Exception), f"torch accepted {name}"
    assert type(e) is type(t), f"{name}: ember raised {type(e).__name__}: {e}"
    assert str(e) == str(t)


# ----- values that NumPy gets differently from PyTorch -----------------------------------
INDEX_VALUES = {
    "int_then_array": lambda t, x: x[0, :, [0, 1]],
    "none_array_int": lambda t, x: x[None, [0, 1], None, 1],
    "array_slice_array": lambda t, x: x[[0, 1], :, [1, 2]],
    "zero_d_tensor": lambda t, x: x[t.tensor(1)],
    "zero_d_and_array": lambda t, x: x[t.tensor(0), :, [0, 1]],
    "list_of_lists": lambda t, x: x[[[0, 1], [1, 2]]],
    "list_with_none": lambda t, x: x[[0, None]],
    "empty_list": lambda t, x: x[[]],
    "bool_list": lambda t, x: x[[True, False, True]],
    "uint8_mask": lambda t, x: x[t.tensor([1, 0, 1], dtype=t.uint8)],
    "true": lambda t, x: x[True],
    "false": lambda t, x: x[False],
    "ellipsis_none": lambda t, x: x[None, ..., None],
    "numpy_int": lambda t, x: x[np.int64(1), -1],
    "negative_tensor": lambda t, x: x[t.tensor([-1, 0, -3])],
    "mask_2d": lambda t, x: x[x.sum(-1) > 50],
    "slice_past_end": lambda t, x: x[10:, 2:1],
}


@pytest.mark.parametrize("name", list(INDEX_VALUES))
def test_index_values_match_pytorch(name):
    e, t = _both(lambda lib: INDEX_VALUES[name](lib, _x(lib, 3, 4, 5)))
    assert not isinstance(t, Exception), t
    assert not isinstance(e, Exception), e
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_setitem_int_then_array_matches_pytorch():
    e, t = _both(lambda lib: _assign(lib))
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def _assign(lib):
    x = lib.zeros(3, 4, 5)
    x[0, :, [0, 1]] = lib.ones(4, 2)
    x[lib.tensor([True, False, True])] += 1
    x[[2, 2], 1] = lib.arange(5.0)
    return x


# ----- SPEC rule 18: repeated advanced indices accumulate ---------------------------------
def test_repeated_indices_accumulate():  # SPEC rule 18
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 1]].sum().backward()
    assert x.grad.tolist() == [2.0, 1.0, 0.0]


GRAD_CASES = {
    "repeat_rows": lambda t, x: x[[0, 0, 2, 0]],
    "negative": lambda t, x: x[[-1, 2, -1]],
    "trailing_slice": lambda t, x: x[[1, 1], 1:],
    "leading_slice": lambda t, x: x[:, [3, 3, 0]],
    "broadcast_arrays": lambda t, x: x[[[0], [0]], [1, 1, 3]],
    "mask": lambda t, x: x[x > 5],
    "mask_rows": lambda t, x: x[t.tensor([True, False, True])],
    "int_then_array": lambda t, x: x[1, [2, 2]],
    "gather_repeat": lambda t, x: x.gather(1, t.tensor([[0, 0, 0], [3, 3, 1], [2, 2, 2]])),
    "index_select_repeat": lambda t, x: x.index_select(0, t.tensor([2, 2, 0])),
    "take_repeat": lambda t, x: x.take(t.tensor([5, 5, -1])),
    "scatter_add_repeat": lambda t, x: t.zeros(2, 4, dtype=x.dtype).scatter_add(
        1, t.tensor([[0, 0, 0, 0], [1, 1, 3, 3]]), x[:2]
    ),
    "index_add_repeat": lambda t, x: t.zeros(3, 4, dtype=x.dtype).index_add(
        0, t.tensor([1, 1, 0]), x
    ),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_repeated_index_gradients_match_pytorch(name):
    res = []
    for lib in (ember, torch):
        x = _x(lib, 3, 4).double().requires_grad_()
        out = GRAD_CASES[name](lib, x)
        g = lib.arange(float(out.numel()), dtype=lib.float64).reshape(out.shape) + 1
        (out * g).sum().backward()
        res.append((out.detach().numpy(), x.grad.numpy()))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


def test_put_add_matches_add_at():
    rng = np.random.default_rng(0)
    out_shape = (5, 6, 7)
    cases = [
        (rng.integers(-5, 5, 40),),
        (slice(None), rng.integers(0, 6, (3, 4)), slice(1, 5)),
        (rng.integers(0, 5, (8, 1)), slice(None), rng.integers(-7, 7, 3)),
        (Ellipsis, rng.integers(0, 7, 9)),
        (rng.random((5, 6)) > 0.5,),
        (None, rng.integers(0, 5, 4), 2, rng.integers(0, 7, 4)),
        (rng.integers(0, 2, 50), slice(None)),  # many repeats: the bincount path
        (rng.integers(0, 5, 30), rng.integers(0, 6, 30), rng.integers(0, 7, 30)),
    ]
    for index in cases:
        vals = rng.standard_normal(np.zeros(out_shape)[index].shape)
        want = np.zeros(out_shape)
        np.add.at(want, index, vals)
        got = put_add(np.zeros(out_shape), index, vals)
        np.testing.assert_allclose(got, want, err_msg=str(index))


# ----- view semantics --------------------------------------------------------------------
VIEWS = {
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(0, 1),
    "movedim": lambda x: x.movedim(0, -1),
    "diagonal": lambda x: x.diagonal(),
    "unfold": lambda x: x.unfold(1, 2, 1),
    "getitem_slice": lambda x: x[1:, ::2],
    "getitem_int": lambda x: x[1, 2],
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(2, 1)[0],
    "unbind": lambda x: x.unbind(1)[2],
    "tensor_split": lambda x: x.tensor_split(2, 1)[1],
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_share_memory_and_version(name):
    x = ember.arange(12.0).reshape(3, 4)
    v = VIEWS[name](x)
    before = v.clone()
    x.mul_(2)
    np.testing.assert_array_equal(v.numpy(), before.numpy() * 2)
    assert v._version is x._version
    v.add_(1)  # and writes through the view show in the base
    assert x._version_value == 2
    assert float(x.sum()) > float((ember.arange(12.0) * 2).sum())


@pytest.mark.parametrize("name", ["flip", "roll", "repeat", "index_select", "adv_index"])
def test_copies_do_not_share_memory(name):
    x = ember.arange(6.0).reshape(2, 3)
    v = {
        "flip": lambda: x.flip(0),
        "roll": lambda: x.roll(1),
        "repeat": lambda: x.repeat(1, 1),
        "index_select": lambda: x.index_select(0, ember.tensor([0, 1])),
        "adv_index": lambda: x[[0, 1]],
    }[name]()
    before = v.clone()
    x.add_(1)
    np.testing.assert_array_equal(v.numpy(), before.numpy())


def test_view_of_graph_tensor_inplace_gradient():
    a = ember.ones(3, 4, requires_grad=True)
    y = a * 1
    y.narrow(1, 1, 2).mul_(3)
    y.sum().backward()
    assert a.grad.tolist() == [[1.0, 3.0, 3.0, 1.0]] * 3


def test_saved_view_modified_raises():
    a = ember.ones(3, requires_grad=True)
    y = a * 1
    z = y.split(1)[0] ** 2
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# ----- empty tensors, negative dims, promotion --------------------------------------------
def test_cat_skips_legacy_empty_and_promotes():
    a = ember.ones(2, 3, requires_grad=True)
    e = ember.ones(0, requires_grad=True)
    i = ember.ones(2, 3, dtype=ember.int64)
    out = ember.cat([e, a, i], dim=-1)
    assert out.shape == (2, 6) and out.dtype == ember.float32
    out.sum().backward()
    assert a.grad.tolist() == [[1.0] * 3] * 2
    assert e.grad.shape == (0,)
    assert ember.cat([i, i.bool()]).dtype == ember.int64
    assert ember.cat([ember.ones(0), ember.ones(0)]).shape == (0,)


def test_splits_of_empty():
    assert [p.shape for p in ember.ones(0).chunk(3)] == [(0,)] * 3
    assert [p.shape for p in ember.ones(0).split(2)] == [(0,)]
    assert ember.ones(0, 3).unbind() == ()
    assert [p.shape for p in ember.arange(10.0).tensor_split([2, 1, 12])] == [
        (2,),
        (0,),
        (9,),
        (0,),
    ]


def test_unused_split_pieces_get_zero_grad():
    x = ember.arange(6.0, requires_grad=True)
    a, b, c = x.chunk(3)
    (b * 2).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 2.0, 2.0, 0.0, 0.0]


def test_index_add_many_repeats():
    from ember.ops.indexing_backward import add_rows

    rng = np.random.default_rng(1)
    idx = rng.integers(0, 3, 200)
    src = rng.standard_normal((200, 4))
    want = np.zeros((3, 4))
    np.add.at(want, idx, src)
    np.testing.assert_allclose(add_rows(np.zeros((3, 4)), idx, src), want)


def test_nonzero_and_argwhere():
    t = ember.tensor([[1, 0], [0, 3]])
    assert t.nonzero().tolist() == [[0, 0], [1, 1]]
    assert [r.tolist() for r in t.nonzero(as_tuple=True)] == [[0, 1], [0, 1]]
    assert ember.tensor(3).nonzero().shape == (1, 0)
    assert ember.tensor(0).nonzero().shape == (0, 0)
    assert [r.tolist() for r in ember.tensor(3).nonzero(as_tuple=True)] == [[0]]
    assert ember.argwhere(t).dtype == ember.int64
    assert [r.tolist() for r in ember.where(t > 0)] == [[0, 1], [0, 1]]


def test_inplace_variants_through_generic_path():
    x = ember.zeros(3, 4)
    x.masked_fill_(ember.tensor([True, False, True, False]), 2.0)
    x.index_add_(0, ember.tensor([1, 1]), ember.ones(2, 4))
    x.scatter_(1, ember.tensor([[3], [3], [3]]), 7.0)
    x.scatter_add_(0, ember.tensor([[0, 0, 0, 0]]), ember.ones(1, 4))
    x.index_fill_(1, ember.tensor([1]), -1.0)
    y = torch.zeros(3, 4)
    y.masked_fill_(torch.tensor([True, False, True, False]), 2.0)
    y.index_add_(0, torch.tensor([1, 1]), torch.ones(2, 4))
    y.scatter_(1, torch.tensor([[3], [3], [3]]), 7.0)
    y.scatter_add_(0, torch.tensor([[0, 0, 0, 0]]), torch.ones(1, 4))
    y.index_fill_(1, torch.tensor([1]), -1.0)
    np.testing.assert_array_equal(x.numpy(), y.numpy())


def test_masked_fill_int_and_tensor_value():
    e, t = _both(
        lambda lib: lib.tensor([1, 2, 3]).masked_fill(lib.tensor([True, False, True]), 2.7)
    )
    assert e.dtype == ember.int64 and e.tolist() == t.tolist()
    v = ember.tensor(2.0, requires_grad=True)
    ember.ones(3, 4).masked_fill(ember.tensor([True, False, True, False]), v).sum().backward()
    assert float(v.grad) == 6.0


def test_index_fill_negative_and_repeated_value_grad():
    v = ember.tensor(2.0, requires_grad=True)
    out = ember.zeros(3, 4).index_fill(1, ember.tensor([0, 0, -1]), v)
    assert out[0].tolist() == [2.0, 0.0, 0.0, 2.0]
    out.sum().backward()
    assert float(v.grad) == 6.0  # each filled position counts once, as in PyTorch


def test_getitem_grad_fn_names():
    x = ember.ones(3, 4, requires_grad=True)
    assert x[1].grad_fn.name() == "SelectBackward0"
    assert x[1:].grad_fn.name() == "SliceBackward0"
    assert x[[0, 1]].grad_fn.name() == "IndexBackward0"
    assert x.split(2)[0].grad_fn.name() == "SplitBackward0"
    assert x.split([1, 2])[0].grad_fn.name() == "SplitWithSizesBackward0"
