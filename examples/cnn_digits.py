"""A small convolutional network on scikit-learn's 8x8 digits (bundled, no download).

Conv2d -> ReLU -> MaxPool2d twice, then a two-layer classifier, trained with
Adam and nn.CrossEntropyLoss over a shuffled DataLoader. Prints the test
accuracy (about 98% at the defaults).
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


class DigitsCNN(nn.Module):
    def __init__(self, channels=16):
        super().__init__()
        c = channels
        self.features = nn.Sequential(
            nn.Conv2d(1, c, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
            nn.Conv2d(c, 2 * c, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 4x4 -> 2x2
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(2 * c * 4, 64), nn.ReLU(), nn.Linear(64, 10)
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def evaluate(net, X, y):
    net.eval()
    with torch.no_grad():
        return (net(X).argmax(1) == y).float().mean().item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Xtr, Xte = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xte, dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True)

    net = DigitsCNN(args.channels)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    bar = tqdm(range(args.epochs), desc="training")
    for _ in bar:
        net.train()
        total, n = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, n = total + loss.item() * len(yb), n + len(yb)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{total / n:.4f}")

    print(f"final train loss: {total / n:.4f}")
    print(f"train accuracy: {evaluate(net, Xtr, ytr):.4f}")
    print(f"test accuracy: {evaluate(net, Xte, yte):.4f}")


if __name__ == "__main__":
    main()
