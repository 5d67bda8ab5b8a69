"""REINFORCE with a baseline: a policy learns to walk down a corridor to its goal.

The environment (written here) is a 1-D corridor of cells 0..length-1; each episode starts
in cell 0 and the goal is the last cell. The actions are left and right (walls stop the
agent); every step costs 0.05 and reaching the goal pays 1 and ends the episode, so the
best undiscounted return is 1 - 0.05 * (length - 2), by walking right all the way. The
policy is a small MLP on the one-hot cell, sampled with distributions.Categorical; a batch
of episodes runs in parallel and the gradient is sum log pi(a|s) * (G - mean G).
Prints the greedy policy's return next to the best possible one.
"""

import argparse

import ember as torch
from ember import nn
from ember.distributions import Categorical

STEP_COST, GOAL_REWARD = 0.05, 1.0


class Corridor:
    """A batch of corridors; ``step`` moves every unfinished agent left (0) or right (1)."""

    def __init__(self, length, batch, max_steps):
        self.length, self.batch, self.max_steps = length, batch, max_steps

    def reset(self):
        self.pos = torch.zeros(self.batch, dtype=torch.long)
        self.done = torch.zeros(self.batch, dtype=torch.bool)
        self.t = 0
        return self.pos

    def step(self, action):
        move = action * 2 - 1
        self.pos = torch.where(self.done, self.pos, (self.pos + move).clamp(0, self.length - 1))
        arrived = (self.pos == self.length - 1) & ~self.done
        reward = torch.where(arrived, GOAL_REWARD, -STEP_COST)
        reward = torch.where(self.done, 0.0, reward)
        alive = (~self.done).float()
        self.done = self.done | arrived
        self.t += 1
        return self.pos, reward, alive, bool(self.done.all()) or self.t >= self.max_steps


def run_episodes(policy, env, greedy=False):
    """Roll out one batch; returns the log-probs, rewards and alive masks, step by step."""
    eye = torch.eye(env.length)
    pos, finished = env.reset(), False
    log_probs, rewards, alive = [], [], []
    while not finished:
        dist = Categorical(logits=policy(eye[pos]))
        action = dist.probs.argmax(-1) if greedy else dist.sample()
        log_probs.append(dist.log_prob(action))
        pos, reward, mask, finished = env.step(action)
        rewards.append(reward)
        alive.append(mask)
    return torch.stack(log_probs), torch.stack(rewards), torch.stack(alive)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=10)
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    max_steps = 4 * args.length
    policy = nn.Sequential(
        nn.Linear(args.length, args.hidden), nn.Tanh(), nn.Linear(args.hidden, 2)
    )
    opt = torch.optim.Adam(policy.parameters(), lr=args.lr)
    env = Corridor(args.length, args.batch, max_steps)
    best = GOAL_REWARD - STEP_COST * (args.length - 2)

    def greedy_return():
        with torch.no_grad():
            _, rewards, _ = run_episodes(policy, Corridor(args.length, 1, max_steps), True)
        return rewards.sum().item()

    start = greedy_return()
    for update in range(args.updates):
        log_probs, rewards, alive = run_episodes(policy, env)
        returns, running = [], torch.zeros(args.batch)
        for r in reversed(list(rewards)):  # discounted return-to-go of every step
            running = r + args.gamma * running
            returns.append(running)
        returns = torch.stack(returns[::-1])
        advantage = (returns - returns.mean(1, keepdim=True)) * alive
        loss = -(log_probs * advantage).sum() / args.batch
        opt.zero_grad()
        loss.backward()
        opt.step()
        if update % 25 == 0 or update == args.updates - 1:
            episode_return = rewards.sum(0).mean().item()
            print(f"update {update:4d}  mean return {episode_return:.3f}")

    print(f"greedy return before training: {start:.3f}")
    print(f"greedy return after training: {greedy_return():.3f} (best possible {best:.3f})")


if __name__ == "__main__":
    main()
