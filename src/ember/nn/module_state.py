"""The state-dict half of ``Module``: saving, loading (all checks before any copy) and
the hooks around both."""

from __future__ import annotations

from collections import OrderedDict, namedtuple

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .parameter import is_lazy


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )

    __str__ = __repr__


def _hook(hooks, hook):
    from .module import _add_hook  # the one registration helper, next to RemovableHandle

    return _add_hook(hooks, hook)


class StateDictMixin:
    """``state_dict`` / ``load_state_dict`` and their hooks (mixed into ``Module``)."""

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars or is_lazy(p) else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars or is_lazy(b) else b.detach()

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ordered dict of every parameter and persistent buffer, by dotted name."""
        if args:
            destination = args[0] if len(args) > 0 else destination
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        for name, mod in self.named_modules(prefix=prefix, remove_duplicate=False):
            p = name + "." if name else ""
            if hasattr(destination, "_metadata"):
                destination._metadata[name] = {"version": mod._version}
            for hook in mod.__dict__.get("_state_dict_pre_hooks", {}).values():
                hook(mod, p, keep_vars)
            mod._save_to_state_dict(destination, p, keep_vars)
            for hook in mod._state_dict_hooks.values():
                r = hook(mod, destination, p, {"version": mod._version})
                if r is not None:
                    destination = r
        return destination

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ):
        """Check (and, when ``state_dict`` is not None in pass 2, copy) this module's entries."""
        local = {k: v for k, v in self._parameters.items() if v is not None}
        local.update(
            (k, v)
            for k, v in self._buffers.items()
            if v is not None and k not in self._non_persistent_buffers_set
        )
        plan = []
        for name, param in local.items():
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            src = state_dict[key]
            if not isinstance(src, Tensor):
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(src)}"
                )
                continue
            if src._data.shape != param._data.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {src.shape} from "
                    f"checkpoint, the shape in current model is {param.shape}."
                )
                continue
            plan.append((param, src))
        return plan

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy parameters and buffers from ``state_dict``.

        With ``strict`` (default) missing or unexpected keys raise, and nothing is
        changed when anything is wrong: every check runs before any copy.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        plans = []
        metadata = getattr(state_dict, "_metadata", None) or {}
        mods = list(self.named_modules(remove_duplicate=False))
        for name, mod in mods:
            prefix = name + "." if name else ""
            for hook in mod._load_state_dict_pre_hooks.values():
                hook(
                    state_dict, prefix, metadata.get(name, {}), strict, missing, unexpected, errors
                )
            plans.append(
                mod._load_from_state_dict(
                    state_dict, prefix, metadata.get(name, {}), True, missing, unexpected, errors
                )
            )
        # Unexpected keys: anything no module in the tree claims.
        expected = set()
        for name, mod in mods:
            prefix = name + "." if name else ""
            expected.update(prefix + k for k, v in mod._parameters.items() if v is not None)
            expected.update(
                prefix + k
                for k, v in mod._buffers.items()
                if v is not None and k not in mod._non_persistent_buffers_set
            )
            expected.update(getattr(mod, "_extra_state_keys", lambda p: ())(prefix))
        unexpected = [k for k in state_dict if k not in expected]
        if strict:
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in unexpected)
                    ),
                )
            if missing:
                errors.insert(
                    0,
                    "Missing key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in missing)
                    ),
                )
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    type(self).__name__, "\n\t".join(errors)
                )
            )
        with no_grad():
            for plan in plans:
                for param, src in plan or ():
                    if assign:
                        param._data = src._data
                    else:
                        param._data[...] = src._data
                    param._bump_version("load_state_dict", site=False)
        result = _IncompatibleKeys(missing, unexpected)
        for _, mod in mods:
            for hook in mod._load_state_dict_post_hooks.values():
                hook(mod, result)
        return result

    def register_state_dict_pre_hook(self, hook):
        """Call ``hook(module, prefix, keep_vars)`` before this module's entries are saved."""
        return _hook(self.__dict__.setdefault("_state_dict_pre_hooks", OrderedDict()), hook)

    def register_state_dict_post_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after saving this module."""
        return _hook(self._state_dict_hooks, hook)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """Call ``hook(state_dict, prefix, local_metadata, strict, missing, unexpected,
        errors)`` (``module`` first with ``with_module``) before this module's entries load."""
        if with_module:
            bound = hook

            def hook(*args):
                return bound(self, *args)

        return _hook(self._load_state_dict_pre_hooks, hook)

    def register_load_state_dict_pre_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before this module's entries are loaded."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        """Call ``hook(module, incompatible_keys)`` after ``load_state_dict``."""
        return _hook(self._load_state_dict_post_hooks, hook)
