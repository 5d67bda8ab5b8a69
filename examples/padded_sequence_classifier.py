"""A GRU classifies variable-length digit sequences: are there more odd digits than even?

The sequences (written here) hold 1 to 20 random digits; the label is 1 when strictly more
of them are odd. A DataLoader with a collate_fn pads each batch with
nn.utils.rnn.pad_sequence and keeps the true lengths; the model embeds the tokens, packs
them with pack_padded_sequence(enforce_sorted=False) so the GRU never reads the padding,
and classifies from the final hidden states of a bidirectional nn.GRU. Trained with Adam
and cross-entropy. Prints the test accuracy (about 0.99 at the defaults).
"""

import argparse

import ember as torch
from ember import nn
from ember.nn.utils.rnn import pack_padded_sequence, pad_sequence
from ember.utils.data import DataLoader, Dataset

PAD = 0  # token 0 is padding; digit d is token d + 1


class OddEvenSequences(Dataset):
    """``size`` random digit sequences with their label (more odd than even digits)."""

    def __init__(self, size, max_len, generator):
        lengths = torch.randint(1, max_len + 1, (size,), generator=generator)
        self.seqs = [torch.randint(0, 10, (int(n),), generator=generator) for n in lengths]
        self.labels = [int((s % 2 == 1).sum() > (s % 2 == 0).sum()) for s in self.seqs]

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        return self.seqs[i] + 1, self.labels[i]


def collate(batch):
    """Pad a list of (sequence, label) pairs into one batch-first tensor plus the lengths."""
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    return (
        pad_sequence(list(seqs), batch_first=True, padding_value=PAD),
        lengths,
        torch.tensor(labels),
    )


class GRUClassifier(nn.Module):
    def __init__(self, embed=16, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(11, embed, padding_idx=PAD)
        self.gru = nn.GRU(embed, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, 2)

    def forward(self, padded, lengths):
        packed = pack_padded_sequence(
            self.embed(padded), lengths, batch_first=True, enforce_sorted=False
        )
        _, h_n = self.gru(packed)  # (2, batch, hidden), in the batch's own order
        return self.head(torch.cat([h_n[0], h_n[1]], dim=1))


def accuracy(net, loader):
    net.eval()
    correct = total = 0
    with torch.no_grad():
        for padded, lengths, labels in loader:
            correct += (net(padded, lengths).argmax(1) == labels).sum().item()
            total += len(labels)
    return correct / total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--max-len", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train = OddEvenSequences(args.train_size, args.max_len, gen)
    test = OddEvenSequences(500, args.max_len, gen)
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, collate_fn=collate)
    test_loader = DataLoader(test, batch_size=100, collate_fn=collate)
    print(f"test set: {sum(test.labels) / len(test):.2f} of the labels are 1")

    net = GRUClassifier(hidden=args.hidden)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        net.train()
        total, n = 0.0, 0
        for padded, lengths, labels in loader:
            loss = loss_fn(net(padded, lengths), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, n = total + loss.item() * len(labels), n + len(labels)
        print(f"epoch {epoch:3d}  train loss {total / n:.4f}")

    print(f"train accuracy: {accuracy(net, DataLoader(train, 100, collate_fn=collate)):.4f}")
    print(f"test accuracy: {accuracy(net, test_loader):.4f}")


if __name__ == "__main__":
    main()
