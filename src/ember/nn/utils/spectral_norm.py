"""The hook-based spectral normalisation (PyTorch's ``nn.utils.spectral_norm``)."""

from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from .. import functional as F
from ..parameter import Parameter, UninitializedParameter
from .weight_norm import _remove_reparametrization


class SpectralNorm:
    """Forward pre-hook setting ``<name> = <name>_orig / sigma`` before each call; in training
    it first refines the singular vectors ``<name>_u``, ``<name>_v`` by power iteration."""

    _version = 1

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        """``weight`` as (size of ``dim``, everything else)."""
        if self.dim != 0:
            rest = tuple(d for d in range(weight.dim()) if d != self.dim)
            weight = weight.permute((self.dim,) + rest)
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration):
        """The normalised weight (power iteration first when asked)."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                m = mat.detach()
                for _ in range(self.n_power_iterations):
                    v._data[...] = F.normalize(m.t().mv(u), dim=0, eps=self.eps)._data
                    u._data[...] = F.normalize(m.mv(v), dim=0, eps=self.eps)._data
                u._bump_version("a spectral-norm power iteration", site=False)
                v._bump_version("a spectral-norm power iteration", site=False)
            u, v = u.clone(), v.clone()
        sigma = (u * mat.mv(v)).sum()
        return weight / sigma

    def remove(self, module):
        """Fold the normalisation into one plain parameter."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        """Install the hook and its parameter and buffers on ``module``."""
        from ...random import _rng

        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two spectral_norm hooks on the same parameter {name}"
                )
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `SpectralNorm` can't have uninitialized parameters. Make "
                "sure to run the dummy forward before applying spectral normalization"
            )
        h, w = fn.reshape_weight_to_matrix(weight).shape
        dt = weight._data.dtype
        u = F.normalize(Tensor._make(_rng(None).standard_normal(h).astype(dt)), dim=0, eps=eps)
        v = F.normalize(Tensor._make(_rng(None).standard_normal(w).astype(dt)), dim=0, eps=eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.detach())
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm before each forward."""
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo ``spectral_norm``."""
    return _remove_reparametrization(module, name, SpectralNorm, "spectral_norm")
