"""examples/reinforce.py trains a Categorical policy to the best return of its corridor."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "reinforce.py"
RESULT = r"after training: (-?\d+\.\d+) \(best possible (-?\d+\.\d+)\)"


def test_reinforce_reaches_the_best_return(capsys):
    """After 40 updates the greedy policy walks straight to the goal (return 0.6 for 10 cells)."""
    spec = importlib.util.spec_from_file_location("reinforce_example", SCRIPT)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    example.main(["--length", "10", "--updates", "40", "--seed", "0"])
    out = capsys.readouterr().out
    before = float(re.search(r"before training: (-?\d+\.\d+)", out).group(1))
    after, best = map(float, re.search(RESULT, out).groups())
    assert abs(best - 0.6) < 1e-9
    assert before < 0.0
    assert abs(after - best) < 1e-6, out
    last = float(re.findall(r"mean return (-?\d+\.\d+)", out)[-1])
    assert last > 0.5, out
