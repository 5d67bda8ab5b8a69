"""A character-level LSTM language model on the Zen of Python (ships with Python).

The text comes from the ``this`` module (rot13-decoded) and is repeated to make
a training corpus. nn.Embedding -> nn.LSTM -> nn.Linear is trained with Adam
and gradient clipping on random windows (truncated backprop through time),
then the model samples a continuation of a prompt. Prints the loss and a sample.
"""

import argparse
import codecs
import contextlib
import io
import math

import ember as torch
from ember import nn

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional

    def tqdm(iterable, **kwargs):
        return iterable


def zen_of_python():
    with contextlib.redirect_stdout(io.StringIO()):  # importing `this` prints the poem
        import this
    return codecs.decode(this.s, "rot13")


class CharLM(nn.Module):
    def __init__(self, vocab, embed=32, hidden=128):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def sample(net, prompt, length, stoi, itos, temperature=0.5):
    net.eval()
    with torch.no_grad():
        _, state = net(torch.tensor([[stoi[c] for c in prompt[:-1]]]))
        x, out = torch.tensor([[stoi[prompt[-1]]]]), prompt
        for _ in range(length):
            logits, state = net(x, state)
            probs = torch.softmax(logits[0, -1] / temperature, dim=0)
            nxt = torch.multinomial(probs, 1).item()
            out += itos[nxt]
            x = torch.tensor([[nxt]])
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--seq-len", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--sample-len", type=int, default=200)
    parser.add_argument("--prompt", default="Beautiful is ")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    text = zen_of_python() * 10
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    itos = dict(enumerate(chars))
    data = torch.tensor([stoi[c] for c in text])
    print(f"corpus: {len(text)} characters, vocabulary {len(chars)}")

    net = CharLM(len(chars), hidden=args.hidden)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    T, losses = args.seq_len, []
    bar = tqdm(range(args.steps), desc="training")
    for step in bar:
        starts = torch.randint(0, len(data) - T - 1, (args.batch_size,))
        idx = starts[:, None] + torch.arange(T + 1)
        batch = data[idx]
        net.train()
        logits, _ = net(batch[:, :-1])
        loss = loss_fn(logits.reshape(-1, len(chars)), batch[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if hasattr(bar, "set_postfix") and step % 10 == 0:
            bar.set_postfix(loss=f"{losses[-1]:.3f}")

    tail = losses[-min(20, len(losses)) :]
    final = sum(tail) / len(tail)
    print(f"initial loss {losses[0]:.4f} (uniform guess: {math.log(len(chars)):.4f})")
    print(f"final loss {final:.4f}, perplexity {math.exp(final):.2f}")
    print("sample:")
    print(sample(net, args.prompt, args.sample_len, stoi, itos))


if __name__ == "__main__":
    main()
