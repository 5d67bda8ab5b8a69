"""Anomaly mode: forward stack traces on nodes, NaN checks in backward, and Ember's forward check.

PyTorch's behaviour: with anomaly detection on, every recorded node keeps the stack of
the forward call that made it; when a node's backward fails or returns NaN, a warning
prints that stack and a ``RuntimeError`` names the node.  Forward values are not checked.

Ember's addition (opt-in, ``set_detect_anomaly(True, check_forward=True)``): each
recorded op's outputs are checked for NaN (and Inf unless ``check_inf=False``) as they
are produced, and the first op that makes one raises an error naming the op, the file
and line, and whether it *produced* the value (its inputs were finite) or only
*propagated* one it received.
"""

from __future__ import annotations

import sys
import warnings

from . import engine as _engine
from . import node as _node
from .callsite import user_frame
from .grad_mode import _DecoratorContextManager

__all__ = [
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "ForwardAnomalyError",
]


class _Settings:
    check_nan = True
    check_forward = False
    check_inf = True


_settings = _Settings()
# The node whose backward is running (to link nodes made by a double backward to it).
_current = [None]


class ForwardAnomalyError(RuntimeError):
    """Raised by the forward check: an op produced (or received) NaN or Inf values."""


def is_anomaly_enabled() -> bool:
    """True when anomaly detection is on."""
    return _node._anomaly_enabled[0]


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly detection checks backward outputs for NaN."""
    return _settings.check_nan


def _set(mode, check_nan, check_forward, check_inf):
    _node._anomaly_enabled[0] = bool(mode)
    _settings.check_nan = bool(check_nan)
    _settings.check_forward = bool(mode) and bool(check_forward)
    _settings.check_inf = bool(check_inf)


def _get():
    return (
        _node._anomaly_enabled[0],
        _settings.check_nan,
        _settings.check_forward,
        _settings.check_inf,
    )


class detect_anomaly(_DecoratorContextManager):
    """Context manager (and decorator) that turns anomaly detection on.

    Args:
        check_nan: raise when a backward returns NaN (PyTorch's default: True).
        check_forward: Ember only: also check every recorded op's forward outputs and
            name the first op and line that produced NaN/Inf.
        check_inf: with ``check_forward``, treat Inf as an anomaly too.
    """

    def __init__(self, check_nan=True, *, check_forward=False, check_inf=True):
        self.check_nan = check_nan
        self.check_forward = check_forward
        self.check_inf = check_inf
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def clone(self):
        new = type(self).__new__(type(self))
        new.check_nan, new.check_forward, new.check_inf = (
            self.check_nan,
            self.check_forward,
            self.check_inf,
        )
        return new

    def __enter__(self):
        self.prev = _get()
        _set(True, self.check_nan, self.check_forward, self.check_inf)

    def __exit__(self, *exc):
        _set(*self.prev)
        return False


class set_detect_anomaly(_DecoratorContextManager):
    """Turn anomaly detection on or off now; as a context manager, restore it on exit.

    Args:
        mode: on or off.
        check_nan: raise when a backward returns NaN (default True).
        check_forward: Ember only: check forward outputs for NaN/Inf and name the
            first op and line that produced them.
        check_inf: with ``check_forward``, treat Inf as an anomaly too.
    """

    def __init__(self, mode: bool, check_nan: bool = True, *, check_forward=False, check_inf=True):
        self.prev = _get()
        self.args = (mode, check_nan, check_forward, check_inf)
        _set(*self.args)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(*self.prev)
        return False

    def clone(self):
        return set_detect_anomaly(
            self.args[0], self.args[1], check_forward=self.args[2], check_inf=self.args[3]
        )


# ----- called by node.py / function.py when a node is recorded -------------------------------
def record_trace(node, outs=None, args=None):
    """Keep the forward stack on ``node._trace`` (lines are read only if it is printed)."""
    import traceback  # anomaly mode only: not loaded by ``import ember``

    f = user_frame()
    if f is None:
        f = sys._getframe(1)
    node._trace = traceback.StackSummary.extract(traceback.walk_stack(f), lookup_lines=False)
    parent = _current[0]
    if parent is not None:
        node.__dict__["_anomaly_parent"] = parent
    if _settings.check_forward:
        if outs is None:
            # node.py passes only the node: its caller's locals hold the op's arrays.
            caller = sys._getframe(1).f_locals
            outs = caller.get("outs")
            args = caller.get("args")
        if outs is not None:
            _check_forward(node, outs, args, f)


def _bad_mask(xp, a):
    if _settings.check_inf:
        return ~xp.isfinite(a)
    return xp.isnan(a)


def _array(x):
    return getattr(x, "_data", x)


def _is_float_array(a):
    return hasattr(a, "dtype") and hasattr(a, "shape") and a.dtype.kind in "fc"


def _check_forward(node, outs, args, frame):
    from ..backend import xp_of

    if not isinstance(outs, (tuple, list)):
        outs = (outs,)
    for k, o in enumerate(outs):
        a = _array(o)
        if not _is_float_array(a) or a.size == 0:
            continue
        xp = xp_of(a)
        bad = _bad_mask(xp, a)
        if not bool(bad.any()):
            continue
        kind = "nan" if bool(xp.isnan(a).any()) else "inf"
        where = f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame is not None else "?"
        tainted = []
        for i, x in enumerate(args or ()):
            xa = _array(x)
            if _is_float_array(xa) and xa.size and bool(_bad_mask(xp_of(xa), xa).any()):
                tainted.append(i)
        name = node.name()
        count = int(bad.sum())
        if not tainted:
            verdict = (
                f"its inputs were finite, so {name} produced them (it is the source, not a "
                "propagator)"
            )
        else:
            origin = []
            for i in tainted:
                x = args[i]
                fn = getattr(x, "grad_fn", None)
                origin.append(
                    f"input {i} ({'a leaf or untracked tensor' if fn is None else fn.name()})"
                )
            verdict = (
                f"it only propagated non-finite values it received in {', '.join(origin)}; "
                "they came from data or an op that was not recorded"
            )
        raise ForwardAnomalyError(
            f"Anomaly detected in the forward pass: {name} produced {count} {kind} value(s) in "
            f"its {k}th output at {where}; {verdict}."
        )


# ----- called by the engine for every node when anomaly mode is on ---------------------------
def _format_trace(node):
    import traceback

    trace = getattr(node, "_trace", None)
    name = node.name()
    if trace is None:
        return (
            f"Error detected in {name}. No forward pass information available. Enable detect "
            "anomaly during forward pass for more information."
        )
    frames = list(reversed(trace))
    summary = traceback.StackSummary.from_list(frames)
    msg = f"Error detected in {name}. Traceback of forward call that caused the error:\n" + "".join(
        summary.format()
    )
    parent = node.__dict__.get("_anomaly_parent") if hasattr(node, "__dict__") else None
    seen = 0
    while parent is not None and seen < 100:
        ptrace = getattr(parent, "_trace", None)
        if ptrace is None:
            break
        msg += (
            f"\n\nPrevious calculation was induced by {parent.name()}. Traceback of forward "
            "call that induced the previous calculation:\n"
            + "".join(traceback.StackSummary.from_list(list(reversed(ptrace))).format())
        )
        parent = parent.__dict__.get("_anomaly_parent")
        seen += 1
    return msg


def _warn(node):
    warnings.warn(_format_trace(node), UserWarning, stacklevel=2)


def run_checked(node, grads):
    """Run ``node.backward``; on an error or (with ``check_nan``) NaN, print the forward stack."""
    prev = _current[0]
    _current[0] = node
    try:
        outs = node.backward(*grads)
    except Exception:
        _warn(node)
        raise
    finally:
        _current[0] = prev
    if type(outs) is not tuple:
        outs = (outs,)
    if len(outs) != len(node._next):
        from .function import wrong_grad_count

        _warn(node)
        raise wrong_grad_count(node, len(outs))
    if _settings.check_nan:
        for i, g in enumerate(outs):
            a = getattr(g, "_data", None)
            if a is None or a.dtype.kind not in "fc":
                continue
            from ..backend import xp_of

            if bool(xp_of(a).isnan(a).any()):
                _warn(node)
                raise RuntimeError(
                    f"Function '{node.name()}' returned nan values in its {i}th output."
                )
    return outs


# Plug into the graph core: it calls these while anomaly mode is on.
_node.trace_recorder[0] = record_trace
_engine.checked_backward[0] = run_checked
