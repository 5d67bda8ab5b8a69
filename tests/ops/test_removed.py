"""Functions PyTorch removed but still names raise exactly PyTorch's error."""

import numpy as np
import pytest

import ember

from ._both import torch

X = np.eye(3, dtype=np.float32)

CALLS = [
    ("eig", lambda m, x: m.eig(x)),
    ("eig", lambda m, x: m.eig(x, True)),
    ("lstsq", lambda m, x: m.lstsq(x, x)),
    ("solve", lambda m, x: m.solve(x, x)),
    ("symeig", lambda m, x: m.symeig(x, eigenvectors=True, upper=False)),
    ("matrix_rank", lambda m, x: m.matrix_rank(x, 1e-3, True)),
    ("Tensor.eig", lambda m, x: x.eig()),
    ("Tensor.lstsq", lambda m, x: x.lstsq(x)),
    ("Tensor.solve", lambda m, x: x.solve(x)),
    ("Tensor.symeig", lambda m, x: x.symeig(True)),
    ("missing argument", lambda m, x: m.lstsq(x)),
    ("missing argument", lambda m, x: m.matrix_rank()),
]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_same_exception_and_message(name, call):
    errors = []
    for lib in (ember, torch):
        with pytest.raises((RuntimeError, TypeError)) as info:
            call(lib, lib.tensor(X))
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1])
    if isinstance(errors[0], RuntimeError):
        assert str(errors[0]) == str(errors[1])
    else:
        assert str(errors[1]).split("(")[0] in str(errors[0])


def test_the_same_names_exist():
    for name in ("eig", "lstsq", "solve", "symeig", "matrix_rank"):
        assert hasattr(ember, name)
        assert hasattr(ember.Tensor, name) == hasattr(torch.Tensor, name), name
