"""K-fold cross-validation and log-RMSE on a real tabular regression set (house-price recipe).

Uses scikit-learn's bundled diabetes data (442 patients, 10 features, no
download). As in the classic house-price recipe, features are standardised to
zero mean and unit variance, the target is log-transformed, and the model is
scored by the RMSE of log predictions. A linear model (``--hidden N``: an MLP)
is trained with Adam and weight decay on each of K folds; prints per-fold and
mean train/validation log-RMSE next to the baseline of predicting the mean.
"""

import argparse

from sklearn.datasets import load_diabetes

import ember as torch
from ember import nn
from ember.utils.data import DataLoader, TensorDataset

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional

    def tqdm(iterable, **kwargs):
        return iterable


def get_net(n_features, hidden):
    if hidden == 0:
        return nn.Linear(n_features, 1)
    return nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, 1))


def log_rmse(net, X, log_y):
    """RMSE between log predictions and log targets (the net predicts log y directly)."""
    with torch.no_grad():
        return torch.sqrt(((net(X) - log_y) ** 2).mean()).item()


def get_k_fold_data(k, i, X, y):
    """Fold i is the validation part; the other k - 1 folds are the training part."""
    size = X.shape[0] // k
    idx = torch.arange(X.shape[0])
    valid = (idx >= i * size) & (idx < (i + 1) * size)
    return X[~valid], y[~valid], X[valid], y[valid]


def train(net, X, y, args):
    loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loss_fn = nn.MSELoss()
    for _ in range(args.epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(net(xb), yb).backward()
            opt.step()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument(
        "--hidden", type=int, default=0, help="0: a linear model (as in the recipe)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    data = load_diabetes(scaled=False)
    X = torch.tensor(data.data, dtype=torch.float32)
    y = torch.tensor(data.target, dtype=torch.float32).reshape(-1, 1)
    perm = torch.randperm(X.shape[0])
    X, y = X[perm], y[perm]
    X = (X - X.mean(0)) / X.std(0)  # standardise every feature
    log_y = torch.log(y)

    train_ls, valid_ls, base_ls = [], [], []
    for i in tqdm(range(args.k), desc="folds"):
        Xtr, ytr, Xva, yva = get_k_fold_data(args.k, i, X, log_y)
        net = get_net(X.shape[1], args.hidden)
        with torch.no_grad():  # start the output bias at the training mean of log y
            (net if args.hidden == 0 else net[-1]).bias.fill_(ytr.mean().item())
        train(net, Xtr, ytr, args)
        train_ls.append(log_rmse(net, Xtr, ytr))
        valid_ls.append(log_rmse(net, Xva, yva))
        base_ls.append(torch.sqrt(((yva - ytr.mean()) ** 2).mean()).item())
        print(f"fold {i + 1}: train log rmse {train_ls[-1]:.4f}, valid log rmse {valid_ls[-1]:.4f}")
    k = args.k
    print(f"baseline (predict the mean) valid log rmse: {sum(base_ls) / k:.4f}")
    print(f"{k}-fold: mean train log rmse {sum(train_ls) / k:.4f}, ", end="")
    print(f"mean valid log rmse {sum(valid_ls) / k:.4f}")


if __name__ == "__main__":
    main()
