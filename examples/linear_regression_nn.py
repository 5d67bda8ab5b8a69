"""Concise linear regression: nn.Linear, nn.MSELoss, optim.SGD and a DataLoader.

The same synthetic problem as linear_regression_scratch.py (y = X w + b + noise),
written with the high-level API. Prints the learned w and b next to the true ones.
"""

import argparse

import ember as torch
from ember import nn
from ember.utils.data import DataLoader, TensorDataset

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional

    def tqdm(iterable, **kwargs):
        return iterable


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    X = torch.normal(0.0, 1.0, (args.samples, 2))
    y = (X @ true_w + true_b + torch.normal(0.0, 0.01, (args.samples,))).reshape(-1, 1)
    loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True)

    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss_fn = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        for xb, yb in tqdm(loader, desc=f"epoch {epoch + 1}", leave=False):
            loss = loss_fn(net(xb), yb)
            trainer.zero_grad()
            loss.backward()
            trainer.step()
        with torch.no_grad():
            print(f"epoch {epoch + 1}, loss {loss_fn(net(X), y).item():f}")

    w, b = net[0].weight.detach(), net[0].bias.detach()
    w_err = (true_w - w.reshape(true_w.shape)).abs().max().item()
    b_err = abs(true_b - b.item())
    print(f"learned w: {w.reshape(-1).tolist()}  true w: {true_w.tolist()}")
    print(f"learned b: {b.item():.4f}  true b: {true_b}")
    print(f"max |w error|: {w_err:.5f}  |b error|: {b_err:.5f}")


if __name__ == "__main__":
    main()
