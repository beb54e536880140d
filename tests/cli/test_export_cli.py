"""``nodescope export PAGE``: one standalone HTML file per page, one line and status 2 for bad input."""

from __future__ import annotations

import re

import pytest
from plotly.offline import get_plotlyjs

from nodescope.cli.export import NEEDS_RUN, PAGES
from nodescope.cli.main import main
from nodescope.core.forecasting import recipe
from nodescope.page_figures import forecaster_cache

CASES = {
    "explorer": ("karate", 2),
    "geometry": ("sphere-mesh", 2),
    "attention": ("karate", 4),
    "explanations": ("karate", 3),
    "oversmoothing": ("karate", 1),
    "registration": ("synthetic", 5),  # moving, fixed, registered, map, both hemispheres
    "timeseries": ("graph-var", 3),
    "skeletons": ("skeleton-walk", 5),
    "panoramas": ("test:0", 15),
    "meshes": ("ant", 7),  # truth, two models, the error, two curves, the attention ring
}


def test_every_page_of_the_app_is_exported():
    from nodescope.app.pages import PAGES as APP_PAGES

    assert set(PAGES) | set(NEEDS_RUN) == {p.url_path for p in APP_PAGES}
    assert not set(PAGES) & set(NEEDS_RUN)


def test_the_pipeline_page_without_a_run_is_refused_in_one_line(tmp_path, capsys):
    code = main(["export", "pipeline", "--source", "karate", "--out", str(tmp_path / "p.html")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "--run DIR/<dataset>-gcnii-pipeline" in err
    assert not (tmp_path / "p.html").exists()


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory):
    """A 2-stage pipeline run of the CLI on karate (its --out folder)."""
    out = tmp_path_factory.mktemp("run")
    args = ["train", "--dataset", "karate", "--model", "gcnii", "--layers", "4", "--stages", "2"]
    assert main([*args, "--chunks", "2", "--epochs", "3", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("which", ["folder", "checkpoint", "out"])
def test_the_pipeline_page_is_exported_from_a_saved_run(pipeline_run, which, tmp_path, capsys):
    folder = pipeline_run / "karate-gcnii-pipeline"
    run = {"folder": folder, "checkpoint": folder / "checkpoint", "out": pipeline_run}[which]
    out = tmp_path / "pipeline.html"
    argv = ["export", "pipeline", "--source", "karate", "--run", str(run), "--focus", "3", "--out", str(out)]
    assert main(argv) == 0
    doc = out.read_text()
    assert doc.count('class="figure"') == 6  # Gantt, memory, staleness, curves, energy, chunks
    for title in ("Epoch 3: stages × time", "Peak memory per stage", "Colored by chunk (2)"):
        assert title in doc
    assert "GCNII-4, 2 stage(s) × 2 chunks" in doc
    assert "6 figures" in capsys.readouterr().err


def test_a_pipeline_run_on_another_graph_is_refused_in_one_line(pipeline_run, tmp_path, capsys):
    out = tmp_path / "p.html"
    argv = ["export", "pipeline", "--source", "sbm", "--run", str(pipeline_run), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "trained on" in err, err
    assert not out.exists()


def _cached_forecaster(source: str) -> None:
    """An untrained forecaster where the app caches the one it trains (training takes minutes here)."""
    from nodescope.core.forecasting import forecast_data, forecaster_config, matching_shipped, save_forecaster
    from nodescope.core.loaders import load
    from nodescope.core.models.mtgnn import MTGNN

    s = load(source)
    if matching_shipped(s, window=recipe.WINDOW, horizon=recipe.HORIZON, layers=recipe.LAYERS) is not None:
        return  # the shipped one is used
    data = forecast_data(s, recipe.WINDOW, recipe.HORIZON)
    record = {"scale": data.scale.tolist(), "series": s.node_names, "horizon": recipe.HORIZON}
    save_forecaster(
        MTGNN(forecaster_config(s.num_nodes, recipe.WINDOW, recipe.LAYERS)), forecaster_cache(s), record
    )


@pytest.mark.parametrize("page", PAGES)
def test_each_page_writes_one_offline_file(page, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NODESCOPE_HOME", str(tmp_path / "home"))
    source, figures = CASES[page]
    if page == "timeseries":
        _cached_forecaster(source)
    out = tmp_path / f"{page}.html"
    assert main(["export", page, "--source", source, "--focus", "3", "--out", str(out)]) == 0
    doc = out.read_text()
    assert get_plotlyjs() in doc
    assert doc.count('class="figure"') == figures
    assert not re.search(r"<script[^>]+src=", doc.replace(get_plotlyjs(), ""))
    size = out.stat().st_size / 1e6
    assert size < 8.0, size  # plotly.js is 4.8 MB of it
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{figures} figures" in line and "MB" in line


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["export", "bogus", "--source", "karate"], "Unknown page 'bogus'"),
        (["export", "explorer", "--source", "no-such-source"], "no-such-source"),
        (["export", "explorer", "--source", "karate", "--focus", "99"], "99"),
        (["export", "explorer", "--source", "karate", "--focus", "-1"], "-1"),
        (["export", "geometry", "--source", "karate"], "no 3D geometry"),
        (["export", "attention", "--source", "karate", "--model", "gcn"], "gcn"),
        (["export", "timeseries", "--source", "karate"], "not a time series"),
        (["export", "panoramas", "--source", "karate"], "not a panorama"),
        (["export", "meshes", "--source", "karate"], "not a mesh"),
        (["export", "pipeline", "--source", "karate", "--run", "no-such-dir"], "no pipeline run folder"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, says, tmp_path, capsys):
    out = tmp_path / "x.html"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err
    assert not out.exists()


def test_a_run_that_died_before_its_reports_exports_its_checkpoint_history(pipeline_run, tmp_path, capsys):
    import shutil

    folder = tmp_path / "karate-gcnii-pipeline"
    shutil.copytree(pipeline_run / "karate-gcnii-pipeline" / "checkpoint", folder / "checkpoint")
    out = tmp_path / "p.html"
    assert main(["export", "pipeline", "--source", "karate", "--run", str(folder), "--out", str(out)]) == 0
    doc = out.read_text()
    assert doc.count('class="figure"') == 3 and "Accuracy and loss" in doc  # curves, energy, chunks
