"""Lazy modules: layers whose input size is read from the first batch they see.

Until then their parameters are ``UninitializedParameter``s; the first call (or loading a
state dict) gives them their shapes, initialises them as the eager layer would, and turns
the module into that eager class (``LazyLinear`` becomes ``Linear``), as in PyTorch.
"""

from __future__ import annotations

from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...creation import tensor
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)


class LazyModuleMixin:
    """Defers parameter shapes to the first call; see the module docstring."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _setup_hooks(self)

    def has_uninitialized_params(self):
        """Whether a parameter or buffer of this module still has no shape."""
        own = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_lazy(t) for t in own)

    def initialize_parameters(self, *args, **kwargs):
        """Give the parameters their shapes from the call's arguments (subclasses define it)."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}"
        )

    def _lazy_load_hook(
        self, state_dict, prefix, local_metadata, strict, missing, unexpected, errors
    ):
        # A checkpoint fixes the shapes: materialize to them so the copy can proceed.
        for registry in (self._parameters, self._buffers):
            for name, t in registry.items():
                key = prefix + name
                if key in state_dict and is_lazy(t):
                    src = state_dict[key]
                    if not is_lazy(src):
                        with no_grad():
                            t.materialize(tuple(src._data.shape))


def _setup_hooks(module):
    module._load_hook = module._register_load_state_dict_pre_hook(module._lazy_load_hook)
    module._initialize_hook = module.register_forward_pre_hook(_infer_parameters, with_kwargs=True)


def _infer_parameters(module, args, kwargs):
    module.initialize_parameters(*args, **kwargs)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    module._load_hook.remove()
    del module._initialize_hook
    del module._load_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """A Linear whose ``in_features`` is the last dimension of the first input."""

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False, dtype=dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self):
        """Initialise as Linear does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        """Read ``in_features`` from ``input``."""
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvXdMixin(LazyModuleMixin):
    def reset_parameters(self):
        """Initialise as the convolution does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input):
        batched = self._nd + 2
        if input.dim() not in (batched - 1, batched):
            raise RuntimeError(
                f"Expected {batched - 1}D (unbatched) or {batched}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}"
            )
        return input.shape[1] if input.dim() == batched else input.shape[0]

    def initialize_parameters(self, input, *args, **kwargs):
        """Read ``in_channels`` from ``input``."""
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            if self.transposed:
                shape = (self.in_channels, self.out_channels // self.groups)
            else:
                shape = (self.out_channels, self.in_channels // self.groups)
            with no_grad():
                self.weight.materialize(shape + tuple(self.kernel_size))
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()

    def _lazy_params(self, out_channels, bias, dtype):
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)


def _lazy_conv_init(args):
    """Build a convolution from an ``__init__``'s ``args`` (its locals), channels unknown yet."""
    self, out_channels, bias = args.pop("self"), args.pop("out_channels"), args.pop("bias")
    del args["device"]
    LazyModuleMixin.__init__(self, 0, 0, bias=False, **args)
    self._lazy_params(out_channels, bias, args["dtype"])


def _lazy_conv(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
               bias=True, padding_mode="zeros", device=None, dtype=None):  # fmt: skip
    """A convolution whose ``in_channels`` comes from the first input."""
    _lazy_conv_init(locals())


def _lazy_conv_transpose(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                         groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                         dtype=None):  # fmt: skip
    """A transposed convolution whose ``in_channels`` comes from the first input."""
    _lazy_conv_init(locals())


def _lazy_class(base, mixin, init, reads):
    """``Lazy<base>``: a ``base`` whose ``reads`` is taken from the first input."""
    name = base.__name__
    article = "An" if name[0] in "AEIOU" else "A"
    namespace = {
        "__doc__": f"{article} {name} whose ``{reads}`` is read from the first input.",
        "__module__": __name__,
        "cls_to_become": base,
        "__init__": init,
    }
    return type(f"Lazy{name}", (mixin, base), namespace)


LazyConv1d = _lazy_class(Conv1d, _LazyConvXdMixin, _lazy_conv, "in_channels")
LazyConv2d = _lazy_class(Conv2d, _LazyConvXdMixin, _lazy_conv, "in_channels")
LazyConv3d = _lazy_class(Conv3d, _LazyConvXdMixin, _lazy_conv, "in_channels")
LazyConvTranspose1d = _lazy_class(
    ConvTranspose1d, _LazyConvXdMixin, _lazy_conv_transpose, "in_channels"
)
LazyConvTranspose2d = _lazy_class(
    ConvTranspose2d, _LazyConvXdMixin, _lazy_conv_transpose, "in_channels"
)
LazyConvTranspose3d = _lazy_class(
    ConvTranspose3d, _LazyConvXdMixin, _lazy_conv_transpose, "in_channels"
)


class _LazyNormBase(LazyModuleMixin):
    def _lazy_setup(self, affine, track_running_stats, bias, dtype):
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=dtypes.int64)

    def reset_parameters(self):
        """Initialise as the eager layer does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        """Read ``num_features`` from the channel dimension of ``input``."""
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]
            with no_grad():
                if self.affine:
                    self.weight.materialize((self.num_features,))
                if self.bias is not None:
                    self.bias.materialize((self.num_features,))
                if self.track_running_stats:
                    self.running_mean.materialize((self.num_features,))
                    self.running_var.materialize((self.num_features,))
                self.reset_parameters()


def _lazy_norm(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
               dtype=None, *, bias=True):  # fmt: skip
    """A norm layer whose ``num_features`` comes from the first input."""
    LazyModuleMixin.__init__(self, 0, eps, momentum, False, False, dtype=dtype)
    self._lazy_setup(affine, track_running_stats, bias, dtype)


LazyBatchNorm1d = _lazy_class(BatchNorm1d, _LazyNormBase, _lazy_norm, "num_features")
LazyBatchNorm2d = _lazy_class(BatchNorm2d, _LazyNormBase, _lazy_norm, "num_features")
LazyBatchNorm3d = _lazy_class(BatchNorm3d, _LazyNormBase, _lazy_norm, "num_features")
LazyInstanceNorm1d = _lazy_class(InstanceNorm1d, _LazyNormBase, _lazy_norm, "num_features")
LazyInstanceNorm2d = _lazy_class(InstanceNorm2d, _LazyNormBase, _lazy_norm, "num_features")
LazyInstanceNorm3d = _lazy_class(InstanceNorm3d, _LazyNormBase, _lazy_norm, "num_features")
