"""Linear regression from scratch: autograd plus a hand-written minibatch SGD update.

Synthetic data y = X w + b + noise; the parameters are plain tensors with
``requires_grad=True`` and are updated in place under ``torch.no_grad()``.
Prints the learned w and b next to the true ones.
"""

import argparse

import ember as torch

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional

    def tqdm(iterable, **kwargs):
        return iterable


def synthetic_data(w, b, n):
    """y = Xw + b + Gaussian noise (std 0.01)."""
    X = torch.normal(0.0, 1.0, (n, len(w)))
    y = X @ w + b
    y += torch.normal(0.0, 0.01, y.shape)
    return X, y.reshape(-1, 1)


def data_iter(batch_size, features, labels):
    """Yield shuffled minibatches."""
    idx = torch.randperm(len(features))
    for i in range(0, len(features), batch_size):
        j = idx[i : i + batch_size]
        yield features[j], labels[j]


def linreg(X, w, b):
    return X @ w + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent, in place."""
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()


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
    features, labels = synthetic_data(true_w, true_b, args.samples)

    w = torch.normal(0.0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for epoch in range(args.epochs):
        batches = data_iter(args.batch_size, features, labels)
        n_batches = -(-len(features) // args.batch_size)
        for X, y in tqdm(batches, total=n_batches, desc=f"epoch {epoch + 1}", leave=False):
            loss = squared_loss(linreg(X, w, b), y)
            loss.sum().backward()
            sgd([w, b], args.lr, args.batch_size)
        with torch.no_grad():
            train_l = squared_loss(linreg(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")

    w_err = (true_w - w.detach().reshape(true_w.shape)).abs().max().item()
    b_err = abs(true_b - b.item())
    print(f"learned w: {w.detach().reshape(-1).tolist()}  true w: {true_w.tolist()}")
    print(f"learned b: {b.item():.4f}  true b: {true_b}")
    print(f"max |w error|: {w_err:.5f}  |b error|: {b_err:.5f}")


if __name__ == "__main__":
    main()
