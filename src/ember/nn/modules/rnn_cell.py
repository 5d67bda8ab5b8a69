"""RNNCell, LSTMCell, GRUCell: one step of each recurrence (PyTorch's gate order).

Each runs its step as one fused node (``ember.ops.recurrent``: ``lstm_cell``, ``gru_cell``,
``rnn_tanh_cell``, ``rnn_relu_cell``, as PyTorch's cells call its functions of those names).
"""

from __future__ import annotations

import math

from ...creation import empty, zeros
from ...ops.recurrent import (  # noqa: F401 - the steps are re-exported for nn.RNN/LSTM/GRU
    gru_cell,
    gru_step,
    lstm_cell,
    lstm_step,
    rnn_relu_cell,
    rnn_step,
    rnn_tanh_cell,
)
from .. import init
from ..module import Module
from ..parameter import Parameter


def reset_uniform(module):
    """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight and bias."""
    stdv = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for w in module.parameters():
        init.uniform_(w, -stdv, stdv)


class RNNCellBase(Module):
    """Shared machinery of the cells."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight and bias."""
        reset_uniform(self)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.bias is not True:
            s += ", bias={bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def _prep(self, input, hx, n_states=1):
        """PyTorch's dimension checks; the batched input and hidden state (zeros if None)."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for k, h in enumerate(hx if n_states == 2 else (hx,)):
                if h.dim() not in (1, 2):
                    which = f"hx[{k}]" if n_states == 2 else "hidden"
                    raise ValueError(
                        f"{name}: Expected {which} to be 1D or 2D, got {h.dim()}D instead"
                    )
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            z = zeros((x.shape[0], self.hidden_size), dtype=x.dtype)
            hx = (z, z) if n_states == 2 else z
        elif not batched:
            hx = tuple(h.unsqueeze(0) for h in hx) if n_states == 2 else hx.unsqueeze(0)
        return x, hx, batched


class RNNCell(RNNCellBase):
    """One step of an Elman RNN."""

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        """The next hidden state."""
        x, h, batched = self._prep(input, hx)
        if self.nonlinearity == "tanh":
            step = rnn_tanh_cell
        elif self.nonlinearity == "relu":
            step = rnn_relu_cell
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        """The next hidden and cell states."""
        x, hx, batched = self._prep(input, hx, 2)
        h, c = lstm_cell(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One step of a GRU."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        """The next hidden state."""
        x, h, batched = self._prep(input, hx)
        h = gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
