"""L-BFGS (PyTorch's algorithm): a fixed step, or a strong Wolfe line search."""

from __future__ import annotations

from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import np, xp_of
from ..tensor import Tensor
from ._updates import bump, value_of
from .line_search import strong_wolfe
from .optimizer import Optimizer, check_nonnegative, group_defaults

# state entries kept as tensors between steps (PyTorch's state dict holds tensors)
_TENSOR_STATE = ("d", "H_diag", "prev_flat_grad")
_TENSOR_LISTS = ("old_dirs", "old_stps", "ro", "al")


class LBFGS(Optimizer):
    """Limited-memory BFGS; ``step(closure)`` runs up to ``max_iter`` iterations."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):  # fmt: skip
        check_nonnegative(lr=lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, group_defaults(locals()))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        xp = xp_of(self._params[0]._data)
        parts = [
            xp.zeros(p._data.size, p._data.dtype) if p._grad is None else p._grad._data.reshape(-1)
            for p in self._params
        ]
        return xp.concatenate(parts)

    def _add(self, t, d):
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += (t * d[offset : offset + n]).reshape(p._data.shape).astype(p._data.dtype)
            bump(p)
            offset += n

    def _evaluate(self, closure):
        with enable_grad():
            loss = closure()
        return _as_float(loss), self._flat_grad()

    def _directional_evaluate(self, closure, t, d):
        """Loss and gradient at ``params + t * d``; the parameters are put back after."""
        saved = [p._data.copy() for p in self._params]
        self._add(t, d)
        out = self._evaluate(closure)
        for p, s in zip(self._params, saved):
            p._data[...] = s
            bump(p)
        return out

    def step(self, closure):
        """Run the L-BFGS iterations; ``closure`` re-evaluates and returns the loss."""
        with no_grad():
            return self._run(closure)

    def _run(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = value_of(group["lr"]), group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        line_search = group["line_search_fn"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        self._check_grads()
        loss = _as_float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        xp = xp_of(g)
        if xp.abs(g).max() <= tol_grad:
            return orig_loss
        _unwrap(state)
        d, t = state.get("d"), state.get("t")
        prev_g, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -g
                state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                d = _direction(state, g, g - prev_g, d * t, group["history_size"])
            prev_g = g.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / xp.abs(g).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = g.dot(d)  # an array scalar: in float32 it rounds as PyTorch's does
            if gtd > -tol_change:
                break
            ls_evals = 0
            if line_search is not None:
                if line_search != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                loss, g, t, ls_evals = strong_wolfe(
                    lambda t, d=d: self._directional_evaluate(closure, t, d),
                    t,
                    d,
                    loss,
                    g,
                    gtd,
                    max_ls=max_eval - evals,
                )
                self._add(t, d)
                opt_cond = xp.abs(g).max() <= tol_grad
            else:
                self._add(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    loss, g = self._evaluate(closure)
                    opt_cond = xp.abs(g).max() <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval or opt_cond:
                break
            if xp.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        state.update(d=d, t=t, prev_flat_grad=prev_g, prev_loss=prev_loss)
        _wrap(state)
        return orig_loss


def _direction(state, g, y, s, history_size):
    """The quasi-Newton direction ``-H g`` by the two-loop recursion, after adding the
    curvature pair ``(y, s)`` to the history when ``y·s`` is positive enough."""
    old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
    ys = y.dot(s)
    if ys > 1e-10:
        if len(old_dirs) == history_size:
            old_dirs.pop(0)
            old_stps.pop(0)
            ro.pop(0)
        old_dirs.append(y)
        old_stps.append(s)
        ro.append(1.0 / ys)
        state["H_diag"] = ys / y.dot(y)
    al = state.setdefault("al", [None] * history_size)
    q = -g
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q = q - al[i] * old_dirs[i]
    r = q * state["H_diag"]
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r = r + (al[i] - be_i) * old_stps[i]
    return r


def _wrap(state):
    # arrays (and array scalars) become tensors, as PyTorch keeps them in its state
    for key in _TENSOR_STATE:
        v = state.get(key)
        if v is not None and not isinstance(v, (int, float)):
            state[key] = Tensor._make(np.asarray(v))
    for key in _TENSOR_LISTS:
        if key in state:
            state[key] = [v if v is None else Tensor._make(np.asarray(v)) for v in state[key]]


def _unwrap(state):
    for key in _TENSOR_STATE:
        if isinstance(state.get(key), Tensor):
            state[key] = state[key]._data
    for key in _TENSOR_LISTS:
        if key in state:
            state[key] = [v._data if isinstance(v, Tensor) else v for v in state[key]]


def _as_float(loss):
    # item() rather than float(): the loss may require grad, and reading it is intended
    return loss.item() if isinstance(loss, Tensor) else float(loss)
