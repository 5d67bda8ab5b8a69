"""A whole LSTM layer, one direction, as one node: PyTorch's CPU ``mkldnn_rnn_layer``.

PyTorch's CPU build runs each layer and direction of a float32 (or bfloat16) ``nn.LSTM``
without projections as one oneDNN call, recorded as one ``MkldnnRnnLayerBackward0`` node
over ``(input, w_ih, w_hh, b_ih, b_hh, h0, c0)``; ``nn.LSTM`` does the same here in those
cases (otherwise it steps through time with the fused cell of ``recurrent.py``, as
PyTorch's composition does). The input projection of every step is one matrix product,
the recurrence runs on arrays written into preallocated histories, and backward through
time produces each weight gradient as one matrix product over the whole sequence.
"""

from __future__ import annotations

from sys import getrefcount

from ..autograd.node import Node, array_backward
from ..tensor_base import TensorBase as Tensor
from . import _recycle
from ._spec import OpSpec
from .join import stack
from .recurrent import (
    _linear_ops,
    _product,
    lstm_activations_ops,
    lstm_gates,
    lstm_gates_grad,
    lstm_grad_ops,
)
from .registry import LOOP, op, public_names

_make = Tensor._make


def _steps(n, reverse, backward=False):
    """The time indices in the order a direction visits them (reversed for backward)."""
    return range(n - 1, -1, -1) if reverse != backward else range(n)


class MkldnnRnnLayer(Node):
    """d LSTM layer: backward through time on the saved gates and cell states.

    Inputs ``(x (T, N, I), w_ih, w_hh, b_ih, b_hh, h0 (N, H), c0 (N, H))`` (biases may be
    None); outputs ``(output (T, N, H), h_n, c_n)``.
    """

    materialize_grads = False  # missing output gradients are zeros the rules skip

    def forward(self, x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=False):
        xp = self.xp
        steps, n, n_in = x.shape
        hs = w_hh.shape[1]
        self.reverse = reverse
        # every step's input projection at once; becomes the activated gates
        act = _recycle.take(xp, (steps, n, 4 * hs), x.dtype)
        xc = xp.ascontiguousarray(x).reshape(steps * n, n_in)
        _product(xp, xc, w_ih, b_ih, act.reshape(steps * n, 4 * hs))
        out = xp.empty((steps, n, hs), dtype=x.dtype)
        cs = _recycle.take(xp, out.shape, x.dtype)  # the cell states
        tcs = _recycle.take(xp, out.shape, x.dtype)  # their tanh
        h, c = h0, c0
        w_hh_t = w_hh.T
        for t in _steps(steps, reverse):
            gates = act[t]
            hg = h @ w_hh_t
            if b_hh is not None:
                hg += b_hh
            gates += hg
            h, c, _ = lstm_gates(xp, gates, c, out[t], cs[t], tcs[t])
        if self.needs_input_grad is not None:
            self.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, act, cs, tcs, out)
        return out, h.copy(), c.copy()

    def backward(self, d_out, d_h, d_c):
        first = next(g for g in (d_out, d_h, d_c) if g is not None)
        if not array_backward(first):
            return self._ops_backward(d_out, d_h, d_c)
        x, w_ih, w_hh, b_ih, b_hh, h0, c0, act, cs, tcs, out = self.saved_arrays()
        xp = self.xp
        steps, n, n_in = x.shape
        hs = w_hh.shape[1]
        reverse = self.reverse
        d_out = None if d_out is None else d_out._data
        dh = None if d_h is None else d_h._data
        dc = None if d_c is None else d_c._data
        dg = _recycle.take(xp, act.shape, act.dtype)  # the pre-activation gradient of every step
        for t in _steps(steps, reverse, backward=True):
            if d_out is not None:
                dh = d_out[t] if dh is None else dh + d_out[t]
            p = t + 1 if reverse else t - 1  # the step before this one
            if dh is None and dc is None:
                dg[t] = 0
                continue
            dc = lstm_gates_grad(xp, act[t], tcs[t], cs[p] if 0 <= p < steps else c0, dh, dc, dg[t])
            dh = dg[t] @ w_hh
        need = self.needs_input_grad
        flat = dg.reshape(steps * n, 4 * hs)
        grads = [None] * 7
        if need[0]:
            grads[0] = _make((flat @ w_ih).reshape(steps, n, n_in))
        if need[1]:
            grads[1] = _make(flat.T @ xp.ascontiguousarray(x).reshape(steps * n, n_in))
        rest = None
        if need[2]:
            # h_{t-1} is the previous step's output, h0 for the first step
            if reverse:
                first_t, rest, prev = steps - 1, dg[:-1], out[1:]
            else:
                first_t, rest, prev = 0, dg[1:], out[:-1]
            gw = rest.reshape(-1, 4 * hs).T @ prev.reshape(-1, hs)
            gw += dg[first_t].T @ h0
            grads[2] = _make(gw)
        if need[3] or need[4]:
            db = flat.sum(0)
            grads[3] = _make(db) if need[3] else None
            grads[4] = _make(db.copy() if need[3] else db) if need[4] else None
        if need[5] and dh is not None:
            grads[5] = _make(dh)
        if need[6] and dc is not None:
            grads[6] = _make(dc)
        flat = rest = None  # views of dg
        if getrefcount(dg) == 2:  # only this frame holds it: a work array for the next one
            _recycle.give(xp, dg)
        return tuple(grads)

    def release(self):
        _recycle.recycle_saved(self, (7, 8, 9))  # the gates, cell states and their tanh
        Node.release(self)

    def _ops_backward(self, d_out, d_h, d_c):
        """The backward in Ember ops (recorded under ``create_graph``): the steps are
        recomputed from the saved inputs, then differentiated one by one."""
        x, w_ih, w_hh, b_ih, b_hh, h0, c0 = self.saved_tensors[:7]
        steps = x.shape[0]
        xs = _linear_ops(x, w_ih, b_ih).unbind(0)
        h, c = h0, c0
        saved = {}
        for t in _steps(steps, self.reverse):
            i, f, g, o = lstm_activations_ops(xs[t] + _linear_ops(h, w_hh, b_hh))
            c2 = f * c + i * g
            tc = c2.tanh()
            saved[t] = (i, f, g, o, c, tc, h)
            h, c = o * tc, c2
        dh, dc = d_h, d_c
        dgs, h_prev = [None] * steps, [None] * steps
        for t in _steps(steps, self.reverse, backward=True):
            if d_out is not None:
                dh = d_out[t] if dh is None else dh + d_out[t]
            i, f, g, o, c, tc, h_prev[t] = saved[t]
            if dh is None and dc is None:
                dgs[t] = (i * 0).repeat(1, 4)
                continue
            dgs[t], dc = lstm_grad_ops(i, f, g, o, c, tc, dh, dc)
            dh = dgs[t] @ w_hh
        dg = stack(dgs)
        need = self.needs_input_grad
        flat = dg.reshape(-1, dg.shape[-1])
        db = flat.sum(0) if need[3] or need[4] else None
        return (
            dg @ w_ih if need[0] else None,
            flat.mT @ x.reshape(-1, x.shape[-1]) if need[1] else None,
            flat.mT @ stack(h_prev).reshape(-1, h0.shape[-1]) if need[2] else None,
            db if need[3] else None,
            db if need[4] else None,
            dh if need[5] else None,
            dc if need[6] else None,
        )


def _module_spec(name, dtypes, **lstm_kwargs):
    """An ``nn.LSTM`` run with the spec's tensors as its weights (``func.functional_call``):
    float32 reaches this node in both libraries, float64 their per-step composition."""

    def fn(t, x, w_ih, w_hh, b_ih, b_hh):
        module = t.nn.LSTM(x.shape[-1], w_hh.shape[-1], **lstm_kwargs)
        sfx = "_l0"
        weights = {"weight_ih" + sfx: w_ih, "weight_hh" + sfx: w_hh}
        weights.update({"bias_ih" + sfx: b_ih, "bias_hh" + sfx: b_hh})
        out, (h, c) = t.func.functional_call(module.to(x.dtype), weights, (x,))
        return out, h, c

    shapes = [((4, 2, 3), (8, 3), (8, 2), (8,), (8,))]
    return OpSpec(name, fn, shapes, shapes=None, dtypes=dtypes)


@op(
    MkldnnRnnLayer,
    grad_fn="MkldnnRnnLayerBackward0",
    vmap=LOOP,
    public=False,
    spec=_module_spec("nn_lstm_layer", ("float32", "float64")),
)
def mkldnn_rnn_layer(input, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=False):
    """One direction of one LSTM layer over a (T, N, I) sequence: ``(output, h_n, c_n)``.

    ``nn.LSTM`` calls it where PyTorch's CPU build runs oneDNN (float32 and bfloat16, no
    projections, padded input); under CPU autocast its inputs are cast as PyTorch casts
    ``mkldnn_rnn_layer``'s.
    """
    return MkldnnRnnLayer.apply(input, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=reverse)


# Empty: PyTorch's top-level mkldnn_rnn_layer has another signature.
__all__ = public_names(__name__)
