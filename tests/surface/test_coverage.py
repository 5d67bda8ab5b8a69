"""``python -m ember coverage``: torch names a script uses that Ember lacks, with file:line."""

import textwrap

from ember import coverage

SCRIPT = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch import optim
    from torch.optim import SGD, NotAnOptimizer
    import torch.fx
    from torch.utils.data import DataLoader

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return F.relu(self.fc(x)).mystery_method()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cudnn.benchmark = True
    net = Net()
    opt = optim.Adam(net.parameters())
    out = torch.zeros(3).sum()
    g = torch.fx.symbolic_trace(net)
    torch.not_a_function(out)
    """
)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_uses_follows_every_import_form():
    found = {name for _, name in coverage.uses(SCRIPT)}
    for name in [
        "torch.nn.Module",
        "torch.nn.Linear",
        "torch.nn.functional.relu",
        "torch.optim.Adam",
        "torch.optim.SGD",
        "torch.optim.NotAnOptimizer",
        "torch.utils.data.DataLoader",
        "torch.cuda.is_available",
        "torch.backends.cudnn.benchmark",
        "torch.zeros",
        "torch.fx.symbolic_trace",
        "torch.not_a_function",
    ]:
        assert name in found, name
    # A method on a computed value is not a torch name.
    assert not any("mystery_method" in n or n.endswith(".sum") for n in found)


def test_resolves():
    assert coverage.resolves("torch.nn.functional.relu")
    assert coverage.resolves("torch.cuda.amp.grad_scaler.GradScaler")
    assert coverage.resolves("torch.nn.Module.state_dict")
    assert coverage.resolves("torch.utils.data.DataLoader")
    assert not coverage.resolves("torch.fx.symbolic_trace")
    assert not coverage.resolves("torch.optim.NotAnOptimizer")
    assert not coverage.resolves("numpy.zeros")


def test_main_lists_missing_names_with_file_and_line(tmp_path, capsys):
    path = _write(tmp_path, "pkg/train.py", SCRIPT)
    status = coverage.main([str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert f"{path}:5: torch.optim.NotAnOptimizer is not in Ember" in out
    assert f"{path}:6: torch.fx is not in Ember" in out
    assert f"{path}:22: torch.fx.symbolic_trace is not in Ember" in out
    assert f"{path}:23: torch.not_a_function is not in Ember" in out
    assert not any("torch.cuda.is_available" in line for line in out)
    assert out[-1].endswith("4 missing in Ember")


def test_main_clean_script(tmp_path, capsys):
    path = _write(tmp_path, "ok.py", "import torch\nx = torch.ones(2)\nprint(torch.inf)\n")
    assert coverage.main([path]) == 0
    assert capsys.readouterr().out.strip() == "2 torch names used, 0 missing in Ember"


def test_main_names_summary_and_unparsable_file(tmp_path, capsys):
    _write(tmp_path, "a.py", "import torch\ntorch.nope()\ntorch.nope()\n")
    _write(tmp_path, "b.py", "import torch\ntorch.nope(\n")
    _write(tmp_path, ".hidden/c.py", "import torch\ntorch.hidden_nope()\n")
    assert coverage.main([str(tmp_path), "--names"]) == 1
    captured = capsys.readouterr()
    assert "     2  torch.nope" in captured.out.splitlines()
    assert "hidden_nope" not in captured.out
    assert "b.py: skipped (SyntaxError" in captured.err


def test_aliases_and_star_imports(tmp_path, capsys):
    src = "import torch as th\nfrom torch.nn import *\nth.cuda.nope()\nfrom torch import fft\n"
    path = _write(tmp_path, "c.py", src)
    coverage.main([path])
    out = capsys.readouterr().out
    assert f"{path}:3: torch.cuda.nope is not in Ember" in out
    assert "torch.nn is not" not in out
