"""One step of each recurrence, and RNNCell, LSTMCell, GRUCell (PyTorch's gate order)."""

from __future__ import annotations

import math

from ...creation import empty, zeros
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter


def lstm_step(xg, h, c, w_hh, b_hh, hs):
    """LSTM step from the precomputed input projection ``xg``: returns ``(h', c')``."""
    i, f, gg, o = (xg + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    i, f, gg, o = i.sigmoid(), f.sigmoid(), gg.tanh(), o.sigmoid()
    c = f * c + i * gg
    return o * c.tanh(), c


def gru_step(xg, h, w_hh, b_hh, hs):
    """GRU step from the precomputed input projection ``xg``."""
    xr, xz, xn = xg.chunk(3, -1)
    hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r = (xr + hr).sigmoid()
    z = (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * h


def rnn_step(xg, h, w_hh, b_hh, nonlinearity):
    """Elman step from the precomputed input projection ``xg``."""
    pre = xg + F.linear(h, w_hh, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


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
        xg = F.linear(x, self.weight_ih, self.bias_ih)
        h = rnn_step(xg, h, self.weight_hh, self.bias_hh, self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        """The next hidden and cell states."""
        x, (h, c), batched = self._prep(input, hx, 2)
        xg = F.linear(x, self.weight_ih, self.bias_ih)
        h, c = lstm_step(xg, h, c, self.weight_hh, self.bias_hh, self.hidden_size)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One step of a GRU."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        """The next hidden state."""
        x, h, batched = self._prep(input, hx)
        xg = F.linear(x, self.weight_ih, self.bias_ih)
        h = gru_step(xg, h, self.weight_hh, self.bias_hh, self.hidden_size)
        return h if batched else h.squeeze(0)
