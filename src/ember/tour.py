"""The classic autograd walk-through (SPEC's seed examples), printed step by step."""

from __future__ import annotations

STEPS = [
    ("Make a vector and ask for gradients", "x = torch.arange(4.0)\nx.requires_grad_(True)\nx"),
    ("No gradient yet", "x.grad"),
    ("A scalar function of x", "y = 2 * torch.dot(x, x)\ny"),
    ("Backpropagate", "y.backward()\nx.grad"),
    ("The gradient of 2x.x is 4x", "x.grad == 4 * x"),
    ("Gradients accumulate: zero them first", "x.grad.zero_()\ny = x.sum()\ny.backward()\nx.grad"),
    (
        "A non-scalar output needs a gradient argument, or a sum",
        "x.grad.zero_()\ny = x * x\ny.sum().backward()\nx.grad",
    ),
    (
        "detach() cuts the graph: u is a constant",
        "x.grad.zero_()\ny = x * x\nu = y.detach()\nz = u * x\nz.sum().backward()\nx.grad == u",
    ),
    (
        "Gradients through Python control flow",
        "def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n"
        "    return b if b.sum() > 0 else 100 * b\n"
        "a = torch.randn(size=(), requires_grad=True)\nd = f(a)\nd.backward()\na.grad == d / a",
    ),
    (
        "A scalar polynomial",
        "x = torch.tensor(2.0, requires_grad=True)\ny = 2 * x**2 + 3 * x + 1\ny.backward()\nx.grad",
    ),
    (
        "Higher-order derivatives with create_graph",
        "x = torch.tensor(3.0, requires_grad=True)\n"
        "(g,) = torch.autograd.grad(x**3, x, create_graph=True)\ng",
    ),
]


def run_tour(out=print) -> None:
    """Print each step's code and the value of its last line, as a tutorial would."""
    import ember

    env = {"torch": ember}
    for title, code in STEPS:
        out(f"# {title}")
        lines = code.split("\n")
        last = lines[-1]
        body = "\n".join(lines[:-1])
        for line in lines:
            out(f">>> {line}" if not line.startswith(" ") else f"... {line}")
        if body:
            exec(compile(body, "<tour>", "exec"), env)  # noqa: S102 - our own fixed text
        if last.startswith(" ") or "=" in last.split("(")[0] and "==" not in last:
            exec(compile(last, "<tour>", "exec"), env)  # noqa: S102
        else:
            value = eval(compile(last, "<tour>", "eval"), env)  # noqa: S307
            if value is not None:
                out(repr(value))
        out("")
