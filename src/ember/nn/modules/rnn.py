"""RNN, LSTM and GRU over whole sequences, padded or packed (PyTorch's parameter names).

Where PyTorch's CPU build runs an LSTM layer as one oneDNN call (float32 or bfloat16, no
projections, padded input), each layer and direction is one node
(``ops.recurrent_layer``). Otherwise the input projection of every time step is one
matrix product before the time loop, and each step is one fused cell node
(``ops.recurrent``) on its slice of it. A PackedSequence runs as its padded batch
with each sequence's state frozen once it has ended (before it starts, going backwards),
so every sequence sees exactly its own steps.
"""

from __future__ import annotations

import numbers
import warnings

from ...backend import np
from ...creation import empty, zeros
from ...dtypes import bfloat16, float32
from ...ops.recurrent_layer import mkldnn_rnn_layer
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .rnn_cell import (  # noqa: F401 - the cells are re-exported from here, as in PyTorch
    GRUCell,
    LSTMCell,
    RNNCell,
    RNNCellBase,
    gru_step,
    lstm_step,
    reset_uniform,
    rnn_step,
)

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
# The dtypes in which PyTorch's CPU build runs an LSTM layer with grad as one oneDNN node.
_LAYER_DTYPES = (float32, bfloat16)


def _check_config(mode, hidden_size, num_layers, dropout, proj_size):
    if mode not in _GATES:
        raise ValueError("Unrecognized RNN mode: " + mode)
    bad_p = not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
    if bad_p or not 0 <= dropout <= 1:
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            "element being zeroed"
        )
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
            f"expects num_layers greater than 1, but got dropout={dropout} and "
            f"num_layers={num_layers}",
            stacklevel=3,
        )
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNNBase(Module):
    """Shared machinery of RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        _check_config(mode, hidden_size, num_layers, dropout, proj_size)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate = _GATES[mode] * hidden_size
        out = proj_size if proj_size > 0 else hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for d in range(dirs):
                in_size = input_size if layer == 0 else out * dirs
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                names = ["weight_ih" + sfx, "weight_hh" + sfx]
                shapes = [(gate, in_size), (gate, out)]
                if bias:
                    names += ["bias_ih" + sfx, "bias_hh" + sfx]
                    shapes += [(gate,), (gate,)]
                if proj_size > 0:
                    names.append("weight_hr" + sfx)
                    shapes.append((proj_size, hidden_size))
                for n, s in zip(names, shapes):
                    setattr(self, n, Parameter(empty(s, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight and bias."""
        reset_uniform(self)

    @property
    def all_weights(self):
        """Per layer and direction, the list of its parameters."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    def flatten_parameters(self):
        """No-op (kept for API compatibility: there is no cuDNN weight buffer)."""

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _params(self, layer, d):
        sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
        get = self.__dict__["_parameters"].get
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        return tuple(get(n + sfx) for n in names)

    # ----- argument checks -------------------------------------------------------------
    def _check_hx_dims(self, hx, batched):
        want = 3 if batched else 2
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if self.mode == "LSTM":
            if hx[0].dim() != want or hx[1].dim() != want:
                raise RuntimeError(
                    f"For {kind} input, hx and cx should also be {want}-D but got "
                    f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                )
        elif hx.dim() != want:
            raise RuntimeError(
                f"For {kind} input, hx should also be {want}-D but got {hx.dim()}-D tensor"
            )

    def _check_input(self, x, packed):
        w = self._flat_weights[0]
        if x.dtype != w.dtype:
            raise ValueError(
                f"RNN input dtype ({x.dtype}) does not match weight dtype ({w.dtype}). Convert "
                f"input: input.to({w.dtype}), or convert model: model.to({x.dtype})"
            )
        want = 2 if packed else 3
        if x.dim() != want:
            raise RuntimeError(f"input must have {want} dimensions, got {x.dim()}")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{x.shape[-1]}"
            )

    def _check_hidden(self, hx, n):
        dirs = 2 if self.bidirectional else 1
        out = self.proj_size if self.proj_size > 0 else self.hidden_size
        expected = (self.num_layers * dirs, n, out)
        if self.mode == "LSTM":
            expected_c = (self.num_layers * dirs, n, self.hidden_size)
            for i, (t, e) in enumerate(((hx[0], expected), (hx[1], expected_c))):
                if tuple(t.shape) != e:
                    raise RuntimeError(f"Expected hidden[{i}] size {e}, got {list(t.shape)}")
        elif tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected hidden size {expected}, got {list(hx.shape)}")

    # ----- the computation ---------------------------------------------------------------
    def _direction(self, layer_in, h, c, weights, reverse, active):
        """Run one direction of one layer; returns (outputs (T, N, H_out), h_n, c_n)."""
        w_ih, w_hh, b_ih, b_hh, w_hr = weights
        if self.mode == "LSTM" and active is None and w_hr is None and layer_in.numel():
            if layer_in.dtype in _LAYER_DTYPES:
                # PyTorch's CPU build runs this layer as one oneDNN node: so does Ember
                return mkldnn_rnn_layer(layer_in, w_ih, w_hh, b_ih, b_hh, h, c, reverse)
        from ...ops.where import where

        # All time steps' input projections at once; unbind gives each step a view whose
        # backward is one stack of the step gradients (indexing xg[t] would build a zero
        # array the size of the whole sequence for every step).
        xs = F.linear(layer_in, w_ih, b_ih).unbind(0)
        steps = layer_in.shape[0]
        seq = [None] * steps
        for t in range(steps - 1, -1, -1) if reverse else range(steps):
            if self.mode == "LSTM":
                h_new, c_new = lstm_step(xs[t], h, c, w_hh, b_hh)
                if w_hr is not None:
                    h_new = F.linear(h_new, w_hr)
                if active is not None:
                    c_new = where(active[t], c_new, c)
                c = c_new
            elif self.mode == "GRU":
                h_new = gru_step(xs[t], h, w_hh, b_hh)
            else:
                h_new = rnn_step(xs[t], h, w_hh, b_hh, self.nonlinearity)
            h = h_new if active is None else where(active[t], h_new, h)
            seq[t] = h
        import ember

        return ember.stack(seq, 0), h, c

    def forward(self, input, hx=None):
        """Run the sequence; returns ``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``).

        ``input`` is (T, N, I) (``batch_first``: (N, T, I)), unbatched (T, I), or a
        PackedSequence, in which case ``output`` is packed the same way.
        """
        import ember

        is_lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        active = None
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            bs = np.asarray(batch_sizes._data)
            n, steps = int(bs[0]), bs.size
            batched = True
            if hx is not None:
                hx = _permute(hx, sorted_indices)
            self._check_input(data, True)
            t_idx, b_idx = _positions(bs)
            rows = Tensor._make((t_idx * n + b_idx).astype(np.int64))
            x = zeros((steps * n, data.shape[-1]), dtype=data.dtype).index_copy(0, rows, data)
            x = x.reshape(steps, n, data.shape[-1])
            keep = bs[:, None] > np.arange(n)[None, :]
            active = Tensor._make(keep[:, :, None])
        else:
            if input.dim() not in (2, 3):
                raise ValueError(
                    f"{self.mode if is_lstm or self.mode == 'GRU' else 'RNN'}: Expected input to "
                    f"be 2D or 3D, got {input.dim()}D instead"
                )
            batched = input.dim() == 3
            if hx is not None:
                self._check_hx_dims(hx, batched)
            x = input if batched else input.unsqueeze(1)
            if hx is not None and not batched:
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1)) if is_lstm else hx.unsqueeze(1)
            if self.batch_first and batched:
                x = x.transpose(0, 1)
            self._check_input(x, False)
            n = x.shape[1]
        dirs = 2 if self.bidirectional else 1
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0 = zeros((self.num_layers * dirs, n, out_size), dtype=x.dtype)
            c0 = zeros((self.num_layers * dirs, n, self.hidden_size), dtype=x.dtype)
        else:
            self._check_hidden(hx, n)
            h0, c0 = hx if is_lstm else (hx, None)
        h_n, c_n = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                c = c0[k] if is_lstm else None
                seq, h, c = self._direction(
                    layer_in, h0[k], c, self._params(layer, d), d == 1, active
                )
                outs.append(seq)
                h_n.append(h)
                c_n.append(c)
            layer_in = outs[0] if dirs == 1 else ember.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        output = layer_in
        h_n = ember.stack(h_n, 0)
        c_n = ember.stack(c_n, 0) if is_lstm else None
        if packed:
            flat = output.reshape(steps * n, output.shape[-1]).index_select(0, rows)
            output = PackedSequence(flat, batch_sizes, sorted_indices, unsorted_indices)
            h_n = _permute(h_n, unsorted_indices)
            c_n = _permute(c_n, unsorted_indices) if is_lstm else None
        else:
            if self.batch_first and batched:
                output = output.transpose(0, 1)
            if not batched:
                output, h_n = output.squeeze(1), h_n.squeeze(1)
                c_n = c_n.squeeze(1) if is_lstm else None
        return (output, (h_n, c_n)) if is_lstm else (output, h_n)


def _positions(batch_sizes):
    t = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    b = np.concatenate([np.arange(k) for k in batch_sizes])
    return t, b


def _permute(hx, permutation):
    """Reorder the batch dimension (1) of a hidden state (or an (h, c) pair)."""
    if permutation is None or hx is None:
        return hx
    if isinstance(hx, tuple):
        return tuple(h.index_select(1, permutation) for h in hx)
    return hx.index_select(1, permutation)


class RNN(RNNBase):
    """Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    Arguments: ``input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None``.
    """

    def __init__(self, *args, **kwargs):
        _no_projection(kwargs)
        if len(args) > 3:
            nonlinearity, args = args[3], args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.__dict__["nonlinearity"] = nonlinearity
        super().__init__("RNN_" + nonlinearity.upper(), *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory; gates in PyTorch's order (input, forget, cell, output).

    Arguments: ``input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None``; with
    ``proj_size`` the hidden state is projected by ``weight_hr`` after each step.
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit; gates in PyTorch's order (reset, update, new).

    Arguments: ``input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, device=None, dtype=None``.
    """

    def __init__(self, *args, **kwargs):
        _no_projection(kwargs)
        super().__init__("GRU", *args, **kwargs)


def _no_projection(kwargs):
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
