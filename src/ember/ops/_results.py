"""The end of an op that takes ``out=``: its result, or the result written into ``out`` with
PyTorch's checks (no autograd through ``out=``, a castable dtype, resized as needed)."""

from __future__ import annotations

from . import _out
from .clamp import tensor_arg
from .unary import _float_input


def write_out(name, result, out, *inputs):
    """``result``, or ``result`` written into ``out`` (``inputs``: the op's tensor inputs)."""
    if out is None:
        return result
    _out.check_out_tensors(name, out, 1)
    _out.refuse_grad(name, out, *inputs)
    _out.castable(result._data.dtype, out)
    return _out.write(out, result)


def float_unary(name, node, input, out, *args):
    """``node`` applied to ``input`` (integers and bools as the default float dtype), with
    ``out=``: the whole body of a unary special function."""
    tensor_arg(name, input, "input", 1)
    return write_out(name, node.apply(_float_input(input), *args), out, input)
