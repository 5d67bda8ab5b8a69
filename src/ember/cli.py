"""Command line: ``python -m ember demo | autograd-tour | info | check-grads | check-file``.

Argument wiring only; the work lives in the modules each command calls.
"""

from __future__ import annotations

import argparse
import sys


def _info(args) -> int:
    import platform

    import ember
    from ember.backend import np

    print(f"ember {ember.__version__}")
    print(f"python {platform.python_version()} ({platform.machine()})")
    print(f"numpy {np.__version__}")
    blas = _blas_name(np)
    print(f"blas: {blas}")
    print("backends: cpu" + (", cuda (CuPy)" if _has_cuda() else ""))
    print(f"mpi: {'mpi4py available' if _has_module('mpi4py') else 'not installed'}")
    print(f"default dtype: {ember.get_default_dtype()}")
    return 0


def _blas_name(numpy) -> str:
    try:
        cfg = numpy.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        return "unknown"


def _has_module(name) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _has_cuda() -> bool:
    if not _has_module("cupy"):
        return False
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def _tour(args) -> int:
    from .tour import run_tour

    run_tour()
    return 0


def _check_grads(args) -> int:
    from .testing.check_grads import main as check_main

    return check_main(only=args.only, verbose=args.verbose)


def _check_file(args) -> int:
    from .serialization.check import main as check_main

    return check_main(args.paths, as_json=args.json, show_all=args.all)


def _demo(args) -> int:
    from .demo import run_demo

    return run_demo(args)


def build_parser() -> argparse.ArgumentParser:
    """The ``ember`` command's argument parser."""
    p = argparse.ArgumentParser(prog="ember", description="Ember: autograd with PyTorch's API.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="train a small CNN on handwritten digits and show how")
    d.add_argument("--epochs", type=_positive_int, default=8)
    d.add_argument("--batch-size", type=_positive_int, default=32)
    d.add_argument("--lr", type=_positive_float, default=0.05)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    d.add_argument("--out", default="ember-demo", help="output folder (default ./ember-demo/)")
    d.add_argument("--quiet", action="store_true", help="no progress bars")
    d.set_defaults(func=_demo)

    t = sub.add_parser("autograd-tour", help="the classic autograd walk-through, step by step")
    t.set_defaults(func=_tour)

    i = sub.add_parser("info", help="versions, BLAS, available backends")
    i.set_defaults(func=_info)

    c = sub.add_parser("check-grads", help="finite-difference check of every registered op")
    c.add_argument("--only", default=None, help="comma-separated op names")
    c.add_argument("--verbose", action="store_true")
    c.set_defaults(func=_check_grads)

    f = sub.add_parser(
        "check-file",
        help="is a checkpoint (Ember or PyTorch .pt) safe to load, and what does it hold",
    )
    f.add_argument("paths", nargs="+", metavar="PATH")
    f.add_argument("--json", action="store_true", help="print the reports as JSON")
    f.add_argument("--all", action="store_true", help="list every entry, not the first 40")
    f.set_defaults(func=_check_file)

    sub.add_parser(
        "coverage",
        help="which torch names a script uses that Ember lacks (python -m ember coverage PATH)",
    )
    return p


def _positive_int(text):
    v = int(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return v


def _positive_float(text):
    v = float(text)
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return v


def main(argv=None) -> int:
    """Entry point of ``python -m ember`` and the ``ember`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["coverage"]:  # it parses its own arguments (and --help)
        from .coverage import main as coverage_main

        return coverage_main(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
