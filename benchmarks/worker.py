"""One measurement in a fresh process: ``python -m benchmarks.worker SPEC_JSON``.

SPEC_JSON names the workload, the case, the implementation and the mode
(``check``: write the loss and gradients to an ``.npz``; ``time``: print the metrics).
The result is printed as one JSON line prefixed with ``RESULT``.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback


def main(argv=None):
    spec = json.loads((argv or sys.argv[1:])[0])
    from .common import set_clock

    set_clock(spec.get("clock", "cpu"))
    from .workloads import WORKLOADS

    if "jobs" in spec:
        # One process runs several jobs of one implementation: the check phase, and
        # every timing of a --quick smoke run.
        out = {}
        for key, name, case, path in spec["jobs"]:
            out[key] = _run(WORKLOADS[name], dict(spec, workload=name, case=case, out=path))
    else:
        out = _run(WORKLOADS[spec["workload"]], spec)
    print("RESULT " + json.dumps(out), flush=True)
    return 0


def _run(module_name, spec):
    from .common import Unavailable

    mod = importlib.import_module(f"benchmarks.workloads.{module_name}")
    case = spec["case"]
    out = {"ok": True}
    try:
        if spec["mode"] == "time":
            out["metrics"] = mod.measure(spec["impl"], case, spec["quick"])
            note = getattr(mod, "note", None)
            if note is not None:
                out["note"] = note(spec["impl"])
        else:
            arrays = mod.check(spec["impl"], case, spec["quick"])
            out["checked"] = arrays is not None
            if arrays is not None:
                import numpy as np

                np.savez(spec["out"], **{k: np.asarray(v) for k, v in arrays.items()})
    except Unavailable as e:
        out = {"ok": False, "skip": str(e)}
    except Exception:
        out = {"ok": False, "error": traceback.format_exc(limit=8)}
    return out


if __name__ == "__main__":
    raise SystemExit(main())
