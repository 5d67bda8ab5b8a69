"""Transitional: families not yet written as declarations (``METHODS`` dicts, ``register``
blocks, vmap rules listed by class name).  Each converted family stops appearing here;
when none is left this module goes.
"""

from __future__ import annotations

from . import batching as B
from .registry import declare

_ELEMENTWISE = """Add Sub Mul Div Pow Neg Exp Exp2 Expm1 Log Log1p Log2 Log10 Tanh Sigmoid Relu Sqrt
Rsqrt Abs Sign Trunc Floor Ceil Round Frac Sin Cos Tan Asin Acos Atan Atan2 Sinh Cosh Asinh
Acosh Atanh Erf Erfc Reciprocal Square Where Clone ToCopy Maximum Minimum Clamp LeakyRelu Elu
Selu Celu Gelu Silu Mish Softplus Hardtanh Hardsigmoid Hardswish Relu6 Logit Remainder Fmod
Lerp Log1P Exp2 PowScalar PowScalarBase FloorDivide _Fmod _Compare _Invert _LogicalNot
RoundDecimals Threshold Hardshrink Softshrink LogSigmoid ClampScalar Fmax Fmin Hypot Copysign
LerpScalar""".split()

#: Old node class name -> batching rule, for nodes not yet declared.
RULES = {name: B.elementwise for name in _ELEMENTWISE}
RULES.update({n: B.reduce for n in "Sum Prod MaxDim Amax Var Logsumexp Cumsum Cumprod".split()})
RULES.update(
    VectorNorm=B.norm,
    Softmax=B.softmax,
    LogSoftmax=B.softmax,
    MatMul=B.matmul,
    Mm=B.matmul,
    Bmm=B.matmul,
    Mv=B.matmul,
    Dot=B.matmul,
    Linear=B.linear,
    Reshape=B.to_shape,
    Expand=B.to_shape,
    Permute=B.permute,
    GetItem=B.getitem,
    Cat=B.join,
    Stack=B.join,
    Unbind=B.unbind,
    ClassTargets=B.class_targets,
    ConvNd=B.conv,
    MaxPoolTiled=B.samples,
    CrossEntropy=B.rows,
)


def rule_by_name(cls):
    """The old name-keyed rule for an undeclared node class (along its MRO)."""
    for c in cls.__mro__:
        rule = RULES.get(c.__name__)
        if rule is not None:
            return rule
    return None


def adopt(module):
    """Declare the Tensor methods of an unconverted family from its ``METHODS`` dict."""
    from .registry import tensor_methods

    declared = tensor_methods()
    by_function = {}
    for method, fn_name in module.METHODS.items():
        if method not in declared:  # a converted family declared it already
            by_function.setdefault(fn_name, []).append(method)
    for fn_name, methods in by_function.items():
        declare(None, getattr(module, fn_name), methods=tuple(methods), public=False)
