"""``inference_mode`` as PyTorch has it: inference tensors, their refusals outside the mode,
nesting with ``inference_mode(False)`` and the grad-mode managers, and every decorator form."""

import threading
import warnings

import pytest
import torch

import ember

INPLACE = "Inplace update to inference tensor outside InferenceMode is not allowed"
SAVED = "Inference tensors cannot be saved for backward"


def _both(fn):
    return fn(ember), fn(torch)


def test_which_tensors_are_inference_tensors():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        n = lib.ones(2)
        with lib.inference_mode():
            made = lib.ones(2)
            from_op = x * 2
            from_normal = n + 1
            view_of_normal = n[0:1]
            detached_normal = x.detach()
            inside = (lib.is_inference_mode_enabled(), lib.is_grad_enabled())
            flags = [t.is_inference() for t in (made, from_op, from_normal, view_of_normal)]
            flags += [detached_normal.is_inference(), from_op.requires_grad]
        outside = [
            made.view(2).is_inference(),
            made.detach().is_inference(),
            made.data.is_inference(),
            made.clone().is_inference(),
            (made * 2).is_inference(),
            lib.tensor(made.tolist()).is_inference(),
        ]
        return inside, flags, from_op.grad_fn is None, outside, lib.is_inference_mode_enabled()

    e, t = _both(run)
    assert e == t
    assert e[1][:3] == [True, True, True] and e[3][:3] == [True, True, True]


@pytest.mark.parametrize(
    "write",
    [
        lambda t: t.add_(1),
        lambda t: t.zero_(),
        lambda t: t.mul_(2),
        lambda t: t.__setitem__(0, 3.0),
        lambda t: t.copy_(t.clone()),
        lambda t: t.fill_(2.0),
    ],
)
def test_inplace_on_inference_tensors_outside_the_mode_is_refused(write):
    for lib in (ember, torch):
        with lib.inference_mode():
            t = lib.ones(2)
            write(t)  # allowed inside
        with pytest.raises(RuntimeError, match=INPLACE):
            write(t)
        with lib.inference_mode():
            with lib.inference_mode(False):
                with pytest.raises(RuntimeError, match=INPLACE):
                    write(t)


def test_normal_tensors_change_in_place_inside_the_mode():
    for lib in (ember, torch):
        n = lib.ones(2)
        with lib.inference_mode():
            n.add_(1)
        assert n.tolist() == [2.0, 2.0] and n._version == 1 and not n.is_inference()


def test_autograd_refuses_to_save_inference_tensors():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            i = lib.ones(2)
            w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=SAVED):
            x * i  # mul saves its other operand
        with pytest.raises(RuntimeError, match=SAVED):
            lib.mul(i, x)
        (x + i).sum().backward()  # add saves nothing: allowed
        assert x.grad.tolist() == [1.0, 1.0]
        assert (w * 2).grad_fn is not None  # a leaf made in the mode, saved by no one
        assert lib.cat([x, i]).grad_fn is not None
        with pytest.raises(RuntimeError, match="Setting requires_grad=True on inference tensor"):
            i.requires_grad_()
        with pytest.raises(RuntimeError, match="Setting requires_grad=True on inference tensor"):
            i.requires_grad = True


def test_version_counter_is_an_int_and_inference_tensors_have_none():
    for lib in (ember, torch):
        x = lib.ones(3)
        v = x[1:]
        assert x._version == 0 and type(x._version) is int
        v.mul_(2)
        x.add_(1)
        assert x._version == v._version == 2
        with lib.inference_mode():
            i = lib.ones(1)
        with pytest.raises(RuntimeError, match="Inference tensors do not track version counter"):
            i._version
        with pytest.raises(AttributeError):
            x._version = 3


def test_nesting_with_inference_mode_false_and_grad_modes():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        seen = []
        with lib.no_grad():
            with lib.inference_mode(False):
                seen.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
            seen.append(lib.is_grad_enabled())
        with lib.inference_mode():
            with lib.enable_grad():
                y = x * 2
                seen.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
                seen.append((y.grad_fn is None, y.is_inference()))
            with lib.set_grad_enabled(True):
                seen.append(lib.is_grad_enabled())
            with lib.inference_mode(False):
                seen.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
                z = x * 2
                seen.append((z.grad_fn is not None, z.is_inference(), lib.ones(1).is_inference()))
                with lib.inference_mode():
                    seen.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
            with lib.no_grad():
                seen.append(lib.is_inference_mode_enabled())
            seen.append(lib.is_grad_enabled())
        seen.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
        return seen

    assert run(ember) == run(torch)


def test_the_mode_is_per_thread():
    def run(lib):
        out = []
        with lib.inference_mode():
            t = threading.Thread(
                target=lambda: out.append(
                    (lib.is_inference_mode_enabled(), lib.ones(1).is_inference())
                )
            )
            t.start()
            t.join()
            out.append(lib.ones(1).is_inference())
        return out

    assert _both(run) == ([(False, False), True], [(False, False), True])


def test_decorator_forms():
    def run(lib):
        x = lib.ones(2, requires_grad=True)

        @lib.inference_mode()
        def called(a):
            return (a * 2).is_inference(), lib.is_inference_mode_enabled()

        @lib.inference_mode
        def bare(a):
            return (a * 2).is_inference()

        @lib.inference_mode(False)
        def off(a):
            return (a * 2).is_inference(), lib.is_grad_enabled()

        @lib.inference_mode(mode=True)
        def keyword():
            return lib.is_inference_mode_enabled()

        class C:
            @lib.inference_mode()
            def method(self):
                return lib.is_inference_mode_enabled()

        @lib.inference_mode()
        def gen():
            yield lib.is_inference_mode_enabled()
            yield lib.is_inference_mode_enabled()

        steps = []
        for value in gen():
            steps.append((value, lib.is_inference_mode_enabled()))
        manager = lib.inference_mode()
        entered = (manager.__enter__(), lib.is_inference_mode_enabled())
        manager.__exit__(None, None, None)
        return [called(x), bare(x), off(x), keyword(), C().method(), steps, entered[1],
                lib.is_inference_mode_enabled(), callable(lib.inference_mode(3))]  # fmt: skip

    assert run(ember) == run(torch)


def test_decorating_a_class_warns_and_builds_it_in_the_mode():
    def run(lib):
        class D:
            def __init__(self):
                self.inside = lib.is_inference_mode_enabled()

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            made = lib.inference_mode()(D)()
        return made.inside, [w.category.__name__ for w in caught], lib.is_inference_mode_enabled()

    assert run(ember) == run(torch) == (True, ["FutureWarning"], False)


def test_generator_sees_the_mode_only_while_it_runs():
    def run(lib):
        @lib.no_grad()
        def gen():
            got = yield lib.is_grad_enabled()
            yield got, lib.is_grad_enabled()
            return "done"

        g = gen()
        first = next(g)
        between = lib.is_grad_enabled()
        second = g.send("x")
        with pytest.raises(StopIteration) as stop:
            next(g)
        return first, between, second, stop.value.value

    assert run(ember) == run(torch) == (False, True, ("x", False), "done")
