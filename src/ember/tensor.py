"""``ember.Tensor``: the tensor state of ``TensorBase`` plus every op method, assembled once.

``TensorBase`` (``tensor_base.py``) holds what every tensor is: its array, its autograd
state, shape and dtype queries, printing.  The op methods (``exp``, ``sum``, ``view``,
``+``, ``[]``, ``add_``, ...) are not written here: each op family declares them next
to the op (``ops/registry.py``), and this module builds the class from those
declarations, after every family has been imported.  Nothing is added to the class
afterwards.
"""

from __future__ import annotations

from . import creation as _creation  # noqa: F401 - declares Tensor.new_*
from . import random as _random  # noqa: F401 - declares the random fillers
from .ops import families as _families  # noqa: F401 - declares every op
from .ops.registry import tensor_methods
from .tensor_base import Size, TensorBase, bind_tensor_class, wrap_dim

_namespace = tensor_methods()
_clash = sorted(set(_namespace) & set(vars(TensorBase)))
if _clash:
    raise TypeError(f"op declarations redefine TensorBase attributes: {_clash}")

Tensor = type(
    "Tensor",
    (TensorBase,),
    {
        **_namespace,
        "__slots__": (),
        "_plain_tensor": True,
        "__module__": "ember",
        "__doc__": "A multi-dimensional array that records the operations applied to it.",
        # Defining __eq__ (an op) would otherwise make tensors unhashable.
        "__hash__": TensorBase.__hash__,
    },
)
bind_tensor_class(Tensor)

_wrap_dim = wrap_dim
__all__ = ["Tensor", "Size", "TensorBase"]
