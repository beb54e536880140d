"""Shipped lifting weights (assets/models/skeleton) reproduce the errors their JSON records."""

import json

import pytest

from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.models.lifting import LIFTERS, load_lifter, shipped_lifter
from nodescope.core.models.lifting.evaluate import builtin_set, evaluate, mocap_sets

RESULTS = SHIPPED_DIR.parents[1] / "benchmarks" / "results" / "lifting.json"


@pytest.fixture(scope="module")
def models():
    paths = {key: shipped_lifter(key) for key in LIFTERS}
    assert all(paths.values()), f"missing shipped lifters: {[k for k, p in paths.items() if p is None]}"
    return {key: load_lifter(path) for key, path in paths.items()}


def test_shipped_lifters_stay_small():
    total = sum(p.stat().st_size for p in (SHIPPED_DIR / "skeleton").iterdir())
    assert total < 3_000_000


def test_shipped_lifters_reproduce_their_builtin_error_offline(models):
    data = builtin_set()
    for key, (model, record) in models.items():
        result = evaluate(model, data)
        assert result["mpjpe"] == pytest.approx(record["builtin"]["mpjpe"], abs=0.05), key
        assert result["p_mpjpe"] == pytest.approx(record["builtin"]["p_mpjpe"], abs=0.05), key


def test_shipped_lifters_reproduce_their_held_out_error(models, shared_data):
    sets = mocap_sets(shared_data / "mocap")
    table = json.loads(RESULTS.read_text())["models"]
    for key, (model, record) in models.items():
        for split in ("test", "test_noisy"):
            result = evaluate(model, sets[split])
            assert result["mpjpe"] == pytest.approx(record[split]["mpjpe"], abs=0.05), (key, split)
        seed0 = next(r for r in table[key]["runs"] if r["seed"] == 0)
        assert record["test"]["mpjpe"] == pytest.approx(
            seed0["test"]["mpjpe"], abs=1e-9
        )  # the README's seed 0
