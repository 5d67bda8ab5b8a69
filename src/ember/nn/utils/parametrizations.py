"""Ready-made parametrizations: orthogonal, weight_norm, spectral_norm."""

from __future__ import annotations

import math

from ...autograd.grad_mode import no_grad
from ...backend import np
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from . import parametrize
from .weight_norm import norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# ----- differentiable matrix functions built from matmuls ------------------------------------
def _eye_like(x, n):
    import ember

    return ember.eye(n, dtype=x.dtype)


def matrix_exp(a):
    """exp(A) of square (..., n, n) matrices: scaling and squaring of a degree-18 Taylor series."""
    norm = float(np.abs(a._data).sum(-2).max()) if a.numel() else 0.0
    squarings = max(0, int(math.ceil(math.log2(norm))) + 1) if norm > 0.5 else 0
    b = a / (2.0**squarings)
    term = _eye_like(a, a.shape[-1]).expand(tuple(a.shape))
    total = term
    for j in range(1, 19):
        term = (term @ b) / j
        total = total + term
    for _ in range(squarings):
        total = total @ total
    return total


def householder_product(a, tau):
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H, with v_i the i-th column
    of ``a`` below its (implicitly unit) diagonal."""
    n, k = a.shape[-2], a.shape[-1]
    eye = _eye_like(a, n)
    v = a.tril(-1) + eye[:, :k]
    q = eye[:, :k].expand(tuple(a.shape))
    for i in range(k - 1, -1, -1):
        vi = v[..., :, i : i + 1]
        q = q - (tau[..., i : i + 1].unsqueeze(-1) * vi) @ (vi.transpose(-2, -1) @ q)
    return q


def _solve(m, b):
    """Solve M X = B by elimination without pivoting (sound for I - A/2, A skew-symmetric)."""
    import ember

    n = m.shape[-1]
    aug = ember.cat([m, b], -1)
    rows = [aug[..., i, :] for i in range(n)]
    for i in range(n):
        rows[i] = rows[i] / rows[i][..., i : i + 1]
        for j in range(n):
            if j != i:
                rows[j] = rows[j] - rows[j][..., i : i + 1] * rows[i]
    return ember.stack(rows, -2)[..., n:]


def _orthonormal(a):
    """Q of the QR decomposition with R's diagonal made positive (host side, no graph)."""
    q, r = np.linalg.qr(a)
    d = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    d = np.where(d == 0, 1, d)
    return q * d[..., None, :]


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x):
        """An orthogonal (orthonormal-column) matrix made from the unconstrained ``x``."""
        import ember

        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.transpose(-2, -1)
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:
                pad = ember.zeros(tuple(x.shape[:-2]) + (n, n - k), dtype=x.dtype)
                x = ember.cat([x, pad], -1)
            a = x - x.transpose(-2, -1)
            if self.orthogonal_map == "matrix_exp":
                q = matrix_exp(a)
            else:
                eye = _eye_like(a, n)
                q = _solve(eye - 0.5 * a, eye + 0.5 * a)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            q = householder_product(a, tau)
            sign = Tensor._make(np.diagonal(x._data, axis1=-2, axis2=-1).astype(np.int64))
            q = q * sign.unsqueeze(-2).to(q.dtype)
        if "base" in self._buffers:
            q = self.base @ q
        return q.transpose(-2, -1) if transposed else q

    def right_inverse(self, q):
        """The ``x`` whose image is ``q`` (``q`` orthogonalised first if it is not)."""
        with no_grad():
            if tuple(q.shape) != tuple(self.shape):
                raise ValueError(
                    f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor "
                    f"of shape {q.shape}."
                )
            n, k = q.shape[-2], q.shape[-1]
            transpose = n < k
            data = np.asarray(q._data)
            if transpose:
                data = np.swapaxes(data, -1, -2)
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in ("cayley", "matrix_exp"):
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False."
                    )
                return Tensor._make(_householder_inverse(data, transpose))
            if n == k:
                eye = np.eye(k)
                eps = 10 * n * np.finfo(data.dtype).eps
                gram = np.swapaxes(data, -1, -2) @ data
                base = (
                    data.copy()
                    if np.allclose(gram, eye, atol=eps, rtol=1e-5)
                    else (_orthonormal(data))
                )
            else:
                from ...random import _rng

                extra = _rng(None).standard_normal(data.shape[:-2] + (n, n - k))
                base = _orthonormal(np.concatenate([data, extra.astype(data.dtype)], -1))
            self.base = Tensor._make(base.astype(data.dtype))
            neg_eye = np.zeros(tuple(q.shape), dtype=data.dtype)
            idx = np.arange(min(q.shape[-2:]))
            neg_eye[..., idx, idx] = -1.0
            return Tensor._make(neg_eye)


def _householder_inverse(data, transpose):
    """geqrf's reflectors of ``data`` with the diagonal replaced by the signs PyTorch keeps."""
    out = np.empty_like(data)
    flat_in = data.reshape((-1,) + data.shape[-2:])
    flat_out = out.reshape(flat_in.shape)
    for i, mat in enumerate(flat_in):
        h, tau = np.linalg.qr(mat, mode="raw")
        a = h.T.copy()
        diag = np.sign(np.diagonal(a)).copy()
        diag[tau == 0.0] *= -1
        np.fill_diagonal(a, diag)
        flat_out[i] = a
    return np.swapaxes(out, -1, -2) if transpose else out


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain ``module.<name>`` to be orthogonal (orthonormal rows or columns)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.dim() < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.dim()} dimensions."
        )
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: '
            f"{orthogonal_map}"
        )
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# ----- weight normalisation -----------------------------------------------------------------
class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        """``g * v / ||v||`` (norm over all dimensions but ``dim``)."""
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight):
        """``(g, v)`` = (the norms of ``weight``, ``weight``)."""
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Split ``module.<name>`` into a magnitude ``original0`` and a direction ``original1``."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def compat(state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
        # Checkpoints from the old hook-based weight_norm name the halves <name>_g, <name>_v.
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(compat)
    return module


# ----- spectral normalisation -------------------------------------------------------------
def _as_matrix(weight, dim):
    if dim != 0:
        weight = weight.permute((dim,) + tuple(d for d in range(weight.dim()) if d != dim))
    return weight.flatten(1)


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.dim()
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                f"{dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            from ...random import _rng

            self.n_power_iterations = n_power_iterations
            mat = _as_matrix(weight, self.dim)
            h, w = mat.shape
            dt = weight._data.dtype
            u = Tensor._make(_rng(None).standard_normal(h).astype(dt))
            v = Tensor._make(_rng(None).standard_normal(w).astype(dt))
            self.register_buffer("_u", F.normalize(u, dim=0, eps=eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=eps))
            self._power_method(mat, 15)

    def _power_method(self, mat, iterations):
        with no_grad():
            m = mat.detach()
            for _ in range(iterations):
                self._u._data[...] = F.normalize(m.mv(self._v), dim=0, eps=self.eps)._data
                self._v._data[...] = F.normalize(m.t().mv(self._u), dim=0, eps=self.eps)._data
            self._u._bump_version("a spectral-norm power iteration", site=False)
            self._v._bump_version("a spectral-norm power iteration", site=False)

    def forward(self, weight):
        """``weight / sigma`` with sigma the top singular value estimated by power iteration."""
        if weight.dim() == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = _as_matrix(weight, self.dim)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = (u * mat.mv(v)).sum()
        return weight / sigma

    def right_inverse(self, value):
        """The weight is stored as given."""
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm (estimated by power iteration)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    sn = _SpectralNorm(weight, n_power_iterations, dim, eps)
    parametrize.register_parametrization(module, name, sn)
    return module
