"""Tensor.real / .imag (views that write through, the setters), mT, H, mH, adjoint() and T
against PyTorch: real and complex, 2-D and batched, PyTorch's errors and 0-d warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _both(f):
    out = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out.append(f(lib))
            except Exception as e:  # compared: same type and message
                out.append((type(e).__name__, str(e)))
    return out


def _cx(lib, shape):
    a = np.arange(int(np.prod(shape)), dtype=float).reshape(shape)
    return lib.complex(lib.tensor(a), lib.tensor(a + 10))


def _pairs(lib, z):
    return lib.view_as_real(z.resolve_conj()).tolist()


def _set(z, name, value):
    setattr(z, name, value)
    return z


CASES = {
    "real_is_view": lambda t: (lambda z: (z.real._base is z, z.real.stride(), z.real.tolist()))(
        _cx(t, (2, 2))
    ),
    "imag_is_view": lambda t: (lambda z: (z.imag._base is z, z.imag.tolist()))(_cx(t, (2, 3))),
    "write_through_real": lambda t: (lambda z: (z.real.mul_(2), _pairs(t, z))[1])(_cx(t, (2, 2))),
    "set_real_number": lambda t: _pairs(t, _set(_cx(t, (2, 2)), "real", 3)),
    "set_imag_broadcast": lambda t: _pairs(t, _set(_cx(t, (2, 2)), "imag", t.tensor([7.0, 8]))),
    "real_of_real_is_self": lambda t: (lambda x: x.real is x)(t.ones(2)),
    "imag_of_real": lambda t: t.ones(2).imag,
    "set_imag_of_real": lambda t: _set(t.ones(2), "imag", t.ones(2)),
    "set_real_of_real": lambda t: _set(t.ones(2, 2), "real", t.tensor([5.0, 6])).tolist(),
    "set_real_str": lambda t: _set(t.ones(2), "real", "a"),
    "set_real_bad_shape": lambda t: _set(_cx(t, (2, 2)), "real", t.ones(3)),
    "set_real_of_leaf": lambda t: _set(t.ones(2, requires_grad=True), "real", t.ones(2)),
    "mH": lambda t: _pairs(t, _cx(t, (2, 3)).mH),
    "H": lambda t: _pairs(t, _cx(t, (2, 3)).H),
    "mT_complex": lambda t: _pairs(t, _cx(t, (2, 3)).mT),
    "adjoint": lambda t: _pairs(t, _cx(t, (2, 3)).adjoint()),
    "adjoint_function_batched": lambda t: _pairs(t, t.adjoint(_cx(t, (2, 2, 3)))),
    "mH_batched": lambda t: _pairs(t, _cx(t, (2, 2, 3)).mH),
    "real_matrix": lambda t: (lambda x: (x.mH.tolist(), x.H.tolist(), x.adjoint().tolist()))(
        t.arange(6.0).reshape(2, 3)
    ),
    "H_batched": lambda t: _cx(t, (2, 2, 3)).H,
    "H_vector": lambda t: t.ones(3).H,
    "mH_vector": lambda t: t.ones(3).mH,
    "mT_vector": lambda t: t.ones(3).mT,
    "adjoint_vector": lambda t: t.ones(3).adjoint(),
    "zero_d": lambda t: (_pairs(t, _cx(t, ()).mH), _pairs(t, _cx(t, ()).H), t.ones(()).mT.item()),
    "T_vector": lambda t: t.ones(3).T.tolist(),
    "T_batched": lambda t: tuple(t.ones(2, 3, 4).T.shape),
    "grad_fns_complex": lambda t: (
        lambda z: [v.grad_fn.name() for v in (z.mH, z.H, z.adjoint(), z.real, z.imag, z.mT)]
    )(_cx(t, (2, 3)).requires_grad_()),
    "grad_fns_real": lambda t: (
        lambda x: [v.grad_fn.name() for v in (x.mH, x.H, x.adjoint(), x.mT, x.T)]
    )(t.ones(2, 3, requires_grad=True)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_pytorch(name):
    e, t = _both(CASES[name])
    assert e == t


@pytest.mark.parametrize(
    "get, text",
    [
        (lambda x: x.mT, "Tensor.mT is deprecated on 0-D tensors"),
        (lambda x: x.mH, "Tensor.mH is deprecated on 0-D tensors"),
        (lambda x: x.H, "Tensor.H is deprecated on 0-D tensors"),
        (lambda x: x.adjoint(), "adjoint\\(\\) is deprecated on 0-D tensors"),
        (lambda x: x.T, "Tensor.T is deprecated on 0-D tensors"),
    ],
)
def test_zero_d_forms_warn(get, text):
    with pytest.warns(UserWarning, match=text):
        get(ember.ones(()))


def test_gradients_through_parts_and_adjoints():
    def f(lib):
        a = np.arange(6.0).reshape(2, 3)
        z = lib.complex(lib.tensor(a, requires_grad=True), lib.tensor(a + 1, requires_grad=True))
        w = lib.tensor(np.linspace(1, 2, 6).reshape(3, 2))
        loss = (
            (lib.view_as_real(z.mH.resolve_conj()) * lib.view_as_real(lib.complex(w, -w))).sum()
            + (z.real * 2).sum()
            + (z.imag**2).sum()
            + lib.view_as_real(z.adjoint().resolve_conj()).sum()
        )
        return lib.view_as_real(lib.autograd.grad(loss, [z])[0]).tolist()

    e, t = _both(f)
    np.testing.assert_allclose(e, t)


@pytest.mark.parametrize("part", ["real", "imag"])
def test_setting_a_part_keeps_the_other_parts_gradient(part):
    def f(lib):
        a = lib.tensor(np.arange(4.0).reshape(2, 2), requires_grad=True)
        z = lib.complex(a, a * 2) * 1
        setattr(z, part, a * 3)
        values = lib.view_as_real(z).tolist()
        return values, lib.autograd.grad((lib.view_as_real(z) * lib.tensor([1.0, 5.0])).sum(), [a])[
            0
        ].tolist()

    e, t = _both(f)
    assert e == t
