"""``einsum``: Einstein summation in one node, with PyTorch's parsing and errors.

Its gradient for each operand is another einsum (of the output gradient with the other
operands), so every order of derivative works.
"""

from __future__ import annotations

import functools

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec
from .linalg import SCALAR_TYPES, dtype_mismatch, not_implemented, prod, require_tensor
from .registry import LOOP, declare, op, public_names

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ELL = "."  # an ellipsis, as one item of a parsed subscript list


class Einsum(Node):
    """d einsum / d X_k = einsum of grad with the other operands, onto X_k's labels (an
    identity factor per repeated label, broadcast over labels summed in X_k alone)"""

    def forward(self, *ops, terms, out):
        self.terms, self.out = terms, out
        n = self.needs_input_grad
        if n is not None:
            self.shapes = [x.shape for x in ops]
            keep = [any(n[j] for j in range(len(ops)) if j != k) for k in range(len(ops))]
            self.save_for_backward(*(x if s else None for x, s in zip(ops, keep)))
        return _einsum_arrays(self.xp, terms, out, ops)

    def backward(self, grad):
        saved = self.saved_tensors
        n = self.needs_input_grad
        return tuple(
            self._grad_for(k, grad, saved) if n[k] else None for k in range(len(self.terms))
        )

    def _grad_for(self, k, grad, saved):
        terms, xp = self.terms, self.xp
        term = terms[k]
        used = set(self.out).union(*(terms[j] for j in range(len(terms)) if j != k))
        fresh = iter(c for c in _LETTERS if c not in used and c not in term)
        labels, eyes, eye_ops = [], [], []
        size = dict(zip(term, self.shapes[k]))
        for c in term:
            if c in labels:  # a repeated label: its gradient lives on the diagonal only
                f = next(fresh)
                labels.append(f)
                eyes.append(c + f)
                eye_ops.append(Tensor._make(xp.eye(size[c], dtype=grad._data.dtype)))
            else:
                labels.append(c)
        present = used.union(*eyes)
        target = "".join(c for c in labels if c in present)
        others = [j for j in range(len(terms)) if j != k]
        g = Einsum.apply(grad, *(saved[j] for j in others), *eye_ops,
                         terms=[self.out, *(terms[j] for j in others), *eyes],
                         out=target)  # fmt: skip
        if len(target) < len(labels):  # labels summed in X_k alone: broadcast back
            shape = self.shapes[k]
            g = g.reshape(*(s if c in present else 1 for c, s in zip(labels, shape)))
            g = g.expand(*shape)
        return g


# PyTorch composes einsum from other ops; its grad_fn is the last of them: a view of a
# contraction's product, a product alone, a sum (one operand), or a permutation.
class EinsumMul(Einsum):
    """einsum with no summed label over several operands (PyTorch: a product)"""


class EinsumSum(Einsum):
    """einsum of one operand with summed labels (PyTorch: a sum)"""


class EinsumPermute(Einsum):
    """einsum of one operand without summed labels (PyTorch: a permutation)"""


def _einsum_node(terms, out):
    summed = set("".join(terms)) - set(out)
    if len(terms) == 1:
        return EinsumSum if summed else EinsumPermute
    return Einsum if summed else EinsumMul


def _einsum_arrays(xp, terms, out, ops):
    sizes = {}
    for t, x in zip(terms, ops):
        sizes.update(zip(t, x.shape))
    work = prod(sizes.values())
    eq = ",".join(terms) + "->" + out
    res = xp.einsum(eq, *ops, optimize=len(ops) > 2 or (len(ops) == 2 and work > 4096))
    if len(ops) == 1 and xp.may_share_memory(res, ops[0]):
        res = res.copy()  # NumPy returns views for transposes and diagonals
    return xp.asarray(res)


def _parse_equation(equation, n_ops):
    """Split an equation into per-operand subscript lists and the output list (or None)."""
    terms, out = [[]], None
    cur = terms[0]
    i, n = 0, len(equation)
    while i < n:
        ch = equation[i]
        if ch == " ":
            i += 1
        elif ch == ".":
            who = "output" if cur is out else f"operand {len(terms) - 1}"
            if _ELL in cur:
                raise RuntimeError(
                    f"einsum(): found '.' for {who} for which an ellipsis was already found"
                )
            if equation[i : i + 3] != "...":
                raise RuntimeError(
                    f"einsum(): found '.' for {who} that is not part of any ellipsis"
                    + (" (...)" if cur is out else "")
                )
            cur.append(_ELL)
            i += 3
        elif ch == "," and out is None:
            terms.append([])
            cur = terms[-1]
            i += 1
        elif ch == "-" and out is None and equation[i + 1 : i + 2] == ">":
            out = []
            cur = out
            i += 2
        elif ch.isascii() and ch.isalpha():
            cur.append(ch)
            i += 1
        else:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    if len(terms) > n_ops:
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < n_ops:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return terms, out


def _sublist_args(args):
    """``einsum(op1, sub1, op2, sub2, ..., [out])`` as subscript lists and operands."""
    ops, terms = [], []
    items = list(args)
    while len(items) >= 2:
        ops.append(items.pop(0))
        terms.append(_sublist(items.pop(0)))
    out = _sublist(items[0]) if items else None
    return terms, out, ops


def _sublist(sub):
    res = []
    for s in sub:
        if s is Ellipsis:
            res.append(_ELL)
        elif isinstance(s, int) and 0 <= s < 52:
            res.append(_LETTERS[s])
        else:
            raise ValueError(
                "einsum(): subscript in subscript list is not within the valid range [0, 52)"
            )
    return res


def _spec(name, eq, samples, **kw):
    return OpSpec(name, lambda t, *xs: t.einsum(eq, *xs), samples, shapes=None, **kw)


_TOL = dict(atol=1e-4, rtol=1e-4)


@op(Einsum, grad_fn="ViewBackward0", vmap=LOOP,
    spec=(_spec("einsum_mm", "ij,jk->ik", [((3, 4), (4, 2)), ((0, 2), (2, 3))], **_TOL),
          _spec("einsum_implicit", "ij,jk", [((3, 4), (4, 2))]),
          _spec("einsum_batch", "bij,bjk->bik", [((2, 3, 4), (2, 4, 5))], **_TOL),
          _spec("einsum_ellipsis", "...ij,...jk->...ik",
                [((2, 3, 4), (4, 2)), ((2, 1, 3, 4), (3, 4, 2))]),
          _spec("einsum_repeat3", "iij,jk->ik", [((2, 2, 3), (3, 2))]),
          _spec("einsum_bcast", "ij,ij->i", [((3, 1), (3, 4)), ((1, 4), (3, 4))]),
          _spec("einsum_three", "ij,jk,kl->il", [((2, 3), (3, 4), (4, 2))], **_TOL),
          _spec("einsum_three_sum", "i,ij,k->jk", [((2,), (2, 3), (4,))])))  # fmt: skip
def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; ``...`` stands for broadcast
    dimensions, repeated labels take diagonals, labels missing from the output are summed.
    Also accepts the sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if not args or (isinstance(args[0], str) and len(args) < 2):
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least "
            "one operand and its subscripts list"
        )
    if isinstance(args[0], str):
        ops = (
            list(args[1])
            if len(args) == 2 and isinstance(args[1], (list, tuple))
            else list(args[1:])
        )
        _require_tensors(ops)
        terms, out, targets = _plan_equation(args[0], tuple(x._data.shape for x in ops))
    else:
        terms, out, ops = _sublist_args(args)
        _require_tensors(ops)
        terms, out, targets = _plan(terms, out, tuple(x._data.shape for x in ops))
    first = ops[0]
    for x in ops[1:]:
        if x._data.dtype != first._data.dtype:
            raise dtype_mismatch(SCALAR_TYPES, first, x)
    if first._data.dtype.kind in "biu" and set("".join(terms)) - set(out):
        # PyTorch sums one operand with sum (integers to int64) and contracts pairs with bmm
        if len(ops) > 1 and first._data.dtype.kind == "b":
            raise not_implemented("bmm", first)
        if len(ops) == 1:
            ops = [first.long()]
    # Size-1 dimensions broadcast against the label's size.
    ops = [x if t is None else x.expand(*t) for x, t in zip(ops, targets)]
    return _einsum_node(terms, out).apply(*ops, terms=terms, out=out)


def _require_tensors(ops):
    for k, x in enumerate(ops):
        require_tensor(x, "einsum", "operands", k + 2)


@functools.lru_cache(maxsize=512)
def _plan_equation(equation, shapes):
    terms, out = _parse_equation(equation, len(shapes))
    return _plan(terms, out, shapes)


def _plan(terms, out, shapes):
    """Explicit subscripts (ellipses as letters), the output, and each operand's broadcast
    shape (``None`` when it already has it), with PyTorch's errors."""
    # Ellipsis dimensions get letters of their own, aligned from the right.
    spare = [c for c in _LETTERS if not any(c in t for t in terms) and not (out and c in out)]
    n_ell = 0
    for k, (t, shape) in enumerate(zip(terms, shapes)):
        nd, nl = len(shape), len(t) - (_ELL in t)
        if _ELL not in t and nl != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nl}) does not match the "
                f"number of dimensions ({nd}) for operand {k} and no ellipsis was given"
            )
        if nl > nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nl}) is more than the "
                f"number of dimensions ({nd}) for operand {k}"
            )
        if _ELL in t:
            n_ell = max(n_ell, nd - nl)
    ell = spare[:n_ell]
    full = []
    for t, shape in zip(terms, shapes):
        if _ELL in t:
            i = t.index(_ELL)
            m = len(shape) - (len(t) - 1)
            t = t[:i] + ell[n_ell - m :] + t[i + 1 :]
        full.append(t)
    if out is None:
        counts = {}
        for t in full:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out_l = ell + sorted(c for c, m in counts.items() if m == 1 and c not in ell)
    else:
        out_l = []
        for c in out:
            if c == _ELL:
                out_l += ell
                continue
            if c in out_l:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
            if not any(c in t for t in full):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
            out_l.append(c)
    sizes = _einsum_sizes(full, shapes, ell)
    targets = tuple(
        None if all(sizes[c] == s for c, s in zip(t, shape)) else tuple(sizes[c] for c in t)
        for t, shape in zip(full, shapes)
    )
    return tuple("".join(t) for t in full), "".join(out_l), targets


def _einsum_sizes(full, shapes, ell):
    sizes = {}
    for k, (t, shape) in enumerate(zip(full, shapes)):
        mine = {}
        for d, (c, s) in enumerate(zip(t, shape)):
            if c in mine and mine[c] != s:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                    f"match, {s} != {mine[c]}"
                )
            mine[c] = s
            seen = sizes.get(c)
            if seen is not None and s != seen and s != 1 and seen != 1:
                if c in ell:
                    raise RuntimeError(
                        f"einsum(): dimension {d} covered by ellipsis in operand {k}has size {s} "
                        f"which does not broadcast with previously seen ellipsis with size "
                        f"{seen} for the respective dimension"
                    )
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {s} for operand {k} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            if seen is None or seen == 1:
                sizes[c] = s
    return sizes


declare(EinsumMul, None, grad_fn="MulBackward0", vmap=LOOP,
        spec=(_spec("einsum_outer", "i,j->ij", [((3,), (4,))]),
              _spec("einsum_scalar", ",i->i", [((), (3,))])))  # fmt: skip
declare(EinsumSum, None, grad_fn="SumBackward1", vmap=LOOP,
        spec=(_spec("einsum_trace", "ii->", [((3, 3),)]),
              _spec("einsum_sum", "ijk->j", [((2, 3, 4),)])))  # fmt: skip
declare(EinsumPermute, None, grad_fn="PermuteBackward0", vmap=LOOP,
        spec=(_spec("einsum_diag", "ii->i", [((3, 3),)]),
              _spec("einsum_diag_batch", "...ii->...i", [((2, 3, 3),)]),
              _spec("einsum_transpose", "ij->ji", [((2, 3),)])))  # fmt: skip

__all__ = public_names(__name__)
