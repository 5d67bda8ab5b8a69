"""A generative adversarial network that learns the 1-D Gaussian N(4, 1.25).

The generator maps standard normal noise to samples; the discriminator
classifies real versus generated samples with nn.BCEWithLogitsLoss. Both are
small MLPs trained alternately with Adam. Prints the generated samples' mean
and standard deviation next to the target's.
"""

import argparse

import ember as torch
from ember import nn

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional

    def tqdm(iterable, **kwargs):
        return iterable


def mlp(n_in, hidden, n_out):
    return nn.Sequential(
        nn.Linear(n_in, hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden, hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden, n_out),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--latent", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--mean", type=float, default=4.0)
    parser.add_argument("--std", type=float, default=1.25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    G, D = mlp(args.latent, args.hidden, 1), mlp(1, args.hidden, 1)
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
    loss_fn = nn.BCEWithLogitsLoss()
    n = args.batch_size
    ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)

    def generated_stats(count=10000):
        with torch.no_grad():
            x = G(torch.randn(count, args.latent))
        return x.mean().item(), x.std().item()

    start_mean, start_std = generated_stats()
    bar = tqdm(range(args.steps), desc="training")
    for step in bar:
        real = torch.normal(args.mean, args.std, (n, 1))
        fake = G(torch.randn(n, args.latent))
        # discriminator: real -> 1, fake -> 0 (the generator is not updated here)
        loss_d = (loss_fn(D(real), ones) + loss_fn(D(fake.detach()), zeros)) / 2
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # generator: make the discriminator call its samples real
        loss_g = loss_fn(D(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if hasattr(bar, "set_postfix") and step % 50 == 0:
            bar.set_postfix(loss_d=f"{loss_d.item():.3f}", loss_g=f"{loss_g.item():.3f}")

    mean, std = generated_stats()
    print(f"loss_D {loss_d.item():.4f}, loss_G {loss_g.item():.4f}")
    print(f"before training: mean {start_mean:.4f}, std {start_std:.4f}")
    print(f"generated: mean {mean:.4f}, std {std:.4f}")
    print(f"target:    mean {args.mean:.4f}, std {args.std:.4f}")


if __name__ == "__main__":
    main()
