"""``expand`` of the families whose method is written once: values, types and the subclass check."""

import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

# family name, constructor arguments (as lists)
_CASES = [
    ("Poisson", ([1.0, 2.5],)),
    ("Gamma", ([1.0, 2.5], [0.5, 2.0])),
    ("Chi2", ([1.0, 3.0],)),
    ("Dirichlet", ([[1.0, 2.0, 3.0]],)),
    ("Gumbel", ([0.0, 1.0], [1.0, 2.0])),
    ("Pareto", ([1.0, 2.0], [1.5, 3.0])),
    ("HalfNormal", ([1.0, 2.0],)),
    ("LogNormal", ([0.0, 1.0], [1.0, 2.0])),
]


@pytest.mark.parametrize("name,args", _CASES)
def test_expand_matches_torch(name, args):
    """The expanded distribution has PyTorch's type, shapes and log-densities."""
    e = getattr(ED, name)(*(ember.tensor(a) for a in args)).expand((3, len(args[0])))
    t = getattr(TD, name)(*(torch.tensor(a) for a in args)).expand((3, len(args[0])))
    assert type(e).__name__ == type(t).__name__
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    x = t.sample()
    got = e.log_prob(ember.tensor(x.numpy())).numpy()
    assert got == pytest.approx(t.log_prob(x).numpy(), rel=1e-5)


@pytest.mark.parametrize("name,args", _CASES)
def test_subclass_with_own_init_must_expand(name, args):
    """A subclass with its own __init__ and no expand raises PyTorch's error, naming the family."""

    def make(module):
        family = getattr(module, name)

        class Custom(family):
            def __init__(self, *a):
                super().__init__(*a)

        return Custom(*(torch.tensor(a) if module is TD else ember.tensor(a) for a in args))

    with pytest.raises(NotImplementedError) as want:
        make(TD).expand((3, len(args[0])))
    with pytest.raises(NotImplementedError, match="must also define a custom") as got:
        make(ED).expand((3, len(args[0])))
    assert str(got.value) == str(want.value)
