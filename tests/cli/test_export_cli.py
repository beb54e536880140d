"""``nodescope export PAGE``: one standalone HTML file per page, one line and status 2 for bad input."""

from __future__ import annotations

import re

import pytest
from plotly.offline import get_plotlyjs

from nodescope.cli.export import NOT_EXPORTED, PAGES, forecaster_cache
from nodescope.cli.main import main
from nodescope.core.forecasting import recipe

CASES = {
    "explorer": ("karate", 2),
    "geometry": ("sphere-mesh", 2),
    "attention": ("karate", 4),
    "explanations": ("karate", 3),
    "oversmoothing": ("karate", 1),
    "registration": ("synthetic", 4),
    "timeseries": ("graph-var", 3),
    "skeletons": ("skeleton-walk", 5),
    "panoramas": ("test:0", 15),
    "meshes": ("ant", 7),  # truth, two models, the error, two curves, the attention ring
}


def test_every_page_of_the_app_is_exported():
    from nodescope.app.pages import PAGES as APP_PAGES

    assert set(PAGES) | set(NOT_EXPORTED) == {p.url_path for p in APP_PAGES}
    assert not set(PAGES) & set(NOT_EXPORTED)


def test_a_page_without_headless_export_says_what_to_use_instead(tmp_path, capsys):
    from nodescope.cli.main import main

    code = main(["export", "pipeline", "--source", "karate", "--out", str(tmp_path / "p.html")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "Download as HTML" in err
    assert not (tmp_path / "p.html").exists()


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
    ],
)
def test_bad_input_exits_2_with_one_line(argv, says, tmp_path, capsys):
    out = tmp_path / "x.html"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err
    assert not out.exists()
