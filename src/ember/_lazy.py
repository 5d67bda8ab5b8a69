"""Submodules loaded on first use (PEP 562), for packages that keep ``import ember`` short."""

from __future__ import annotations


def on_first_use(package, names, namespace):
    """``__getattr__`` and ``__dir__`` for ``package`` whose submodules ``names`` are
    imported when first reached (``package.name``, ``from package import name``) and
    listed by ``dir()`` before that; ``namespace`` is the package's ``globals()``."""

    def __getattr__(name):
        if name in names:
            import importlib

            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module '{package}' has no attribute '{name}'")

    def __dir__():
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
