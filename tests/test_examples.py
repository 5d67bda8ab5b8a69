"""Run every script in examples/ at a reduced size and check what it prints.

Each example runs in its own subprocess (as a user would run it) with small
``--epochs``/``--steps`` options; the assertions check the printed result, not
only the exit code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
# One BLAS thread: tiny matrix products on a busy machine are far slower with a thread pool.
ENV = dict(
    os.environ,
    PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    OMP_NUM_THREADS="1",
    OPENBLAS_NUM_THREADS="1",
    MKL_NUM_THREADS="1",
)


def run_example(name, *args):
    """Run examples/<name> with ``args``; return its stdout (the exit code must be 0)."""
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def number(pattern, text):
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not found in:\n{text}"
    return float(m.group(1))


NUM = r"(-?\d+(?:\.\d+)?)"


def test_every_example_is_tested_and_documented():
    tested = {f.__name__.replace("test_", "") + ".py" for f in TESTS}
    scripts = {p.name for p in EXAMPLES.glob("*.py")}
    assert scripts == tested
    for p in EXAMPLES.glob("*.py"):
        src = p.read_text()
        assert src.startswith('"""'), p.name
        assert 'if __name__ == "__main__":' in src, p.name
        assert "import ember as torch" in src, p.name
        assert len(src.splitlines()) < 150, p.name


def test_linear_regression_scratch():
    out = run_example("linear_regression_scratch.py", "--epochs", "2")
    assert number(r"max \|w error\|: " + NUM, out) < 0.01
    assert number(r"\|b error\|: " + NUM, out) < 0.01


def test_linear_regression_nn():
    out = run_example("linear_regression_nn.py", "--epochs", "2")
    assert number(r"max \|w error\|: " + NUM, out) < 0.01
    assert number(r"\|b error\|: " + NUM, out) < 0.01


def test_softmax_regression():
    out = run_example("softmax_regression.py", "--epochs", "5")
    assert number(r"test accuracy: " + NUM, out) > 0.85


def test_mlp_weight_decay_dropout():
    out = run_example("mlp_weight_decay_dropout.py", "--epochs", "15")
    for name in ("plain", "regularised"):
        tr = number(name + r": train accuracy " + NUM, out)
        te = number(name + r": train accuracy [\d.]+  test accuracy " + NUM, out)
        assert tr > 0.8 and te > 0.6, out


def test_tabular_regression_kfold():
    out = run_example("tabular_regression_kfold.py", "--k", "3", "--epochs", "20")
    assert len(re.findall(r"fold \d: train log rmse", out)) == 3
    base = number(r"baseline \(predict the mean\) valid log rmse: " + NUM, out)
    valid = number(r"mean valid log rmse " + NUM, out)
    assert valid < 0.5 and valid < base - 0.05, out


def test_cnn_digits():
    out = run_example("cnn_digits.py", "--epochs", "3", "--channels", "16")
    assert number(r"test accuracy: " + NUM, out) > 0.85


def test_char_rnn():
    out = run_example(
        "char_rnn.py", "--steps", "40", "--hidden", "32", "--seq-len", "24", "--sample-len", "30"
    )
    initial = number(r"initial loss " + NUM, out)
    final = number(r"final loss " + NUM, out)
    assert final < initial - 0.8, out
    sample = out.split("sample:\n", 1)[1]
    assert sample.startswith("Beautiful is ") and len(sample.rstrip("\n")) >= 13 + 30


def test_gan_1d():
    out = run_example("gan_1d.py", "--steps", "300")
    start = number(r"before training: mean " + NUM, out)
    mean = number(r"generated: mean " + NUM, out)
    std = number(r"generated: mean [-\d.]+, std " + NUM, out)
    assert abs(mean - 4.0) < 0.75 and abs(start - 4.0) > 3, out
    assert 0.3 < std < 3.0, out


def test_reinforce():
    out = run_example("reinforce.py", "--length", "10", "--updates", "40", "--seed", "0")
    after = number(r"after training: " + NUM, out)
    best = number(r"best possible " + NUM, out)
    assert number(r"before training: " + NUM, out) < 0.0
    assert abs(after - best) < 1e-6 and abs(best - 0.6) < 1e-9, out


def test_unet_denoiser():
    out = run_example("unet_denoiser.py", "--epochs", "3", "--channels", "8", "--batch-size", "16")
    noisy = number(r"noisy test PSNR: " + NUM, out)
    denoised = number(r"denoised test PSNR: " + NUM, out)
    assert denoised > noisy + 1.5, out


def test_char_gpt():
    args = ("--steps", "60", "--dim", "32", "--context", "32", "--warmup", "5")
    out = run_example("char_gpt.py", *args, "--sample-len", "60")
    initial = number(r"initial loss " + NUM, out)
    final = number(r"final loss " + NUM, out)
    assert initial > 2.5 and final < 2.0 and final < initial - 1.0, out
    sample = out.split("sample:\n", 1)[1]
    assert sample.startswith("ninety-nine green") and len(sample) == 17 + 60 + 1, out


def test_padded_sequence_classifier():
    out = run_example("padded_sequence_classifier.py", "--epochs", "2", "--train-size", "1000")
    assert number(r"test accuracy: " + NUM, out) > 0.9, out


TESTS = [
    test_linear_regression_scratch,
    test_linear_regression_nn,
    test_softmax_regression,
    test_mlp_weight_decay_dropout,
    test_tabular_regression_kfold,
    test_cnn_digits,
    test_char_rnn,
    test_gan_1d,
    test_reinforce,
    test_unet_denoiser,
    test_char_gpt,
    test_padded_sequence_classifier,
]
