"""``OpSpec``: how each differentiable op is tested, declared next to the op (its
``declare``/``@op`` in ``ops/registry.py``; ``registry.specs()`` lists them all).

One generic test (tests/ops/test_op_specs.py) runs every registered spec three
ways: values and gradients against PyTorch, float64 finite differences, and
hypothesis-generated shapes.  ``python -m ember check-grads`` runs the finite
difference part for users.
"""

from __future__ import annotations

from typing import Callable, Optional

from .._fields import Fields


class OpSpec(Fields):
    """A test description for one op.

    Attributes:
        name: a unique label, usually the PyTorch name (``"add"``, ``"sum_dim"``).
        fn: ``fn(lib, *tensors)`` computing the op with ``lib`` being ``ember`` or
            ``torch``; the same lambda runs on both libraries.
        samples: input shapes, one tuple of shapes per sample, e.g.
            ``[((3, 4), (4,)), ((), ()), ((0, 3), (3,))]``.
        shapes: hypothesis shape family for generated samples: ``"unary"``,
            ``"broadcast2"``, ``"broadcast3"``, or ``None`` (samples only).
        domain: ``(low, high)`` for random inputs, or a callable ``f(ndarray) -> ndarray``
            mapping standard normal values into the op's domain.
        dtypes: float dtypes to compare against PyTorch.
        grad: which inputs are differentiable (default: all).
        second_order: also check second derivatives (gradgradcheck).
        atol, rtol: tolerances against PyTorch for float32.
        extra: constant non-tensor inputs made once per sample, ``extra(np_rng, shapes)``
            -> tuple of arrays appended to the inputs as integer / bool tensors
            (indices, masks).
        fd: run the float64 finite-difference check (turn off for ops with
            non-differentiable points almost everywhere, e.g. floor).
    """

    # A plain class with a dataclass's constructor, repr and equality: a thousand ops declare
    # one at import, and ``@dataclass`` (the module and the class it generates) was a
    # noticeable part of ``import ember``.
    __match_args__ = _FIELDS = ("name", "fn", "samples", "shapes", "domain", "dtypes", "grad",
                                "second_order", "atol", "rtol", "extra", "fd", "notes")  # fmt: skip
    shapes = "unary"
    domain = (-2.0, 2.0)
    dtypes = ("float32", "float64")
    grad = None
    second_order = True
    atol = 1e-5
    rtol = 1e-5
    extra = None
    fd = True
    notes = ""

    def __init__(self, name: str, fn: Callable, samples: list, shapes: Optional[str] = "unary",
                 domain: object = (-2.0, 2.0), dtypes: tuple = ("float32", "float64"),
                 grad: Optional[tuple] = None, second_order: bool = True, atol: float = 1e-5,
                 rtol: float = 1e-5, extra: Optional[Callable] = None, fd: bool = True,
                 notes: str = "") -> None:  # fmt: skip
        self._set((name, fn, samples, shapes, domain, dtypes, grad, second_order, atol, rtol,
                   extra, fd, notes))  # fmt: skip


def some_nan(z):
    """A spec domain: ``z`` with every fourth element NaN (for the nan-ignoring reductions)."""
    out = z.copy().reshape(-1)
    out[::4] = float("nan")
    return out.reshape(z.shape)
