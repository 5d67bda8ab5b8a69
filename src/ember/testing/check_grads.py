"""``python -m ember check-grads``: float64 gradcheck and gradgradcheck of every registered op."""

from __future__ import annotations

import warnings

from ..backend import np


def sample_inputs(spec, shapes, seed=7):
    """float64 inputs for ``spec`` on ``shapes`` (in its domain), and its constant extras."""
    import ember

    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if callable(spec.domain):
            a = spec.domain(rng.standard_normal(shape))
        else:
            lo, hi = spec.domain
            a = rng.uniform(lo, hi, size=shape)
        arrays.append(np.asarray(a, dtype=np.float64))
    extra = spec.extra(rng, shapes) if spec.extra else ()
    flags = tuple(spec.grad) if spec.grad is not None else (True,) * len(arrays)
    ins = [ember.tensor(a, requires_grad=f) for a, f in zip(arrays, flags)]
    ex = [ember.tensor(np.array(e)) for e in extra]
    return ins, ex


def check_spec(spec, second_order=True):
    """Run gradcheck (and gradgradcheck) on every small sample of ``spec``; return failures."""
    import ember
    from ember.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

    failures = []
    for shapes in spec.samples:
        if any(int(np.prod(s)) > 64 for s in shapes):
            continue
        ins, ex = sample_inputs(spec, shapes)

        def fn(*xs, _ex=ex):
            return spec.fn(ember, *xs, *_ex)

        try:
            gradcheck(fn, ins)
            if second_order and spec.second_order:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    gradgradcheck(fn, ins)
        except GradcheckError as e:
            failures.append((spec.name, shapes, str(e)))
    return failures


def main(only=None, verbose=False, specs=None) -> int:
    """Check every registered op (or those in ``only``); print a summary; 0 if all pass."""
    import ember  # noqa: F401 - registers every op family
    from ember.ops.registry import specs as declared_specs

    chosen = specs if specs is not None else [s for s in declared_specs() if s.fd]
    if only:
        names = set(only.split(","))
        chosen = [s for s in chosen if s.name in names]
    failed = 0
    for spec in chosen:
        fails = check_spec(spec)
        if fails:
            failed += 1
            for name, shapes, msg in fails:
                print(f"FAIL {name} {shapes}\n{msg}")
        elif verbose:
            print(f"ok   {spec.name}")
    print(f"{len(chosen) - failed} passed, {failed} failed")
    return 1 if failed else 0
