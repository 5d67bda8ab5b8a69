"""``python -m ember coverage [PATH ...]``: which torch names a script uses that Ember lacks.

Reads Python files (or every ``.py`` file under a folder), follows how each binds torch
(``import torch``, ``import torch.nn as nn``, ``from torch import nn``, ``from torch.optim
import Adam``, ...), collects every ``torch.X.Y`` name used, and resolves each in Ember by
importing ``ember`` and walking attributes. Prints each missing name with ``file:line``.
Method calls on tensors (``x.foo()``) are not checked: the type of ``x`` is unknown here.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import sys

_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages"}


def _bindings(tree) -> dict:
    """Local name -> dotted torch name, for every import of torch in the module."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "torch" or alias.name.startswith("torch."):
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:  # `import torch.nn` binds `torch`
                        names["torch"] = "torch"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "torch" or node.module.startswith("torch."):
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node):
    """``a.b.c`` of an attribute chain rooted at a plain name, as (root, [b, c]); else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return node.id, parts[::-1]
    return None


def uses(source: str, filename: str = "<string>") -> list:
    """Every torch name ``source`` uses, as (line, dotted name), in source order."""
    tree = ast.parse(source, filename)
    bound = _bindings(tree)
    found = []
    inner = set()  # nodes that are part of a longer attribute chain
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Attribute, ast.Name)):
            inner.add(id(node.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "torch" or node.module.startswith("torch."):
                found.extend(
                    (node.lineno, f"{node.module}.{a.name}") for a in node.names if a.name != "*"
                )
                if any(a.name == "*" for a in node.names):
                    found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("torch."))
        elif isinstance(node, ast.Attribute) and id(node) not in inner:
            chain = _dotted(node)
            if chain and chain[0] in bound:
                found.append((node.lineno, ".".join([bound[chain[0]], *chain[1]])))
        elif isinstance(node, ast.Name) and id(node) not in inner and node.id in bound:
            found.append((node.lineno, bound[node.id]))
    return sorted(set(found))


def resolves(name: str) -> bool:
    """Whether the torch name ``name`` (``torch.nn.functional.relu``) exists in Ember."""
    parts = name.split(".")
    if parts[0] != "torch":
        return False
    import ember

    obj, path = ember, "ember"
    for part in parts[1:]:
        path += "." + part
        try:
            obj = getattr(obj, part)
            continue
        except AttributeError:
            pass
        except Exception:
            return False
        if not isinstance(obj, type(sys)):
            return False
        try:  # a submodule the package does not import itself
            obj = importlib.import_module(path)
        except Exception:
            return False
    return True


def _python_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for f in sorted(files):
                    if f.endswith(".py"):
                        yield os.path.join(root, f)
        else:
            yield path


def scan(paths) -> tuple:
    """(missing, used, problems): missing = [(file, line, name)], used = set of names seen,
    problems = [(file, message)] for files that could not be read or parsed."""
    missing, used, problems = [], set(), []
    known = {}
    for path in _python_files(paths):
        try:
            with open(path, encoding="utf-8") as f:
                source = f.read()
            found = uses(source, path)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError) as err:
            problems.append((path, f"{type(err).__name__}: {err}"))
            continue
        for line, name in found:
            used.add(name)
            if name not in known:
                known[name] = resolves(name)
            if not known[name]:
                missing.append((path, line, name))
    return missing, used, problems


def main(argv=None) -> int:
    """Entry point of ``python -m ember coverage``; exit status 1 when a name is missing."""
    parser = argparse.ArgumentParser(
        prog="ember coverage",
        description="List the torch names Python files use that Ember does not have.",
    )
    parser.add_argument("paths", nargs="*", default=["."], help="files or folders (default: .)")
    parser.add_argument(
        "--names", action="store_true", help="list each missing name once, with its count"
    )
    args = parser.parse_args(argv)
    missing, used, problems = scan(args.paths)
    for path, message in problems:
        print(f"{path}: skipped ({message})", file=sys.stderr)
    if args.names:
        counts = {}
        for _, _, name in missing:
            counts[name] = counts.get(name, 0) + 1
        for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"{count:6d}  {name}")
    else:
        for path, line, name in missing:
            print(f"{path}:{line}: {name} is not in Ember")
    names_missing = len({name for _, _, name in missing})
    print(f"{len(used)} torch names used, {names_missing} missing in Ember")
    return 1 if missing else 0
