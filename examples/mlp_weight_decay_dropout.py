"""Regularising an MLP: Dropout and weight decay on a small slice of the digits data.

Trains the same two-hidden-layer MLP twice on only 100 of the 8x8 digits, once
plain and once with nn.Dropout plus SGD ``weight_decay``, and prints train and
test accuracy for both: both fit the tiny training set, and at the defaults the
regularised net generalises better (a smaller train/test gap).
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


def make_net(dropout):
    return nn.Sequential(
        nn.Linear(64, 256),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(256, 256),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(256, 10),
    )


def accuracy(net, X, y):
    net.eval()
    with torch.no_grad():
        return (net(X).argmax(1) == y).float().mean().item()


def train(net, loader, epochs, lr, weight_decay, desc):
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    for _ in tqdm(range(epochs), desc=desc):
        net.train()
        for xb, yb in loader:
            loss = loss_fn(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--train-size", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--weight-decay", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(
        X / 16.0, y, train_size=args.train_size, random_state=args.seed, stratify=y
    )
    Xtr, Xte = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xte, dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True)

    results = {}
    for name, p, wd in [("plain", 0.0, 0.0), ("regularised", args.dropout, args.weight_decay)]:
        torch.manual_seed(args.seed)
        net = make_net(p)
        train(net, loader, args.epochs, args.lr, wd, desc=name)
        results[name] = (accuracy(net, Xtr, ytr), accuracy(net, Xte, yte))
    for name, (tr, te) in results.items():
        print(f"{name:>12}: train accuracy {tr:.4f}  test accuracy {te:.4f}  gap {tr - te:.4f}")


if __name__ == "__main__":
    main()
