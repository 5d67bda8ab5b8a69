"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from ..backend import np
from ..tensor import Tensor
from ._updates import add_scaled_, bump, value_of, values
from .optimizer import Optimizer, check_fused, group_defaults, required

ndarray = np.ndarray


def _decayed(g, x, maximize, wd):
    """The gradient ``g`` of parameter value ``x`` negated for ``maximize`` and with weight
    decay ``wd * x`` added (arrays or NumPy scalars)."""
    if maximize:
        g = -g
    return g + wd * x if wd else g


class SGD(Optimizer):
    """``p -= lr * g`` with optional momentum (buffer starts as the first gradient)."""

    _arrays_only = True

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):  # fmt: skip
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, group_defaults(locals()))
        check_fused(self.defaults)

    def _step_group(self, group):
        if group.get("differentiable", False):
            self._recorded_group(group)
            return
        # One pass over the group on the raw arrays (the idea of PyTorch's ``foreach``):
        # the options are read once, and each parameter costs only its own arithmetic.
        lr, mom, wd = value_of(group["lr"]), group["momentum"], group["weight_decay"]
        maximize, damp, nesterov = group["maximize"], group["dampening"], group["nesterov"]
        state = self.state
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            x, g = p._data, g._data
            if not x.ndim and type(x) is ndarray and g.dtype is x.dtype and x.dtype.char in "fd":
                # a 0-d parameter: the same arithmetic on NumPy scalars, in the same dtypes
                # and order, costs a small part of what 0-d array operations cost
                self._scalar_step(p, x, g[()], state, lr, mom, wd, maximize, damp, nesterov)
                continue
            g = _decayed(g, x, maximize, wd)
            if mom:
                st = state[p]
                buf = st.get("momentum_buffer")
                if buf is None:
                    # the buffer starts as a copy of the first gradient
                    buf = st["momentum_buffer"] = Tensor._make(g.copy())
                    b = buf._data
                else:
                    b = buf._data
                    b *= mom
                    b += (1 - damp) * g if damp else g
                    bump(buf)
                g = g + mom * b if nesterov else b
            if lr == 1:
                x -= g
            else:
                add_scaled_(x, -lr, g)
            bump(p)

    @staticmethod
    def _scalar_step(p, x, g, state, lr, mom, wd, maximize, damp, nesterov):
        """``_step_group``'s update for one 0-d NumPy parameter, ``g`` its gradient's
        scalar."""
        v = x[()]
        g = _decayed(g, v, maximize, wd)
        if mom:
            st = state[p]
            buf = st.get("momentum_buffer")
            if buf is None:
                buf = st["momentum_buffer"] = Tensor._make(np.array(g))
                b = g
            else:
                arr = buf._data
                b = arr[()] * mom
                arr[()] = b + (1 - damp) * g if damp else b + g
                b = arr[()]  # as stored, in the buffer's dtype
                bump(buf)
            g = g + mom * b if nesterov else b
        x[()] = v - g if lr == 1 else v + (-lr) * g
        bump(p)

    def _recorded_group(self, group):
        """A ``differentiable`` step: Ember ops on the tensors, recorded by autograd."""
        lr, mom = value_of(group["lr"]), group["momentum"]
        for p, x, g in self._gradients(group):
            if mom:
                g = self._momentum(p, x, g, group)
            x -= lr * g

    def _momentum(self, p, x, g, group):
        """Update the momentum buffer with ``g``; return the direction to step along."""
        mom, damp = group["momentum"], group["dampening"]
        state = self.state[p]
        buf = state.get("momentum_buffer")
        if buf is None:
            # the buffer starts as a copy of the first gradient, cut from any graph
            buf = state["momentum_buffer"] = Tensor._make(g.detach().clone()._data)
            b = values(buf, x)
        else:
            b = values(buf, x)
            b *= mom
            b += (1 - damp) * g if damp else g
        return g + mom * b if group["nesterov"] else b
