"""Ops' named-tuple results live in ``ember.return_types`` as PyTorch's live in
``torch.return_types``: one factory, picklable, printed as PyTorch prints them."""

import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CALLS = [
    ("sort", lambda t, x: t.sort(x)),
    ("topk", lambda t, x: t.topk(x, 2)),
    ("max", lambda t, x: t.max(x, dim=0)),
    ("linalg_qr", lambda t, x: t.linalg.qr(x.reshape(2, 2))),
    ("linalg_slogdet", lambda t, x: t.linalg.slogdet(x.reshape(2, 2))),
    ("frexp", lambda t, x: t.frexp(x)),
]


@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_result_types_match_pytorchs(name, call):
    x = np.array([3.0, 1.0, 4.0, 1.5])
    ours, theirs = call(ember, ember.tensor(x)), call(torch, torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__ == name
    assert type(ours).__module__ == "ember.return_types"
    assert getattr(ember.return_types, name) is type(ours)
    assert len(ours) == len(theirs) == theirs.n_fields  # PyTorch's are struct sequences
    assert all(hasattr(theirs, field) for field in type(ours)._fields)
    assert repr(ours) == repr(theirs)


def test_results_pickle():
    values, indices = pickle.loads(pickle.dumps(ember.sort(ember.tensor([2.0, 1.0]))))
    assert values.tolist() == [1.0, 2.0] and indices.tolist() == [1, 0]


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ember.return_types.nope
