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
    assert v._version_counter is x._version_counter
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


# ----- every indexing form, forward and backward, against PyTorch -------------------------
_IDX = np.array([2, 0, 2])
_IDX2 = np.array([[0, 1], [2, 0]])
_MASK3 = np.array([True, False, True])
_MASK34 = (np.arange(12).reshape(3, 4) % 3) == 1
_MASK4 = np.array([False, True, True, False])

# Each form runs on x of shape (3, 4, 5); ``i``, ``j``, ``m3``, ``m34``, ``m4`` are index
# tensors built in the library under test.
INDEX_FORMS = {
    "int": lambda x, k: x[1],
    "neg_int": lambda x, k: x[-1, 2],
    "ints_all": lambda x, k: x[1, 2, 3],
    "slice": lambda x, k: x[1:],
    "slice_step": lambda x, k: x[::2],
    "slices": lambda x, k: x[1:, ::2, :-1],
    "full_slices": lambda x, k: x[:, :],
    "full_slice_alone": lambda x, k: x[:],
    "slice_past_end": lambda x, k: x[:100, 0:4],
    "none": lambda x, k: x[None],
    "none_inside": lambda x, k: x[:, None, 1],
    "int_then_none": lambda x, k: x[0, None],
    "none_then_int": lambda x, k: x[None, 0],
    "ellipsis": lambda x, k: x[...],
    "ellipsis_int": lambda x, k: x[..., 1],
    "int_ellipsis_slice": lambda x, k: x[1, ..., 2:],
    "ellipsis_none": lambda x, k: x[..., None],
    "none_ellipsis_none": lambda x, k: x[None, ..., None],
    "tensor": lambda x, k: x[k["i"]],
    "list": lambda x, k: x[[0, 2]],
    "nested_list": lambda x, k: x[[[0, 1], [2, 0]]],
    "tensor_2d": lambda x, k: x[k["j"]],
    "tensor_ellipsis_int": lambda x, k: x[k["i"][:2], ..., 1],
    "ellipsis_tensor": lambda x, k: x[..., k["i"]],
    "slice_tensor": lambda x, k: x[:, k["i"]],
    "tensor_slice_tensor": lambda x, k: x[k["i"], :, k["i"]],
    "tensors_adjacent": lambda x, k: x[k["i"], k["i"]],
    "int_slice_tensor": lambda x, k: x[1, :, k["i"]],
    "slice_int_tensor": lambda x, k: x[:, 1, k["i"]],
    "tensor_int": lambda x, k: x[k["i"], 1],
    "none_tensor": lambda x, k: x[None, k["i"]],
    "tensor_none": lambda x, k: x[k["i"], None],
    "none_tensor_none_int": lambda x, k: x[None, [0, 1], None, 1],
    "slice_none_tensor": lambda x, k: x[1:2, None, k["i"]],
    "tensor_ellipsis_tensor": lambda x, k: x[k["i"], ..., k["i"]],
    "broadcast_tensors": lambda x, k: x[k["j"], :, k["i"][:2]],
    "mask": lambda x, k: x[k["m3"]],
    "mask_2d": lambda x, k: x[k["m34"]],
    "slice_mask": lambda x, k: x[:, k["m4"]],
    "mask_slice": lambda x, k: x[k["m3"], 1:],
    "ellipsis_mask": lambda x, k: x[..., k["m4"], :],
    "mask_int": lambda x, k: x[k["m3"], 2],
    "mask_tensor": lambda x, k: x[k["m3"], :, k["i"][:2]],
    "bool_list": lambda x, k: x[[True, False, True]],
    "zero_d_tensor": lambda x, k: x[k["i"][0]],
    "zero_d_and_tensor": lambda x, k: x[k["i"][1], k["i"]],
    "true": lambda x, k: x[True],
    "false": lambda x, k: x[False],
    "zero_d_true": lambda x, k: x[k["true"]],
    "none_true": lambda x, k: x[None, True],
}


def _index_run(lib, name):
    x = lib.tensor(np.arange(60.0).reshape(3, 4, 5), dtype=lib.float64, requires_grad=True)
    k = {
        "i": lib.tensor(_IDX),
        "j": lib.tensor(_IDX2),
        "m3": lib.tensor(_MASK3),
        "m34": lib.tensor(_MASK34),
        "m4": lib.tensor(_MASK4),
        "true": lib.tensor(True),
    }
    out = INDEX_FORMS[name](x, k)
    up = lib.tensor(np.random.default_rng(0).standard_normal(tuple(out.shape)))
    (g,) = lib.autograd.grad(out, x, up)
    return out, g


@pytest.mark.parametrize("name", list(INDEX_FORMS))
def test_indexing_forms_forward_backward_and_node(name):
    (eo, eg), (to, tg) = _index_run(ember, name), _index_run(torch, name)
    assert tuple(eo.shape) == tuple(to.shape)
    np.testing.assert_array_equal(eo.detach().numpy(), to.detach().numpy())
    np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=1e-12)
    assert eo.grad_fn.name() == to.grad_fn.name()
    assert (eo._base is not None) == (to._base is not None)  # a view exactly when PyTorch's is


def test_ellipsis_with_index_tensor_backward():  # issue 20 item 2
    for lib in (ember, torch):
        x = lib.ones(3, 4, requires_grad=True)
        x[lib.tensor([1, 0]), ..., 1].sum().backward()
        assert x.grad.numpy().tolist() == [[0.0, 1.0, 0.0, 0.0]] * 2 + [[0.0] * 4]


def test_basic_index_double_backward_nodes():
    """The backward of x[i] is itself differentiable, with PyTorch's node names."""
    for form in (lambda x: x[1], lambda x: x[1:], lambda x: x[[0, 0, 2]]):
        names = []
        for lib in (ember, torch):
            x = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
            out = form(x)
            w = lib.ones(tuple(out.shape), dtype=lib.float64, requires_grad=True)
            (g,) = lib.autograd.grad(out, x, w, create_graph=True)
            names.append(g.grad_fn.name())
            (gw,) = lib.autograd.grad(g.sum(), w)
            names.append(gw.numpy().tolist())
        assert names[:2] == names[2:]


# ----- view(dtype): the bits reinterpreted (issue 20 item 1) -----------------------------
VIEW_DTYPES = {
    "float_as_int32": lambda t: t.tensor([1.0, 0.5, -2.0]).view(t.int32),
    "float_as_uint8": lambda t: t.tensor([1.0]).view(t.uint8),
    "float_as_int16": lambda t: t.tensor([[1.0, -3.5]]).view(t.int16),
    "double_as_float": lambda t: t.tensor([1.5, -2.0], dtype=t.float64).view(t.float32),
    "uint8_as_float": lambda t: t.arange(8, dtype=t.uint8).reshape(2, 4).view(t.float32),
    "int_as_double": lambda t: t.arange(6).view(t.float64),
    "bool_as_uint8": lambda t: t.tensor([True, False]).view(t.uint8),
    "float_as_bool": lambda t: t.zeros(2, 1).view(t.bool),
    "float_as_float16": lambda t: t.tensor([1.0, 2.0]).view(t.float16),
    "same_size_0d": lambda t: t.tensor(1.0).view(t.int32),
    "keyword": lambda t: t.zeros(3, 4).view(dtype=t.int32),
    "strided_rows": lambda t: t.arange(12.0).reshape(3, 4)[:, :2].view(t.uint8),
    "transposed_same_size": lambda t: t.arange(8.0).reshape(2, 4).t().view(t.int32),
    "larger_from_slice": lambda t: t.arange(12.0).reshape(3, 4)[1:, 2:].view(t.float64),
    "float_as_complex": lambda t: t.arange(8.0).reshape(2, 4).view(t.complex64),
}


@pytest.mark.parametrize("name", list(VIEW_DTYPES))
def test_view_dtype_reinterprets_bits(name):
    e, t = _both(VIEW_DTYPES[name])
    assert not isinstance(t, Exception), t
    assert not isinstance(e, Exception), e
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_view_dtype_bfloat16_round_trip():
    bf = {ember: ember.dtypes.bfloat16, torch: torch.bfloat16}
    e, t = _both(lambda lib: lib.tensor([1.0, -2.0]).view(bf[lib]))
    assert tuple(e.shape) == tuple(t.shape) == (4,)
    np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())
    assert e.view(ember.float32).tolist() == [1.0, -2.0]


VIEW_DTYPE_ERRORS = {
    "zero_dim": lambda t: t.tensor(1.0).view(t.float64),
    "zero_dim_smaller": lambda t: t.tensor(1.0).view(t.uint8),
    "not_divisible": lambda t: t.tensor([1.0, 0.5, -2.0]).view(t.float64),
    "last_stride": lambda t: t.zeros(2, 4).t().view(t.float16),
    "step": lambda t: t.zeros(4)[::2].view(t.float64),
    "offset": lambda t: t.zeros(3, 4)[:, 1:3].view(t.float64),
    "row_stride": lambda t: t.zeros(3, 3)[:, :2].view(t.float64),
    "with_size": lambda t: t.zeros(3, 4).view(t.int32, 3),
}


@pytest.mark.parametrize("name", list(VIEW_DTYPE_ERRORS))
def test_view_dtype_errors_match_pytorch(name):
    e, t = _both(VIEW_DTYPE_ERRORS[name])
    assert isinstance(t, Exception), f"torch accepted {name}"
    assert type(e) is type(t), f"{name}: ember gave {e!r}"
    assert str(e).split("\n")[0] == str(t).split("\n")[0]


def _version(t):
    return t._version_value if isinstance(t, ember.Tensor) else t._version


def test_view_dtype_shares_memory_and_version_and_is_not_differentiable():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 1).view(lib.int32)
        assert not y.requires_grad and y.grad_fn is None
        base = lib.tensor([1.0, 2.0])
        z = base.view(lib.int32)
        z[0] = 0
        assert base.tolist() == [0.0, 2.0]
        assert _version(base) == _version(z) == 1
        small = base.view(lib.uint8)
        small[7] = 0  # the high byte of 2.0 (little-endian): 2.0 becomes 0.0
        assert base.tolist() == [0.0, 0.0]


# ----- keyword forms and scatter's reduce -------------------------------------------------
KEYWORD_FORMS = {
    "flip_dims": lambda t, x: x.flip(dims=(0, 1)),
    "flip_dims_list": lambda t, x: t.flip(x, dims=[1]),
    "flip_varargs": lambda t, x: x.flip(0, 1),
    "permute_dims": lambda t, x: x.permute(dims=(1, 0)),
    "repeat_repeats": lambda t, x: x.repeat(repeats=(2, 1)),
    "view_size": lambda t, x: x.view(size=(4, 3)),
    "reshape_shape": lambda t, x: x.reshape(shape=(2, 6)),
    "expand_size": lambda t, x: x[:1].expand(size=(2, 4)),
    "swapaxes_axis": lambda t, x: x.swapaxes(axis0=0, axis1=1),
    "split_size": lambda t, x: x.split(split_size=2)[1],
    "flip_missing": lambda t, x: x.flip(),
    "permute_twice": lambda t, x: x.permute(1, 0, dims=(1, 0)),
}


@pytest.mark.parametrize("name", list(KEYWORD_FORMS))
def test_keyword_forms_match_pytorch(name):
    e, t = _both(lambda lib: KEYWORD_FORMS[name](lib, _x(lib, 3, 4)))
    if isinstance(t, Exception):
        assert type(e) is type(t), e
        return
    assert not isinstance(e, Exception), e
    np.testing.assert_array_equal(e.numpy(), t.numpy())


SCATTER_REDUCE = {
    "src_multiply": lambda t, x, i: x.scatter(0, i, x * 3, reduce="multiply"),
    "src_add": lambda t, x, i: x.scatter(0, i, x + 1, reduce="add"),
    "value_add": lambda t, x, i: x.scatter(0, i, 2.0, reduce="add"),
    "value_multiply": lambda t, x, i: t.scatter(x, 0, i, 3.0, reduce="multiply"),
    "int_value_add": lambda t, x, i: x.long().scatter(0, i, 2.5, reduce="add"),
    "int_value_multiply": lambda t, x, i: x.long().scatter(0, i, 3, reduce="multiply"),
    "inplace_value_add": lambda t, x, i: x.clone().scatter_(1, i.t(), 1.5, reduce="add"),
    "bad_reduce": lambda t, x, i: x.scatter(0, i, 1.0, reduce="sum"),
    "bad_reduce_src": lambda t, x, i: x.scatter(0, i, x, reduce="mean"),
}


@pytest.mark.parametrize("name", list(SCATTER_REDUCE))
def test_scatter_reduce_forms(name):  # issue 20 item 5
    def run(lib):
        x = _x(lib, 3, 4) + 1
        return SCATTER_REDUCE[name](lib, x, lib.tensor([[0, 0, 2, 1], [0, 1, 2, 1]]))

    e, t = _both(run)
    if isinstance(t, Exception):
        assert type(e) is type(t) and str(e) == str(t)
        return
    assert not isinstance(e, Exception), e
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_scatter_reduce_is_not_differentiable_as_in_pytorch():
    errors = []
    for lib in (ember, torch):
        x = _x(lib, 3, 4).requires_grad_()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = x.scatter(0, lib.tensor([[0, 1, 2, 0]]), x * 2, reduce="multiply")
        if lib is ember:  # PyTorch warns once per process
            assert any("deprecated" in str(w.message) for w in caught)
        assert out.requires_grad and out.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError) as info:
            out.sum().backward()
        errors.append(str(info.value))
    assert errors[0] == errors[1]


# ----- grad_fn names of the shape ops, as PyTorch records them ----------------------------
SHAPE_NODES = {
    "t": lambda t, x: x.t(),
    "t_1d": lambda t, x: x[0].t(),
    "T": lambda t, x: x.T,
    "mT": lambda t, x: x[None].mT,
    "transpose": lambda t, x: x.transpose(0, 1),
    "swapdims": lambda t, x: t.swapdims(x, 0, 1),
    "permute": lambda t, x: x.permute(1, 0),
    "movedim": lambda t, x: x.movedim(0, 1),
    "unsqueeze": lambda t, x: x.unsqueeze(1),
    "squeeze": lambda t, x: x[None].squeeze(),
    "squeeze_dim": lambda t, x: x[None].squeeze(0),
    "squeeze_dim_noop": lambda t, x: x.squeeze(1),
    "squeeze_dims": lambda t, x: x[None].squeeze((0, 1)),
    "view": lambda t, x: x.view(-1),
    "view_as": lambda t, x: x.view_as(x.t()),
    "reshape": lambda t, x: x.reshape(4, 3),
    "reshape_same": lambda t, x: x.reshape(3, 4),
    "reshape_alias": lambda t, x: x.t().reshape(4, 3),
    "reshape_alias_split": lambda t, x: x.t().reshape(2, 2, 3),
    "reshape_copy": lambda t, x: x.t().reshape(-1),
    "flatten": lambda t, x: x.flatten(),
    "flatten_copy": lambda t, x: x.t().flatten(),
    "ravel_copy": lambda t, x: x.t().ravel(),
    "unflatten": lambda t, x: x.unflatten(1, (2, 2)),
    "expand": lambda t, x: x[:1].expand(2, 4),
    "expand_same": lambda t, x: x.expand(3, 4),
    "expand_as": lambda t, x: x[:1].expand_as(x),
    "broadcast_to": lambda t, x: t.broadcast_to(x, (2, 3, 4)),
    "atleast_2d": lambda t, x: t.atleast_2d(x[0]),
    "atleast_3d_1d": lambda t, x: t.atleast_3d(x[0]),
    "atleast_3d_0d": lambda t, x: t.atleast_3d(x[0, 0]),
    "repeat": lambda t, x: x.repeat(2, 1),
    "tile": lambda t, x: x.tile((2,)),
    "flip": lambda t, x: x.flip(0),
    "fliplr": lambda t, x: x.fliplr(),
    "roll": lambda t, x: x.roll(1),
    "rot90": lambda t, x: x.rot90(),
    "rot90_k0": lambda t, x: x.rot90(0),
    "narrow": lambda t, x: x.narrow(1, 0, 2),
    "select": lambda t, x: x.select(1, 0),
    "diagonal": lambda t, x: x.diagonal(),
    "unfold": lambda t, x: x.unfold(1, 2, 1),
    "cat": lambda t, x: t.cat([x, x]),
    "concatenate": lambda t, x: t.concatenate([x, x], axis=1),
    "stack": lambda t, x: t.stack([x, x]),
    "hstack": lambda t, x: t.hstack([x, x]),
    "split": lambda t, x: x.split(2)[0],
    "split_sizes": lambda t, x: x.split([1, 2])[1],
    "chunk": lambda t, x: x.chunk(2)[0],
    "unbind": lambda t, x: x.unbind()[1],
    "tensor_split": lambda t, x: x.tensor_split(2)[1],
    "tensor_split_indices": lambda t, x: x.tensor_split([1])[0],
    "hsplit": lambda t, x: x.hsplit(2)[1],
    "gather": lambda t, x: x.gather(1, t.tensor([[0], [1], [2]])),
    "take_along_dim": lambda t, x: t.take_along_dim(x, t.tensor([[0], [1], [2]]), 1),
    "take": lambda t, x: x.take(t.tensor([0, 5])),
    "scatter": lambda t, x: x.scatter(1, t.tensor([[0], [1], [2]]), x),
    "scatter_value": lambda t, x: x.scatter(1, t.tensor([[0], [1], [2]]), 1.0),
    "scatter_add": lambda t, x: x.scatter_add(1, t.tensor([[0], [1], [2]]), x),
    "index_select": lambda t, x: x.index_select(0, t.tensor([1, 0])),
    "index_add": lambda t, x: x.index_add(0, t.tensor([1, 0]), x[:2]),
    "index_fill": lambda t, x: x.index_fill(0, t.tensor([1]), 1.0),
    "index_fill_tensor": lambda t, x: x.index_fill(0, t.tensor([1]), t.tensor(1.0)),
    "index_copy": lambda t, x: x.index_copy(0, t.tensor([1, 0]), x[:2]),
    "masked_fill": lambda t, x: x.masked_fill(x > 5, 1.0),
    "masked_fill_tensor": lambda t, x: x.masked_fill(x > 5, t.tensor(1.0)),
    "masked_select": lambda t, x: x.masked_select(x > 5),
    "masked_scatter": lambda t, x: x.masked_scatter(x > 5, x),
    "index_put": lambda t, x: x.index_put((t.tensor([0]),), t.tensor(1.0)),
    "inplace_scatter_": lambda t, x: (x * 1).scatter_(1, t.tensor([[0], [1], [2]]), 2.0),
    "inplace_masked_fill_": lambda t, x: (x * 1).masked_fill_(x > 5, 2.0),
}


@pytest.mark.parametrize("name", list(SHAPE_NODES))
def test_shape_and_index_nodes_match_pytorch(name):
    outs = []
    for lib in (ember, torch):
        x = _x(lib, 3, 4).requires_grad_()
        outs.append(SHAPE_NODES[name](lib, x))
    e, t = outs
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())
    assert e.grad_fn.name() == t.grad_fn.name()
    assert type(e.grad_fn).__name__ == e.grad_fn.name()
    assert (e._base is not None) == (t._base is not None), "a view exactly when PyTorch's is"


@pytest.mark.parametrize("index", [(1,), (slice(1, None),), (None,), (Ellipsis,)])
def test_float16_basic_index_is_a_view_of_its_base(index):
    x = ember.arange(6.0).reshape(2, 3).half()
    v = x[index[0]]
    v.add_(1)  # a float32 copy computed in between would not reach x
    assert v._base is x
    np.testing.assert_array_equal(x[index[0]].numpy(), v.numpy())
    assert float(x.sum()) == 15.0 + v.numel()


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64"])
def test_index_tensor_dtypes_as_pytorch(dtype):
    t_idx = torch.tensor([0, 1], dtype=getattr(torch, dtype))
    e_idx = ember.tensor([0, 1], dtype=getattr(ember, dtype))
    try:
        expected = torch.arange(3.0)[t_idx]
    except IndexError as err:
        with pytest.raises(IndexError, match=str(err)):
            ember.arange(3.0)[e_idx]
        return
    assert ember.arange(3.0)[e_idx].tolist() == expected.tolist()
