"""Anomaly mode (PyTorch's backward checks, Ember's forward check) and in-place errors."""

from __future__ import annotations

import math
import warnings

import pytest

import ember
from ember.autograd import anomaly
from ember.autograd.function import Function


@pytest.fixture(autouse=True)
def _anomaly_off():
    yield
    anomaly.set_detect_anomaly(False)


def test_detect_anomaly_warns_and_restores():
    with pytest.warns(
        UserWarning,
        match="Anomaly Detection has been enabled. This mode will "
        "increase the runtime and should only be enabled for debugging.",
    ):
        with anomaly.detect_anomaly():
            assert anomaly.is_anomaly_enabled()
    assert not anomaly.is_anomaly_enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        anomaly.set_detect_anomaly(True)  # no warning, as PyTorch
    assert anomaly.is_anomaly_enabled() and anomaly.is_anomaly_check_nan_enabled()
    with anomaly.set_detect_anomaly(False):
        assert not anomaly.is_anomaly_enabled()
    assert anomaly.is_anomaly_enabled()


def test_decorator():
    with pytest.warns(UserWarning):
        deco = anomaly.detect_anomaly()

    @deco
    def f():
        return anomaly.is_anomaly_enabled()

    assert f() and not anomaly.is_anomaly_enabled()


def test_nan_in_backward_names_node_and_forward_line():
    with pytest.warns(UserWarning) as rec:
        with anomaly.detect_anomaly():
            a = ember.tensor([0.0, 1.0], requires_grad=True)
            y = ember.sqrt(a) * 0  # LINE-MARK
            with pytest.raises(RuntimeError) as e:
                y.sum().backward()
    assert str(e.value) == "Function 'SqrtBackward0' returned nan values in its 0th output."
    msgs = [str(w.message) for w in rec]
    err = [m for m in msgs if m.startswith("Error detected in SqrtBackward0")]
    assert err, msgs
    assert err[0].startswith(
        "Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n"
    )
    assert "test_anomaly.py" in err[0] and "LINE-MARK" in err[0]


def test_check_nan_false_lets_nan_through():
    anomaly.set_detect_anomaly(True, check_nan=False)
    a = ember.tensor([0.0, 1.0], requires_grad=True)
    (ember.sqrt(a) * 0).sum().backward()
    assert math.isnan(a.grad.tolist()[0])


def test_node_without_trace():
    a = ember.tensor([0.0, 1.0], requires_grad=True)
    y = ember.sqrt(a) * 0
    anomaly.set_detect_anomaly(True)
    with pytest.warns(
        UserWarning, match="Error detected in SqrtBackward0. No forward pass information available"
    ):
        with pytest.raises(RuntimeError, match="returned nan values"):
            y.sum().backward()


def test_exception_in_custom_backward_gets_trace():
    class Raiser(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    anomaly.set_detect_anomaly(True)
    y = Raiser.apply(ember.ones(2, requires_grad=True))
    with pytest.warns(UserWarning, match="Error detected in RaiserBackward. Traceback of forward"):
        with pytest.raises(ValueError, match="boom"):
            y.sum().backward()


def test_forward_check_names_producer_and_line():
    anomaly.set_detect_anomaly(True, check_forward=True)
    x = ember.tensor([1.0, -1.0], requires_grad=True)
    h = x * 2
    with pytest.raises(anomaly.ForwardAnomalyError) as e:
        ember.log(h)  # PRODUCER
    msg = str(e.value)
    assert "LogBackward0 produced 1 nan value(s) in its 0th output" in msg
    assert "test_anomaly.py:" in msg and "is the source, not a propagator" in msg


def test_forward_check_propagator_and_inf_switch():
    anomaly.set_detect_anomaly(True, check_forward=True)
    bad = ember.tensor([float("nan"), 1.0], requires_grad=True)
    with pytest.raises(
        anomaly.ForwardAnomalyError,
        match="only propagated non-finite values it "
        r"received in input 0 \(a leaf or untracked tensor\)",
    ):
        bad * 2
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(anomaly.ForwardAnomalyError, match="inf"):
        ember.log(x)
    anomaly.set_detect_anomaly(True, check_forward=True, check_inf=False)
    assert ember.log(x).tolist()[0] == float("-inf")


def test_forward_not_checked_by_default():
    anomaly.set_detect_anomaly(True)
    x = ember.tensor([-1.0], requires_grad=True)
    assert math.isnan(ember.log(x).tolist()[0])


# ----- SPEC rule 29 and Ember's in-place error naming the modification site -----------------
def test_inplace_error_names_file_and_line_of_modification():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    line = test_inplace_error_names_file_and_line_of_modification.__code__.co_firstlineno + 3
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    assert msg.startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; "
        "expected version 0 instead. Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )
    assert f"test_anomaly.py:{line}" in msg


def test_anomaly_hint_changes():
    anomaly.set_detect_anomaly(True, check_nan=False)
    x = ember.tensor([1.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.warns(UserWarning):
        with pytest.raises(
            RuntimeError,
            match="Hint: the backtrace further above shows the "
            "operation that failed to compute its gradient",
        ):
            y.sum().backward()


def test_rule29_sigmoid_input_modified_is_fine():
    x = ember.tensor([0.5, -1.0], requires_grad=True)
    h = x * 1
    y = h.sigmoid()
    h.mul_(3)
    y.sum().backward()
    s = 1 / (1 + ember.exp(-ember.tensor([0.5, -1.0])))
    assert ember.allclose(x.grad, s * (1 - s))


def test_rule29_exp_output_modified_fails():
    x = ember.tensor([0.5], requires_grad=True)
    y = x.exp()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="which is output 0 of Exp, is at version 1"):
        y.sum().backward()


def test_rule29_pow_input_modified_fails():
    x = ember.tensor([0.5], requires_grad=True)
    h = x * 1
    y = h**2
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_rule29_mul_by_constant_then_modify_is_fine():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    y = a * 2
    y.add_(1)
    y.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]
