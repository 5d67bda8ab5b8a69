"""ember.profiler and ember.autograd.profiler against PyTorch's profiler."""

import json
import os
import re
import warnings
from collections import Counter

import numpy as np
import pytest
import torch

import ember
from ember.autograd import dispatch, engine
from ember.optim import optimizer as ember_optimizer

# ----- helpers --------------------------------------------------------------------------


def _train_step(lib, prof_mod, seed=0):
    """One Linear+ReLU+MSE SGD step inside a user range; returns (model, loss)."""
    rng = np.random.default_rng(seed)
    m = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 1))
    with lib.no_grad():
        for p in m.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype("float32")))
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    x = lib.tensor(rng.standard_normal((16, 4)).astype("float32"))
    y = lib.tensor(rng.standard_normal((16, 1)).astype("float32"))
    with prof_mod.record_function("train_step"):
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(m(x), y)
        loss.backward()
        opt.step()
    return m, loss


def _counts(prof):
    return Counter({e.key: e.count for e in prof.key_averages()})


def _plugged_out():
    return (
        not dispatch.active_modes
        and engine.profiled_backward[0] is None
        and engine.observer[0] is None
        and ember_optimizer.profiled_range[0] is None
        and not ember_optimizer._global_step_pre_hooks
        and not ember_optimizer._global_step_post_hooks
    )


EVAL = "autograd::engine::evaluate_function: "
MAIN_OPS = [
    "train_step",
    "aten::linear",
    "aten::addmm",
    "aten::relu",
    "aten::mse_loss",
    EVAL + "MseLossBackward0",
    "MseLossBackward0",
    EVAL + "AddmmBackward0",
    "AddmmBackward0",
    EVAL + "ReluBackward0",
    "ReluBackward0",
    EVAL + "torch::autograd::AccumulateGrad",
    "torch::autograd::AccumulateGrad",
    "Optimizer.step#SGD.step",
    "Optimizer.zero_grad#SGD.zero_grad",
]


# ----- what is recorded -----------------------------------------------------------------


def test_train_step_lists_torchs_main_ops_with_its_counts():
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as tp:
        _train_step(torch, torch.profiler)
    with ember.profiler.profile(activities=[ember.profiler.ProfilerActivity.CPU]) as ep:
        _train_step(ember, ember.profiler)
    want, got = _counts(tp), _counts(ep)
    for name in MAIN_OPS:
        assert name in want, name  # the list itself is PyTorch's
        assert got[name] == want[name], (name, got[name], want[name])


def test_backward_nodes_nest_as_in_torch():
    def parents(prof):
        return {
            (e.name, e.cpu_parent.name if e.cpu_parent else None)
            for e in prof.events()
            if e.name in MAIN_OPS and not e.name.startswith("aten::")
        }

    with torch.profiler.profile() as tp:
        _train_step(torch, torch.profiler)
    with ember.profiler.profile() as ep:
        _train_step(ember, ember.profiler)
    assert parents(ep) == parents(tp)


def test_nested_record_function_ranges_contain_their_ops():
    def run(lib, prof_mod):
        x = lib.ones(2, 3)
        with prof_mod.profile() as prof:
            with prof_mod.record_function("outer"):
                a = x * x
                with prof_mod.record_function("inner"):
                    a * x
                    a * a
        return prof

    def tree(prof):
        return sorted(
            (e.name, e.cpu_parent.name if e.cpu_parent else None, len(e.cpu_children))
            for e in prof.events()
        )

    tp, ep = run(torch, torch.profiler), run(ember, ember.profiler)
    assert tree(ep) == tree(tp)
    by_name = {e.name: e for e in ep.events()}
    outer, inner = by_name["outer"], by_name["inner"]
    assert outer.time_range.start <= inner.time_range.start
    assert inner.time_range.end <= outer.time_range.end
    assert outer.self_cpu_time_total == pytest.approx(
        outer.cpu_time_total - sum(c.cpu_time_total for c in outer.cpu_children)
    )
    assert all(c.cpu_parent is inner for c in inner.cpu_children)


def test_counts_and_input_shapes_as_torch():
    def run(lib, prof_mod):
        a, b = lib.ones(2, 3), lib.ones(4)
        with prof_mod.profile(record_shapes=True) as prof:
            for _ in range(3):
                a * a
            b * b
            a.exp()
        return prof

    def rows(prof, **kw):
        return sorted((e.key, e.count, str(e.input_shapes)) for e in prof.key_averages(**kw))

    tp, ep = run(torch, torch.profiler), run(ember, ember.profiler)
    assert rows(ep, group_by_input_shape=True) == rows(tp, group_by_input_shape=True)
    assert _counts(ep) == _counts(tp)
    mul = next(e for e in ep.key_averages() if e.key == "aten::mul")
    assert mul.count == 4 and mul.cpu_time == pytest.approx(mul.cpu_time_total / 4)


def test_record_function_decorator_and_nothing_recorded_outside():
    @ember.profiler.record_function("helper")
    def helper(t):
        return t + 1

    x = ember.ones(3)
    helper(x)  # no profile: nothing happens, the function runs
    with ember.profiler.profile() as prof:
        y = helper(x)
    assert np.array_equal(y.numpy(), np.full(3, 2.0, dtype=np.float32))
    names = [e.name for e in prof.events()]
    assert names[0] == "helper" and names.count("helper") == 1
    assert prof.events()[1].cpu_parent.name == "helper"


def test_profile_memory_counts_output_bytes_like_torch():
    def run(lib, prof_mod):
        x = lib.ones(2, 3)
        with prof_mod.profile(profile_memory=True) as prof:
            with prof_mod.record_function("outer"):
                y = x * x  # kept: PyTorch would count its release inside the range too
        del y
        return {e.name: (e.cpu_memory_usage, e.self_cpu_memory_usage) for e in prof.events()}

    want, got = run(torch, torch.profiler), run(ember, ember.profiler)
    assert got == {k: want[k] for k in ("outer", "aten::mul")}


def test_with_stack_points_at_the_caller():
    with ember.profiler.profile(with_stack=True) as prof:
        ember.ones(2).exp()
    (ev,) = [e for e in prof.events() if e.name == "aten::exp"]
    assert ev.stack and os.path.basename(__file__) in ev.stack[0]
    rows = prof.key_averages(group_by_stack_n=1)
    assert [r.key for r in rows] == ["aten::exp"]


# ----- results and cost -----------------------------------------------------------------


def test_profiling_leaves_values_and_grads_unchanged():
    m0, loss0 = _train_step(ember, ember.profiler)
    with ember.profiler.profile(record_shapes=True, profile_memory=True, with_stack=True):
        m1, loss1 = _train_step(ember, ember.profiler)
    assert loss0.item() == loss1.item()
    for p0, p1 in zip(m0.parameters(), m1.parameters()):
        assert np.array_equal(p0.detach().numpy(), p1.detach().numpy())
        assert np.array_equal(p0.grad.numpy(), p1.grad.numpy())


def test_nothing_stays_plugged_in():
    assert _plugged_out()
    with ember.profiler.profile():
        assert dispatch.active_modes and engine.profiled_backward[0] is not None
    assert _plugged_out()
    with pytest.raises(ValueError):
        with ember.profiler.profile():
            raise ValueError
    assert _plugged_out()


def test_anomaly_mode_still_checks_while_profiling():
    x = ember.tensor([-1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly(), ember.profiler.profile() as prof:
            with pytest.raises(RuntimeError, match="'MulBackward0' returned nan values"):
                (x * 0).sqrt().sum().backward()
    assert EVAL + "SqrtBackward0" in [e.name for e in prof.events()]
    assert _plugged_out()


def test_training_lint_observer_is_chained_and_restored():
    with ember.autograd.training_lint():
        lint = engine.observer[0]
        with ember.profiler.profile() as prof:
            w = ember.ones(2, requires_grad=True)
            (w * 2).sum().backward()
        assert engine.observer[0] is lint
    assert "torch::autograd::AccumulateGrad" in [e.name for e in prof.events()]


# ----- schedule ---------------------------------------------------------------------------

SCHEDULES = [
    dict(wait=1, warmup=1, active=2),
    dict(wait=1, warmup=1, active=2, repeat=2),
    dict(wait=2, warmup=0, active=1, repeat=3, skip_first=2),
    dict(wait=3, warmup=1, active=2, repeat=1, skip_first=1, skip_first_wait=1),
]


@pytest.mark.parametrize("kw", SCHEDULES)
def test_schedule_actions_match_torch(kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts, es = torch.profiler.schedule(**kw), ember.profiler.schedule(**kw)
    assert [es(i).name for i in range(25)] == [ts(i).name for i in range(25)]


def test_schedule_arguments_are_checked_as_in_torch():
    with pytest.raises(AssertionError) as t:
        torch.profiler.schedule(wait=0, warmup=1, active=0)
    with pytest.raises(AssertionError) as e:
        ember.profiler.schedule(wait=0, warmup=1, active=0)
    assert str(e.value) == str(t.value)
    with pytest.warns(UserWarning, match="won't be using warmup"):
        ember.profiler.schedule(wait=1, warmup=0, active=1)


@pytest.mark.parametrize("kw", SCHEDULES[:3])
def test_scheduled_profile_records_the_steps_torch_records(kw):
    def run(lib, prof_mod):
        cycles = []

        def ready(prof):
            names = {e.name for e in prof.events()}
            cycles.append(
                (prof.step_num, sorted(n for n in names if n.startswith(("work", "Profiler"))))
            )

        x = lib.ones(2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = prof_mod.schedule(**kw)
            with prof_mod.profile(schedule=sched, on_trace_ready=ready) as prof:
                for i in range(9):
                    with prof_mod.record_function(f"work{i}"):
                        x * 2
                    prof.step()
        return cycles

    assert run(ember, ember.profiler) == run(torch, torch.profiler)


# ----- output -----------------------------------------------------------------------------


def test_chrome_trace_is_valid_json_with_the_events(tmp_path):
    with ember.profiler.profile(record_shapes=True) as prof:
        _train_step(ember, ember.profiler)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    assert os.listdir(tmp_path) == ["trace.json"]  # no temporary file left behind
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    names = [e["name"] for e in events]
    assert Counter(names) == Counter(e.name for e in prof.events())
    linear = next(e for e in events if e["name"] == "aten::linear")
    assert linear["ph"] == "X" and linear["dur"] >= 0 and linear["cat"] == "cpu_op"
    assert linear["args"]["Input Dims"] == [[16, 4], [8, 4], [8]]
    user = next(e for e in events if e["name"] == "train_step")
    assert user["cat"] == "user_annotation"
    assert user["ts"] <= linear["ts"] and linear["ts"] + linear["dur"] <= user["ts"] + user["dur"]


def test_tensorboard_handler_writes_one_trace_per_cycle(tmp_path):
    def run(lib, prof_mod, out):
        x = lib.ones(2)
        sched = prof_mod.schedule(wait=1, warmup=1, active=1, repeat=2)
        handler = prof_mod.tensorboard_trace_handler(str(out), worker_name="w")
        with prof_mod.profile(schedule=sched, on_trace_ready=handler) as prof:
            for _ in range(8):
                x * 2
                prof.step()
        return sorted(os.listdir(out))

    want = run(torch, torch.profiler, tmp_path / "torch")
    got = run(ember, ember.profiler, tmp_path / "ember")
    assert len(got) == len(want) == 2
    assert all(n.startswith("w.") and n.endswith(".pt.trace.json") for n in got)
    for n in got:
        assert "traceEvents" in json.loads((tmp_path / "ember" / n).read_text())


def test_table_has_torchs_columns_sorted_and_limited():
    with ember.profiler.profile(record_shapes=True) as prof:
        _train_step(ember, ember.profiler)
    text = prof.key_averages().table(sort_by="cpu_time_total", row_limit=5)
    lines = text.splitlines()
    for col in ("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "# of Calls"):
        assert col in lines[1]
    assert lines[-1].startswith("Self CPU time total: ")
    rows = lines[3:-2]
    assert len(rows) == 5
    assert rows[0].split()[0] == "train_step"  # the outermost range has the largest total
    shaped = prof.key_averages(group_by_input_shape=True).table(row_limit=-1)
    assert "Input Shapes" in shaped and "[[16, 4], [8, 4], [8]]" in shaped


# ----- the older API and errors ---------------------------------------------------------


def test_autograd_profiler_profile_and_record_function():
    def run(lib):
        x = lib.ones(2, 2, requires_grad=True)
        with lib.autograd.profiler.profile() as prof:
            with lib.autograd.profiler.record_function("block"):
                (x * x).sum().backward()
            inside = prof.key_averages()
        return prof, inside

    (tp, tin), (ep, ein) = run(torch), run(ember)
    assert list(ein) == list(tin) == []  # nothing to show before the profile stops
    names = {e.key for e in ep.key_averages()}
    assert {"block", "aten::mul", EVAL + "MulBackward0"} <= names
    assert {"block", "aten::mul", EVAL + "MulBackward0"} <= {e.key for e in tp.key_averages()}
    assert "block" in ep.table() and ep.self_cpu_time_total > 0


def test_key_averages_before_start_raises_as_torch():
    with pytest.raises(AssertionError) as t:
        torch.profiler.profile().key_averages()
    with pytest.raises(AssertionError) as e:
        ember.profiler.profile().key_averages()
    assert str(e.value) == str(t.value)


def test_cuda_activity_does_what_torchs_cpu_build_does():
    def run(prof_mod, activities):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            p = prof_mod.profile(activities=activities)
            try:
                with p:
                    pass
                err = None
            except AssertionError as e:
                err = str(e)
        return [str(m.message) for m in w], err

    for acts in (["CPU", "CUDA"], ["CUDA"]):
        want = run(torch.profiler, [getattr(torch.profiler.ProfilerActivity, a) for a in acts])
        got = run(ember.profiler, [getattr(ember.profiler.ProfilerActivity, a) for a in acts])
        assert got == want
    assert ember.profiler.supported_activities() == {ember.profiler.ProfilerActivity.CPU}


def test_profiler_names_public_code_uses_resolve():
    from ember.coverage import resolves

    path = os.path.join(os.path.dirname(__file__), "surface", "api-usage.tsv")
    with open(path, encoding="utf-8") as f:
        names = [
            line.split("\t")[0]
            for line in f
            if line.startswith(("torch.profiler.", "torch.autograd.profiler."))
        ]
    assert len(names) >= 8
    assert [n for n in names if not resolves(n)] == []


def test_schedule_may_not_return_device_stopped():
    def run(prof_mod):
        stop = prof_mod.ProfilerAction.DEVICE_STOPPED
        with pytest.raises(ValueError) as first:
            prof_mod.profile(schedule=lambda step: stop)
        none = prof_mod.ProfilerAction.NONE
        prof = prof_mod.profile(schedule=lambda step: stop if step else none)
        with pytest.raises(ValueError) as later:
            prof.step()
        return str(first.value), str(later.value), prof.step_num

    assert run(ember.profiler) == run(torch.profiler)


def test_step_without_schedule_records_every_step():
    def run(lib, prof_mod):
        x = lib.ones(2)
        with prof_mod.profile() as prof:
            for _ in range(3):
                x * x
                prof.step()
        return _counts(prof)

    assert run(ember, ember.profiler) == run(torch, torch.profiler)


def test_vmap_and_custom_function_under_the_profiler():
    class Double(ember.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ember.arange(6.0).reshape(2, 3).requires_grad_()
    want = ember.func.vmap(lambda r: r.exp().sum())(x.detach())
    with ember.profiler.profile() as prof:
        got = ember.func.vmap(lambda r: r.exp().sum())(x.detach())
        Double.apply(x).sum().backward()
    assert np.array_equal(got.numpy(), want.numpy())
    assert np.array_equal(x.grad.numpy(), np.full((2, 3), 2.0, dtype=np.float32))
    names = _counts(prof)
    assert names["aten::exp"] >= 1 and names["aten::mul"] >= 2
    assert names[EVAL + "DoubleBackward"] == 1


TIMES = {1, 2, 3, 4, 5}  # the table's time and percentage columns


def test_table_layout_is_torchs():
    def run(lib):
        x = lib.ones(2, 3)
        with lib.profiler.profile(record_shapes=True, profile_memory=True) as prof:
            with lib.profiler.record_function("blk"):
                y = x * x
                z = y.exp()
        del y, z
        text = prof.key_averages(group_by_input_shape=True).table(sort_by="count")
        lines = text.splitlines()
        # Times differ run to run: compare the rules, headers and every other cell.
        cells = sorted(
            tuple(c for i, c in enumerate(re.split(r"\s{2,}", row.strip())) if i not in TIMES)
            for row in lines[3:-2]
        )
        return lines[:3], cells, lines[-2], lines[-1].split(":")[0], text.endswith("\n")

    assert run(ember) == run(torch)


def _stack_helper(lib, x):
    return x.exp()


def test_export_stacks_writes_flame_graph_lines(tmp_path):
    # PyTorch 2.13 keeps Python frames as separate events (its ops' stacks are empty, so its
    # file is empty); Ember keeps each op's stack, written in the documented format.
    def run(lib, name):
        x = lib.ones(100, 100)
        with lib.profiler.profile(with_stack=True) as prof:
            _stack_helper(lib, x)
        path = tmp_path / name
        prof.export_stacks(str(path))
        lines = [ln for ln in path.read_text().splitlines() if "_stack_helper" in ln]
        with pytest.raises(ValueError) as bad:
            prof.export_stacks(str(path), "cpu_time")
        return lines, str(bad.value)

    (_, terr), (elines, eerr) = run(torch, "t.txt"), run(ember, "e.txt")
    assert eerr == terr
    assert len(elines) == 1
    frames, value = elines[0].rsplit(" ", 1)
    assert int(value) > 0
    last = frames.split(";")[-1]  # the innermost frame is last, as in PyTorch's file
    assert last.endswith("_stack_helper") and "test_profiler.py" in last
    assert " " not in frames  # spaces in frames are replaced, as PyTorch does
