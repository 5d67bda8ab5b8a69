"""The training-loop lint: each of its four checks fires on the classic mistake, stays
quiet on the correct loop (and on the legitimate look-alike), is silent when off, and
never changes a value."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import (
    TrainingLintWarning,
    is_training_lint_enabled,
    set_training_lint,
    training_lint,
)
from ember.autograd import lint as lint_mod


@pytest.fixture(autouse=True)
def _lint_off_after():
    yield
    set_training_lint(False)


@contextlib.contextmanager
def no_lint_warning():
    """Fail (raise) on any TrainingLintWarning inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingLintWarning)
        yield


def batches(n=6, in_features=4, out_features=1, size=8, seed=0):
    g = np.random.default_rng(seed)
    return [
        (
            ember.tensor(g.standard_normal((size, in_features)).astype(np.float32)),
            ember.tensor(g.standard_normal((size, out_features)).astype(np.float32)),
        )
        for _ in range(n)
    ]


def lint_warnings(record):
    return [w for w in record if issubclass(w.category, TrainingLintWarning)]


# ----- the switch ------------------------------------------------------------------------
def test_switch_context_manager_and_decorator():
    assert not is_training_lint_enabled()
    with training_lint():
        assert is_training_lint_enabled()
        with training_lint(False):
            assert not is_training_lint_enabled()
        assert is_training_lint_enabled()
    assert not is_training_lint_enabled()

    @training_lint
    def bare():
        return is_training_lint_enabled()

    @training_lint()
    def called():
        return is_training_lint_enabled()

    assert bare() and called()
    assert not is_training_lint_enabled()
    set_training_lint(True)
    assert ember.autograd.is_training_lint_enabled()
    set_training_lint(False)
    assert issubclass(TrainingLintWarning, UserWarning)
    assert ember.autograd.TrainingLintWarning is TrainingLintWarning


# ----- 1. loss history kept across iterations --------------------------------------------
def _train_summing(keep, n_epochs=2):
    model = nn.Linear(4, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    total = 0
    history = []
    for _ in range(n_epochs):
        for x, y in batches():
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            if keep == "sum":
                total += loss  # the mistake: keeps every iteration's graph
            elif keep == "append":
                history.append(loss)  # the same mistake
            else:
                total += loss.item()
    return total, history


@pytest.mark.parametrize("keep", ["sum", "append"])
def test_kept_loss_history_warns(keep):
    with training_lint(), pytest.warns(TrainingLintWarning, match=r"loss\.item\(\)") as rec:
        _train_summing(keep)
    (w,) = lint_warnings(rec)  # once per call site, not once per iteration
    assert "graphs of" in str(w.message) and "still alive" in str(w.message)
    assert w.filename == __file__  # points at the user's backward() line


def test_loss_item_history_does_not_warn():
    with training_lint(), no_lint_warning():
        total, _ = _train_summing("item")
        # Several losses per iteration, each bound to its own variable (and still bound
        # when the next loop starts), keep a few graphs alive legitimately.
        model = nn.Linear(4, 4)
        opt = ember.optim.SGD(model.parameters(), lr=0.05)
        for _ in range(2):
            for x, _y in batches():
                opt.zero_grad()
                a = model(x)[:, 0].mean()
                a.backward()
                b = model(x)[:, 1].pow(2).mean()
                b.backward()
                c = model(x)[:, 2].abs().mean()
                c.backward()
                opt.step()
        total2, _ = _train_summing("item")
    assert isinstance(total, float) and isinstance(total2, float)


# ----- 2. missing zero_grad ----------------------------------------------------------------
def test_missing_zero_grad_warns():
    model = nn.Linear(4, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    with (
        training_lint(),
        pytest.warns(TrainingLintWarning, match=r"optimizer\.zero_grad\(\)") as rec,
    ):
        for x, y in batches():
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()  # never zeroed: adds onto the gradients of every earlier step
            opt.step()
    (w,) = lint_warnings(rec)
    assert "before the last update" in str(w.message)
    assert w.filename == __file__


@pytest.mark.parametrize("update", ["no_grad", "data"])
def test_missing_zero_grad_with_manual_update_warns(update):
    w = ember.zeros(4, 1, requires_grad=True)
    with training_lint(), pytest.warns(TrainingLintWarning, match="zero_grad"):
        for x, y in batches():
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            if update == "no_grad":
                with ember.no_grad():
                    w -= 0.05 * w.grad  # bumps w's version counter
            else:
                w.data -= 0.05 * w.grad.data  # no version bump: seen by the checksum


@pytest.mark.parametrize("reset", ["none", "zeros", "zero_", "data_zero_"])
def test_zeroed_gradients_do_not_warn(reset):
    model = nn.Linear(4, 1)
    opt = ember.optim.Adam(model.parameters(), lr=0.01)
    with training_lint(), no_lint_warning():
        for _ in range(2):
            for x, y in batches():
                loss = nn.functional.mse_loss(model(x), y)
                loss.backward()
                opt.step()
                if reset == "none":
                    opt.zero_grad()
                elif reset == "zeros":
                    opt.zero_grad(set_to_none=False)
                elif reset == "zero_":
                    for p in model.parameters():
                        p.grad.zero_()
                else:
                    for p in model.parameters():
                        p.grad.data.zero_()  # no version bump: the values say it is reset
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())


def test_gradient_accumulation_does_not_warn():
    model = nn.Linear(4, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    steps = 0
    with training_lint(), no_lint_warning():
        for _ in range(2):
            for i, (x, y) in enumerate(batches()):
                loss = nn.functional.mse_loss(model(x), y) / 3
                loss.backward()  # three backward() per update: accumulation on purpose
                if i % 3 == 2:
                    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    opt.step()
                    opt.zero_grad()
                    steps += 1
    assert steps == 4


def test_gan_generator_backward_into_discriminator_does_not_warn():
    # The generator's loss adds into the discriminator's already-used gradients; they
    # are reset before the discriminator's next step, so nothing is wrong.
    ember.manual_seed(0)
    G, D = nn.Linear(2, 4), nn.Linear(4, 1)
    opt_g = ember.optim.Adam(G.parameters(), lr=1e-3)
    opt_d = ember.optim.Adam(D.parameters(), lr=1e-3)
    with training_lint(), no_lint_warning():
        for x, _ in batches(in_features=4):
            D.zero_grad()
            fake = G(ember.randn(8, 2))
            loss_d = D(x).mean() - D(fake.detach()).mean()
            loss_d.backward()
            opt_d.step()
            G.zero_grad()
            loss_g = D(fake).mean()
            loss_g.backward()
            opt_g.step()
    assert D.weight.grad is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: ember.optim.SGD(ps, lr=0.1),
        lambda ps: ember.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda ps: ember.optim.Adam(ps),
        lambda ps: ember.optim.AdamW(ps),
        lambda ps: ember.optim.Adamax(ps),
        lambda ps: ember.optim.NAdam(ps),
        lambda ps: ember.optim.RAdam(ps),
        lambda ps: ember.optim.RMSprop(ps),
        lambda ps: ember.optim.Adagrad(ps),
        lambda ps: ember.optim.Adadelta(ps),
    ],
)
def test_optimizer_step_bumps_parameter_version(make):
    # As in PyTorch; the missing-zero_grad check relies on it.
    w = ember.ones(3, requires_grad=True)
    opt = make([w])
    (w * w).sum().backward()
    before = w._version
    opt.step()
    assert w._version > before


# ----- 3. retain_graph=True on a growing graph -----------------------------------------
def test_retain_graph_on_carried_hidden_state_warns_before_the_error():
    cell = nn.RNNCell(4, 3)
    opt = ember.optim.SGD(cell.parameters(), lr=0.05)
    h = ember.zeros(8, 3)
    with training_lint(), pytest.warns(TrainingLintWarning, match=r"h = h\.detach\(\)") as rec:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            for x, y in batches(out_features=3):
                h = cell(x, h)  # the mistake: h carries every earlier iteration's graph
                loss = nn.functional.mse_loss(h, y)
                opt.zero_grad()
                loss.backward(retain_graph=True)
                opt.step()
    (w,) = lint_warnings(rec)
    assert "grows each time" in str(w.message)
    assert w.filename == __file__


def test_retain_graph_growth_without_updates_warns():
    cell = nn.RNNCell(4, 3)
    h = ember.zeros(8, 3)
    with training_lint(), pytest.warns(TrainingLintWarning, match="retain_graph=True"):
        for x, y in batches(out_features=3):
            h = cell(x, h)
            loss = nn.functional.mse_loss(h, y)
            loss.backward(retain_graph=True)


def test_detached_hidden_state_and_shared_graphs_do_not_warn():
    cell = nn.RNNCell(4, 3)
    head = nn.Linear(3, 1)
    opt = ember.optim.SGD(list(cell.parameters()) + list(head.parameters()), lr=0.05)
    h = ember.zeros(8, 3)
    with training_lint(), no_lint_warning():
        for _ in range(2):
            for x, y in batches():
                h = h.detach()  # the fix: cut the history at each iteration
                h = cell(x, h)
                out = head(h)
                # Two losses sharing one graph within an iteration.
                l1 = nn.functional.mse_loss(out, y)
                l2 = (h.pow(2).sum(1, keepdim=True) + out).abs().mean()
                l3 = out.mean()
                opt.zero_grad()
                l1.backward(retain_graph=True)
                l2.backward(retain_graph=True)  # retain_graph=True needlessly, twice
                l3.backward()
                opt.step()


# ----- 4. model.eval() around validation ---------------------------------------------
def _model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5))


def _validate(model, data, ctx=ember.no_grad):
    with ctx():
        return sum(model(x).sum().item() for x, _ in data)


@pytest.mark.parametrize("ctx", [ember.no_grad, ember.inference_mode])
def test_validation_in_training_mode_warns(ctx):
    model = _model()
    with training_lint(), pytest.warns(TrainingLintWarning, match=r"model\.eval\(\)") as rec:
        _validate(model, batches(), ctx)
        _validate(model, batches(), ctx)
    (w,) = lint_warnings(rec)
    text = str(w.message)
    assert "BatchNorm1d ('1')" in text and "Dropout ('3')" in text
    assert ("inference_mode()" if ctx is ember.inference_mode else "no_grad()") in text


def test_validation_after_eval_does_not_warn():
    model = _model()
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    with training_lint(), no_lint_warning():
        for _ in range(2):
            model.train()
            for x, y in batches(out_features=8):
                opt.zero_grad()
                nn.functional.mse_loss(model(x), y).backward()
                opt.step()
            model.eval()
            _validate(model, batches())
        # Modules without mode-dependent layers need no eval().
        _validate(nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Dropout(0.0)), batches())
        # Dropout switched back on on purpose (Monte Carlo dropout) in an eval() model.
        model.eval()
        model[3].train()
        _validate(model, batches())
    assert not model.training


def test_nested_submodule_calls_are_not_checked():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = _model()
            self.out = nn.Linear(8, 1)

        def forward(self, x):
            with ember.no_grad():  # a training-mode submodule called inside forward
                feats = self.body(x)
            return self.out(feats)

    net = Net()
    x, _ = batches()[0]
    with training_lint(), no_lint_warning():
        net(x).sum().backward()
    assert net.out.weight.grad is not None


# ----- lint off, and values unchanged -------------------------------------------------
def _all_mistakes():
    _train_summing("sum")
    model = nn.Linear(4, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    for x, y in batches():
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    cell = nn.RNNCell(4, 3)
    h = ember.zeros(8, 3)
    for x, y in batches(out_features=3):
        h = cell(x, h)
        nn.functional.mse_loss(h, y).backward(retain_graph=True)
    _validate(_model(), batches())


def test_nothing_is_warned_when_off():
    assert not is_training_lint_enabled()
    with no_lint_warning():
        _all_mistakes()
    assert not lint_mod._state.grads and not lint_mod._state.calls
    # ... and the same code does warn with the lint on (all four kinds).
    with training_lint(), warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        _all_mistakes()
    texts = [str(w.message) for w in lint_warnings(rec)]
    assert len(texts) == 4, texts
    for marker in ("still alive", "optimizer.zero_grad()", "h = h.detach()", "model.eval()"):
        assert sum(marker in t for t in texts) == 1, marker


def _train(seed):
    ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.3))
    head = nn.Linear(8, 1)
    params = list(model.parameters()) + list(head.parameters())
    opt = ember.optim.Adam(params, lr=0.01)
    losses = []
    for _ in range(2):
        model.train()
        for i, (x, y) in enumerate(batches()):
            loss = nn.functional.mse_loss(head(model(x)), y) / 2
            loss.backward()  # accumulated over two batches
            if i % 2:
                opt.step()
                opt.zero_grad()
            losses.append(loss.item())
        model.eval()
        with ember.no_grad():
            losses.append(sum(head(model(x)).sum().item() for x, _ in batches()))
    return [p.detach().numpy().copy() for p in params], losses


def test_values_identical_with_lint_on_and_off():
    params_off, losses_off = _train(3)
    with training_lint():
        params_on, losses_on = _train(3)
        assert lint_mod._state.n_calls == 12  # the lint did watch every backward()
    assert losses_on == losses_off
    for a, b in zip(params_on, params_off):
        assert np.array_equal(a, b)


@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_backward_with_inputs_gives_the_same_gradients_under_lint():
    def run():
        w = ember.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        x = ember.tensor([[1.0, 2.0]])
        h = x @ w  # a non-leaf whose .grad backward(inputs=...) fills
        loss = (h.tanh() ** 2).sum()
        loss.backward(inputs=[h, w], retain_graph=True)
        loss.backward(inputs=[h, w])  # accumulates into both, no update in between
        return h.grad.numpy().copy(), w.grad.numpy().copy()

    off = run()
    with training_lint(), no_lint_warning():
        on = run()
    for a, b in zip(on, off):
        assert np.array_equal(a, b) and a.any()
