"""Transformer, TransformerEncoder(Layer) and TransformerDecoder(Layer)."""

from __future__ import annotations

import copy
import warnings

from ... import dtypes
from .. import functional as F
from .. import init
from .._functional.attention import canonical_mask
from ..module import Module
from .activation import GELU, ReLU
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .normalization import LayerNorm


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """(sz, sz) float mask: -inf above the diagonal (future positions), 0 elsewhere."""
    from ...creation import full

    return full((sz, sz), float("-inf"), dtype=dtype or dtypes.get_default_dtype()).triu(1)


def _seq_len(src, batch_first):
    if src.dim() == 2:
        return src.shape[0]
    return src.shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """``is_causal`` if given; otherwise whether ``mask`` is exactly the causal mask."""
    if is_causal is not None or mask is None:
        return is_causal is True
    sz = size if size is not None else mask.shape[-2]
    causal = _generate_square_subsequent_mask(sz, dtype=mask.dtype)
    if tuple(mask.shape) != tuple(causal.shape):
        return False
    return bool((mask == causal).all())


def _activation_fn(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _relu_or_gelu(activation):
    """PyTorch's code for the activation: 1 relu, 2 gelu, 0 anything else."""
    if activation is F.relu or isinstance(activation, ReLU):
        return 1
    if activation is F.gelu or isinstance(activation, GELU):
        return 2
    return 0


def _canonical_masks(mask, mask_name, padding_mask, dtype):
    """The attention mask and the source padding mask as float masks (PyTorch's checks)."""
    padding_mask = canonical_mask(padding_mask, "src_key_padding_mask",
                                  None if mask is None else mask.dtype, mask_name,
                                  dtype)  # fmt: skip
    return canonical_mask(mask, mask_name, None, "", dtype, False), padding_mask


def _clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class _Block(Module):
    """What encoder and decoder layers share: construction, the feed-forward part, the norms.

    A layer names its attention modules in ``_attentions``; it has one norm and one dropout
    more than it has attentions (the feed-forward block's).
    """

    _attentions = ("self_attn",)

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        kw = {"dropout": dropout, "batch_first": batch_first, "bias": bias, "dtype": dtype}
        for name in self._attentions:
            setattr(self, name, MultiheadAttention(d_model, nhead, **kw))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        n = len(self._attentions) + 1
        for i in range(1, n + 1):
            setattr(
                self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            )
        for i in range(1, n + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        if isinstance(activation, str):
            activation = _activation_fn(activation)
        self.activation_relu_or_gelu = _relu_or_gelu(activation)
        self.activation = activation

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "activation"):
            self.activation = F.relu

    def _ff_block(self, x, out_dropout):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return out_dropout(x)

    @staticmethod
    def _attend(attn, x, mem, attn_mask, key_padding_mask, is_causal, out_dropout):
        x = attn(
            x,
            mem,
            mem,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return out_dropout(x)


class TransformerEncoderLayer(_Block):
    """Self-attention then a feed-forward block, each with a residual and a LayerNorm
    (before the block with ``norm_first``, after it otherwise)."""

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """Encode ``src``."""
        src_mask, src_key_padding_mask = _canonical_masks(
            src_mask, "src_mask", src_key_padding_mask, src.dtype
        )
        x = src
        sa = self.self_attn
        if self.norm_first:
            h = self.norm1(x)
            x = x + self._attend(sa, h, h, src_mask, src_key_padding_mask, is_causal, self.dropout1)
            x = x + self._ff_block(self.norm2(x), self.dropout2)
        else:
            x = self.norm1(
                x + self._attend(sa, x, x, src_mask, src_key_padding_mask, is_causal, self.dropout1)
            )
            x = self.norm2(x + self._ff_block(x, self.dropout2))
        return x


class TransformerDecoderLayer(_Block):
    """Self-attention, attention over the encoder's memory, then a feed-forward block;
    each with a residual and a LayerNorm."""

    _attentions = ("self_attn", "multihead_attn")

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False,
                memory_is_causal=False):  # fmt: skip
        """Decode ``tgt`` attending to ``memory``."""
        x = tgt
        sa, ca = self.self_attn, self.multihead_attn
        tm, tk, tc = tgt_mask, tgt_key_padding_mask, tgt_is_causal
        mm, mk, mc = memory_mask, memory_key_padding_mask, memory_is_causal
        if self.norm_first:
            h = self.norm1(x)
            x = x + self._attend(sa, h, h, tm, tk, tc, self.dropout1)
            x = x + self._attend(ca, self.norm2(x), memory, mm, mk, mc, self.dropout2)
            x = x + self._ff_block(self.norm3(x), self.dropout3)
        else:
            x = self.norm1(x + self._attend(sa, x, x, tm, tk, tc, self.dropout1))
            x = self.norm2(x + self._attend(ca, x, memory, mm, mk, mc, self.dropout2))
            x = self.norm3(x + self._ff_block(x, self.dropout3))
        return x


def _why_no_nested_tensor(layer):
    """Why PyTorch's encoder would not use nested tensors with ``layer`` ('' if it would)."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    sa = layer.self_attn
    reasons = [
        (layer.norm_first, f"{name}.norm_first was True"),
        (
            not sa.batch_first,
            f"{name}.self_attn.batch_first was not True(use batch_first for better inference "
            "performance)",
        ),
        (not sa._qkv_same_embed_dim, f"{name}.self_attn._qkv_same_embed_dim was not True"),
        (sa.in_proj_bias is None, f"{name}.self_attn was passed bias=False"),
        (not layer.activation_relu_or_gelu, f"{name}.activation_relu_or_gelu was not True"),
        (layer.norm1.eps != layer.norm2.eps, f"{name}.norm1.eps was not equal to {name}.norm2.eps"),
        (sa.num_heads % 2 == 1, f"{name}.self_attn.num_heads is odd"),
    ]
    return next((why for bad, why in reasons if bad), "")


def _left_aligned(padding_mask):
    """True where every row's kept positions come first (PyTorch's nested-tensor condition)."""
    keep = ~padding_mask
    return bool((keep[:, 1:] <= keep[:, :-1]).all()) if keep.shape[1] > 1 else True


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (and an optional final norm)."""

    def __init__(
        self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True
    ):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why = _why_no_nested_tensor(encoder_layer)
        if enable_nested_tensor and why:
            warnings.warn(
                f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why}",
                stacklevel=2,
            )
            self.use_nested_tensor = False

    def _packs_padding(self, src, mask, padding_mask):
        """Whether PyTorch would run this call on nested tensors (padded outputs become 0)."""
        from ...autograd.grad_mode import is_grad_enabled

        first = self.layers[0]
        if not self.use_nested_tensor or first.training or src.dim() != 3:
            return False
        if padding_mask is None or mask is not None:
            return False
        if self.mask_check and not _left_aligned(padding_mask):
            return False
        params = [p for p in first.parameters()]
        return not (
            is_grad_enabled() and (src.requires_grad or any(p.requires_grad for p in params))
        )

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        """Run every layer in turn (then the final norm)."""
        bool_padding = src_key_padding_mask
        mask, src_key_padding_mask = _canonical_masks(mask, "mask", src_key_padding_mask, src.dtype)
        packed = bool_padding is not None and self._packs_padding(
            src, mask, bool_padding if bool_padding.dtype == dtypes.bool else bool_padding != 0
        )
        batch_first = self.layers[0].self_attn.batch_first
        is_causal = _detect_is_causal_mask(mask, is_causal, _seq_len(src, batch_first))
        out = src
        for mod in self.layers:
            out = mod(
                out, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask
            )
        if packed:
            # PyTorch runs this case on nested tensors, whose padded positions come back as 0.
            pad = bool_padding if bool_padding.dtype == dtypes.bool else bool_padding != 0
            out = out.masked_fill(pad.unsqueeze(-1), 0.0)
        if self.norm is not None:
            out = self.norm(out)
        return out


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of ``decoder_layer`` (and an optional final norm)."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None,
                memory_is_causal=False):  # fmt: skip
        """Run every layer in turn (then the final norm)."""
        seq_len = _seq_len(tgt, self.layers[0].self_attn.batch_first)
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
        out = tgt
        for mod in self.layers:
            out = mod(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                      memory_is_causal=memory_is_causal)  # fmt: skip
        if self.norm is not None:
            out = self.norm(out)
        return out


class Transformer(Module):
    """Encoder-decoder transformer ("Attention Is All You Need"), PyTorch's layout."""

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation=F.relu, custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):  # fmt: skip
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps)
        kw = {"batch_first": batch_first, "norm_first": norm_first, "bias": bias, "dtype": dtype}

        def stack(custom, layer_cls, stack_cls, num_layers):
            if custom is not None:
                return custom
            layer = layer_cls(*args, **kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            return stack_cls(layer, num_layers, norm)

        self.encoder = stack(custom_encoder, TransformerEncoderLayer, TransformerEncoder,
                             num_encoder_layers)  # fmt: skip
        self.decoder = stack(custom_decoder, TransformerDecoderLayer, TransformerDecoder,
                             num_decoder_layers)  # fmt: skip
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                src_is_causal=None, tgt_is_causal=None, memory_is_causal=False):  # fmt: skip
        """Encode ``src``, then decode ``tgt`` against it."""
        batched = src.dim() == 3
        b = 0 if self.batch_first else 1
        if batched and src.shape[b] != tgt.shape[b]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)  # fmt: skip

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """(sz, sz) float mask: -inf above the diagonal, 0 on and below it."""
        return _generate_square_subsequent_mask(sz, device, dtype)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)
