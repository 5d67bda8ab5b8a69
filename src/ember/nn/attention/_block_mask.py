"""``BlockMask``: which (query block, key block) tiles of an attention matrix are computed.

A mask function ``mask_mod(b, h, q_idx, kv_idx)`` is evaluated on the whole grid of indices
(index tensors shaped to broadcast against each other), and the resulting boolean mask is
summarised per ``BLOCK_SIZE`` tile: tiles with some allowed positions are *partial*, tiles
with every position allowed are *full*.  Each row of tiles is stored in PyTorch's ordered
format: how many tiles it holds (``*_num_blocks``) and their column indices (``*_indices``).
"""

from __future__ import annotations

import functools
import inspect
import itertools
import operator
import warnings

from ... import dtypes

_DEFAULT_SPARSE_BLOCK_SIZE = 128
_LARGE_SPARSE_BLOCK_SIZE = 1 << 30


def noop_mask(batch, head, token_q, token_kv):
    """A mask_mod that allows every position."""
    return batch.new_ones((), dtype=dtypes.bool, device=batch.device)


def _sliced_mask_mod_error(batch, head, token_q, token_kv):
    """Stands in for the mask_mod of a sliced BlockMask, which no longer describes it."""
    raise RuntimeError(
        "Cannot use mask_mod from a sliced BlockMask. When you slice a BlockMask using [], the "
        "mask_mod attribute is reset. You must set it from the original BlockMask's mask_mod."
        "\n\nIncorrect usage:\n  base_mask = create_block_mask(my_mask_fn, ...)\n  sliced_mask "
        "= base_mask[:, :, block_idx]\n  sliced_mask.mask_mod = apply_offset(sliced_mask."
        "mask_mod, offset)  # WRONG!\n\nCorrect usage:\n  base_mask = create_block_mask("
        "my_mask_fn, ...)\n  sliced_mask = base_mask[:, :, block_idx]\n  sliced_mask.mask_mod = "
        "apply_offset(base_mask.mask_mod, offset)  # Use base_mask!"
    )


def _positional_count(fn) -> int:
    """How many positional parameters ``fn`` takes without a default."""
    code = getattr(fn, "__code__", None)
    if code is not None:
        return code.co_argcount - len(getattr(fn, "__defaults__", None) or ())
    params = inspect.signature(fn).parameters.values()
    return sum(1 for p in params if p.default is inspect.Parameter.empty)


def _is_score_mod(fn) -> bool:
    """True for a score_mod (5 positional arguments), False for a mask_mod (4)."""
    n = _positional_count(fn)
    if n not in (4, 5):
        raise AssertionError(f"Expected 4 or 5 positional args, got {n}")
    return n == 5


def _default_device(device):
    from ... import accelerator

    return device if device is not None else (accelerator.current_accelerator() or "cpu")


def index_grids(B, H, Q_LEN, KV_LEN, device):
    """int64 index tensors for batch, head, query and key, shaped to broadcast to (B,H,Q,KV)."""
    from ...creation import arange

    return (
        arange(B, device=device).view(B, 1, 1, 1),
        arange(H, device=device).view(1, H, 1, 1),
        arange(Q_LEN, device=device).view(1, 1, Q_LEN, 1),
        arange(KV_LEN, device=device).view(1, 1, 1, KV_LEN),
    )


def create_mask(mod_fn, B, H, Q_LEN, KV_LEN, device=None):
    """The dense (B, H, Q_LEN, KV_LEN) boolean mask a mask_mod (or score_mod's -inf) defines."""
    from ...creation import zeros
    from ...ops.where import where

    device = _default_device(device)
    B = 1 if B is None else B
    H = 1 if H is None else H
    grids = index_grids(B, H, Q_LEN, KV_LEN, device)
    shape = (B, H, Q_LEN, KV_LEN)
    if _is_score_mod(mod_fn):
        out = mod_fn(zeros(shape, device=device), *grids)
        return where(out == float("-inf"), False, True).expand(shape)
    return mod_fn(*grids).expand(shape)


def _convert_mask_to_block_mask(mask, Q_BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE,
                                KV_BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE,
                                separate_full_blocks=False):  # fmt: skip
    """Per-tile int8 indicators (partial, full or None) of a boolean (B, H, Q, KV) mask."""
    from ...creation import zeros

    if mask.dtype != dtypes.bool:
        raise AssertionError(f"mask.dtype must be torch.bool, got {mask.dtype}")
    while mask.dim() < 4:
        mask = mask.unsqueeze(0)
    q_block, kv_block = Q_BLOCK_SIZE, KV_BLOCK_SIZE
    B, H, Q, KV = mask.shape
    Qp, KVp = -(-Q // q_block) * q_block, -(-KV // kv_block) * kv_block
    padded = zeros((B, H, Qp, KVp), dtype=dtypes.int32, device=mask.device)
    padded[:, :, :Q, :KV] = mask.to(dtypes.int32)
    tiles = padded.view(B, H, Qp // q_block, q_block, KVp // kv_block, kv_block)
    counts = tiles.permute(0, 1, 2, 4, 3, 5).sum(dim=[-2, -1])
    if not separate_full_blocks:
        return (counts > 0).to(dtypes.int8), None
    full = q_block * kv_block
    partial = (counts > 0) & (counts < full)
    return partial.to(dtypes.int8), (counts == full).to(dtypes.int8)


def _dense_to_ordered(dense):
    """Ordered format of a 0/1 tile matrix: counts per row and the set columns first."""
    from ...ops.sorting import argsort

    dense = dense.to(dtypes.int32)
    cols = argsort(dense, dim=-1, descending=True, stable=True)
    return dense.sum(dim=-1).to(dtypes.int32), cols.to(dtypes.int32)


def _ordered_to_dense(num_blocks, indices, num_cols):
    """The 0/1 int32 tile matrix of an ordered (counts, column indices) pair."""
    from ...creation import arange

    dev = indices.device
    used = arange(indices.shape[-1], device=dev) < num_blocks.unsqueeze(-1)
    # column num_cols is PyTorch's scratch column for unused entries; past it is an error
    bad = used & (indices > num_cols)
    if bool(bad.any()):
        first = int(indices[bad][0])
        raise IndexError(
            f"index {first} is out of bounds for dimension {indices.dim() - 1} with size "
            f"{num_cols + 1}"
        )
    hits = indices.unsqueeze(-1) == arange(num_cols, device=dev)
    return (hits & used.unsqueeze(-1)).any(dim=-2).to(dtypes.int32)


def _transpose_ordered(num_blocks, indices):
    dense = _ordered_to_dense(num_blocks, indices, indices.shape[-1])
    return _dense_to_ordered(dense.transpose(-2, -1))


def _adjust_num_blocks_and_indices(num_blocks, indices, rows, cols):
    """Crop an ordered pair to ``rows`` x ``cols`` tiles."""
    indices = indices[:, :, :rows, :cols]
    num_blocks = num_blocks[:, :, :rows].clamp(max=cols)
    return (indices < num_blocks.unsqueeze(-1)).sum(dim=-1).to(dtypes.int32), indices


def _compute_dq_write_order(block_mask, dq_kv_order=False):
    """Rank of each contributing key tile, gathered in the backward's query-tile order."""
    from ...creation import arange

    bm = block_mask
    if bm.q_num_blocks is None or bm.q_indices is None:
        raise ValueError("BlockMask must have q_num_blocks and q_indices to compute dq_write_order")
    shapes = [bm.kv_indices.shape[:2], bm.q_indices.shape[:2]]
    for t in (bm.full_kv_indices, bm.full_q_indices):
        if t is not None:
            shapes.append(t.shape[:2])
    # the (batch, head) sizes broadcast: a size of one stretches to the other
    B, H = (max(int(s[i]) for s in shapes) for i in (0, 1))
    num_m, num_n = bm.kv_indices.shape[2], bm.q_indices.shape[2]

    def expand(t):
        return t.expand(B, H, *t.shape[2:])

    dense = _ordered_to_dense(expand(bm.kv_num_blocks), expand(bm.kv_indices), num_n)
    has_full = bm.full_kv_num_blocks is not None
    if has_full:
        full = _ordered_to_dense(expand(bm.full_kv_num_blocks), expand(bm.full_kv_indices), num_n)
        dense = (dense + full).clamp(max=1)
    cumsum = dense.cumsum(dim=-1)
    rank = (cumsum - dense).to(dtypes.int32)
    if dq_kv_order:
        rank = (cumsum[:, :, :, -1:] - 1 - rank).to(dtypes.int32)
    dev = bm.kv_indices.device

    def gather(order):
        b = arange(B, device=dev).view(B, 1, 1, 1)
        h = arange(H, device=dev).view(1, H, 1, 1)
        n = arange(order.shape[2], device=dev).view(1, 1, -1, 1)
        return rank[b, h, order.long().clamp(0, num_m - 1), n].to(dtypes.int32)

    full_order = None
    if has_full and bm.full_q_indices is not None:
        full_order = gather(bm.full_q_indices)
    return gather(bm.q_indices), full_order


_TENSOR_ATTRS = (
    "kv_num_blocks",
    "kv_indices",
    "full_kv_num_blocks",
    "full_kv_indices",
    "q_num_blocks",
    "q_indices",
    "full_q_num_blocks",
    "full_q_indices",
    "dq_write_order",
    "dq_write_order_full",
    "dq_kv_order",
)


def _check_kv_blocks(kv_indices, full_kv_num_blocks, full_kv_indices):
    if kv_indices.dim() < 2:
        raise RuntimeError("BlockMask must have at least 2 dimensions")
    if (full_kv_num_blocks is None) != (full_kv_indices is None):
        raise AssertionError(
            "full_kv_num_blocks and full_kv_indices must be both provided or omitted"
        )


class BlockMask:
    """Block-sparse attention mask: per (query tile, key tile), computed or skipped.

    ``kv_num_blocks``/``kv_indices`` list the partial tiles of each query-tile row,
    ``full_kv_*`` the tiles with nothing masked, ``q_*`` the same by key-tile column.
    """

    def __init__(self, seq_lengths, kv_num_blocks, kv_indices, full_kv_num_blocks, full_kv_indices,
                 q_num_blocks, q_indices, full_q_num_blocks, full_q_indices,
                 BLOCK_SIZE=(_DEFAULT_SPARSE_BLOCK_SIZE, _DEFAULT_SPARSE_BLOCK_SIZE),
                 mask_mod=noop_mask, *, dq_write_order=None, dq_write_order_full=None,
                 dq_kv_order=None, dq_kv_order_spt=None):  # fmt: skip
        _check_kv_blocks(kv_indices, full_kv_num_blocks, full_kv_indices)
        if (full_q_num_blocks is None) != (full_q_indices is None):
            raise AssertionError(
                "full_q_num_blocks and full_q_indices must be both provided or omitted"
            )
        if dq_write_order_full is not None and dq_write_order is None:
            raise ValueError("dq_write_order_full requires dq_write_order")
        self.seq_lengths = seq_lengths
        self.kv_num_blocks = kv_num_blocks
        self.kv_indices = kv_indices
        self.full_kv_num_blocks = full_kv_num_blocks
        self.full_kv_indices = full_kv_indices
        self.q_num_blocks = q_num_blocks
        self.q_indices = q_indices
        self.full_q_num_blocks = full_q_num_blocks
        self.full_q_indices = full_q_indices
        self.dq_write_order = dq_write_order
        self.dq_write_order_full = dq_write_order_full
        self.dq_kv_order = dq_kv_order
        self.dq_kv_order_spt = dq_kv_order_spt
        self.BLOCK_SIZE = BLOCK_SIZE
        self.mask_mod = mask_mod

    @classmethod
    def from_kv_blocks(cls, kv_num_blocks, kv_indices, full_kv_num_blocks=None,
                       full_kv_indices=None, BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE, mask_mod=None,
                       seq_lengths=None, compute_q_blocks=True, *, dq_write_order=None,
                       dq_write_order_full=None, dq_kv_order=None):  # fmt: skip
        """A BlockMask from its key-tile lists; the query-tile lists are derived from them."""
        _check_kv_blocks(kv_indices, full_kv_num_blocks, full_kv_indices)
        q_num = q_idx = full_q_num = full_q_idx = None
        if compute_q_blocks:
            q_num, q_idx = _transpose_ordered(kv_num_blocks, kv_indices)
            if full_kv_num_blocks is not None:
                full_q_num, full_q_idx = _transpose_ordered(full_kv_num_blocks, full_kv_indices)
        if isinstance(BLOCK_SIZE, int):
            BLOCK_SIZE = (BLOCK_SIZE, BLOCK_SIZE)
        if seq_lengths is None:
            seq_lengths = (
                kv_indices.shape[-2] * BLOCK_SIZE[0],
                kv_indices.shape[-1] * BLOCK_SIZE[1],
            )
        from ...tensor import Tensor

        if dq_kv_order is not None and not isinstance(dq_kv_order, (bool, Tensor)):
            raise ValueError("dq_kv_order must be a bool, Tensor, or None")
        return cls(
            seq_lengths, kv_num_blocks, kv_indices, full_kv_num_blocks, full_kv_indices, q_num,
            q_idx, full_q_num, full_q_idx, BLOCK_SIZE=BLOCK_SIZE,
            mask_mod=noop_mask if mask_mod is None else mask_mod, dq_write_order=dq_write_order,
            dq_write_order_full=dq_write_order_full,
            dq_kv_order=dq_kv_order if isinstance(dq_kv_order, Tensor) else None,
            dq_kv_order_spt=dq_kv_order if isinstance(dq_kv_order, bool) else None)  # fmt: skip

    def as_tuple(self, flatten: bool = True):
        """Every field in order (sequence lengths and block size flattened unless told)."""
        if flatten:
            seq, block = tuple(self.seq_lengths), tuple(self.BLOCK_SIZE)
        else:
            seq, block = (self.seq_lengths,), (self.BLOCK_SIZE,)
        tensors = tuple(getattr(self, a) for a in _TENSOR_ATTRS)
        return (*seq, *tensors, self.dq_kv_order_spt, *block, self.mask_mod)

    @property
    def shape(self):
        """(batch dims..., Q_LEN, KV_LEN)."""
        return tuple(self.kv_indices.shape[:-2]) + tuple(self.seq_lengths)

    def numel(self) -> int:
        """Number of positions of the mask, sparsity not counted."""
        return functools.reduce(operator.mul, self.shape, 1)

    def sparsity(self) -> float:
        """Percentage of the mask's positions in tiles that are skipped."""
        computed = self.kv_num_blocks.sum().item()
        if self.full_kv_num_blocks is not None:
            computed += self.full_kv_num_blocks.sum().item()
        dense_ratio = computed * self.BLOCK_SIZE[0] * self.BLOCK_SIZE[1] / self.numel()
        return 100 * (1 - dense_ratio)

    def to_dense(self):
        """The int32 tile matrix (1 where a tile is computed)."""
        dense = _ordered_to_dense(self.kv_num_blocks, self.kv_indices, self.kv_indices.shape[-1])
        if self.full_kv_num_blocks is not None:
            n = self.full_kv_indices.shape[-1]
            return dense | _ordered_to_dense(self.full_kv_num_blocks, self.full_kv_indices, n)
        return dense

    def to_string(self, grid_size=(20, 20), limit: int = 4) -> str:
        """A drawing of the tile matrix of each (batch, head): full, partly or not computed."""
        dense = self.to_dense()
        *batch_dims, rows, cols = dense.shape
        if isinstance(grid_size, int):
            max_rows = max_cols = grid_size
        elif grid_size == -1:
            max_rows, max_cols = rows, cols
        else:
            max_rows, max_cols = grid_size
        row_step = max(1, -(-rows // max_rows))
        col_step = max(1, -(-cols // max_cols))

        def draw(batch_idx):
            cur = dense
            for i in batch_idx:
                cur = cur[i]
            text = f"{batch_idx}\n"
            for r in range(0, rows, row_step):
                for c in range(0, cols, col_step):
                    share = cur[r : r + row_step, c : c + col_step].float().mean().item()
                    text += ("█" if share == 1 else " " if share == 0 else "░") * 2
                text += "\n"
            return text

        parts = []
        for n, batch_idx in enumerate(itertools.product(*[range(i) for i in batch_dims])):
            if n == limit:
                parts += [
                    "...",
                    "To print out more, set BlockMask.to_string(limit=N)",
                    "You can also index (BlockMask[batch, head]) to choose a specific batch or "
                    "head",
                ]
                break
            parts.append(draw(batch_idx))
        return "\n".join(parts)

    def __str__(self) -> str:
        head = f"BlockMask(shape={self.shape}, sparsity={self.sparsity():.2f}%, \n"
        return head + self.to_string().strip() + "\n)"

    def __repr__(self) -> str:
        def shape_of(t):
            return None if t is None else t.shape

        fields = "".join(f"    {a}={shape_of(getattr(self, a))},\n" for a in _TENSOR_ATTRS[:8])
        name = getattr(self.mask_mod, "__name__", self.mask_mod)
        return (
            f"BlockMask(\n{fields}    BLOCK_SIZE={self.BLOCK_SIZE},\n    shape={self.shape},\n"
            f"    sparsity={self.sparsity():.2f}%,\n    mask_mod={name}\n)"
        )

    def _refuse_tensor_dq_kv_order(self, what):
        if self.dq_kv_order is not None:
            raise NotImplementedError(
                f"{what} BlockMask with tensor dq_kv_order is not supported yet. Construct a new "
                "BlockMask with matching precomputed dq_write_order metadata."
            )

    def _derived(self, kv_num, kv_idx, full_num, full_idx, mask_mod, seq_lengths):
        """A BlockMask built from new kv blocks that keeps this one's block size and dq order."""
        out = BlockMask.from_kv_blocks(kv_num, kv_idx, full_num, full_idx,
                                       BLOCK_SIZE=self.BLOCK_SIZE, mask_mod=mask_mod,
                                       seq_lengths=seq_lengths,
                                       compute_q_blocks=self.q_indices is not None)  # fmt: skip
        out.dq_kv_order_spt = self.dq_kv_order_spt
        if self.dq_write_order is not None:
            out.dq_write_order, out.dq_write_order_full = _compute_dq_write_order(
                out, out.dq_kv_order_spt
            )
        return out

    def __getitem__(self, index):
        """The BlockMask of some batches/heads/query-tile rows (its mask_mod is not kept)."""
        self._refuse_tensor_dq_kv_order("Slicing")
        index = index if isinstance(index, tuple) else (index,)
        padded = (*index, slice(None), slice(None), slice(None))[:3]
        # an int index keeps its dimension, as a length-one slice
        index = tuple(
            (slice(i + n, i + n + 1) if -n <= i < 0 else slice(i, i + 1))
            if isinstance(i, int)
            else i
            for i, n in zip(padded, self.kv_num_blocks.shape[:3])
        )

        def take(t):
            return None if t is None else t[index]

        return self._derived(take(self.kv_num_blocks), take(self.kv_indices),
                             take(self.full_kv_num_blocks), take(self.full_kv_indices),
                             _sliced_mask_mod_error, self.seq_lengths)  # fmt: skip

    def _adjust(self, new_q_len: int, new_kv_len: int):
        """This mask cropped to its top-left ``new_q_len`` x ``new_kv_len`` corner."""
        self._refuse_tensor_dq_kv_order("Adjusting")
        rows = -(-new_q_len // self.BLOCK_SIZE[0])
        cols = -(-new_kv_len // self.BLOCK_SIZE[1])
        kv_num, kv_idx = _adjust_num_blocks_and_indices(
            self.kv_num_blocks, self.kv_indices, rows, cols
        )
        full_num = full_idx = None
        if self.full_kv_num_blocks is not None:
            full_num, full_idx = _adjust_num_blocks_and_indices(
                self.full_kv_num_blocks, self.full_kv_indices, rows, cols
            )
        return self._derived(kv_num, kv_idx, full_num, full_idx, self.mask_mod,
                             (new_q_len, new_kv_len))  # fmt: skip

    def to(self, device):
        """A copy with every tensor moved to ``device``."""
        moved = {a: getattr(self, a) for a in _TENSOR_ATTRS}
        moved = {a: (None if t is None else t.to(device)) for a, t in moved.items()}
        return BlockMask(self.seq_lengths, BLOCK_SIZE=self.BLOCK_SIZE, mask_mod=self.mask_mod,
                         dq_kv_order_spt=self.dq_kv_order_spt, **moved)  # fmt: skip


def _create_sparse_block_from_block_mask(block_mask, mask_mod, seq_lengths,
                                         Q_BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE,
                                         KV_BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE):  # fmt: skip
    """A BlockMask from (partial, full or None) 0/1 tile matrices."""
    partial, full = block_mask
    kv_num, kv_idx = _dense_to_ordered(partial)
    full_num = full_idx = None
    if full is not None:
        full_num, full_idx = _dense_to_ordered(full)
    return BlockMask.from_kv_blocks(kv_num, kv_idx, full_num, full_idx,
                                    BLOCK_SIZE=(Q_BLOCK_SIZE, KV_BLOCK_SIZE), mask_mod=mask_mod,
                                    seq_lengths=seq_lengths)  # fmt: skip


def create_block_mask(mask_mod, B, H, Q_LEN, KV_LEN, device=None,
                      BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE, _compile=False,
                      separate_full_blocks=True, compute_dq_write_order=False,
                      dq_kv_order=True):  # fmt: skip
    """The BlockMask of ``mask_mod`` over B x H x Q_LEN x KV_LEN (None for B/H means 1)."""
    device = _default_device(device)
    if _is_score_mod(mask_mod):
        raise AssertionError(f"create-block_mask requires a mask_mod function! Got {mask_mod}")
    B = 1 if B is None else B
    H = 1 if H is None else H
    q_block, kv_block = (BLOCK_SIZE, BLOCK_SIZE) if isinstance(BLOCK_SIZE, int) else BLOCK_SIZE
    if _compile:
        warnings.warn(
            "_compile flag on create_block_mask was originally added to work around a "
            "torch.compile limitation. That limitation has since been addressed. So, to compile "
            "create_block_mask, we suggest doing torch.compile(create_block_mask). This still "
            "works for now, but will be removed in the future.",
            DeprecationWarning,
            stacklevel=2,
        )
    if not isinstance(dq_kv_order, bool):
        raise ValueError("dq_kv_order must be a bool when using create_block_mask")
    mask = create_mask(mask_mod, B, H, Q_LEN, KV_LEN, device)
    tiles = _convert_mask_to_block_mask(mask, q_block, kv_block, separate_full_blocks)
    block_mask = _create_sparse_block_from_block_mask(
        tiles, mask_mod, (Q_LEN, KV_LEN), q_block, kv_block
    )
    if compute_dq_write_order:
        order, order_full = _compute_dq_write_order(block_mask, dq_kv_order)
        block_mask.dq_write_order, block_mask.dq_write_order_full = order, order_full
        block_mask.dq_kv_order_spt = dq_kv_order
    return block_mask


def _create_empty_block_mask(query):
    """The one-tile BlockMask flex_attention uses when it is given none."""
    from ...creation import ones, zeros

    dev = query.device
    return BlockMask.from_kv_blocks(
        kv_num_blocks=ones([1, 1, 1], dtype=dtypes.int32, device=dev),
        kv_indices=zeros([1, 1, 1, 1], dtype=dtypes.int32, device=dev),
        BLOCK_SIZE=_LARGE_SPARSE_BLOCK_SIZE,
        seq_lengths=(1, 1),
    )
