"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and state dicts.

Subclasses implement ``_step_group(group)``; updates run in place on the raw arrays
(NumPy ufuncs with ``out=``) with no graph recorded, and bump each parameter's
version counter.  Parameters whose ``.grad`` is ``None`` are skipped.
"""

from __future__ import annotations

import copy
import functools
from collections import OrderedDict, defaultdict

from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _wrap_step(fn):
    @functools.wraps(fn)
    def step(self, *args, **kwargs):
        self._opt_called = True
        for hook in list(self._step_pre_hooks.values()):
            r = hook(self, args, kwargs)
            if r is not None:
                args, kwargs = r
        out = fn(self, *args, **kwargs)
        for hook in list(self._step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    step._wrapped_by_ember = True
    return step


class Optimizer:
    """Base class of all optimizers (PyTorch's ``torch.optim.Optimizer``)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__ and not getattr(cls.__dict__["step"], "_wrapped_by_ember", 0):
            cls.step = _wrap_step(cls.__dict__["step"])

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._step_pre_hooks = OrderedDict()
        self._step_post_hooks = OrderedDict()
        self._opt_called = False
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {params.type()}"
            )
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._step_pre_hooks = OrderedDict()
        self._step_post_hooks = OrderedDict()

    def __repr__(self):
        s = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\nParameter Group {0}".format(i)
            for key in sorted(group.keys()):
                if key != "params":
                    s += "\n    {0}: {1}".format(key, group[key])
        return s + "\n)"

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own options) to optimize."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + type(p).__name__
                )
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter "
                    f"{name}"
                )
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(set(ids)) != len(ids):
            import warnings

            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
        if seen & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter (to ``None`` by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    g = p._grad
                    if g.grad_fn is not None:
                        g = p._grad = g.detach()
                    g._data[...] = 0
                    g._version[0] += 1

    def step(self, closure=None):
        """Perform one optimization step (re-evaluating the loss with ``closure`` if given)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_grads()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _check_grads(self):
        # validate every gradient first, so a bad one fails the step before any
        # parameter or state buffer has been touched
        index = 0
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    if g._data.shape != p._data.shape:
                        raise RuntimeError(
                            f"the gradient of parameter {index} has shape {list(g._data.shape)} "
                            f"but the parameter has shape {list(p._data.shape)}; no parameter "
                            "was updated"
                        )
                    if g._data.dtype.kind not in "fc" or (
                        g._data.dtype.kind == "c" and p._data.dtype.kind != "c"
                    ):
                        raise RuntimeError(
                            f"the gradient of parameter {index} has dtype {g.dtype} which cannot "
                            f"update a parameter of dtype {p.dtype}; no parameter was updated"
                        )
                index += 1

    def _step_group(self, group):  # pragma: no cover - abstract
        raise NotImplementedError

    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before each step."""
        from ..nn.module import RemovableHandle

        h = RemovableHandle(self._step_pre_hooks)
        self._step_pre_hooks[h.id] = hook
        return h

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after each step."""
        from ..nn.module import RemovableHandle

        h = RemovableHandle(self._step_post_hooks)
        self._step_post_hooks[h.id] = hook
        return h

    # ----- state dict ----------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [...]}`` with parameters as indices."""
        index = {}
        start = 0
        groups = []
        for g in self.param_groups:
            for i, p in enumerate(g["params"], start):
                if id(p) not in index:
                    index[id(p)] = i
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in g["params"]]
            start += len(g["params"])
            groups.append(packed)
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if p in self.state and self.state[p]:
                    state[index[id(p)]] = self.state[p]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict) -> None:
        """Restore options and per-parameter state from ``state_dict``."""
        state_dict = copy.deepcopy(
            {"state": state_dict["state"], "param_groups": state_dict["param_groups"]}
        )
        groups = self.param_groups
        saved = state_dict["param_groups"]
        if len(groups) != len(saved):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = {}
        for g, s in zip(groups, saved):
            for old, p in zip(s["params"], g["params"]):
                id_map[old] = p
        new_state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                p = id_map[k]
                new_state[p] = {key: _cast_state(p, key, val) for key, val in v.items()}
            else:
                new_state[k] = v
        self.state = new_state
        new_groups = []
        for g, s in zip(groups, saved):
            s = dict(s)
            s["params"] = g["params"]
            new_groups.append(s)
        self.param_groups = new_groups


_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def check_nonnegative(**values):
    """Raise PyTorch's ``ValueError("Invalid <name> value: <v>")`` for the first negative
    value (in the order given, as each optimizer checks them)."""
    for name, v in values.items():
        if not 0.0 <= v:
            raise ValueError(f"Invalid {_LABELS.get(name, name + ' value')}: {v}")


def group_defaults(arguments):
    """An optimizer's ``defaults``: its constructor's arguments (``locals()`` at the top of
    ``__init__``) without ``self`` and ``params``."""
    return {k: v for k, v in arguments.items() if k not in ("self", "params", "__class__")}


def _cast_state(param, key, value):
    if not isinstance(value, Tensor):
        return value
    if key == "step":
        return value
    if value.is_floating_point() and value._data.dtype != param._data.dtype:
        return Tensor._make(value._data.astype(param._data.dtype))
    return value


Optimizer.step = _wrap_step(Optimizer.step)


def state_buffer(state, key, param, fill=0.0):
    """``state[key]``: a zero (or ``fill``) tensor shaped like ``param``, made on first use."""
    buf = state.get(key)
    if buf is None:
        from ..backend import xp_of

        xp = xp_of(param._data)
        arr = xp.zeros_like(param._data) if fill == 0 else xp.full_like(param._data, fill)
        buf = state[key] = Tensor._make(arr)
    return buf


def bump(t):
    """Record an in-place write to ``t`` (shared with its views)."""
    t._version[0] += 1


_BLOCK = 1 << 16  # elements per block of add_scaled_


def add_scaled_(out, alpha, x):
    """``out += alpha * x`` in place, without a temporary as large as ``out``.

    Large contiguous arrays are updated in blocks through one small buffer, so a step on
    a 64 MiB weight does not allocate another 64 MiB.
    """
    if (
        out.size <= _BLOCK
        or out.shape != x.shape
        or not (out.flags.c_contiguous and x.flags.c_contiguous)
    ):
        out += alpha * x
        return
    from ..backend import xp_of

    o, v = out.reshape(-1), x.reshape(-1)
    buf = xp_of(out).empty(_BLOCK, dtype=out.dtype)
    for i in range(0, o.size, _BLOCK):
        t = buf[: min(_BLOCK, o.size - i)]
        xp_of(out).multiply(v[i : i + t.size], alpha, out=t)
        o[i : i + t.size] += t


def grad_of(p, maximize):
    """The gradient array of ``p`` (negated when maximizing), or None."""
    g = p._grad
    if g is None:
        return None
    d = g._data
    return -d if maximize else d


def step_tensor(state, dtype_like=None):
    """Increment and return the step count kept as a 0-d float32 tensor (as PyTorch)."""
    from ..backend import np

    st = state.get("step")
    if st is None:
        st = state["step"] = Tensor._make(np.zeros((), np.float32))
    st._data += 1
    return float(st._data)
