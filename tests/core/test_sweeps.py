"""Depth sweeps and their disk cache (``nodescope oversmooth``: tests/cli/test_oversmooth_cli.py)."""

import dataclasses
import json

import pytest

from nodescope.core.errors import LoadError
from nodescope.core.sweeps import SweepConfig, SweepResult, run_sweep
from nodescope.explain.oversmoothing import METRICS, measure_for

SMALL = SweepConfig("karate", ("gcn", "dagnn"), (1, 3))


class CountingMeasure:
    """``measure_for`` that counts the graphs it was prepared for (one per sweep that really ran)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, data):
        self.calls += 1
        return measure_for(data)


def test_untrained_sweep_records_every_metric_at_every_layer(tmp_path):
    result = run_sweep(SMALL, measure_for, cache=tmp_path)
    assert [(r.model, r.depth, r.seed) for r in result.runs] == [
        ("gcn", 1, 0),
        ("gcn", 3, 0),
        ("dagnn", 1, 0),
        ("dagnn", 3, 0),
    ]
    for run in result.runs:
        assert set(run.metrics) == set(METRICS)
        assert all(len(v) == run.depth + 1 for v in run.metrics.values())
        assert run.test_acc is None
    assert result.dataset["nodes"] == 34 and result.dataset["classes"] == 4
    assert result.curve("gcn", 3, "dirichlet").shape == (4,)


def test_cache_is_reused_for_the_same_config_and_invalidated_by_any_change(tmp_path):
    measure = CountingMeasure()
    first = run_sweep(SMALL, measure, cache=tmp_path)
    again = run_sweep(SweepConfig("karate", ("gcn", "dagnn"), (1, 3)), measure, cache=tmp_path)
    assert measure.calls == 1
    assert json.dumps(again.to_dict()) == json.dumps(first.to_dict())
    for change in ({"seeds": 2}, {"depths": (1, 4)}, {"models": ("gcn",)}, {"hidden": 8}, {"dataset": "sbm"}):
        changed = dataclasses.replace(SMALL, **change)
        assert changed.key("x") != SMALL.key("x")
        run_sweep(changed, measure, cache=tmp_path)
    assert measure.calls == 6
    assert len(list(tmp_path.glob("*.json"))) == 6


def test_a_given_sample_is_swept_instead_of_loading_the_name_and_keys_the_cache(tmp_path):
    from nodescope.core.loaders import load

    sbm = load("sbm")
    config = SweepConfig("my upload", ("gcn",), (2,))
    result = run_sweep(config, measure_for, sample=sbm, cache=tmp_path)
    assert result.dataset["nodes"] == sbm.num_nodes
    assert result.key == config.key(sbm.fingerprint)
    assert (tmp_path / f"{result.key}.json").is_file()


def test_trained_sweep_reports_accuracy(tmp_path):
    config = SweepConfig("karate", ("dagnn",), (2,), seeds=2, trained=True, max_epochs=5, patience=5)
    result = run_sweep(config, measure_for, cache=tmp_path)
    assert all(0.0 <= r.test_acc <= 1.0 and r.epochs <= 5 for r in result.runs)
    mean, std = result.accuracy("dagnn")[2]
    assert 0.0 <= mean <= 1.0 and std >= 0.0


def test_cancelled_sweep_returns_what_finished_and_is_not_cached(tmp_path):
    finished = []
    result = run_sweep(
        SMALL,
        measure_for,
        cache=tmp_path,
        progress=lambda f, m: finished.append(f),
        cancel=lambda: len(finished) > 1,
    )
    assert result.cancelled and 0 < len(result.runs) < 4
    assert not list(tmp_path.glob("*.json"))


def test_progress_rises_to_one(tmp_path):
    seen = []
    run_sweep(SMALL, measure_for, cache=tmp_path, progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_results_round_trip_through_json_with_undefined_values_as_null(tmp_path):
    result = run_sweep(SMALL, measure_for, cache=tmp_path)
    path = tmp_path / "out.json"
    result.save(path)
    text = path.read_text()
    assert "NaN" not in text and "null" in text  # karate has no pair 8 hops apart: MADGap undefined
    loaded = SweepResult.load(path)
    assert loaded.config == SMALL and json.dumps(loaded.to_dict(), allow_nan=False) == text


@pytest.mark.parametrize(
    "change",
    [{"models": ("nope",)}, {"models": ()}, {"depths": (0,)}, {"depths": (65,)}, {"seeds": 0}],
)
def test_bad_config_is_a_load_error(change):
    with pytest.raises(LoadError):
        dataclasses.replace(SMALL, **change).validate()


def test_shipped_sweeps_only_for_the_very_graph_they_were_computed_on(tmp_path):
    from nodescope.core.loaders import load
    from nodescope.core.sweeps import shipped_sweeps

    karate = load("karate")
    assert set(shipped_sweeps(karate)) >= {"untrained"}
    assert shipped_sweeps(karate)["untrained"].dataset["fingerprint"] == karate.fingerprint
    # a file named like a shipped dataset is another graph: no shipped sweep for it
    path = tmp_path / "karate.csv"
    path.write_text("0,1\n1,2\n2,0\n")
    assert shipped_sweeps(load(path)) == {}
