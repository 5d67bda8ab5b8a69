"""``out=`` of another dtype for the ops whose ``out`` must have the result's dtype: each
op's own PyTorch message (and an ``out`` of the right dtype is written)."""

import pytest

from ._both import both


def _a(lib):
    return lib.arange(12.0).reshape(3, 4)


CALLS = {
    "tensordot": lambda lib, o: lib.tensordot(_a(lib), _a(lib).t(), 1, out=o),
    "inner": lambda lib, o: lib.inner(_a(lib), _a(lib), out=o),
    "sgn": lambda lib, o: lib.sgn(_a(lib) - 5, out=o),
    "vdot": lambda lib, o: lib.vdot(_a(lib)[0], _a(lib)[1], out=o),
    "narrow_copy": lambda lib, o: lib.narrow_copy(_a(lib), 1, 1, 2, out=o),
    "slice_scatter": lambda lib, o: lib.slice_scatter(_a(lib), _a(lib)[:, :1], 1, 0, 1, out=o),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "complex64"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_out_dtype_refused_with_the_ops_message(name, dtype):
    both(lambda lib: CALLS[name](lib, lib.empty(0, dtype=getattr(lib, dtype))))
