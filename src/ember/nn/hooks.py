"""Full backward hooks: identity nodes around a module's inputs and outputs.

The output node records the gradients w.r.t. the outputs; the input node then
calls ``hook(module, grad_input, grad_output)`` and may replace ``grad_input``.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor import Tensor


class _HookIdentity(Node):
    """d(identity) = grad; calls the module's backward hooks on the way"""

    materialize_grads = False

    def forward(self, *arrays, state=None, role=None):
        self.state = state
        self.role = role
        return tuple(arrays)

    def backward(self, *grads):
        st = self.state
        if self.role == "out":
            st.grad_output = grads
            if not st.has_input:
                st.fire((None,) * st.n_in)
            return grads
        return st.fire(grads)


class BackwardHook:
    """Wires ``register_full_backward_hook`` hooks around one module call."""

    def __init__(self, module, hooks):
        self.module = module
        self.hooks = hooks
        self.grad_output = None
        self.has_input = False
        self.n_in = 0

    def fire(self, grad_input):
        """Run the hooks with the recorded output grads; return the (new) input grads."""
        grad_input = tuple(grad_input)
        for h in self.hooks:
            r = h(self.module, grad_input, self.grad_output)
            if r is not None:
                r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
                if len(r) != len(grad_input):
                    raise RuntimeError(
                        f"Backward hook returned an invalid number of grad_input, got {len(r)}, "
                        f"but expected {len(grad_input)}"
                    )
                grad_input = r
        return grad_input

    def _wrap(self, values, role):
        idx = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v._requires_grad]
        if not idx:
            return values, 0
        outs = _HookIdentity.apply(*(values[i] for i in idx), state=self, role=role)
        values = list(values)
        for i, o in zip(idx, outs):
            values[i] = o
        return values, len(idx)

    def setup_input_hook(self, args):
        """Route the tensor arguments through the input identity node."""
        n_tensors = sum(isinstance(a, Tensor) for a in args)
        new, n = self._wrap(list(args), "in")
        self.has_input = n > 0
        self.n_in = n if n else max(n_tensors, 1)
        return tuple(new)

    def setup_output_hook(self, result):
        """Route the output tensor(s) through the output identity node."""
        if isinstance(result, Tensor):
            new, _ = self._wrap([result], "out")
            return new[0]
        if isinstance(result, tuple):
            new, _ = self._wrap(list(result), "out")
            return tuple(new)
        return result
