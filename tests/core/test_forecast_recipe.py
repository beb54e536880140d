"""The forecasting recipe (CLI and app) and forecaster checkpoints, shipped ones included."""

import json

import numpy as np
import pytest
import torch

from nodescope.core import checkpoint
from nodescope.core.checkpoint import shipped_checkpoints
from nodescope.core.errors import LoadError
from nodescope.core.forecasting import (
    fit_forecaster,
    forecast_data,
    forecaster_config,
    load_forecaster,
    matching_shipped,
    save_forecaster,
    shipped_forecaster,
)
from nodescope.core.loaders import load, load_series
from nodescope.core.loaders.timeseries import series_sample
from nodescope.core.models.mtgnn import MTGNN


def _small_sample(steps: int = 160, n: int = 3, source: str = "test:small"):
    rng = np.random.default_rng(0)
    values = np.cumsum(rng.normal(size=(steps, n)), axis=0)
    return series_sample(values, names=[f"s{j}" for j in range(n)], name="small", source=source)


def test_forecast_data_is_the_sample_transposed_and_scaled():
    s = _small_sample()
    data = forecast_data(s, window=12, horizon=2)
    raw = s.data.x.numpy().T
    np.testing.assert_allclose(data.values * data.scale, raw, rtol=1e-5, atol=1e-5)
    assert data.window == 12 and data.horizon == 2 and data.num_series == 3


def test_a_graph_is_not_a_time_series():
    with pytest.raises(LoadError, match="not a time series"):
        forecast_data(load("karate"))


def test_config_keeps_at_most_every_series_per_row():
    assert forecaster_config(3, 24, 2).subgraph_size == 3
    assert forecaster_config(50, 24, 2).subgraph_size == 20
    assert (forecaster_config(50, 24, 2).window, forecaster_config(50, 24, 2).layers) == (24, 2)


def test_fit_trains_and_scores_and_can_be_stopped():
    calls = []

    def stop_after_first(epoch, total, row):
        calls.append((epoch, total))
        return False

    result, data = fit_forecaster(
        _small_sample(), window=12, horizon=1, layers=1, epochs=5, batch_size=64, progress=stop_after_first
    )
    assert calls == [(1, 5)] and result.epochs == 1
    assert set(result.scores) == {"val", "test"} and np.isfinite(result.scores["test"]["rse"])
    assert result.model.config.num_nodes == data.num_series == 3


def test_fit_refuses_zero_epochs():
    with pytest.raises(LoadError, match="at least 1"):
        fit_forecaster(_small_sample(), epochs=0)


def _tiny_model(n: int = 3, window: int = 12, layers: int = 1) -> MTGNN:
    torch.manual_seed(0)
    return MTGNN(forecaster_config(n, window, layers)).eval()


def test_checkpoint_round_trip_gives_the_same_forecasts(tmp_path):
    model = _tiny_model()
    save_forecaster(
        model, tmp_path / "mtgnn", {"scale": [1.0, 2.0, 3.0], "series": ["a", "b", "c"], "horizon": 1}
    )
    loaded, record = load_forecaster(tmp_path / "mtgnn.json")
    assert record["format"] == "nodescope-forecaster" and record["series"] == ["a", "b", "c"]
    x = torch.randn(4, 12, 3)
    np.testing.assert_allclose(loaded.cpu()(x).detach(), model(x).detach(), atol=1e-6)
    torch.testing.assert_close(loaded.adjacency().cpu(), model.adjacency())


def test_a_node_classifier_checkpoint_is_not_a_forecaster(tmp_path):
    (tmp_path / "gcn.json").write_text(json.dumps({"format": "nodescope-checkpoint"}))
    with pytest.raises(LoadError, match="not a Nodescope forecaster"):
        load_forecaster(tmp_path / "gcn")


def test_weights_that_do_not_fit_the_config_are_one_line(tmp_path):
    save_forecaster(_tiny_model(n=3), tmp_path / "m", {})
    record = json.loads((tmp_path / "m.json").read_text())
    record["config"]["num_nodes"] = 4
    (tmp_path / "m.json").write_text(json.dumps(record))
    with pytest.raises(LoadError) as err:
        load_forecaster(tmp_path / "m")
    assert "does not fit" in str(err.value) and "\n" not in str(err.value)


def test_missing_checkpoint_is_one_line(tmp_path):
    with pytest.raises(LoadError, match="missing"):
        load_forecaster(tmp_path / "nothing")


@pytest.fixture
def assets(tmp_path, monkeypatch):
    """An empty shipped-weights folder in place of assets/models."""
    monkeypatch.setattr(checkpoint, "SHIPPED_DIR", tmp_path)
    return tmp_path


def test_shipped_forecaster_matches_only_the_same_settings(assets):
    sample = load_series("graph-var")
    assert shipped_forecaster("graph-var", 3) is None
    model = _tiny_model(n=20, window=24, layers=2)
    save_forecaster(model, assets / "graph-var" / "mtgnn-h3", {"horizon": 3, "source": "builtin:graph-var"})
    path = shipped_forecaster("graph-var", 3)
    assert path == assets / "graph-var" / "mtgnn-h3.safetensors"
    assert matching_shipped(sample, window=24, horizon=3, layers=2) == path
    assert matching_shipped(sample, window=48, horizon=3, layers=2) is None  # another window
    assert matching_shipped(sample, window=24, horizon=3, layers=3) is None  # another depth
    assert matching_shipped(sample, window=24, horizon=6, layers=2) is None  # no mtgnn-h6
    assert shipped_forecaster("../graph-var", 3) is None


def test_a_file_is_never_a_built_in_with_shipped_weights(assets):
    save_forecaster(_tiny_model(), assets / "small" / "mtgnn-h1", {"horizon": 1})
    assert matching_shipped(_small_sample(source="/x/small.csv"), window=12, horizon=1, layers=1) is None


def test_shipped_forecasters_are_not_listed_as_node_classifiers(assets):
    save_forecaster(_tiny_model(), assets / "graph-var" / "mtgnn-h3", {"horizon": 3})
    assert shipped_checkpoints() == []  # read_info would refuse the forecaster's format


@pytest.mark.parametrize("dataset", ["graph-var", "road-diffusion"])
def test_shipped_forecasters_reproduce_their_recorded_scores(dataset):
    """The README's figures for the built-ins come from these weights (examples/train_mtgnn.py)."""
    from nodescope.core.forecasting import evaluate, recipe
    from nodescope.core.loaders.timeseries import known_adjacency
    from nodescope.explain.graph_agreement import graph_agreement

    path = shipped_forecaster(dataset, recipe.HORIZON)
    if path is None:
        pytest.skip(f"no shipped forecaster for {dataset}")
    model, record = load_forecaster(path)
    sample = load(dataset)
    data = forecast_data(sample, window=model.config.window, horizon=record["horizon"])
    np.testing.assert_allclose(data.scale, record["scale"], rtol=1e-6)
    for split in ("val", "test"):
        scores = evaluate(model, data, split)
        assert scores["rse"] == pytest.approx(record["scores"][split]["rse"], rel=1e-4)
        assert scores["corr"] == pytest.approx(record["scores"][split]["corr"], rel=1e-4)
    auroc = graph_agreement(model.adjacency().cpu().numpy(), known_adjacency(sample))["auroc"]
    assert auroc == pytest.approx(record["graph_auroc"], abs=1e-6)
