"""Run an Ember module and a PyTorch module with the same weights; compare values and grads."""

from __future__ import annotations

import numpy as np

import ember

torch = __import__("pytest").importorskip("torch")


def to_np(t):
    if t is None:
        return None
    if isinstance(t, ember.Tensor):
        return np.asarray(t.detach()._data)
    return t.detach().numpy()


def copy_weights(em, tm):
    """Load ``tm``'s state dict into ``em`` (keys must match: that is tested too)."""
    sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    em.load_state_dict(sd)


def flat(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(flat(o))
        return res
    return [out] if out is not None else []


def check_module(em, tm, *inputs, atol=1e-10, rtol=1e-9, grad_inputs=True, train=True, seed=0):
    """Same weights, same float64 inputs: outputs, input grads and parameter grads agree."""
    em.double()
    tm.double()
    copy_weights(em, tm)
    em.train(train)
    tm.train(train)
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys())
    e_in, t_in = [], []
    for a in inputs:
        a = np.asarray(a)
        req = grad_inputs and a.dtype.kind == "f"
        e_in.append(ember.tensor(a.copy(), requires_grad=req))
        t_in.append(torch.tensor(a.copy(), requires_grad=req))
    e_out = flat(em(*e_in))
    t_out = flat(tm(*t_in))
    assert len(e_out) == len(t_out)
    rng = np.random.default_rng(seed)
    e_loss, t_loss = 0, 0
    for eo, to in zip(e_out, t_out):
        assert tuple(eo.shape) == tuple(to.shape)
        np.testing.assert_allclose(to_np(eo), to_np(to), atol=atol, rtol=rtol)
        if to.requires_grad:
            g = rng.standard_normal(tuple(to.shape))
            e_loss = e_loss + (eo * ember.tensor(g)).sum()
            t_loss = t_loss + (to * torch.tensor(g)).sum()
    if not isinstance(t_loss, int):
        e_loss.backward()
        t_loss.backward()
        for ei, ti in zip(e_in, t_in):
            if ti.requires_grad:
                np.testing.assert_allclose(to_np(ei.grad), to_np(ti.grad), atol=atol, rtol=rtol)
        e_params = dict(em.named_parameters())
        for name, tp in tm.named_parameters():
            ep = e_params[name]
            if tp.grad is None:
                assert ep.grad is None or not np.any(to_np(ep.grad)), name
                continue
            np.testing.assert_allclose(
                to_np(ep.grad), to_np(tp.grad), atol=atol, rtol=rtol, err_msg=name
            )
    for (name, eb), (_, tb) in zip(em.named_buffers(), tm.named_buffers()):
        np.testing.assert_allclose(to_np(eb), to_np(tb), atol=atol, rtol=rtol, err_msg=name)
    return e_out, t_out
