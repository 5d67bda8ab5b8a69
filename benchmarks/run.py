"""The benchmark harness: Ember vs PyTorch vs hand-written NumPy, one fresh process each.

Usage: ``python -m benchmarks [--only W1,W2] [--rounds N] [--quick] [--json out.json]``
(or ``python benchmarks/run.py ...``).

1. Check: one process per implementation computes every selected workload's loss and
   gradients (and, for the training workloads, the parameters after a few steps) from the
   same seeded NumPy weights and data; Ember and PyTorch must match the NumPy reference,
   and Ember must match PyTorch (allclose, with the workload's ``CHECK_TOL`` where it sets
   one), or the run fails before anything is timed.
2. Time: for each round, each workload case runs once per implementation, each in a fresh
   process with one BLAS/OpenMP thread, the implementations in an order rotated every round.
   Warm-up steps are discarded inside the process; each process reports its median.
3. Report, per implementation, the median over processes and their spread (min-max), and
   the ratios Ember/PyTorch and Ember/NumPy of those medians.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

from benchmarks.common import IMPLS, single_thread_env  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = {"ember": "Ember", "torch": "PyTorch", "numpy": "NumPy"}
TOL = {"rtol": 2e-4, "atol": 2e-5}


def _env():
    env = single_thread_env()
    paths = [os.path.join(ROOT, "src"), ROOT]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _spawn(spec, timeout):
    """Run one worker process; its parsed RESULT line (or an error record)."""
    cmd = [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)]
    try:
        p = subprocess.run(
            cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"ok": False, "error": f"worker exited {p.returncode}: {p.stderr[-2000:]}"}


def _module(name):
    return importlib.import_module(f"benchmarks.workloads.{WORKLOADS[name]}")


def _check_cases(name, quick):
    mod = _module(name)
    if hasattr(mod, "check_cases"):
        return mod.check_cases(quick)
    return mod.cases(quick)[:1]


def _tol(name, key):
    """The check tolerance for one result: the workload's ``CHECK_TOL`` entry whose key is
    the longest prefix of ``key``, else the harness default."""
    table = getattr(_module(name), "CHECK_TOL", {})
    best = max((p for p in table if key.startswith(p)), key=len, default=None)
    return TOL if best is None else table[best]


def _compare(name, case_id, impl, got, ref, ref_impl, failures):
    import numpy as np

    against = "" if ref_impl == "numpy" else f" vs {NAMES[ref_impl]}"
    for key, want in ref.items():
        have = got.get(key)
        if have is None or have.shape != want.shape:
            failures.append(f"{case_id} [{NAMES[impl]}{against}] {key}: shape mismatch")
        elif not np.allclose(have, want, **_tol(name, key)):
            err = float(np.max(np.abs(have.astype(np.float64) - want)))
            failures.append(f"{case_id} [{NAMES[impl]}{against}] {key}: max abs error {err:.3g}")


def _check(names, impls, quick, tmp, log):
    """Every implementation's loss and gradients against the NumPy reference, and Ember's
    against PyTorch's.

    Returns (failures, skips) where skips maps (case id, impl) to a note.
    """
    import numpy as np

    failures, skips, results = [], {}, {}
    for impl in impls:
        jobs = [
            (case["id"], name, case, os.path.join(tmp, f"{case['id']}-{impl}.npz"))
            for name in names
            for case in _check_cases(name, quick)
        ]
        spec = {"impl": impl, "mode": "check", "quick": quick, "jobs": jobs}
        res = _spawn(spec, timeout=1800)
        if "ok" in res and not res["ok"]:  # the process itself failed
            failures.append(f"[{NAMES[impl]}] check process failed:\n{res.get('error')}")
            continue
        for key, _, _, out in jobs:
            r = res[key]
            if r.get("skip"):
                skips[(key, impl)] = r["skip"]
            elif not r["ok"]:
                failures.append(f"{key} [{NAMES[impl]}] raised:\n{r['error']}")
            elif r.get("checked"):
                with np.load(out) as z:
                    results[(key, impl)] = {k: z[k] for k in z.files}
        log(f"  checked {NAMES[impl]}")
    for name in names:
        for case in _check_cases(name, quick):
            cid = case["id"]
            ref = results.get((cid, "numpy"))
            for impl in impls:
                got = results.get((cid, impl))
                if impl != "numpy" and got is not None and ref is not None:
                    _compare(name, cid, impl, got, ref, "numpy", failures)
            ember, torch = results.get((cid, "ember")), results.get((cid, "torch"))
            if ember is not None and torch is not None:
                _compare(name, cid, "ember", ember, torch, "torch", failures)
    return failures, skips


def _stats(values):
    v = sorted(values)
    n = len(v)
    med = v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])
    return med, v[0], v[-1]


def _fmt(x):
    if x is None:
        return "—"
    a = abs(x)
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def _cell(stats):
    if stats is None:
        return "—"
    med, lo, hi = stats
    return _fmt(med) if lo == hi else f"{_fmt(med)} ({_fmt(lo)}–{_fmt(hi)})"


def _ratio(a, b):
    return None if a is None or b is None or b == 0 else a[0] / b[0]


def build_table(names, quick, values, skips, notes):
    """The markdown table (a list of lines) and the rows as dicts."""
    head = (
        "| workload | metric | unit | Ember | PyTorch | NumPy | Ember/PyTorch | Ember/NumPy "
        "| target | met |"
    )
    lines = [head, "|" + "---|" * 10]
    rows = []
    for name in names:
        mod = _module(name)
        medians = {}
        for case in mod.cases(quick):
            for metric, unit in mod.METRICS.items():
                st = {}
                for impl in IMPLS:
                    vals = values.get((case["id"], metric, impl))
                    st[impl] = _stats(vals) if vals else None
                    if st[impl]:
                        medians[(case["id"], metric, impl)] = st[impl][0]
                r_t, r_n = _ratio(st["ember"], st["torch"]), _ratio(st["ember"], st["numpy"])
                target = mod.TARGETS.get(metric)
                tgt, met = "", ""
                if target:
                    against, limit = target
                    ratio = r_t if against == "torch" else r_n
                    tgt = f"≤ {limit}× {NAMES[against]}"
                    met = "" if ratio is None else ("yes" if ratio <= limit else "NO")
                cells = []
                for impl in IMPLS:
                    cell = _cell(st[impl])
                    if st[impl] is None and ((case["id"], impl) in skips or (name, impl) in skips):
                        cell = "skipped"
                    cells.append(cell)
                label = (
                    metric if case["id"] == name else f"{case['id'][len(name) :].strip()} {metric}"
                )
                lines.append(
                    f"| {name} | {label} | {unit} | {' | '.join(cells)} | {_fmt(r_t)} | "
                    f"{_fmt(r_n)} | {tgt} | {met} |"
                )
                rows.append(
                    {
                        "workload": name,
                        "case": case["id"],
                        "metric": metric,
                        "unit": unit,
                        "stats": {k: v for k, v in st.items() if v},
                        "ember_over_torch": r_t,
                        "ember_over_numpy": r_n,
                        "target": tgt,
                        "met": met,
                    }
                )
        derived = getattr(mod, "derived", None)
        if derived is not None:
            for wname, label, unit, vals, (_kind, limit) in derived(medians, quick):
                e = vals.get("ember")
                met = "" if e is None else ("yes" if e <= limit else "NO")
                cells = [_fmt(vals.get(i)) for i in IMPLS]
                lines.append(
                    f"| {wname} | {label} | {unit} | {' | '.join(cells)} | | | "
                    f"≤ {limit} (Ember) | {met} |"
                )
                rows.append({"workload": wname, "metric": label, "values": vals, "met": met})
    if skips or any(notes.values()):
        lines.append("")
    for (name, impl), note in sorted(skips.items()):
        lines.append(f"- {name} {NAMES[impl]}: skipped ({note})")
    for (name, impl), note in sorted(notes.items()):
        if note:
            lines.append(f"- {name} {NAMES[impl]} ran with: {note}")
    return lines, rows


def main(argv=None):
    """Parse options, check every implementation, time them, print the table."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated workloads, e.g. W1,W2 (default: all)")
    ap.add_argument("--rounds", type=int, default=3, help="processes per implementation")
    ap.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, 1 round")
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="time with process CPU time (default; robust on a shared machine) or wall time",
    )
    args = ap.parse_args(argv)

    names = list(WORKLOADS)
    if args.only:
        want = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in want if w not in WORKLOADS]
        if unknown:
            ap.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(names)}")
        names = [w for w in names if w in want]
    rounds = 1 if args.quick else max(1, args.rounds)
    impls = list(IMPLS)
    skips = {}
    if importlib.util.find_spec("torch") is None:
        impls.remove("torch")
        skips.update({(n, "torch"): "torch is not installed" for n in names})

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t_start = time.perf_counter()
    load_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory() as tmp:
        log("checking that every implementation computes the same loss and gradients...")
        failures, check_skips = _check(names, impls, args.quick, tmp, log)
    skips.update(check_skips)
    if failures:
        print("CHECK FAILED: the implementations disagree; nothing was timed.")
        for f in failures:
            print(" - " + f)
        return 1

    values, notes, errors = {}, {}, []

    def record(name, case, impl, res, r):
        if res.get("skip"):
            skips[(case["id"], impl)] = res["skip"]
            return
        if not res.get("ok"):
            errors.append(f"{case['id']} [{NAMES[impl]}]: {res.get('error')}")
            return
        notes[(name, impl)] = res.get("note", "")
        for metric, v in res["metrics"].items():
            values.setdefault((case["id"], metric, impl), []).append(v)
        log(f"  round {r + 1}/{rounds} {case['id']} {NAMES[impl]}: {res['metrics']}")

    for r in range(rounds):
        order = impls[r % len(impls) :] + impls[: r % len(impls)]
        if args.quick:
            # Smoke run: one process per implementation for everything but the import
            # time (which needs a process of its own); its numbers are not measurements.
            for impl in order:
                jobs = [
                    (f"{name}|{case['id']}", name, case, None)
                    for name in names
                    if name != "W7" and (name, impl) not in skips
                    for case in _module(name).cases(True)
                    if (case["id"], impl) not in skips
                ]
                spec = {"impl": impl, "mode": "time", "quick": True, "clock": args.clock}
                res = _spawn(dict(spec, jobs=jobs), timeout=600) if jobs else {}
                for key, name, case, _ in jobs:
                    record(name, case, impl, res.get(key, res), r)
            if "W7" not in names:
                continue
        for name in names:
            if args.quick and name != "W7":
                continue
            mod = _module(name)
            for case in mod.cases(args.quick):
                for impl in order:
                    if (name, impl) in skips or (case["id"], impl) in skips:
                        continue
                    spec = {"workload": name, "case": case, "impl": impl, "mode": "time"}
                    spec.update(quick=args.quick, clock=args.clock)
                    record(name, case, impl, _spawn(spec, timeout=1800), r)

    lines, rows = build_table(names, args.quick, values, skips, notes)
    print("\n".join(lines))
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(
        f"\n{rounds} round(s), one fresh single-threaded process per implementation per round; "
        f"clock: {'process CPU time' if args.clock == 'cpu' else 'wall time'}; "
        f"wall time {time.perf_counter() - t_start:.0f} s"
        + (
            f"; 1-min load average {load_start:.1f} at start, {load_end:.1f} at end"
            if load_start is not None
            else ""
        )
    )
    for e in errors:
        print("ERROR " + e)
    if args.json:
        raw = {f"{k[0]}|{k[1]}|{k[2]}": v for k, v in values.items()}
        with open(args.json, "w") as f:
            json.dump(
                {"rounds": rounds, "quick": args.quick, "rows": rows, "raw": raw}, f, indent=1
            )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
