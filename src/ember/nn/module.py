"""``Module``: the base class of every layer, holding parameters, buffers and submodules.

Attributes assigned on a module are sorted into three registries by type:
``Parameter`` -> ``_parameters``, ``Module`` -> ``_modules``, tensors registered with
``register_buffer`` -> ``_buffers``.  Tree walks (``named_modules``, ``state_dict``,
``repr``) are iterative.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

from ..autograd import lint as _lint
from ..autograd.grad_mode import no_grad
from ..hooks import RemovableHandle
from ..tensor import Tensor
from .module_state import StateDictMixin
from .parameter import Buffer, Parameter

_lint_on = _lint._enabled


def zero_grads(parameters, set_to_none: bool = True) -> None:
    """Reset the ``.grad`` of each parameter: to ``None``, or to zeros in place (detached)."""
    for p in parameters:
        if p._grad is None:
            continue
        if set_to_none:
            p._grad = None
            continue
        g = p._grad
        if g.grad_fn is not None:
            g = p._grad = g.detach()
        g._data[...] = 0
        g._bump_version("zero_grad", site=False)


def _add_hook(hooks, hook, prepend=False, flags=()):
    """Register ``hook`` in ``hooks`` and return its handle; ``flags`` are ``(dict, on)``
    pairs that mark the hook by id where ``on``."""
    handle = RemovableHandle(hooks, [d for d, _ in flags] or None)
    hooks[handle.id] = hook
    for d, on in flags:
        if on:
            d[handle.id] = True
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _addindent(s, n):
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


class Module(StateDictMixin):
    """Base class for all neural network modules (PyTorch's ``torch.nn.Module``)."""

    training: bool
    _version = 1
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument but "
                f"{len(args) + 1} were given"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_forward_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = {}
        d["_forward_hooks_always_called"] = {}
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = {}
        d["_backward_hooks"] = OrderedDict()
        d["_backward_pre_hooks"] = OrderedDict()
        d["_state_dict_hooks"] = OrderedDict()
        d["_load_state_dict_pre_hooks"] = OrderedDict()
        d["_load_state_dict_post_hooks"] = OrderedDict()

    def forward(self, *args, **kwargs):
        """Define the computation; subclasses override this."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # ----- registration ---------------------------------------------------------------
    def register_parameter(self, name: str, param) -> None:
        """Add a parameter (or ``None``) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name(self, name, "parameter")
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        elif param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                "created explicitly. To express '{name}' as a function of another Tensor, compute"
                " the value in the forward() method."
            )
        else:
            self._parameters[name] = param

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Add a buffer (state that is not a parameter, e.g. BatchNorm's running mean)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name(self, name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module) -> None:
        """Add a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str):
        """The submodule at dotted path ``target``."""
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def _get_member(self, target, registry, kind):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        members = mod.__dict__[registry]
        if name not in members:
            raise AttributeError(f"{mod._get_name()} has no {kind} `{name}`")
        return members[name]

    def get_parameter(self, target: str):
        """The parameter at dotted path ``target``."""
        return self._get_member(target, "_parameters", "parameter")

    def get_buffer(self, target: str):
        """The buffer at dotted path ``target``."""
        return self._get_member(target, "_buffers", "buffer")

    # ----- attribute protocol --------------------------------------------------------
    def __getattr__(self, name):
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):
            r = d.get(reg)
            if r is not None and name in r:
                return r[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Parameter):
            _claim(self, name, "_parameters", "parameters")
            self.register_parameter(name, value)
            return
        params = d.get("_parameters")
        if params is not None and name in params:
            if value is not None:
                raise _wrong_type(value, "parameter", name, "torch.nn.Parameter")
            self.register_parameter(name, value)
            return
        if isinstance(value, Module):
            _claim(self, name, "_modules", "module")[name] = value
            return
        modules = d.get("_modules")
        if modules is not None and name in modules:
            if value is not None:
                raise _wrong_type(value, "child module", name, "torch.nn.Module")
            modules[name] = value
            return
        if isinstance(value, Buffer):
            _claim(self, name, "_buffers", "buffer")
            self.register_buffer(name, Tensor._make(value._data), value.persistent)
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise _wrong_type(value, "buffer", name, "torch.nn.Buffer, torch.Tensor")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for reg in ("_parameters", "_buffers", "_modules"):
            r = self.__dict__.get(reg)
            if r is not None and name in r:
                del r[name]
                if reg == "_buffers":
                    self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = set(dir(type(self))) | set(self.__dict__)
        keys |= set(self._parameters) | set(self._modules) | set(self._buffers)
        return sorted(k for k in keys if not k[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)

    # ----- iteration -----------------------------------------------------------------
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """Yield ``(name, module)`` for this module and all below it, in pre-order."""
        if memo is None:
            memo = set()
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            children = [
                (name + ("." if name else "") + k, m)
                for k, m in mod._modules.items()
                if m is not None
            ]
            stack.extend(reversed(children))

    def modules(self):
        """Yield every module in the tree (this one first)."""
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        """Yield ``(name, module)`` for the immediate children."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        """Yield the immediate child modules."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, getter, prefix="", recurse=True, remove_duplicate=True):
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        seen = set()
        for mod_prefix, mod in mods:
            for k, v in getter(mod):
                if v is None:
                    continue
                if remove_duplicate:
                    if id(v) in seen:
                        continue
                    seen.add(id(v))
                yield mod_prefix + ("." if mod_prefix else "") + k, v

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ):
        """Yield ``(dotted_name, parameter)`` pairs (shared parameters once)."""
        yield from self._named_members(
            lambda m: m._parameters.items(), prefix, recurse, remove_duplicate
        )

    def parameters(self, recurse: bool = True):
        """Yield the parameters (what an optimizer takes)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Yield ``(dotted_name, buffer)`` pairs."""
        yield from self._named_members(
            lambda m: m._buffers.items(), prefix, recurse, remove_duplicate
        )

    def buffers(self, recurse: bool = True):
        """Yield the buffers."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ----- modes and conversions -------------------------------------------------------
    def train(self, mode: bool = True):
        """Set training mode on this module and all below it; returns ``self``."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self):
        """Set evaluation mode (``train(False)``); returns ``self``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True):
        """Set ``requires_grad`` on every parameter; returns ``self``."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to ``None`` by default)."""
        zero_grads(self.parameters(), set_to_none)

    def apply(self, fn):
        """Call ``fn(m)`` on every submodule (children first) and on ``self``; returns ``self``."""
        # Post-order (children before parents), iteratively.
        stack = [(self, False)]
        while stack:
            mod, expanded = stack.pop()
            if expanded:
                fn(mod)
                continue
            stack.append((mod, True))
            stack.extend((c, False) for c in reversed(list(mod.children())))
        return self

    def _apply(self, fn, recurse=True):
        mods = self.modules() if recurse else [self]
        with no_grad():
            for m in mods:
                for p in m._parameters.values():
                    if p is None:
                        continue
                    new = fn(p)
                    if new is not p:
                        p._data = new._data
                        p._bump_version("a module's in-place parameter update", site=False)
                    if p._grad is not None:
                        g = fn(p._grad)
                        if g is not p._grad:
                            p._grad = Tensor._make(g._data)
                for k, b in m._buffers.items():
                    if b is not None:
                        m._buffers[k] = fn(b)
        return self

    def to(self, *args, **kwargs):
        """Cast floating-point parameters and buffers to a dtype (and/or move them)."""
        from ..ops.convert import _parse_to

        dtype, dev = _parse_to(args, dict(kwargs))
        if dtype is not None:
            from .. import dtypes as _dt

            d = _dt.as_dtype(dtype)
            if not d.is_floating_point and not getattr(d, "is_complex", False):
                raise TypeError(
                    "nn.Module.to only accepts floating point or complex dtypes, but got "
                    f"desired dtype={d}"
                )

        def convert(t):
            if dtype is not None and t.is_floating_point():
                return t.to(dtype, device=dev) if dev is not None else t.to(dtype)
            return t.to(dev) if dev is not None else t

        return self._apply(convert)

    def to_empty(self, *, device, recurse=True):
        """Move parameters and buffers to ``device`` without copying their values (they are
        left uninitialised), keeping the parameters' identity."""
        from ..creation import empty_like

        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def float(self):
        """Cast floating-point parameters and buffers to float32."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        """Cast floating-point parameters and buffers to float64."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        """Cast floating-point parameters and buffers to float16."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def type(self, dst_type):
        """Cast all parameters and buffers to ``dst_type``."""
        return self._apply(lambda t: t.to(dst_type))

    def cpu(self):
        """Move to the CPU (a no-op for NumPy data)."""
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None):
        """Move to the GPU (needs CuPy)."""
        return self._apply(lambda t: t.cuda(device))

    def share_memory(self):
        """No-op (kept for API compatibility); returns ``self``."""
        return self

    # ----- calling and hooks -------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        d = self.__dict__
        if not (
            d["_forward_pre_hooks"] or d["_forward_hooks"] or d["_backward_hooks"] or _lint_on[0]
        ):
            return self.forward(*args, **kwargs)
        if _lint_on[0]:  # the training-loop lint (ember.autograd.lint)
            return _lint.call_module(self, self._call_with_hooks, args, kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        for hid, hook in list(self._forward_pre_hooks.items()):
            if hid in self._forward_pre_hooks_with_kwargs:
                r = hook(self, args, kwargs)
                if r is not None:
                    if not (isinstance(r, tuple) and len(r) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {r}."
                        )
                    args, kwargs = r
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        bw = None
        if self._backward_hooks:
            from .hooks import BackwardHook

            bw = BackwardHook(self, list(self._backward_hooks.values()))
            args = bw.setup_input_hook(args)
        result = self.forward(*args, **kwargs)
        for hid, hook in list(self._forward_hooks.items()):
            if hid in self._forward_hooks_with_kwargs:
                r = hook(self, args, kwargs, result)
            else:
                r = hook(self, args, result)
            if r is not None:
                result = r
        if bw is not None:
            result = bw.setup_output_hook(result)
        return result

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before ``forward``; it may return new args."""
        flags = [(self._forward_pre_hooks_with_kwargs, with_kwargs)]
        return _add_hook(self._forward_pre_hooks, hook, prepend, flags)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after ``forward``; it may return a new output."""
        flags = [
            (self._forward_hooks_with_kwargs, with_kwargs),
            (self._forward_hooks_always_called, always_call),
        ]
        return _add_hook(self._forward_hooks, hook, prepend, flags)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the module's input grads are
        computed; it may return new input grads."""
        return _add_hook(self._backward_hooks, hook, prepend)

    register_backward_hook = register_full_backward_hook

    # ----- repr ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr`` (subclasses override)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def _repr_children(self, child_text):
        """The ``(name): repr`` lines of the children; ``child_text(m)`` gives one's text."""
        return [f"({key}): {child_text(child)}" for key, child in self._modules.items()]

    def __repr__(self):
        order = list(self.named_modules(remove_duplicate=False))
        text = {}

        def child_text(child):
            return "None" if child is None else _addindent(text[id(child)], 2)

        for _, mod in reversed(order):
            if id(mod) in text:
                continue
            if mod is not self and type(mod).__repr__ is not Module.__repr__:
                text[id(mod)] = repr(mod)  # a class with its own repr speaks for itself
                continue
            extra = mod.extra_repr()
            lines = extra.split("\n") if extra else []
            lines += mod._repr_children(child_text)
            s = mod._get_name() + "("
            if lines:
                if len(lines) == 1 and not mod._modules:
                    s += lines[0]
                else:
                    s += "\n  " + "\n  ".join(lines) + "\n"
            text[id(mod)] = s + ")"
        return text[id(self)]


def _before_init(what):
    """PyTorch's error for assigning a ``what`` before ``Module.__init__`` has run."""
    return AttributeError(f"cannot assign {what} before Module.__init__() call")


def _wrong_type(value, role, name, expected):
    """PyTorch's error for assigning ``value`` where a registered ``role`` wants ``expected``."""
    return TypeError(
        f"cannot assign '{_typename(value)}' as {role} '{name}' ({expected} or None expected)"
    )


def _typename(v):
    if isinstance(v, Tensor):
        return "torch." + type(v).__name__ if type(v) is Tensor else type(v).__name__
    return type(v).__name__


def _check_name(mod, name, what):
    if not isinstance(name, str):
        raise TypeError(f"{what} name should be a string. Got {_typename(name)}")
    if "." in name:
        raise KeyError(f'{what} name can\'t contain "."')
    if name == "":
        raise KeyError(f'{what} name can\'t be empty string ""')
    reg = {"parameter": "_parameters", "buffer": "_buffers"}[what]
    if name in mod.__dict__ or (hasattr(type(mod), name) and name not in getattr(mod, reg)):
        if name not in getattr(mod, reg):
            raise KeyError(f"attribute '{name}' already exists")


def _claim(mod, name, keep, what):
    """Registry ``keep`` of ``mod``, with ``name`` dropped from its attributes and other ones."""
    d = mod.__dict__
    registry = d.get(keep)
    if registry is None:
        raise _before_init(what)
    if name in d:
        del d[name]
    for reg in ("_parameters", "_buffers", "_modules"):
        if reg != keep:
            r = d.get(reg)
            if r is not None and name in r:
                del r[name]
                if reg == "_buffers":
                    mod._non_persistent_buffers_set.discard(name)
    return registry


_ = warnings
