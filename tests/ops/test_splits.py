"""split_with_sizes, unsafe_split, unsafe_chunk, unsafe_split_with_sizes, narrow_copy
against PyTorch: values, gradients, view tracking, errors."""

import numpy as np
import pytest

import ember

from ._both import both, grads, torch

X = np.random.default_rng(4).standard_normal((5, 2))


def x(lib):
    return lib.arange(10.0).reshape(5, 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.split_with_sizes(x(lib), [2, 3]),
        lambda lib: lib.split_with_sizes(x(lib), [1, 1], dim=-1),
        lambda lib: lib.split_with_sizes(x(lib), split_sizes=[0, 2], dim=1),
        lambda lib: x(lib).split_with_sizes([4, 1]),
        lambda lib: lib.split_with_sizes(x(lib), 2),
        lambda lib: lib.split_with_sizes(x(lib), [2, 2]),
        lambda lib: lib.split_with_sizes(x(lib), [2, -1, 4]),
        lambda lib: lib.split_with_sizes(x(lib), [2, 3], dim=2),
        lambda lib: lib.split_with_sizes(x(lib), [2, 3], out=x(lib)),
        lambda lib: lib.unsafe_split(x(lib), 2),
        lambda lib: lib.unsafe_split(x(lib), split_size=2, dim=1),
        lambda lib: x(lib).unsafe_split(3, -2),
        lambda lib: lib.unsafe_split(lib.zeros(0, 2), 0),
        lambda lib: lib.unsafe_split(x(lib), 0),
        lambda lib: lib.unsafe_split(x(lib), -1),
        lambda lib: lib.unsafe_split(x(lib), [2, 3]),
        lambda lib: lib.unsafe_split(lib.tensor(1.0), 1),
        lambda lib: lib.unsafe_chunk(x(lib), 3),
        lambda lib: lib.unsafe_chunk(x(lib), 6),
        lambda lib: x(lib).unsafe_chunk(2, 1),
        lambda lib: lib.unsafe_chunk(lib.zeros(0, 2), 3),
        lambda lib: lib.unsafe_chunk(x(lib), 0),
        lambda lib: lib.unsafe_chunk(lib.tensor(1.0), 1),
        lambda lib: lib.unsafe_split_with_sizes(x(lib), [2, 3]),
        lambda lib: x(lib).unsafe_split_with_sizes([1, 1], 1),
        lambda lib: lib.unsafe_split_with_sizes(x(lib), [2, 2]),
        lambda lib: lib.unsafe_split_with_sizes(x(lib), 2),
    ],
)
def test_splits(call):
    both(call)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.narrow_copy(x(lib), 0, 1, 2),
        lambda lib: x(lib).narrow_copy(0, -2, 2),
        lambda lib: lib.narrow_copy(x(lib), -1, 1, 1),
        lambda lib: lib.narrow_copy(x(lib), 0, lib.tensor(1), 2),
        lambda lib: lib.narrow_copy(x(lib), 0, 5, 0),
        lambda lib: lib.narrow_copy(x(lib), 0, 1, 2, out=lib.empty(2, 2)),
        lambda lib: lib.narrow_copy(x(lib), 0, 4, 2),
        lambda lib: lib.narrow_copy(x(lib), 0, 6, 0),
        lambda lib: lib.narrow_copy(x(lib), 0, -6, 1),
        lambda lib: lib.narrow_copy(x(lib), 0, 1, -1),
        lambda lib: lib.narrow_copy(x(lib), 2, 1, 1),
        lambda lib: lib.narrow_copy(lib.tensor(1.0), 0, 0, 1),
        lambda lib: lib.narrow_copy(x(lib), 0, 1, 2, out=lib.empty(2, 2).double()),
    ],
)
def test_narrow_copy(call):
    both(call)


def test_gradients():
    w = lambda lib, outs: lib.cat([o * (k + 1) for k, o in enumerate(outs)], 0)  # noqa: E731
    grads(lambda lib, a: w(lib, lib.split_with_sizes(a, [2, 0, 3])), X)
    grads(lambda lib, a: w(lib, lib.unsafe_split(a, 2)), X)
    grads(lambda lib, a: w(lib, lib.unsafe_chunk(a, 2)), X)
    grads(lambda lib, a: w(lib, lib.unsafe_split_with_sizes(a, [4, 1])), X)
    grads(lambda lib, a: lib.narrow_copy(a, 0, 1, 3), X)
    grads(lambda lib, a: lib.unsafe_split(a, 3)[1], X)


def test_unsafe_pieces_share_memory_but_are_not_views():
    for lib in (ember, torch):
        a = lib.arange(10.0, requires_grad=True) * 1
        piece = lib.unsafe_split(a, 5)[0]
        assert piece._base is None
        assert type(piece.grad_fn).__name__ == "UnsafeSplitBackward0"
        piece.mul_(2)  # allowed: not a view as far as autograd knows
        assert lib.split_with_sizes(a, [5, 5])[0]._base is not None
        base = lib.arange(4.0)
        lib.unsafe_chunk(base, 2)[1].fill_(7)
        assert base.tolist() == [0.0, 1.0, 7.0, 7.0]
        copy = lib.narrow_copy(base, 0, 0, 2)
        copy.fill_(9)
        assert copy._base is None and base[0].item() == 0.0
