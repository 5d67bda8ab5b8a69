"""``ember.nn.functional``: the functional forms of layers, activations and losses.

Activations, softmax, convolution, pooling and the core losses live in ``ember.ops`` and
are re-exported here; the rest is composed in ``ember.nn._functional`` (one module per
concept).
"""

from __future__ import annotations

from ..ops import inplace as _inplace
from ..ops.activation import (  # noqa: F401
    celu,
    elu,
    elu_,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softplus,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from ..ops.avg_pooling import (  # noqa: F401
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
)
from ..ops.class_losses import cross_entropy, nll_loss  # noqa: F401
from ..ops.conv import (  # noqa: F401
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from ..ops.losses import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
)
from ..ops.nn_ops import linear, log_softmax, one_hot, softmax, softmin  # noqa: F401
from ..ops.pooling import (  # noqa: F401
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
)
from ..ops.trig import tanh as _tanh
from ..ops.unary import relu as _relu
from ..ops.unary import relu_  # noqa: F401
from ..ops.unary import sigmoid as _sigmoid
from ._functional.activation import celu_, rrelu, rrelu_, selu_, threshold_  # noqa: F401
from ._functional.attention import (  # noqa: F401
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from ._functional.ctc import ctc_loss  # noqa: F401
from ._functional.distance import cosine_similarity, pairwise_distance, pdist  # noqa: F401
from ._functional.dropout import (  # noqa: F401
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from ._functional.embedding import embedding, embedding_bag  # noqa: F401
from ._functional.fold import fold, unfold  # noqa: F401
from ._functional.grid import affine_grid, grid_sample  # noqa: F401
from ._functional.gumbel import gumbel_softmax  # noqa: F401
from ._functional.linear import bilinear  # noqa: F401
from ._functional.losses import (  # noqa: F401
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from ._functional.normalization import (  # noqa: F401
    batch_norm,
    group_norm,
    instance_norm,
    layer_norm,
    local_response_norm,
    normalize,
    rms_norm,
)
from ._functional.padding import pad  # noqa: F401
from ._functional.resample import (  # noqa: F401
    adaptive_avg_pool3d,
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
from ._functional.shuffle import (  # noqa: F401
    channel_shuffle,
    native_channel_shuffle,
    pixel_shuffle,
    pixel_unshuffle,
)


def relu(input, inplace: bool = False):
    """max(x, 0)."""
    if inplace:
        return _inplace.inplace(input, _relu)
    return _relu(input)


def sigmoid(input):
    """1 / (1 + exp(-x))."""
    return _sigmoid(input)


def tanh(input):
    """Hyperbolic tangent."""
    return _tanh(input)


from ..ops.adaptive_max_pool import (  # noqa: E402, F401
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d,
    adaptive_max_pool3d_with_indices,
    max_pool3d_with_indices,
)
from ..ops.fractional_pool import (  # noqa: E402, F401
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from ..ops.unpool import max_unpool1d, max_unpool2d, max_unpool3d  # noqa: E402, F401
from ._functional.lp_pooling import lp_pool1d, lp_pool2d, lp_pool3d  # noqa: E402, F401

__all__ = [n for n in globals() if not n.startswith("_") and n != "annotations"]
