"""Fused recurrent cells: one node per LSTM, GRU or Elman step (PyTorch's ``lstm_cell``,
``gru_cell``, ``rnn_tanh_cell`` and ``rnn_relu_cell``).

A step's gate pre-activations come from the recurrent product plus the input product (or
the step's slice of an input projection computed for the whole sequence at once, as
``nn.LSTM`` does) and are activated in place; the node saves the activated gates once.
Backward has two forms: on float NumPy arrays outside ``create_graph`` (``array_backward``)
it is written on arrays; otherwise it is written in Ember ops from the saved inputs, so
double backward works.

PyTorch's CPU build composes these cells from ordinary ops (an LSTM cell's ``h'`` shows
``MulBackward0``); its CUDA build runs an LSTM or GRU step as one fused node,
``ThnnFusedLstmCellBackward0`` / ``ThnnFusedGruCellBackward0``: those are the names here.
PyTorch has no fused Elman step; its nodes here are named after the functions. Arguments
PyTorch would not fuse either (integer or mixed dtypes, broadcast biases) take the
composition, with PyTorch's promotions and errors.
"""

from __future__ import annotations

from ..autograd.node import Node, SavedTensor, array_backward
from ..backend import np as _numpy
from ..tensor_base import TensorBase as Tensor
from . import _recycle
from ._spec import OpSpec
from .clamp import tensor_arg
from .join import cat
from .masked_grad import ThresholdGrad
from .nn_ops import linear
from .registry import LOOP, op, public_names

_make = Tensor._make


# ----- array kernels (shared with the whole-layer node) ---------------------------------------
def _sigmoid_inplace(xp, a):
    """The logistic function of ``a``, in place (``exp`` overflowing to inf gives the 0 due)."""
    xp.negative(a, out=a)
    with _numpy.errstate(over="ignore"):
        xp.exp(a, out=a)
    a += 1
    return xp.divide(1, a, out=a)  # faster than reciprocal()


def lstm_gates(xp, gates, c, h_out=None, c_out=None, tc_out=None):
    """Activate the (N, 4H) pre-activations in place (i, f, g, o in PyTorch's order) and
    step the cell: returns ``(h', c', tanh(c'))`` (written into the ``*_out`` arrays when
    given)."""
    hs = c.shape[-1]
    # The logistic function over the whole (contiguous) array is cheaper than over its
    # three sigmoid blocks; the cell gate's tanh goes back over its block.
    g = xp.tanh(gates[:, 2 * hs : 3 * hs])
    _sigmoid_inplace(xp, gates)
    gates[:, 2 * hs : 3 * hs] = g
    c2 = xp.multiply(gates[:, hs : 2 * hs], c, out=c_out)
    g *= gates[:, :hs]
    c2 += g
    tc = xp.tanh(c2, out=tc_out)
    return xp.multiply(gates[:, 3 * hs :], tc, out=h_out), c2, tc


def lstm_gates_grad(xp, act, tc, c, dh, dc, out):
    """Backward of ``lstm_gates``: writes the pre-activation gradient into ``out`` (N, 4H)
    and returns the previous cell state's gradient.  ``dh``/``dc`` may be None (zero)."""
    hs = c.shape[-1]
    i, f, g, o = act[:, :hs], act[:, hs : 2 * hs], act[:, 2 * hs : 3 * hs], act[:, 3 * hs :]
    # out = (each gate's upstream factor) * (its activation's derivative)
    if dh is not None:
        dcn = tc * tc
        xp.subtract(1, dcn, out=dcn)
        dcn *= o
        dcn *= dh
        if dc is not None:
            dcn += dc
        xp.multiply(dh, tc, out=out[:, 3 * hs :])
    else:
        dcn = dc
        out[:, 3 * hs :] = 0
    xp.multiply(dcn, g, out=out[:, :hs])
    xp.multiply(dcn, c, out=out[:, hs : 2 * hs])
    xp.multiply(dcn, i, out=out[:, 2 * hs : 3 * hs])
    deriv = 1 - act  # s (1 - s) over the whole array, then 1 - g^2 over the cell gate
    deriv *= act
    xp.subtract(1, g * g, out=deriv[:, 2 * hs : 3 * hs])
    out *= deriv
    return dcn * f


def read_saved(node, read):
    """The saved arrays a backward on arrays reads (``read``), each checked against in-place
    modification; None for the others.  Only what is read is checked: PyTorch's
    composition saves, say, ``w_hh`` only when ``h`` needs a gradient, and a weight changed
    in place after the step is an error there only then."""
    saved = node._saved
    if type(saved) is not tuple:
        return node.saved_arrays()  # freed: PyTorch's error
    return [
        s.unpack(node)._data if r and type(s) is SavedTensor else None for s, r in zip(saved, read)
    ]


def _product(xp, x, w, b, out=None):
    """``x @ w.T + b`` on 2-D arrays (into ``out`` when given, else a fresh array)."""
    # One input feature: the product is a broadcast multiply (the same single products),
    # far cheaper than a matrix product with an inner size of 1.
    if w.shape[1] == 1:
        out = xp.multiply(x, w.T, out=out) if out is not None else x * w.T
    else:
        out = xp.matmul(x, w.T, out=out) if out is not None else x @ w.T
    if b is not None:
        out += b
    return out


def _work(xp, shape, like):
    """A work array for saved values (recycled from released nodes when possible)."""
    return _recycle.take(xp, shape, like.dtype)


def _weight_grads(nx, nw, dg, x, w_ih, h, w_hh, projected, dhg=None):
    """Gradients of the input and of ``(w_ih, w_hh[, b_ih, b_hh])`` (flags ``nx``, ``nw``)
    from the pre-activation gradient ``dg`` (``dhg`` on the recurrent side when it differs).
    Unless ``projected`` (a ``w_ih`` was given), the input is the input projection: its
    gradient is ``dg`` itself."""
    dhg = dg if dhg is None else dhg
    out = [
        (_make(dg @ w_ih) if projected else _make(dg)) if nx else None,
        _make(dg.T @ x) if projected and nw[0] else None,
        _make(dhg.T @ h) if nw[1] else None,
    ]
    if len(nw) > 2:
        db_ih = dg.sum(0) if nw[2] else None
        db_hh = None
        if nw[3]:  # the same sum when both sides share the gradient: one reduction
            db_hh = dhg.sum(0) if dhg is not dg or db_ih is None else db_ih.copy()
        out += [_make(db_ih) if nw[2] else None, _make(db_hh) if nw[3] else None]
    return out


def _linear_ops(x, w, b):
    """``x @ w.T + b`` in Ember ops (the recomputation of the backward's Ember form)."""
    out = x @ w.mT
    return out if b is None else out + b


def _gates_ops(x, h, w_ih, w_hh, b_ih, b_hh):
    hg = _linear_ops(h, w_hh, b_hh)
    return hg + (x if w_ih is None else _linear_ops(x, w_ih, b_ih))


def _weight_grads_ops(nx, nw, dg, x, w_ih, h, w_hh, dhg=None):
    """``_weight_grads`` in Ember ops."""
    dhg = dg if dhg is None else dhg
    out = [
        (dg @ w_ih if w_ih is not None else dg) if nx else None,
        dg.mT @ x if w_ih is not None and nw[0] else None,
        dhg.mT @ h if nw[1] else None,
    ]
    if len(nw) > 2:
        out.append(dg.sum(0) if nw[2] else None)
        out.append(dhg.sum(0) if nw[3] else None)
    return out


def _sig_grad(s):
    return s * (1 - s)


# ----- LSTM --------------------------------------------------------------------------------
class LSTMCellFused(Node):
    """One LSTM step: gates = W_hh h + b_hh + (W_ih x + b_ih); c' = f c + i g; h' = o tanh c'.

    Inputs ``(x, h, c, w_ih, w_hh[, b_ih, b_hh])``; ``w_ih`` None means ``x`` is the step's
    precomputed input projection (bias included).  Outputs ``(h', c')``.
    """

    materialize_grads = False  # a missing h' or c' gradient is a zero the rules skip

    def forward(self, x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
        xp = self.xp
        gates = _product(xp, h, w_hh, b_hh, _work(xp, (h.shape[0], w_hh.shape[0]), h))
        gates += x if w_ih is None else _product(xp, x, w_ih, b_ih)
        h2, c2, tc = lstm_gates(xp, gates, c, tc_out=_work(xp, c.shape, c))
        if self.needs_input_grad is not None:
            self.save_for_backward(x, h, c, w_ih, w_hh, b_ih, b_hh, gates, tc)
        return h2, c2

    def backward(self, dh, dc):
        if array_backward(dh if dh is not None else dc):
            n = self.needs_input_grad
            read = (n[3], n[4], True, n[0], n[1], False, False, True, True)
            x, h, c, w_ih, w_hh, _, _, act, tc = read_saved(self, read)
            xp = self.xp
            dg = xp.empty_like(act)
            dh = dh._data if dh is not None else None
            dc_prev = lstm_gates_grad(xp, act, tc, c, dh, None if dc is None else dc._data, dg)
            gx, *gw = _weight_grads(n[0], n[3:], dg, x, w_ih, h, w_hh, self._saved[3] is not None)
            gh = _make(dg @ w_hh) if n[1] else None
            return (gx, gh, _make(dc_prev) if n[2] else None, *gw)
        return self._ops_backward(dh, dc)

    def release(self):
        _recycle.recycle_saved(self, (7, 8))  # the activated gates and tanh(c')
        Node.release(self)

    def _ops_backward(self, dh, dc):
        x, h, c, w_ih, w_hh, b_ih, b_hh, _, _ = self.saved_tensors
        i, f, g, o = lstm_activations_ops(_gates_ops(x, h, w_ih, w_hh, b_ih, b_hh))
        dg, dc_prev = lstm_grad_ops(i, f, g, o, c, (f * c + i * g).tanh(), dh, dc)
        n = self.needs_input_grad
        gx, *gw = _weight_grads_ops(n[0], n[3:], dg, x, w_ih, h, w_hh)
        return (gx, dg @ w_hh if n[1] else None, dc_prev if n[2] else None, *gw)


def lstm_activations_ops(gates):
    """The four activated gates from the (N, 4H) pre-activations, in Ember ops."""
    i, f, g, o = gates.chunk(4, 1)
    return i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()


def lstm_grad_ops(i, f, g, o, c, tc, dh, dc):
    """One LSTM step's backward in Ember ops, from its activated gates, previous cell state
    and ``tanh(c')``: ``(pre-activation gradient (N, 4H), previous cell state's gradient)``.
    ``dh``/``dc`` may be None (zero)."""
    dcn = dc
    if dh is not None:
        through_h = dh * o * (1 - tc * tc)
        dcn = through_h if dc is None else dc + through_h
        do = dh * tc * _sig_grad(o)
    else:
        do = o * 0
    dg = cat([dcn * g * _sig_grad(i), dcn * c * _sig_grad(f), dcn * i * (1 - g * g), do], 1)
    return dg, dcn * f


def lstm_step(xg, h, c, w_hh, b_hh):
    """One ``nn.LSTM`` time step from its precomputed input projection ``xg``: ``(h', c')``."""
    if b_hh is None:
        return LSTMCellFused.apply(xg, h, c, None, w_hh)
    return LSTMCellFused.apply(xg, h, c, None, w_hh, None, b_hh)


# ----- GRU ---------------------------------------------------------------------------------
class GRUCellFused(Node):
    """One GRU step: r, z = sigmoid(W_i x + b_i + W_h h + b_h) (their rows);
    n = tanh(W_in x + b_in + r (W_hn h + b_hn)); h' = (h - n) z + n.

    Inputs ``(x, h, w_ih, w_hh[, b_ih, b_hh])``; ``w_ih`` None means ``x`` is the step's
    precomputed input projection (bias included).
    """

    def forward(self, x, h, w_ih, w_hh, b_ih=None, b_hh=None):
        xp = self.xp
        hs = h.shape[-1]
        ig = x if w_ih is None else _product(xp, x, w_ih, b_ih)
        # the recurrent products become (r, z, W_hn h + b_hn)
        g = _product(xp, h, w_hh, b_hh, _work(xp, (h.shape[0], w_hh.shape[0]), h))
        rz = g[:, : 2 * hs]
        rz += ig[:, : 2 * hs]
        _sigmoid_inplace(xp, rz)
        n = xp.multiply(g[:, 2 * hs :], g[:, :hs], out=_work(xp, h.shape, h))
        n += ig[:, 2 * hs :]
        xp.tanh(n, out=n)
        out = h - n
        out *= g[:, hs : 2 * hs]
        out += n
        if self.needs_input_grad is not None:
            self.save_for_backward(x, h, w_ih, w_hh, b_ih, b_hh, g, n)
        return out

    def backward(self, grad):
        if array_backward(grad):
            n_in = self.needs_input_grad
            read = (n_in[2], True, n_in[0], n_in[1], False, False, True, True)
            x, h, w_ih, w_hh, _, _, g, n = read_saved(self, read)
            xp = self.xp
            hs = h.shape[-1]
            r, z, hn = g[:, :hs], g[:, hs : 2 * hs], g[:, 2 * hs :]
            dh = grad._data
            dig = xp.empty_like(g)  # the input side's pre-activation gradient
            dr, dz, dn = dig[:, :hs], dig[:, hs : 2 * hs], dig[:, 2 * hs :]
            xp.multiply(dh, 1 - z, out=dn)
            dn *= 1 - n * n
            xp.subtract(h, n, out=dz)
            dz *= dh
            dz *= z
            dz *= 1 - z
            xp.multiply(dn, hn, out=dr)
            dr *= r
            dr *= 1 - r
            dhg = dig.copy()  # the recurrent side: the new gate's part goes through r
            dhg[:, 2 * hs :] *= r
            projected = self._saved[2] is not None
            gx, *gw = _weight_grads(n_in[0], n_in[2:], dig, x, w_ih, h, w_hh, projected, dhg)
            gh = None
            if n_in[1]:
                gh = dhg @ w_hh
                gh += dh * z
                gh = _make(gh)
            return (gx, gh, *gw)
        return self._ops_backward(grad)

    def release(self):
        _recycle.recycle_saved(self, (6, 7))  # the gates and the new gate
        Node.release(self)

    def _ops_backward(self, dh):
        x, h, w_ih, w_hh, b_ih, b_hh, _, _ = self.saved_tensors
        ir, iz, i_n = (x if w_ih is None else _linear_ops(x, w_ih, b_ih)).chunk(3, 1)
        hr, hz, hn = _linear_ops(h, w_hh, b_hh).chunk(3, 1)
        r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
        n = (i_n + r * hn).tanh()
        dn = dh * (1 - z) * (1 - n * n)
        dz = dh * (h - n) * _sig_grad(z)
        dr = dn * hn * _sig_grad(r)
        dig = cat([dr, dz, dn], 1)
        dhg = cat([dr, dz, dn * r], 1)
        n_in = self.needs_input_grad
        gx, *gw = _weight_grads_ops(n_in[0], n_in[2:], dig, x, w_ih, h, w_hh, dhg)
        return (gx, dhg @ w_hh + dh * z if n_in[1] else None, *gw)


# ----- Elman -------------------------------------------------------------------------------
class RNNTanhCellFused(Node):
    """One Elman step: h' = tanh(W_hh h + b_hh + (W_ih x + b_ih)).

    Inputs ``(x, h, w_ih, w_hh[, b_ih, b_hh])``; ``w_ih`` None means ``x`` is the step's
    precomputed input projection (bias included).
    """

    def forward(self, x, h, w_ih, w_hh, b_ih=None, b_hh=None):
        xp = self.xp
        out = _product(xp, h, w_hh, b_hh)
        out += x if w_ih is None else _product(xp, x, w_ih, b_ih)
        out = self.activate(xp, out)
        if self.needs_input_grad is not None:
            self.save_for_backward(x, h, w_ih, w_hh, b_ih, b_hh, out)
        return out

    @staticmethod
    def activate(xp, pre):
        """The nonlinearity, in place."""
        return xp.tanh(pre, out=pre)

    @staticmethod
    def pre_grad(xp, out, grad):
        """The pre-activation's gradient from the output's."""
        d = out * out
        xp.subtract(1, d, out=d)
        d *= grad
        return d

    def backward(self, grad):
        n = self.needs_input_grad
        if array_backward(grad):
            x, h, w_ih, w_hh, _, _, out = read_saved(self, (n[2], n[3], n[0], n[1], 0, 0, 1))
            dpre = self.pre_grad(self.xp, out, grad._data)
            projected = self._saved[2] is not None
            gx, *gw = _weight_grads(n[0], n[2:], dpre, x, w_ih, h, w_hh, projected)
            return (gx, _make(dpre @ w_hh) if n[1] else None, *gw)
        x, h, w_ih, w_hh, b_ih, b_hh, _ = self.saved_tensors
        dpre = self.pre_grad_ops(_gates_ops(x, h, w_ih, w_hh, b_ih, b_hh), grad)
        gx, *gw = _weight_grads_ops(n[0], n[2:], dpre, x, w_ih, h, w_hh)
        return (gx, dpre @ w_hh if n[1] else None, *gw)

    @staticmethod
    def pre_grad_ops(pre, grad):
        """``pre_grad`` in Ember ops, from the recomputed pre-activation."""
        y = pre.tanh()
        return grad * (1 - y * y)


class RNNReluCellFused(RNNTanhCellFused):
    """One Elman step with relu: h' = relu(W_hh h + b_hh + (W_ih x + b_ih))."""

    @staticmethod
    def activate(xp, pre):
        out = xp.maximum(pre, 0, out=pre)
        return out

    @staticmethod
    def pre_grad(xp, out, grad):
        return xp.where(out <= 0, 0, grad)  # relu's: nothing where the output is 0 (nan passes)

    @staticmethod
    def pre_grad_ops(pre, grad):
        y = pre.relu()
        return ThresholdGrad.apply(grad, y, ~(y <= 0), 0)


def gru_step(xg, h, w_hh, b_hh):
    """One ``nn.GRU`` time step from its precomputed input projection ``xg``."""
    if b_hh is None:
        return GRUCellFused.apply(xg, h, None, w_hh)
    return GRUCellFused.apply(xg, h, None, w_hh, None, b_hh)


def rnn_step(xg, h, w_hh, b_hh, nonlinearity):
    """One ``nn.RNN`` time step from its precomputed input projection ``xg``."""
    node = RNNTanhCellFused if nonlinearity == "tanh" else RNNReluCellFused
    if b_hh is None:
        return node.apply(xg, h, None, w_hh)
    return node.apply(xg, h, None, w_hh, None, b_hh)


# ----- the public functions: PyTorch's checks, the fused node or the composition -------------
def _hidden_pair(hx):
    """``hx`` of ``lstm_cell`` as PyTorch's argument parser accepts it (a pair of tensors)."""
    if not isinstance(hx, (tuple, list)):
        raise TypeError(
            "lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not "
            f"{type(hx).__name__}"
        )
    for i, h in enumerate(hx):
        if not isinstance(h, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 1, but got {type(h).__name__}"
            )
    return tuple(hx)


def _check_cell(name, input, hidden, w_ih, w_hh, b_ih, b_hh, gates):
    """PyTorch's argument and shape checks of a cell function, in its order."""
    for t, arg, pos in ((input, "input", 1), (w_ih, "w_ih", 3), (w_hh, "w_hh", 4)):
        tensor_arg(name, t, arg, pos)
    for pos, (t, arg) in enumerate(((b_ih, "b_ih"), (b_hh, "b_hh")), 5):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                f"{type(t).__name__}"
            )
    if input.size(1) != w_ih.size(1):
        raise RuntimeError(
            f"input has inconsistent input_size: got {input.size(1)} expected {w_ih.size(1)}"
        )
    hs = w_hh.size(1)
    for w, which in ((w_ih, "ih"), (w_hh, "hh")):
        if w.size(0) != gates * hs:
            raise RuntimeError(
                f"weight_{which} first dim must be {gates} * hidden_size = {gates * hs}, but "
                f"got {w.size(0)}"
            )
    for k, h in enumerate(hidden):
        if input.size(0) != h.size(0):
            raise RuntimeError(
                f"Input batch size {input.size(0)} doesn't match hidden{k} batch size {h.size(0)}"
            )
        if h.size(1) != hs:
            raise RuntimeError(
                f"hidden{k} has inconsistent hidden_size: got {h.size(1)}, expected {hs}"
            )


def _fusable(tensors, biases):
    """Whether the fused node computes what PyTorch's composition would: 2-D float32 or
    float64 tensors of one dtype and array type, biases (or none) of one gate row each."""
    d = tensors[0]._data
    dt = d.dtype
    if dt != _F32 and dt != _F64:
        return False
    for t in tensors:
        a = t._data
        if a.dtype != dt or a.ndim != 2 or type(a) is not type(d):
            return False
    for b in biases:
        if b is not None:
            a = b._data
            if a.dtype != dt or a.shape != tensors[-1]._data.shape[:1] or type(a) is not type(d):
                return False
    return True


_F32 = _numpy.dtype("float32")
_F64 = _numpy.dtype("float64")


def _fused(node, tensors, b_ih, b_hh):
    """The fused cell ``node`` on ``tensors`` and the biases (both or neither), or None where
    PyTorch composes the cell (see ``_fusable``)."""
    if not _fusable(tensors, (b_ih, b_hh)):
        return None
    if b_ih is None and b_hh is None:
        return node.apply(*tensors)
    return node.apply(*tensors, b_ih, b_hh)


def _cell_spec(name, fn, gates, bias=True):
    n, i, h = 2, 3, 2
    shapes = [(n, i), (n, h)] + ([(n, h)] if name.startswith("lstm") else [])
    shapes += [(gates * h, i), (gates * h, h)] + ([(gates * h,)] * 2 if bias else [])
    # PyTorch's CPU build composes the cell (its outputs' grad_fn is the last op of the
    # composition), so the expression ends in a stack, which both libraries record; the
    # fused node's own name is checked in tests/nn/test_recurrent_fused.py.
    return OpSpec(name, fn, [tuple(shapes)], shapes=None)


def _cell_specs(name, fn, gates):
    """The cell's specs with biases and without them (``<name>_nobias``)."""
    return _cell_spec(name, fn, gates), _cell_spec(f"{name}_nobias", fn, gates, bias=False)


def _one_state_specs(name, gates):
    """``_cell_specs`` of the cell ``name`` with one hidden state."""
    return _cell_specs(name, lambda t, x, h, *w: t.stack([getattr(t, name)(x, h, *w)]), gates)


@op(
    LSTMCellFused,
    grad_fn="ThnnFusedLstmCellBackward0",
    vmap=LOOP,
    spec=_cell_specs("lstm_cell", lambda t, x, h, c, *w: t.stack(t.lstm_cell(x, (h, c), *w)), 4),
)
def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: ``(h', c')`` from ``input`` (N, I) and ``hx = (h, c)``, each (N, H)."""
    tensor_arg("lstm_cell", input, "input", 1)
    hx = _hidden_pair(hx)
    _check_cell("lstm_cell", input, hx, w_ih, w_hh, b_ih, b_hh, 4)
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    h, c = hx
    fused = _fused(LSTMCellFused, (input, h, c, w_ih, w_hh), b_ih, b_hh)
    if fused is not None:
        return fused
    # PyTorch's composition, with its in-place steps (and so its dtype rules)
    gates = linear(h, w_hh, b_hh).add_(linear(input, w_ih, b_ih))
    i, f, g, o = gates.chunk(4, 1)
    cy = (f.sigmoid() * c).add_(i.sigmoid() * g.tanh())
    return o.sigmoid() * cy.tanh(), cy


@op(
    GRUCellFused,
    grad_fn="ThnnFusedGruCellBackward0",
    vmap=LOOP,
    spec=_one_state_specs("gru_cell", 3),
)
def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step: ``h'`` from ``input`` (N, I) and ``hx`` (N, H)."""
    fused = _one_state_cell("gru_cell", GRUCellFused, input, hx, w_ih, w_hh, b_ih, b_hh, 3)
    if fused is not None:
        return fused
    ir, iz, i_n = linear(input, w_ih, b_ih).chunk(3, 1)
    hr, hz, hn = linear(hx, w_hh, b_hh).chunk(3, 1)
    r, z = (hr + ir).sigmoid(), (hz + iz).sigmoid()
    n = (i_n + hn * r).tanh()
    return (hx - n).mul_(z).add_(n)


def _one_state_cell(name, node, input, hx, w_ih, w_hh, b_ih, b_hh, gates):
    """PyTorch's checks of a cell with one hidden state; then the fused node's output, or
    None where PyTorch composes the cell."""
    tensor_arg(name, input, "input", 1)
    tensor_arg(name, hx, "hx", 2)
    _check_cell(name, input, (hx,), w_ih, w_hh, b_ih, b_hh, gates)
    return _fused(node, (input, hx, w_ih, w_hh), b_ih, b_hh)


def _elman(name, node, input, hx, w_ih, w_hh, b_ih, b_hh):
    fused = _one_state_cell(name, node, input, hx, w_ih, w_hh, b_ih, b_hh, 1)
    if fused is not None:
        return fused
    pre = linear(hx, w_hh, b_hh) + linear(input, w_ih, b_ih)
    return pre.tanh() if node is RNNTanhCellFused else pre.relu()


@op(RNNTanhCellFused, grad_fn="RnnTanhCellBackward0", vmap=LOOP,
    spec=_one_state_specs("rnn_tanh_cell", 1))  # fmt: skip
def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step: ``tanh(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh)``."""
    return _elman("rnn_tanh_cell", RNNTanhCellFused, input, hx, w_ih, w_hh, b_ih, b_hh)


@op(RNNReluCellFused, grad_fn="RnnReluCellBackward0", vmap=LOOP,
    spec=_one_state_specs("rnn_relu_cell", 1))  # fmt: skip
def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step with relu: ``relu(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh)``."""
    return _elman("rnn_relu_cell", RNNReluCellFused, input, hx, w_ih, w_hh, b_ih, b_hh)


__all__ = public_names(__name__)
