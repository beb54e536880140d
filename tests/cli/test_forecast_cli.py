"""``nodescope forecast``: the files and shapes the issue documents; bad input exits 2."""

import csv
import json

import numpy as np
import pytest

from nodescope.cli.main import main
from nodescope.core.checkpoint import read_weights
from nodescope.core.forecasting import split_targets

FAST = ["--window", "12", "--layers", "2", "--epochs", "1", "--batch-size", "64"]


def test_forecast_on_a_builtin_writes_the_documented_files(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["forecast", "graph-var", "--horizon", "1", *FAST, "--out", str(out)]) == 0
    names = (out / "series.txt").read_text().split("\n")[:-1]
    assert len(names) == 20 and names[0] == "s00"
    adjacency = np.load(out / "adjacency.npy")
    assert adjacency.shape == (20, 20) and np.isfinite(adjacency).all()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["horizon"] == 1 and metrics["window"] == 12 and metrics["model"] == "mtgnn"
    assert set(metrics["baselines"]) == {"persistence", "ar", "var"}
    assert all(set(b) >= {"rse", "corr"} for b in metrics["baselines"].values())
    assert 0 < metrics["rse"] < 2 and -1 <= metrics["corr"] <= 1
    assert set(metrics["graph_auroc"]) == {"auroc", "auroc_undirected"}  # graph-var's true graph is known
    with (out / "forecast.csv").open() as f:
        rows = list(csv.DictReader(f))
    test_targets = split_targets(4000, 12, 1)["test"]
    assert len(rows) == len(test_targets) * 20
    assert rows[0]["target_step"] == str(test_targets[0]) and rows[0]["series"] == "s00"
    record = json.loads((out / "mtgnn.json").read_text())
    assert (
        record["format"] == "nodescope-forecaster"
        and record["config"]["num_nodes"] == 20
        and len(record["scale"]) == 20
    )
    assert read_weights(out / "mtgnn", record)  # the checkpoint's hash matches its weights
    assert "test RSE" in capsys.readouterr().out


def test_forecast_on_a_csv_with_a_known_graph(tmp_path):
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=(200, 3)), axis=0)
    lines = ["date,a,b,c"] + [
        f"2024-01-01 {h // 60:02d}:{h % 60:02d},{r[0]},{r[1]},{r[2]}" for h, r in enumerate(x)
    ]
    (tmp_path / "x.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "g.csv").write_text("a,b\nb,c\n")
    out = tmp_path / "run"
    assert (
        main(
            [
                "forecast",
                str(tmp_path / "x.csv"),
                "--graph",
                str(tmp_path / "g.csv"),
                *FAST,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    with (out / "forecast.csv").open() as f:
        first = next(csv.DictReader(f))
    assert first["time"].startswith("2024-01-01T")
    assert "graph_auroc" in json.loads((out / "metrics.json").read_text())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--window", "5000"], "a window of 5000 and a horizon of 1 need at least"),
        (["--epochs", "0"], "must be at least 1"),
        (["--graph", "g.npy"], "its own known graph"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, extra, message):
    assert main(["forecast", "graph-var", *extra, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def _ship_tiny_graph_var(assets, monkeypatch):
    """A tiny graph-var forecaster at horizon 1 (window 12, 2 layers) in a temporary assets folder."""
    import torch

    from nodescope.core import checkpoint
    from nodescope.core.forecasting import forecaster_config, save_forecaster
    from nodescope.core.models.mtgnn import MTGNN

    monkeypatch.setattr(checkpoint, "SHIPPED_DIR", assets)
    torch.manual_seed(0)
    model = MTGNN(forecaster_config(20, 12, 2)).eval()
    record = {"horizon": 1, "source": "builtin:graph-var", "epochs": 7, "best_epoch": 5}
    save_forecaster(model, assets / "graph-var" / "mtgnn-h1", record)
    return model


def test_a_built_in_uses_its_shipped_weights_unless_retrain(tmp_path, monkeypatch, capsys):
    model = _ship_tiny_graph_var(tmp_path / "assets", monkeypatch)
    out = tmp_path / "shipped"
    assert main(["forecast", "graph-var", "--horizon", "1", *FAST, "--out", str(out)]) == 0
    assert "shipped weights (graph-var/mtgnn-h1)" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["weights"] == "shipped" and metrics["epochs"] == 7
    np.testing.assert_allclose(np.load(out / "adjacency.npy"), model.adjacency().numpy())

    out = tmp_path / "retrained"
    assert main(["forecast", "graph-var", "--horizon", "1", *FAST, "--retrain", "--out", str(out)]) == 0
    assert "trained weights" in capsys.readouterr().out
    assert json.loads((out / "metrics.json").read_text())["weights"] == "trained"


def test_other_settings_than_the_shipped_ones_train(tmp_path, monkeypatch):
    _ship_tiny_graph_var(tmp_path / "assets", monkeypatch)
    out = tmp_path / "run"
    fast_3_layers = [*FAST[:2], "--layers", "3", *FAST[4:]]  # window 12 needs 3 layers' padding: fine
    assert main(["forecast", "graph-var", "--horizon", "1", *fast_3_layers, "--out", str(out)]) == 0
    assert json.loads((out / "metrics.json").read_text())["weights"] == "trained"


def test_the_test_split_is_predicted_once_for_the_scores_and_forecast_csv(tmp_path, monkeypatch):
    import csv as csv_module

    from nodescope.core.forecasting import rse

    _ship_tiny_graph_var(tmp_path / "assets", monkeypatch)
    calls = []
    import nodescope.core.forecasting as forecasting

    real = forecasting.predict

    def counting(model, data, split, **kw):
        calls.append(split)
        return real(model, data, split, **kw)

    monkeypatch.setattr(forecasting, "predict", counting)
    out = tmp_path / "run"
    assert main(["forecast", "graph-var", "--horizon", "1", *FAST, "--out", str(out)]) == 0
    assert calls.count("test") == 1
    with (out / "forecast.csv").open() as f:
        rows = list(csv_module.DictReader(f))
    forecast = np.array([float(r["forecast"]) for r in rows]).reshape(-1, 20)
    truth = np.array([float(r["truth"]) for r in rows]).reshape(-1, 20)
    metrics = json.loads((out / "metrics.json").read_text())
    assert rse(forecast, truth) == pytest.approx(metrics["rse"], rel=1e-4)  # the scores are forecast.csv's
