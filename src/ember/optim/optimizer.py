"""``Optimizer``: parameter groups, per-parameter state, hooks, ``zero_grad`` and state dicts.

Subclasses implement ``_update(p, x, g, state, group)`` for one parameter (or override
``_step_group``). Updates run in place on the raw arrays with no graph recorded, and bump
each touched tensor's version counter; in a ``differentiable`` group they run as Ember ops
on the tensors themselves, so the step is recorded. Parameters whose ``.grad`` is ``None``
are skipped.
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections import OrderedDict, defaultdict
from itertools import chain

from .. import dtypes as _dt
from ..autograd.grad_mode import enable_grad, grad_off
from ..nn.module import _add_hook, zero_grads
from ..tensor import Tensor
from ._updates import bump, value_of


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_step_pre_hooks: OrderedDict = OrderedDict()
_global_step_post_hooks: OrderedDict = OrderedDict()
#: Set by ``ember.profiler`` while it records: ``profiled_range[0](optimizer)`` is the
#: context manager ``zero_grad`` runs in (PyTorch's ``Optimizer.zero_grad#SGD.zero_grad``).
profiled_range = [None]


def register_optimizer_step_pre_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's step."""
    return _add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's step."""
    return _add_hook(_global_step_post_hooks, hook)


def _wrap_step(fn):
    # hooks see the arguments as PyTorch passes them: the optimizer first
    @functools.wraps(fn)
    def step(*args, **kwargs):
        self = args[0]
        self._opt_called = True
        if not (_global_step_pre_hooks or self._step_pre_hooks or self._step_post_hooks):
            if not _global_step_post_hooks:
                return fn(*args, **kwargs)  # the common case, kept cheap
        for hook in list(chain(_global_step_pre_hooks.values(), self._step_pre_hooks.values())):
            r = hook(self, args, kwargs)
            if r is not None:
                if not (isinstance(r, tuple) and len(r) == 2):
                    raise RuntimeError(
                        f"{fn} must return None or a tuple of (new_args, new_kwargs), but got {r}."
                    )
                args, kwargs = r
        out = fn(*args, **kwargs)
        for hook in list(chain(self._step_post_hooks.values(), _global_step_post_hooks.values())):
            hook(self, args, kwargs)
        return out

    step._wrapped_by_ember = True
    return step


def _typename(obj):
    t = type(obj)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


_HOOK_DICTS = (
    "_step_pre_hooks",
    "_step_post_hooks",
    "_state_dict_pre_hooks",
    "_state_dict_post_hooks",
    "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)


class Optimizer:
    """Base class of all optimizers (PyTorch's ``torch.optim.Optimizer``)."""

    # what PyTorch's CPU build names when ``capturable=True`` meets a CPU tensor
    _capturable_tensors = "params and state_steps"
    _capturable_devices = ["cuda", "xpu", "hpu", "privateuseone", "xla"]
    # whether ``_gradients`` applies ``weight_decay`` (an optimizer that decays elsewhere
    # in its step says False)
    _decay_in_gradients = True
    # whether a step outside ``differentiable`` works on raw arrays alone (no Ember op, so
    # no graph to keep from being recorded)
    _arrays_only = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__ and not getattr(cls.__dict__["step"], "_wrapped_by_ember", 0):
            cls.step = _wrap_step(cls.__dict__["step"])

    def __init__(self, params, defaults):
        self.defaults = defaults
        for name in _HOOK_DICTS:
            setattr(self, name, OrderedDict())
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
        for name in _HOOK_DICTS:
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)

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
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
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
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add param "
                    f"group {which} to the optimizer"
                )
        if seen & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter (to ``None`` by default)."""
        recording = profiled_range[0]
        if recording is None and set_to_none:
            # the common case, one plain pass
            for group in self.param_groups:
                for p in group["params"]:
                    p._grad = None
            return
        params = chain.from_iterable(g["params"] for g in self.param_groups)
        if recording is None:
            zero_grads(params, set_to_none)
            return
        with recording(self):
            zero_grads(params, set_to_none)

    def step(self, closure=None):
        """Perform one optimization step (re-evaluating the loss with ``closure`` if given)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_grads()
        if self._arrays_only and not self.defaults.get("differentiable"):
            # a step on raw arrays records nothing: no grad-mode switch needed
            self._step_groups()
            return loss
        with enable_grad() if self.defaults.get("differentiable") else grad_off():
            self._step_groups()
        return loss

    def _step_groups(self):
        for group in self.param_groups:
            if group.get("capturable") and any(p._grad is not None for p in group["params"]):
                raise AssertionError(
                    f"If capturable=True, {self._capturable_tensors} must be on supported "
                    f"devices: {self._capturable_devices}."
                )
            self._step_group(group)

    def _check_grads(self):
        # validate every gradient first, so a bad one fails the step before any
        # parameter or state buffer has been touched; the common case (same shape and
        # dtype as the parameter) costs one comparison each
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    gd, pd = g._data, p._data
                    if gd.dtype is not pd.dtype or gd.shape != pd.shape:
                        self._check_grads_fully()
                        return

    def _check_grads_fully(self):
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
                    kind = g._data.dtype.kind
                    if (kind not in "fc" and not _dt.is_float_np(g._data.dtype)) or (
                        kind == "c" and p._data.dtype.kind != "c"
                    ):
                        raise RuntimeError(
                            f"the gradient of parameter {index} has dtype {g.dtype} which cannot "
                            f"update a parameter of dtype {p.dtype}; no parameter was updated"
                        )
                index += 1

    def _gradients(self, group):
        """Yield ``(param, values, grad)`` for each parameter of ``group`` with a gradient.

        ``values`` and ``grad`` are raw arrays, or the tensors themselves in a
        ``differentiable`` group. The gradient is negated under ``maximize``; weight decay
        is applied here: added to the gradient (``grad + weight_decay * param``), or, when
        ``decoupled_weight_decay``, by shrinking the parameter by ``1 - lr * weight_decay``.
        """
        tensors = group.get("differentiable", False)
        maximize = group.get("maximize", False)
        wd = group.get("weight_decay", 0) if self._decay_in_gradients else 0
        decoupled = group.get("decoupled_weight_decay", False)
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            x = p if tensors else p._data
            if not tensors:
                g = g._data
            if maximize:
                g = -g
            if wd:
                if decoupled:
                    x *= 1 - value_of(group["lr"]) * wd
                else:
                    g = g + wd * x
            yield p, x, g

    def _step_group(self, group):
        tensors = group.get("differentiable", False)
        for p, x, g in self._gradients(group):
            state = self.state[p]
            if tensors:
                # a recorded step updates copies, so it never overwrites what the graph of
                # an earlier step saved
                for k, v in state.items():
                    if type(v) is Tensor and k != "step":
                        state[k] = v.clone()
            self._update(p, x, g, state, group)
            if not tensors:
                bump(p)
                for v in state.values():
                    if type(v) is Tensor:
                        bump(v)

    def _update(self, p, x, g, state, group):  # pragma: no cover - abstract
        raise NotImplementedError

    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before each step; it may return new
        ``(args, kwargs)``."""
        return _add_hook(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after each step."""
        return _add_hook(self._step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False):
        """Call ``hook(optimizer)`` before ``state_dict()`` builds its result."""
        return _add_hook(self._state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False):
        """Call ``hook(optimizer, state_dict)`` on ``state_dict()``'s result; a returned
        dict replaces it."""
        return _add_hook(self._state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False):
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded
        instead."""
        return _add_hook(self._load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False):
        """Call ``hook(optimizer)`` after ``load_state_dict()``."""
        return _add_hook(self._load_state_dict_post_hooks, hook, prepend)

    # ----- state dict ----------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [...]}`` with parameters as indices."""
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self)
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
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in list(self._state_dict_post_hooks.values()):
            r = hook(self, result)
            if r is not None:
                result = r
        return result

    def load_state_dict(self, state_dict) -> None:
        """Restore options and per-parameter state from ``state_dict``."""
        state_dict = dict(state_dict)
        for hook in list(self._load_state_dict_pre_hooks.values()):
            r = hook(self, state_dict)
            if r is not None:
                state_dict = r
        groups = self.param_groups
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(s["params"] for s in saved),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        step_fp32 = {i for s in saved if s.get("fused") or s.get("capturable") for i in s["params"]}
        new_state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                new_state[id_map[k]] = _cast_state(id_map[k], v, k in step_fp32)
            else:
                new_state[k] = v
        for g, s in zip(groups, saved):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
        self.__setstate__({"state": new_state, "param_groups": saved})
        for hook in list(self._load_state_dict_post_hooks.values()):
            hook(self)


def _cast_state(param, value, step_fp32, key=None):
    # state tensors take the parameter's floating dtype (step counts keep theirs, or
    # float32 for fused/capturable groups); containers are walked, as PyTorch does
    if isinstance(value, Tensor):
        if key == "step":
            return value.float() if step_fp32 else value
        if param.is_floating_point() and value.dtype != param.dtype:
            return value.to(param.dtype)
        return value
    if isinstance(value, dict):
        return {k: _cast_state(param, v, step_fp32, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v, step_fp32) for v in value)
    return value


Optimizer.step = _wrap_step(Optimizer.step)


_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def check_nonnegative(**values):
    """Raise PyTorch's ``ValueError("Invalid <name> value: <v>")`` for the first negative
    value (in the order given, as each optimizer checks them)."""
    for name, v in values.items():
        if isinstance(v, Tensor) and v.numel() != 1:
            raise ValueError(f"Tensor {name} must be 1-element")
        if not 0.0 <= v:
            raise ValueError(f"Invalid {_LABELS.get(name, name + ' value')}: {v}")


def check_fused(defaults):
    """PyTorch's construction errors for ``fused=True`` combined with ``differentiable`` or
    ``foreach``."""
    if defaults.get("fused"):
        if defaults.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if defaults.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def group_defaults(arguments):
    """An optimizer's ``defaults``: its constructor's arguments (``locals()`` at the top of
    ``__init__``) without ``self`` and ``params``."""
    return {k: v for k, v in arguments.items() if k not in ("self", "params", "__class__")}
