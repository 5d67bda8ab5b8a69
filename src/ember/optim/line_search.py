"""Strong Wolfe line search for L-BFGS (``line_search_fn="strong_wolfe"``).

Finds a step ``t`` along direction ``d`` with sufficient decrease
``f(t) <= f(0) + c1 * t * f'(0)`` and small curvature ``|f'(t)| <= c2 * |f'(0)|``: first it
grows ``t`` until an interval is known to hold such a point (bracketing), then it shrinks
that interval by safeguarded cubic interpolation (zoom). The choices follow minFunc, as
PyTorch's do, so both libraries take the same steps. Slopes are array scalars of the
parameters' dtype, so a float32 search rounds as PyTorch's (on float32 tensors) does.
"""

from __future__ import annotations

from ..backend import np


def cubic_minimizer(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through ``(x1, f1, g1)`` and ``(x2, f2, g2)`` (values and
    slopes), clamped to ``bounds`` (default: between the two points); the midpoint of the
    bounds when the cubic has no minimizer."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1**2 - g1 * g2
    if disc < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(disc)
    if x1 <= x2:
        t = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        t = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(t, lo), hi)


class _Point:
    """A trial step: ``t``, the loss ``f``, the flat gradient ``g`` and the slope ``gtd``."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Search along ``d`` from the current point (loss ``f``, gradient ``g``, slope
    ``gtd = g·d``) starting at step ``t``; ``evaluate(t)`` returns ``(loss, flat_grad)`` at
    ``x + t * d``. Returns ``(loss, flat_grad, t, evaluations)``."""
    d_norm = abs(d).max()
    start = _Point(0, f, g.copy(), gtd)
    evals = 0

    def probe(t):
        nonlocal evals
        f_new, g_new = evaluate(t)
        evals += 1
        return _Point(t, f_new, g_new, g_new.dot(d))

    # bracketing: grow the step until [prev, new] holds an acceptable point
    prev, new = start, probe(t)
    bracket, done, ls_iter = None, False, 0
    while ls_iter < max_ls:
        if new.f > f + c1 * new.t * gtd or (ls_iter > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket, done = [new], True
            break
        if new.gtd >= 0:
            bracket = [prev, new]
            break
        bounds = (new.t + 0.01 * (new.t - prev.t), new.t * 10)
        t = cubic_minimizer(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd, bounds)
        prev, new = new, probe(t)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = [start, new]

    # zoom: shrink the bracket until a point meets both conditions
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    insufficient = False
    while not done and ls_iter < max_ls:
        a, b = bracket
        if abs(b.t - a.t) * d_norm < tolerance_change:
            break
        t = cubic_minimizer(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        t_lo, t_hi = min(a.t, b.t), max(a.t, b.t)
        # keep away from the ends, so the bracket keeps shrinking
        margin = 0.1 * (t_hi - t_lo)
        if min(t_hi - t, t - t_lo) < margin:
            if insufficient or t >= t_hi or t <= t_lo:
                t = t_hi - margin if abs(t - t_hi) < abs(t - t_lo) else t_lo + margin
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        new = probe(t)
        ls_iter += 1
        if new.f > f + c1 * new.t * gtd or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(new.gtd) <= -c2 * gtd:
                done = True
            elif new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evals
