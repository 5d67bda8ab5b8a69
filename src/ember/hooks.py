"""``RemovableHandle``: what every hook registration returns (tensors, nodes, modules,
optimizers), as ``torch.utils.hooks.RemovableHandle``."""

from __future__ import annotations

import itertools

_ids = itertools.count()


class RemovableHandle:
    """A handle whose ``remove()`` unregisters a hook; also a context manager.

    ``hooks`` is the container the hook was added to: a dict keyed by ``handle.id``
    (modules, optimizers) or a list, with ``hook=`` the hook to remove by identity
    (tensors, nodes).  ``extra`` are more dicts that may hold an entry under the same
    id (e.g. a module's with-kwargs flags).
    """

    __slots__ = ("hooks", "id", "_hook", "extra")

    def __init__(self, hooks, extra=None, *, hook=None):
        self.hooks = hooks
        self.id = next(_ids)
        self._hook = hook
        self.extra = tuple(extra) if extra is not None else ()

    def remove(self) -> None:
        """Unregister the hook (a no-op if it is already gone)."""
        hooks = self.hooks
        if isinstance(hooks, dict):
            hooks.pop(self.id, None)
        else:
            try:
                hooks.remove(self._hook)
            except ValueError:
                pass
        for d in self.extra:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
