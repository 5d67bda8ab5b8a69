"""Thread counts, determinism switches and the random state, checked against PyTorch."""

import pytest
import torch

import ember

from ._oracle import same


@pytest.fixture
def _threads():
    before = torch.get_num_threads(), ember.get_num_threads()
    yield
    torch.set_num_threads(before[0])
    ember.set_num_threads(before[1])


@pytest.mark.parametrize("n", [0, -1, 1.5, "2", True])
def test_set_num_threads_rejects(n, _threads):
    same(lambda: ember.set_num_threads(n), lambda: torch.set_num_threads(n))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_set_num_threads_reads_back(n, _threads):
    same(
        lambda: (ember.set_num_threads(n), ember.get_num_threads()),
        lambda: (torch.set_num_threads(n), torch.get_num_threads()),
    )


def test_set_num_threads_limits_blas(_threads):
    from threadpoolctl import threadpool_info

    ember.set_num_threads(1)
    blas = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    assert blas and all(n == 1 for n in blas)
    a = ember.randn(64, 64)
    assert ember.allclose(a @ ember.eye(64), a)


def test_get_num_threads_default_is_positive():
    assert isinstance(ember.get_num_threads(), int) and ember.get_num_threads() >= 1


def test_interop_threads_once(monkeypatch):
    from ember import threads

    monkeypatch.setattr(threads, "_interop", {"threads": None, "set": False})
    assert ember.get_num_interop_threads() >= 1
    for bad in [0, -1, 1.5, True]:
        with pytest.raises(RuntimeError) as e_info:
            ember.set_num_interop_threads(bad)
        with pytest.raises(RuntimeError) as t_info:
            torch.set_num_interop_threads(bad)
        assert str(e_info.value) == str(t_info.value)
    ember.set_num_interop_threads(3)
    assert ember.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError, match="cannot set number of interop threads"):
        ember.set_num_interop_threads(2)


@pytest.fixture
def _deterministic():
    yield
    torch.use_deterministic_algorithms(False)
    ember.use_deterministic_algorithms(False)


def _det_state(lib):
    return (
        lib.are_deterministic_algorithms_enabled(),
        lib.is_deterministic_algorithms_warn_only_enabled(),
        lib.get_deterministic_debug_mode(),
    )


@pytest.mark.parametrize(
    "args,kwargs",
    [
        ((True,), {}),
        ((True,), {"warn_only": True}),
        ((False,), {"warn_only": True}),
        ((1,), {}),
        (("x",), {}),
        ((True, True), {}),
        ((True,), {"warn_only": 1}),
        ((), {}),
    ],
)
def test_use_deterministic_algorithms(args, kwargs, _deterministic):
    same(
        lambda: (ember.use_deterministic_algorithms(*args, **kwargs), _det_state(ember)),
        lambda: (torch.use_deterministic_algorithms(*args, **kwargs), _det_state(torch)),
    )


@pytest.mark.parametrize("mode", ["default", "warn", "error", 0, 1, 2, "x", 5, 1.0])
def test_deterministic_debug_mode(mode, _deterministic):
    same(
        lambda: (ember.set_deterministic_debug_mode(mode), _det_state(ember)),
        lambda: (torch.set_deterministic_debug_mode(mode), _det_state(torch)),
    )


@pytest.mark.parametrize("seed", [0, 5, -1, -(2**63), 2**63, 2**64 - 1, 2**64, True, 1.5, "x"])
def test_manual_seed_reads_back(seed):
    same(
        lambda: (ember.manual_seed(seed), ember.initial_seed())[1],
        lambda: (torch.manual_seed(seed), torch.initial_seed())[1],
    )
    ember.manual_seed(0)
    torch.manual_seed(0)


def test_manual_seed_returns_the_default_generator():
    assert ember.manual_seed(3) is ember.random.default_generator


def test_rng_state_round_trip():
    ember.manual_seed(5)
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8 and state.dim() == 1
    a = ember.rand(3)
    ember.manual_seed(7)
    ember.set_rng_state(state)
    assert ember.equal(ember.rand(3), a)
    assert ember.initial_seed() == 5  # the state carries the seed, as in PyTorch


@pytest.mark.parametrize(
    "make",
    [lambda lib: [1, 2], lambda lib: lib.zeros(5), lambda lib: lib.zeros(5, dtype=lib.uint8)],
)
def test_set_rng_state_rejects(make):
    same(lambda: ember.set_rng_state(make(ember)), lambda: torch.set_rng_state(make(torch)))


def test_seed_returns_an_int_and_reseeds():
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s


def test_fork_rng_restores_the_stream():
    def run(lib):
        lib.manual_seed(0)
        with lib.random.fork_rng():
            inside = lib.rand(2)
        after = lib.rand(2)
        return lib.equal(inside, after)

    assert run(ember) and run(torch)


def test_fork_rng_disabled_keeps_changes():
    def run(lib):
        def go():
            with lib.random.fork_rng(enabled=False):
                lib.manual_seed(5)
            return lib.initial_seed()

        return go

    same(run(ember), run(torch))


@pytest.mark.parametrize(
    "kwargs", [{"devices": [0]}, {"devices": []}, {"device_type": "foo"}, {"device_type": "cpu"}]
)
def test_fork_rng_arguments(kwargs):
    def run(lib):
        def go():
            with lib.random.fork_rng(**kwargs):
                return 1

        return go

    same(run(ember), run(torch))


def test_generator_seeding():
    same(
        lambda: ember.Generator().manual_seed(-1).initial_seed(),
        lambda: torch.Generator().manual_seed(-1).initial_seed(),
    )
    for bad in ["x", 2**64]:
        same(
            lambda b=bad: ember.Generator().manual_seed(b),
            lambda b=bad: torch.Generator().manual_seed(b),
        )


def test_randint_signature_forms_as_pytorch():
    for call in (
        lambda L: L.randint(10, size=(2, 3)),
        lambda L: L.randint(10, (2, 3)),
        lambda L: L.randint(2, 10, (2,)),
        lambda L: L.randint(low=2, high=10, size=(2,)),
        lambda L: L.randint(high=5, size=(3,)),
    ):
        e, t = call(ember), call(torch)
        assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
    for call in (lambda L: L.randint(10), lambda L: L.randint(2, 10)):
        with pytest.raises(TypeError):
            call(torch)
        with pytest.raises(TypeError):
            call(ember)
