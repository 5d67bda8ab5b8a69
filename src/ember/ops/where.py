"""``where``: pick elementwise from two tensors by a condition."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import broadcast_error, promote, type_word
from ._spec import OpSpec
from .registry import declare, op, public_names


class Where(Node):
    """d where(c, a, b) = grad where c is true to a, elsewhere to b"""

    def forward(self, cond, a, b):
        self.save_for_backward(cond)
        return self.xp.where(cond, a, b)

    def backward(self, grad):
        (cond,) = self.saved_tensors
        n = self.needs_input_grad
        ga = where(cond, grad, 0.0) if n[1] else None
        gb = where(cond, 0.0, grad) if n[2] else None
        return None, ga, gb


@op(
    Where,
    vmap=batching.elementwise,
    spec=(
        OpSpec(
            "where",
            lambda t, c, a, b: t.where(c > 0, a, b),
            [((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), (4,)), ((), (), ())],
            shapes="broadcast3",
            grad=(False, True, True),
        ),
        OpSpec(
            "where_scalar",
            lambda t, c, a: t.where(c > 0, a, 0.5),
            [((3, 4), (3, 4)), ((3, 1), (4,))],
            shapes="broadcast2",
            grad=(False, True),
        ),
    ),
)
def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (broadcast together).

    With only ``condition``, returns the indices of its non-zero elements
    (``nonzero(as_tuple=True)``).
    """
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        from ..creation import tensor

        condition = tensor(condition)
    if condition._data.dtype.kind != "b":
        if condition._data.dtype.kind == "u":
            condition = condition.to("bool")
        else:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                + type_word(condition)
            )
    a, b = promote(input, other)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        from ..creation import tensor

        a = tensor(a)
        a, b = promote(a, b)
    try:
        return Where.apply(condition, a, b)
    except ValueError:
        err = broadcast_error(condition, a, b) or RuntimeError("where: shapes do not broadcast")
        raise err from None


def _where_method(self, condition, other):
    """``where(condition, self, other)``: ``self`` where ``condition`` holds, else ``other``."""
    return where(condition, self, other)


declare(None, _where_method, methods=("where",), public=False)
__all__ = public_names(__name__)
