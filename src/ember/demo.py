"""``python -m ember demo``: train a small CNN on handwritten digits and show how it learned.

The data are the 8x8 digits that ship inside scikit-learn (no download).  Writes
into the output folder: the loss/accuracy curves (PNG), the computational graph of
one training step (SVG and PNG), and the trained weights (a checkpoint).
"""

from __future__ import annotations

import os
import shutil
import time

from .backend import np

_MISSING_NOTE = 'pip install -e ".[demo]"'


def load_digits_split(seed=0, test_fraction=0.2):
    """The scikit-learn digits as float32 images (N, 1, 8, 8) in [0, 1], split train/test."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise SystemExit(
            f"The demo's data set ships with scikit-learn, which is not installed: {_MISSING_NOTE}"
        ) from e
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


def build_model(nn):
    """Conv(1→16) → ReLU → MaxPool → Conv(16→32) → ReLU → MaxPool → Linear(128→10)."""
    return nn.Sequential(nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 2 * 2, 10))  # fmt: skip


def _progress(iterable, total, desc, quiet):
    if quiet:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False, ncols=80)


def evaluate(model, x, y, ember):
    """Accuracy of ``model`` on arrays ``x``, ``y`` (eval mode, no graph)."""
    model.eval()
    with ember.no_grad():
        logits = model(ember.from_numpy(x))
        pred = logits.argmax(dim=1).numpy()
    model.train()
    return float((pred == y).mean())


def run_demo(args) -> int:
    """Train, evaluate and write the pictures and checkpoint; returns the exit code."""
    import ember
    import ember.nn as nn
    import ember.nn.functional as F
    from ember.utils.data import DataLoader, TensorDataset

    from .viz import History, make_dot, to_mermaid

    start = time.perf_counter()
    if args.device != "cpu":
        print("Only the CPU backend is available in this build; running on cpu.")
    os.makedirs(args.out, exist_ok=True)
    ember.manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_digits_split(args.seed)
    train = TensorDataset(ember.from_numpy(x_train), ember.from_numpy(y_train))
    gen = ember.Generator().manual_seed(args.seed)
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, generator=gen)
    model = build_model(nn)
    opt = ember.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    schedule = ember.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    history = History()
    print(
        f"Training a CNN on {len(y_train)} handwritten 8x8 digits "
        f"({len(y_test)} held out) for {args.epochs} epochs."
    )
    graph_step = None
    for epoch in range(1, args.epochs + 1):
        total, count = 0.0, 0
        for xb, yb in _progress(loader, len(loader), f"epoch {epoch}/{args.epochs}", args.quiet):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            if graph_step is None:
                graph_step = loss  # keep one step's graph for the picture
            loss.backward(retain_graph=graph_step is loss)
            opt.step()
            total += loss.item() * len(yb)
            count += len(yb)
        schedule.step()
        acc = evaluate(model, x_test, y_test, ember)
        history.add(epoch=epoch, loss=total / count, test_accuracy=acc)
        if not args.quiet:
            print(f"epoch {epoch:2d}  loss {total / count:.4f}  test accuracy {acc:.4f}")
    acc = history["test_accuracy"][-1]
    print(f"test accuracy: {acc * 100:.2f}%")

    written = []
    ckpt = os.path.join(args.out, "model.ember")
    ember.save(model.state_dict(), ckpt)
    written.append(("trained weights", ckpt))
    try:
        written.append(
            ("loss and accuracy curves", history.plot(os.path.join(args.out, "history.png")))
        )
    except ImportError:
        print(f"(no matplotlib: skipped the training curves; {_MISSING_NOTE} adds them)")
    mmd = os.path.join(args.out, "graph.mmd")
    with open(mmd, "w") as f:
        f.write(to_mermaid(graph_step, dict(model.named_parameters())))
    written.append(("graph of one training step (Mermaid)", mmd))
    written.extend(_render_graph(graph_step, model, args.out, make_dot))
    for what, path in written:
        print(f"wrote {what}: {path}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


def _render_graph(loss, model, out, make_dot):
    try:
        dot = make_dot(loss, params=dict(model.named_parameters()), show_saved=True)
    except ImportError:
        print(f"(no graphviz package: skipped the graph picture; {_MISSING_NOTE} adds it)")
        return []
    if shutil.which("dot") is None:
        path = os.path.join(out, "graph.dot")
        with open(path, "w") as f:
            f.write(dot.source)
        print(
            "(the Graphviz 'dot' program is missing, so the graph was saved as text only; "
            "install it with: apt-get install graphviz  or  brew install graphviz)"
        )
        return [("graph of one training step (Graphviz source)", path)]
    paths = []
    for fmt in ("svg", "png"):
        path = os.path.join(out, f"graph.{fmt}")
        with open(path, "wb") as f:
            f.write(dot.pipe(format=fmt))
        paths.append((f"graph of one training step ({fmt.upper()})", path))
    return paths
