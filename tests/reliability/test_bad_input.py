"""Bad input raises the exception type PyTorch raises, with a message naming what is wrong.

Each row of ``CASES`` is ``(id, call, expected)``: ``call(lib)`` runs once with ``lib`` =
ember and once with ``lib`` = torch (the oracle). Both must raise, with the same exception
type; Ember's message must contain ``expected`` (a substring naming the argument, value or
shapes involved) or, where ``expected`` is None, PyTorch's own message (its first line).
"""

import warnings

import pytest
import torch
import torch.utils.data

import ember
import ember.nn.functional
import ember.optim.lr_scheduler
import ember.utils.data


def T(lib, *a, **k):
    return lib.tensor(*a, **k)


def r(lib, *shape):
    return lib.ones(*shape)


def rg(lib, *shape):
    return lib.ones(*shape, requires_grad=True)


def _lin(lib):
    lib.manual_seed(0)
    return lib.nn.Linear(3, 2)


def _bad_sd(lib):
    m = _lin(lib)
    m.load_state_dict({"weight": lib.zeros(2, 4), "bias": lib.zeros(2)})


def _missing_sd(lib):
    m = _lin(lib)
    m.load_state_dict({"weight": lib.zeros(2, 3)})


def _unexpected_sd(lib):
    m = _lin(lib)
    m.load_state_dict({"weight": lib.zeros(2, 3), "bias": lib.zeros(2), "extra": lib.zeros(1)})


def _second_backward(lib):
    x = rg(lib, 3)
    y = (x.exp()).sum()
    y.backward()
    y.backward()


def _inplace_saved(lib):
    x = rg(lib, 3)
    y = x.exp()
    z = y.sum()
    y.add_(1)
    z.backward()


def _loader(lib, **kw):
    ds = lib.utils.data.TensorDataset(lib.zeros(4, 2))
    return lib.utils.data.DataLoader(ds, **kw)


def _unused(lib):
    x = rg(lib, 2)
    z = rg(lib, 2)
    lib.autograd.grad((x * 2).sum(), [x, z])


def _opt_sd(lib):
    p = rg(lib, 2)
    q = rg(lib, 2)
    opt = lib.optim.SGD([p], lr=0.1)
    opt2 = lib.optim.SGD([p, q], lr=0.1)
    opt.load_state_dict(opt2.state_dict())


CASES = [
    # creation
    ("tensor_int_requires_grad", lambda L: T(L, [1, 2], requires_grad=True), "floating point"),
    ("arange_int_requires_grad", lambda L: L.arange(4, requires_grad=True), "floating point"),
    ("int_requires_grad_", lambda L: T(L, [1, 2]).requires_grad_(), "floating point"),
    ("tensor_ragged", lambda L: T(L, [[1, 2], [3]]), None),
    ("tensor_str", lambda L: T(L, "abc"), None),
    ("zeros_negative", lambda L: L.zeros(-1), None),
    ("ones_negative", lambda L: L.ones(2, -3), "-3"),
    ("empty_negative", lambda L: L.empty(-2), "-2"),
    ("full_negative", lambda L: L.full((-1,), 1.0), "-1"),
    ("arange_zero_step", lambda L: L.arange(0, 5, 0), "step"),
    ("arange_wrong_sign", lambda L: L.arange(0, 5, -1), None),
    ("linspace_negative_steps", lambda L: L.linspace(0, 1, -1), "steps"),
    ("eye_negative", lambda L: L.eye(-1), "-1"),
    ("randn_negative", lambda L: L.randn(-1), "-1"),
    ("randint_low_ge_high", lambda L: L.randint(5, 5, (2,)), None),
    ("rand_bad_size_type", lambda L: L.rand("3"), None),
    ("zeros_float_size", lambda L: L.zeros(2.5), None),
    # elementwise / broadcasting
    ("add_broadcast", lambda L: r(L, 2, 3) + r(L, 4), "dimension 1"),
    ("mul_broadcast", lambda L: L.mul(r(L, 3), r(L, 2)), "(3) must match the size of tensor b (2)"),
    ("sub_bool", lambda L: T(L, [True]) - T(L, [False]), "Subtraction, the `-` operator"),
    ("neg_bool", lambda L: -T(L, [True]), "Negation, the `-` operator"),
    ("add_inplace_broadcast", lambda L: r(L, 1).add_(r(L, 3)), "output with shape [1]"),
    ("mul_inplace_int_float", lambda L: T(L, [1, 2]).mul_(1.5), "result type Float"),
    ("add_str", lambda L: r(L, 2) + "a", "'str'"),
    ("where_shape", lambda L: L.where(r(L, 2) > 0, r(L, 3), r(L, 2)), None),
    ("maximum_shape", lambda L: L.maximum(r(L, 2), r(L, 3)), "(2) must match"),
    ("bitwise_float", lambda L: r(L, 2) & r(L, 2), None),
    ("bitwise_or_double", lambda L: L.ones(2, dtype=L.float64) | T(L, [1]), None),
    ("bitwise_xor_float_scalar", lambda L: T(L, [1]) ^ 1.5, None),
    ("bitwise_not_float", lambda L: L.bitwise_not(r(L, 2)), None),
    ("invert_float", lambda L: ~r(L, 2), "operator.invert"),
    ("pow_int_negative", lambda L: T(L, [2]) ** -1, "Integers to negative integer powers"),
    ("clamp_no_bounds", lambda L: L.clamp(r(L, 2)), "At least one of 'min' or 'max'"),
    ("leaf_inplace", lambda L: rg(L, 2).mul_(2), "leaf Variable that requires grad"),
    ("lerp_shape", lambda L: L.lerp(r(L, 2), r(L, 3), 0.5), None),
    # reductions
    ("sum_dim_out_of_range", lambda L: r(L, 2, 3).sum(dim=2), "Dimension out of range"),
    ("mean_int", lambda L: T(L, [1, 2]).mean(), "mean(): could not infer output dtype"),
    ("max_empty", lambda L: L.ones(0).max(), None),
    ("argmax_dim_out_of_range", lambda L: r(L, 3).argmax(dim=1), "Dimension out of range"),
    ("softmax_dim_out_of_range", lambda L: L.softmax(r(L, 3), dim=2), "Dimension out of range"),
    ("std_dim_out_of_range", lambda L: r(L, 3).std(dim=-2), "Dimension out of range"),
    ("cumsum_dim", lambda L: r(L, 3).cumsum(dim=1), "Dimension out of range"),
    ("prod_dim", lambda L: r(L, 3).prod(dim=5), "Dimension out of range"),
    ("sum_repeated_dim", lambda L: r(L, 2, 3).sum(dim=(0, 0)), "dim 0 appears multiple times"),
    ("topk_k_too_big", lambda L: r(L, 3).topk(5), None),
    ("kthvalue_out_of_range", lambda L: r(L, 3).kthvalue(4), None),
    # shape ops
    ("view_bad", lambda L: r(L, 2, 3).view(4), "shape '[4]' is invalid for input of size 6"),
    ("reshape_bad", lambda L: r(L, 2, 3).reshape(5, -1), "shape '[5, -1]' is invalid"),
    (
        "reshape_two_minus_one",
        lambda L: r(L, 6).reshape(-1, -1),
        "only one dimension can be inferred",
    ),
    ("view_noncontiguous", lambda L: r(L, 2, 3).t().view(6), "view size is not compatible"),
    ("permute_wrong_len", lambda L: r(L, 2, 3).permute(0), "number of dimensions"),
    ("permute_repeat", lambda L: r(L, 2, 3).permute(0, 0), "duplicate dims"),
    ("transpose_dim", lambda L: r(L, 2, 3).transpose(0, 2), "Dimension out of range"),
    ("squeeze_dim", lambda L: r(L, 2).squeeze(3), "Dimension out of range"),
    ("unsqueeze_dim", lambda L: r(L, 2).unsqueeze(3), "Dimension out of range"),
    ("expand_bad", lambda L: r(L, 2, 3).expand(4, 3), "expanded size of the tensor (4)"),
    ("expand_fewer_dims", lambda L: r(L, 2, 3).expand(3), "number of sizes provided (1)"),
    ("cat_shape", lambda L: L.cat([r(L, 2, 3), r(L, 2, 4)]), "Sizes of tensors must match"),
    ("cat_empty_list", lambda L: L.cat([]), None),
    ("cat_dims", lambda L: L.cat([r(L, 2, 3), r(L, 3)]), None),
    (
        "stack_shape",
        lambda L: L.stack([r(L, 2), r(L, 3)]),
        "stack expects each tensor to be equal size",
    ),
    ("stack_empty", lambda L: L.stack([]), "stack expects a non-empty TensorList"),
    ("split_zero", lambda L: r(L, 4).split(0), None),
    ("chunk_zero", lambda L: r(L, 4).chunk(0), "chunk expects `chunks` to be greater than 0"),
    ("flatten_dims", lambda L: r(L, 2, 3).flatten(1, 0), "flatten() has invalid args"),
    ("narrow_out", lambda L: r(L, 4).narrow(0, 2, 5), None),
    ("repeat_fewer", lambda L: r(L, 2, 3).repeat(2), "Number of dimensions of repeat dims"),
    ("flip_dim", lambda L: r(L, 2).flip(1), "Dimension out of range"),
    ("roll_shifts_dims", lambda L: r(L, 2, 2).roll((1, 1), (0,)), None),
    # indexing
    (
        "index_out_of_range",
        lambda L: r(L, 3)[5],
        "index 5 is out of bounds for dimension 0 with size 3",
    ),
    ("index_too_many", lambda L: r(L, 3)[0, 0], "too many indices"),
    ("index_float", lambda L: r(L, 3)[r(L, 1)], None),
    ("index_list_out_of_range", lambda L: r(L, 3)[[0, 4]], None),
    ("mask_shape", lambda L: r(L, 3)[T(L, [True, False])], "shape of the mask [2] at index 0"),
    ("gather_dim", lambda L: L.gather(r(L, 2, 2), 2, T(L, [[0]])), "Dimension out of range"),
    (
        "gather_float_index",
        lambda L: L.gather(r(L, 2, 2), 1, r(L, 2, 1)),
        "gather(): Expected dtype int32/int64 for index",
    ),
    ("index_select_float", lambda L: L.index_select(r(L, 3), 0, r(L, 1)), None),
    ("setitem_shape", lambda L: r(L, 3).__setitem__(slice(None), r(L, 2)), "[2]"),
    ("scatter_float_index", lambda L: r(L, 3).scatter(0, r(L, 1), 1.0), None),
    # matmul / linalg
    (
        "matmul_shape",
        lambda L: r(L, 2, 3) @ r(L, 4, 5),
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
    ),
    (
        "matmul_0d",
        lambda L: L.matmul(L.ones(()), r(L, 2)),
        "both arguments to matmul need to be at least 1D",
    ),
    ("mm_3d", lambda L: L.mm(r(L, 2, 2, 2), r(L, 2, 2)), "self must be a matrix"),
    ("bmm_2d", lambda L: L.bmm(r(L, 2, 2), r(L, 2, 2)), "batch1 must be a 3D tensor"),
    (
        "dot_2d",
        lambda L: L.dot(r(L, 3, 1), r(L, 3, 1)),
        "1D tensors expected, but got 2D and 2D tensors",
    ),
    ("dot_size", lambda L: L.dot(r(L, 3), r(L, 2)), None),
    ("dot_dtype", lambda L: L.dot(r(L, 3), T(L, [1, 2, 3])), None),
    ("mv_shape", lambda L: L.mv(r(L, 2, 3), r(L, 2)), None),
    ("matmul_dtype", lambda L: r(L, 2, 2) @ T(L, [[1, 2], [3, 4]]), None),
    ("tensordot_shape", lambda L: L.tensordot(r(L, 2, 3), r(L, 4, 5), dims=1), None),
    ("einsum_operands", lambda L: L.einsum("ij,jk->ik", r(L, 2, 3)), None),
    ("einsum_shape", lambda L: L.einsum("ij,jk->ik", r(L, 2, 3), r(L, 4, 5)), None),
    ("trace_3d", lambda L: L.trace(r(L, 2, 2, 2)), None),
    ("diag_3d", lambda L: L.diag(r(L, 2, 2, 2)), None),
    ("outer_2d", lambda L: L.outer(r(L, 2, 2), r(L, 2)), None),
    # nn layers
    (
        "linear_in_features",
        lambda L: _lin(L)(r(L, 4, 5)),
        "mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)",
    ),
    ("linear_int_input", lambda L: _lin(L)(T(L, [[1, 2, 3]])), None),
    (
        "conv2d_channels",
        lambda L: L.nn.Conv2d(3, 4, 3)(r(L, 1, 2, 8, 8)),
        "expected input[1, 2, 8, 8] to have 3 channels",
    ),
    ("conv2d_kernel_too_big", lambda L: L.nn.Conv2d(1, 1, 5)(r(L, 1, 1, 3, 3)), None),
    ("conv1d_3d_weight_rank", lambda L: L.nn.functional.conv1d(r(L, 1, 1, 5), r(L, 1, 1)), None),
    ("batchnorm_features", lambda L: L.nn.BatchNorm1d(3)(r(L, 4, 5)), None),
    ("batchnorm_eval_features", lambda L: L.nn.BatchNorm1d(3).eval()(r(L, 4, 5)), None),
    (
        "batch_norm_weight_size",
        lambda L: L.nn.functional.batch_norm(r(L, 4, 5), None, None, weight=r(L, 3), training=True),
        None,
    ),
    (
        "batch_norm_one_stat",
        lambda L: L.nn.functional.batch_norm(r(L, 4, 5), None, r(L, 5), training=True),
        None,
    ),
    (
        "batch_norm_eval_no_var",
        lambda L: L.nn.functional.batch_norm(r(L, 4, 5), r(L, 5), None),
        None,
    ),
    ("linear_double_input", lambda L: _lin(L)(L.ones(1, 3, dtype=L.float64)), None),
    (
        "linear_no_bias_double",
        lambda L: L.nn.functional.linear(L.ones(1, 3, dtype=L.float64), r(L, 2, 3)),
        None,
    ),
    ("embedding_negative", lambda L: L.nn.Embedding(5, 2)(T(L, [-1])), None),
    ("layernorm_shape", lambda L: L.nn.LayerNorm(4)(r(L, 2, 3)), None),
    ("embedding_float_index", lambda L: L.nn.Embedding(5, 2)(r(L, 3)), None),
    ("embedding_out_of_range", lambda L: L.nn.Embedding(5, 2)(T(L, [7])), "Index 7"),
    ("maxpool_too_small", lambda L: L.nn.MaxPool2d(4)(r(L, 1, 1, 2, 2)), None),
    # argument checks of pooling, convolution, interpolation, fold/unfold and padding
    (
        "maxpool_pad_over_half",
        lambda L: L.nn.functional.max_pool2d(r(L, 1, 1, 4, 4), 2, 2, 2),
        None,
    ),
    ("maxpool_stride_zero", lambda L: L.nn.functional.max_pool2d(r(L, 1, 1, 4, 4), 2, 0), None),
    (
        "avgpool_pad_over_half",
        lambda L: L.nn.functional.avg_pool2d(r(L, 1, 1, 4, 4), 2, 2, 2),
        None,
    ),
    ("avgpool_kernel_zero", lambda L: L.nn.functional.avg_pool2d(r(L, 1, 1, 4, 4), 0), None),
    (
        "conv_stride_zero",
        lambda L: L.nn.functional.conv2d(r(L, 1, 1, 4, 4), r(L, 1, 1, 2, 2), stride=0),
        None,
    ),
    (
        "conv_groups_mismatch",
        lambda L: L.nn.functional.conv2d(r(L, 1, 3, 4, 4), r(L, 2, 1, 2, 2), groups=2),
        None,
    ),
    (
        "conv_negative_padding",
        lambda L: L.nn.functional.conv2d(r(L, 1, 1, 4, 4), r(L, 1, 1, 2, 2), padding=-1),
        None,
    ),
    (
        "interp_size_and_scale",
        lambda L: L.nn.functional.interpolate(r(L, 1, 1, 4), size=2, scale_factor=2.0),
        None,
    ),
    ("interp_no_size", lambda L: L.nn.functional.interpolate(r(L, 1, 1, 4)), None),
    (
        "interp_bad_mode",
        lambda L: L.nn.functional.interpolate(r(L, 1, 1, 4), size=2, mode="cubic"),
        None,
    ),
    (
        "interp_align_nearest",
        lambda L: L.nn.functional.interpolate(r(L, 1, 1, 4), size=2, align_corners=True),
        None,
    ),
    ("unfold_kernel_too_big", lambda L: L.nn.functional.unfold(r(L, 1, 1, 3, 3), 4), None),
    ("fold_wrong_blocks", lambda L: L.nn.functional.fold(r(L, 1, 4, 5), (3, 3), 2), None),
    (
        "pad_circular_wraps",
        lambda L: L.nn.functional.pad(r(L, 1, 1, 2, 2), (3, 3, 3, 3), mode="circular"),
        None,
    ),
    (
        "pad_reflect_too_big",
        lambda L: L.nn.functional.pad(r(L, 1, 1, 2, 2), (2, 2, 2, 2), mode="reflect"),
        None,
    ),
    ("pad_odd_length", lambda L: L.nn.functional.pad(r(L, 1, 2), (1, 1, 1)), None),
    (
        "dropout_p",
        lambda L: L.nn.Dropout(1.5),
        "dropout probability has to be between 0 and 1, but got 1.5",
    ),
    ("linear_negative_features", lambda L: L.nn.Linear(-1, 2), None),
    ("module_add_bad_name", lambda L: L.nn.Module().add_module("a.b", L.nn.ReLU()), None),
    ("sequential_getitem", lambda L: L.nn.Sequential(L.nn.ReLU())[3], "index 3 is out of range"),
    # losses
    (
        "ce_float_target_1d",
        lambda L: L.nn.functional.cross_entropy(r(L, 2, 3), T(L, [0.0, 1.0])),
        None,
    ),
    (
        "ce_target_shape",
        lambda L: L.nn.functional.cross_entropy(r(L, 2, 3), T(L, [0, 1, 2])),
        "Expected input batch_size (2) to match target batch_size (3)",
    ),
    (
        "ce_target_out_of_range",
        lambda L: L.nn.functional.cross_entropy(r(L, 2, 3), T(L, [0, 5])),
        None,
    ),
    ("nll_target_float", lambda L: L.nn.functional.nll_loss(r(L, 2, 3), r(L, 2)), None),
    ("mse_shape", lambda L: L.nn.functional.mse_loss(r(L, 2, 3), r(L, 4, 3)), None),
    (
        "bce_target_size",
        lambda L: L.nn.functional.binary_cross_entropy(r(L, 3) * 0.5, r(L, 2)),
        None,
    ),
    (
        "bce_logits_size",
        lambda L: L.nn.functional.binary_cross_entropy_with_logits(r(L, 3), r(L, 2)),
        "Target size (torch.Size([2])) must be the same as input size (torch.Size([3]))",
    ),
    (
        "bce_out_of_range",
        lambda L: L.nn.functional.binary_cross_entropy(r(L, 2) * 2, r(L, 2)),
        "all elements of input should be between 0 and 1",
    ),
    (
        "loss_bad_reduction",
        lambda L: L.nn.functional.mse_loss(r(L, 2), r(L, 2), reduction="avg"),
        "avg is not a valid value for reduction",
    ),
    (
        "ce_int32_target",
        lambda L: L.nn.functional.cross_entropy(r(L, 2, 3), T(L, [0, 1], dtype=L.int32)),
        "but got Int",
    ),
    (
        "nll_bool_target",
        lambda L: L.nn.functional.nll_loss(r(L, 2, 3), T(L, [True, False])),
        "but got Bool",
    ),
    # optimizers
    ("sgd_negative_lr", lambda L: L.optim.SGD([rg(L, 2)], lr=-0.1), "Invalid learning rate: -0.1"),
    (
        "sgd_negative_momentum",
        lambda L: L.optim.SGD([rg(L, 2)], lr=0.1, momentum=-1),
        "Invalid momentum value: -1",
    ),
    (
        "sgd_negative_wd",
        lambda L: L.optim.SGD([rg(L, 2)], lr=0.1, weight_decay=-1),
        "Invalid weight_decay value: -1",
    ),
    (
        "sgd_nesterov_no_momentum",
        lambda L: L.optim.SGD([rg(L, 2)], lr=0.1, nesterov=True),
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (
        "adam_beta0",
        lambda L: L.optim.Adam([rg(L, 2)], betas=(1.0, 0.999)),
        "Invalid beta parameter at index 0: 1.0",
    ),
    (
        "adam_beta1",
        lambda L: L.optim.Adam([rg(L, 2)], betas=(0.9, -0.1)),
        "Invalid beta parameter at index 1: -0.1",
    ),
    ("adam_eps", lambda L: L.optim.Adam([rg(L, 2)], eps=-1.0), "Invalid epsilon value: -1.0"),
    ("adamw_lr", lambda L: L.optim.AdamW([rg(L, 2)], lr=-1.0), "Invalid learning rate: -1.0"),
    (
        "rmsprop_alpha",
        lambda L: L.optim.RMSprop([rg(L, 2)], alpha=-1.0),
        "Invalid alpha value: -1.0",
    ),
    ("optim_empty", lambda L: L.optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
    (
        "optim_tensor_params",
        lambda L: L.optim.SGD(rg(L, 2), lr=0.1),
        "params argument given to the optimizer should be an iterable",
    ),
    (
        "optim_nonleaf",
        lambda L: L.optim.SGD([rg(L, 2) * 2], lr=0.1),
        "can't optimize a non-leaf Tensor",
    ),
    (
        "optim_set_params",
        lambda L: L.optim.SGD([{"params": {rg(L, 2)}}], lr=0.1),
        "ordering of tensors in sets",
    ),
    ("optim_load_state_size", _opt_sd, "doesn't match the size of optimizer's group"),
    (
        "steplr_bad_optimizer",
        lambda L: L.optim.lr_scheduler.StepLR(object(), 1),
        "is not an Optimizer",
    ),
    # data
    (
        "dataloader_batch_size_zero",
        lambda L: _loader(L, batch_size=0),
        "batch_size should be a positive integer value, but got batch_size=0",
    ),
    ("dataloader_batch_size_negative", lambda L: _loader(L, batch_size=-1), "batch_size=-1"),
    (
        "dataloader_sampler_shuffle",
        lambda L: _loader(L, shuffle=True, sampler=[0, 1]),
        "sampler option is mutually exclusive with shuffle",
    ),
    (
        "dataloader_negative_workers",
        lambda L: _loader(L, num_workers=-1),
        "num_workers option should be non-negative",
    ),
    (
        "tensordataset_size_mismatch",
        lambda L: L.utils.data.TensorDataset(L.zeros(3), L.zeros(4)),
        "Size mismatch between tensors",
    ),
    (
        "random_split_lengths",
        lambda L: L.utils.data.random_split(range(4), [1, 2]),
        "Sum of input lengths does not equal the length of the input dataset",
    ),
    # state dicts
    (
        "load_state_dict_shape",
        _bad_sd,
        "size mismatch for weight: copying a param with shape torch.Size([2, 4])",
    ),
    ("load_state_dict_missing", _missing_sd, 'Missing key(s) in state_dict: "bias"'),
    ("load_state_dict_unexpected", _unexpected_sd, 'Unexpected key(s) in state_dict: "extra"'),
    # backward
    (
        "backward_non_scalar",
        lambda L: (rg(L, 3) * 2).backward(),
        "grad can be implicitly created only for scalar outputs",
    ),
    (
        "backward_no_grad",
        lambda L: r(L, 3).sum().backward(),
        "element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    (
        "backward_grad_shape",
        lambda L: (rg(L, 3) * 2).backward(r(L, 1)),
        "torch.Size([1]) and output[0] has a shape of torch.Size([3])",
    ),
    ("backward_twice", _second_backward, "Trying to backward through the graph a second time"),
    (
        "backward_inplace_modified",
        _inplace_saved,
        "modified by an inplace operation",
    ),
    (
        "grad_unused",
        _unused,
        "The differentiated Tensor at index 1 appears to not have been used in the graph",
    ),
    (
        "grad_no_requires_grad",
        lambda L: L.autograd.grad((rg(L, 2) * 2).sum(), [r(L, 2)]),
        "One of the differentiated Tensors does not require grad",
    ),
    (
        "set_grad_wrong_size",
        lambda L: setattr(rg(L, 2), "grad", r(L, 3)),
        "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'",
    ),
    (
        "nonleaf_requires_grad",
        lambda L: setattr(rg(L, 2) * 2, "requires_grad", False),
        "you can only change requires_grad flags of leaf variables",
    ),
    (
        "numpy_requires_grad",
        lambda L: rg(L, 2).numpy(),
        "Can't call numpy() on Tensor that requires grad",
    ),
    (
        "item_multi",
        lambda L: r(L, 2).item(),
        "a Tensor with 2 elements cannot be converted to Scalar",
    ),
    (
        "device_bad",
        lambda L: r(L, 2).to("nosuchdevice"),
        "device type at start of device string: nosuchdevice",
    ),
]


def _raised(lib, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(lib)
        except Exception as e:
            return e
    return None


def _ids(cases):
    return [c.values[0] if hasattr(c, "values") else c[0] for c in cases]


def test_table_is_large_and_ids_unique():
    ids = _ids(CASES)
    assert len(ids) >= 80
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name, call, expected", CASES, ids=_ids(CASES))
def test_bad_input_matches_torch(name, call, expected):
    want = _raised(torch, call)
    assert want is not None, f"{name}: the oracle accepted this input; the case is wrong"
    got = _raised(ember, call)
    assert got is not None, f"{name}: Ember accepted input PyTorch rejects ({want!r})"
    assert type(got) is type(want), (
        f"{name}: Ember raised {type(got).__name__}: {got}; PyTorch raised "
        f"{type(want).__name__}: {want}"
    )
    text = expected if expected is not None else str(want).split("\n")[0]
    assert text in str(got), f"{name}: {text!r} not in Ember's message {str(got)!r}"
