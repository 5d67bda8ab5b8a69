"""Softmax regression on scikit-learn's 8x8 handwritten digits (bundled, no download).

One nn.Linear layer trained with nn.CrossEntropyLoss and optim.SGD over a
shuffled DataLoader; prints the test accuracy.
"""

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import ember as torch
from ember import nn
from ember.utils.data import DataLoader, TensorDataset

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional

    def tqdm(iterable, **kwargs):
        return iterable


def load_data(seed=0):
    """Digits as float32 tensors scaled to [0, 1]; a stratified 75/25 split."""
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=seed, stratify=y
    )
    f = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return f(Xtr), torch.tensor(ytr), f(Xte), torch.tensor(yte)


def accuracy(net, X, y):
    with torch.no_grad():
        return (net(X).argmax(dim=1) == y).float().mean().item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    Xtr, ytr, Xte, yte = load_data(args.seed)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    loss_fn = nn.CrossEntropyLoss()
    trainer = torch.optim.SGD(net.parameters(), lr=args.lr)

    bar = tqdm(range(args.epochs), desc="training")
    for _ in bar:
        total, n = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(net(xb), yb)
            trainer.zero_grad()
            loss.backward()
            trainer.step()
            total, n = total + loss.item() * len(yb), n + len(yb)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{total / n:.4f}")

    print(f"final train loss: {total / n:.4f}")
    print(f"train accuracy: {accuracy(net, Xtr, ytr):.4f}")
    print(f"test accuracy: {accuracy(net, Xte, yte):.4f}")


if __name__ == "__main__":
    main()
