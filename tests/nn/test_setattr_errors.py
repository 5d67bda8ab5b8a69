"""Module attribute assignment refuses wrong types with PyTorch's errors."""

import pytest
import torch

import ember


def _error(lib, assign):
    with pytest.raises(Exception) as info:
        assign(lib)
    return type(info.value), str(info.value)


def _bad_param(lib):
    lib.nn.Linear(2, 2).weight = 3


def _bad_module(lib):
    setattr(lib.nn.Sequential(lib.nn.ReLU()), "0", 3)


def _bad_buffer(lib):
    m = lib.nn.Module()
    m.register_buffer("b", lib.zeros(1))
    m.b = 3


def _early(make):
    def assign(lib):
        class M(lib.nn.Module):
            def __init__(self):
                self.x = make(lib)

        M()

    return assign


@pytest.mark.parametrize(
    "assign",
    [
        _bad_param,
        _bad_module,
        _bad_buffer,
        _early(lambda lib: lib.nn.Parameter(lib.zeros(1))),
        _early(lambda lib: lib.nn.ReLU()),
        _early(lambda lib: lib.nn.Buffer(lib.zeros(1))),
    ],
)
def test_assignment_errors_match_torch(assign):
    assert _error(ember, assign) == _error(torch, assign)
