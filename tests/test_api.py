"""The public Python API, ``import nodescope``: its surface, its import cost, each function on a built-in."""

import doctest
import inspect
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

import nodescope
from nodescope import api
from nodescope.core.errors import LoadError
from nodescope.core.registration.subjects import synthetic
from tests.heavy_imports import heavy_modules_after

PUBLIC = ["attention", "draw_page", "explain", "load", "model", "oversmooth", "register", "report", "show"]


@pytest.fixture(scope="module")
def karate():
    return nodescope.load("karate")


@pytest.fixture(scope="module")
def gat(karate):
    return nodescope.model(karate, "gat")


@pytest.fixture(scope="module")
def registration(tmp_path_factory):
    """A synthetic subject's sphere registered rigidly, given as arrays with its known warp."""
    subject = synthetic(seed=1, magnitude_deg=5.0)
    out = tmp_path_factory.mktemp("registration") / "lh.sphere.reg.surf.gii"
    reg = nodescope.register(
        (subject.sphere, subject.faces, subject.sulc), reference=subject.truth, rigid_only=True, out=out
    )
    return reg, out


# ---------------------------------------------------------------- the front door
def test_all_lists_exactly_the_api_functions():
    assert nodescope.__all__ == PUBLIC
    defined = [n for n, f in inspect.getmembers(api, inspect.isfunction) if f.__module__ == api.__name__]
    assert sorted(n for n in defined if not n.startswith("_")) == PUBLIC
    assert all(getattr(nodescope, n) is getattr(api, n) for n in PUBLIC if n != "explain")
    assert callable(nodescope.explain)  # the layer, callable as api.explain (see below)


def test_importing_nodescope_loads_no_heavy_library():
    assert heavy_modules_after("import nodescope") == []


def test_explain_is_both_the_layer_and_the_api_function():
    # The subpackage stays reachable by attribute (imports with `as`, mock.patch strings), and
    # calling it calls the API function.
    import nodescope.explain.report as report

    assert nodescope.explain is sys.modules["nodescope.explain"] and nodescope.explain.report is report
    assert nodescope.explain.__path__  # the layer is the package
    assert callable(nodescope.explain)


def _examples():
    return [t for t in doctest.DocTestFinder().find(api) if t.examples]


@pytest.mark.parametrize("test", _examples(), ids=lambda t: t.name.rsplit(".", 1)[-1])
def test_docstring_example_runs(test):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"the example of {test.name} failed (doctest output above)"


def test_every_public_function_has_an_example():
    assert sorted(t.name.rsplit(".", 1)[-1] for t in _examples()) == PUBLIC


# ---------------------------------------------------------------- load and model
@pytest.mark.parametrize(("source", "match"), [(42, "not 42"), ("no-such-thing", "No such file or built-in")])
def test_load_refuses_bad_sources_with_one_line(source, match):
    with pytest.raises(LoadError, match=match) as err:
        nodescope.load(source)
    assert "\n" not in str(err.value)


def test_model_uses_shipped_weights_and_trains_with_the_recipe_otherwise(karate, gat):
    assert gat.config.model == "gat" and not gat.training
    les_mis = nodescope.load("les-miserables")
    with pytest.raises(LoadError, match="No shipped gcn weights fit"):
        nodescope.model(les_mis, "gcn", train_if_missing=False)
    epochs = []
    trained = nodescope.model(les_mis, "gcn", max_epochs=3, progress=lambda e, total, row: epochs.append(e))
    assert trained.config.model == "gcn" and epochs == [1, 2, 3]


@pytest.mark.parametrize(
    ("source", "name", "match"),
    [("karate", "no-such-model", "Unknown model"), ("ant", "gcn", "no node labels")],
)
def test_model_refuses_what_cannot_be_classified(source, name, match):
    with pytest.raises(LoadError, match=match):
        nodescope.model(source, name)


# ---------------------------------------------------------------- analyses
def test_attention_reads_every_head_and_scores_them(karate, gat):
    found = nodescope.attention(karate, gat, importance=False)
    layers, heads, edges = found.maps.alpha.shape
    assert (layers, edges) == (2, found.maps.edge_index.shape[1]) and len(found.heads) == sum(
        found.maps.heads
    )
    incoming = np.bincount(found.maps.edge_index[1], weights=found.maps.alpha[0, 0], minlength=34)
    np.testing.assert_allclose(incoming, 1.0, atol=1e-5)  # each target's coefficients sum to 1
    assert found.importance is None and found.global_alpha is None


def test_attention_of_graphgps_reads_global_rows(karate):
    found = nodescope.attention(karate, "gps", importance=False, global_nodes=[0, 33])
    assert found.maps.layer_names == [] and found.global_nodes.tolist() == [0, 33]
    assert found.global_alpha.shape[2:] == (2, 34)
    np.testing.assert_allclose(np.nansum(found.global_alpha, axis=-1)[:, 0], 1.0, atol=1e-5)


def test_attention_refuses_a_model_without_attention(karate):
    with pytest.raises(LoadError, match="gcn has no attention"):
        nodescope.attention(karate, "gcn")


def test_a_model_must_fit_the_sample_it_analyses(gat):
    with pytest.raises(LoadError, match="expect 34 node features"):
        nodescope.attention("les-miserables", gat)


def test_explain_matches_the_command_report(karate):
    report = nodescope.explain(karate, "gat", [1, 2], method="saliency", fidelity_nodes=1)
    assert report.table["node"].tolist() == [1, 2] and report.fidelity["nodes"] == 1
    assert {"predicted", "confidence", "top_edges", "text"} <= set(report.table.columns)


@pytest.mark.parametrize(
    ("model", "kwargs", "match"),
    [
        ("gat", {"method": "xnode"}, "X-Node models only"),
        ("gcn", {"method": "attention"}, "gcn has no attention"),
        ("xnode-gcn", {"method": "lime"}, "Unknown method"),
        ("xnode-gcn", {"nodes": [34]}, "34 is not a node id"),
        ("xnode-gcn", {"nodes": "some"}, "nodes takes 'all'"),
    ],
)
def test_explain_refuses_bad_arguments_at_the_entry(karate, model, kwargs, match):
    with pytest.raises(LoadError, match=match):
        nodescope.explain(karate, model, **kwargs)


def test_oversmooth_sweeps_a_loaded_sample(karate):
    sweep = nodescope.oversmooth(karate, "gcn,gcnii", [2, 4], use_cache=False)
    assert sweep.config.models == ("gcn", "gcnii") and sweep.dataset["fingerprint"] == karate.fingerprint
    assert sweep.curve("gcnii", 4, "dirichlet").shape == (5,)
    with pytest.raises(LoadError, match="Depths must be between"):
        nodescope.oversmooth(karate, ["gcn"], [0])


def test_register_takes_arrays_and_writes_the_registered_sphere(registration):
    reg, out = registration
    assert reg.result.stages == ("rigid",) and reg.registered.shape == (10242, 3) and out.is_file()
    assert reg.metrics["flipped"] == 0 and reg.metrics["geodesic_deg"] < 10  # the 20° rotation undone


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fixed": "fsaverage"}, "Unknown fixed surface"),
        ({"refine": -1}, "refine takes"),
        ({"method": "x"}, "Unknown method"),
    ],
)
def test_register_refuses_bad_options(kwargs, match):
    with pytest.raises(LoadError, match=match):
        nodescope.register("no-such-folder", **kwargs)


def test_register_needs_the_sulc_of_a_sphere_file(tmp_path):
    sphere = tmp_path / "lh.sphere"
    sphere.write_bytes(b"x")
    with pytest.raises(LoadError, match="Give sulc=PATH"):
        nodescope.register(sphere)


# ---------------------------------------------------------------- figures
def _figures(result):
    return result.values() if isinstance(result, dict) else [result]


@pytest.mark.parametrize(
    ("source", "view", "keys"),
    [
        ("karate", "graph", None),
        ("karate", "embedding", None),
        ("ant", "surface", ["3d", "map"]),
        ("karate", "oversmoothing", ["curves"]),  # the shipped sweep (at initialization)
    ],
)
def test_show_draws_the_pages_of_a_sample(source, view, keys):
    result = nodescope.show(source, view, focus=np.int64(3))  # numpy ids are ids too
    assert keys is None or sorted(result) == keys
    assert all(isinstance(f, go.Figure) and f.data for f in _figures(result))


def test_show_draws_the_attention_page(karate, gat):
    figures = nodescope.show(karate, "attention", model=gat, focus=0)
    assert sorted(figures) == ["graph", "heads", "importance", "matrix"]
    assert figures["matrix"].layout.title.text.endswith("node 0")


def test_show_draws_global_attention_for_graphgps(karate):
    figures = nodescope.show(karate, "attention", model="gps")
    assert sorted(figures) == ["graph", "heads", "importance"]


def test_show_draws_the_explanations_page(karate):
    figures = nodescope.show(karate, "explanation", model="xnode-gcn", focus=5)
    assert sorted(figures) == ["contributions", "map", "subgraph xnode"]


def test_show_draws_a_sweep_and_a_registration(karate, registration):
    sweep = nodescope.oversmooth(karate, ["gcn"], [2], use_cache=False)
    assert list(nodescope.show(sweep)) == ["curves"]
    figures = nodescope.show(registration[0], focus=10)
    assert sorted(figures) == ["fixed", "map", "moving", "registered"]


@pytest.mark.parametrize(
    ("view", "kwargs", "match"),
    [
        ("table", {}, "Unknown view"),
        ("attention", {}, "needs a model"),
        ("surface", {}, "no 3D geometry"),
        ("graph", {"focus": 34}, "focus must be a node id"),
        ("explanation", {"model": "gat"}, "explains X-Node models"),
        ("registration", {}, "draws a registration"),
    ],
)
def test_show_refuses_what_it_cannot_draw(karate, view, kwargs, match):
    with pytest.raises(LoadError, match=match):
        nodescope.show(karate, view, **kwargs)


@pytest.mark.parametrize(
    ("source", "view", "kwargs", "count"),
    [
        ("graph-var", "forecast", {}, 3),  # the learned graph, its adjacency, the focus series' forecast
        ("skeleton-walk", "lifting", {"model": "gcn"}, 5),  # 2D, 3D, hops, fusion, error over the clip
        ("ant", "simulation", {}, 7),  # truth, two models, the error, two curves, the attention ring
        ("test:0", "panorama", {}, 15),  # a generated room: no sample to load
    ],
)
def test_show_draws_the_newer_pages(source, view, kwargs, count):
    figures = nodescope.show(source, view, focus=3, **kwargs)
    assert len(figures) == count and all(isinstance(f, go.Figure) and f.data for f in figures.values())


@pytest.mark.parametrize(
    ("source", "view", "kwargs", "match"),
    [
        ("karate", "simulation", {}, "not a mesh"),
        ("karate", "forecast", {}, "not a time series"),
        ("ant", "simulation", {"model": "gat"}, "model does not apply"),
        ("karate", "pipeline", {}, "draws a saved run"),
        ("test:x", "panorama", {}, "whole number"),
    ],
)
def test_show_refuses_a_newer_page_it_cannot_draw(source, view, kwargs, match):
    with pytest.raises(LoadError, match=match):
        nodescope.show(source, view, **kwargs)


@pytest.mark.parametrize(
    ("source", "title"),
    [
        ("graph-var", "Time series"),
        ("skeleton-walk", "Skeletons"),
        ("ant", "Meshes"),
        ("test:1", "Panoramas"),
    ],
)
def test_report_covers_every_kind_the_command_covers(source, title):
    (section,) = nodescope.report(source)
    assert (section.key, section.title) == ("page", f"{title} page")
    assert "nodescope export" in section.sentences[0]


@pytest.mark.parametrize(
    ("source", "kwargs", "match"),
    [
        ("ant", {"model": "gat"}, "model does not apply"),
        ("skeleton-walk", {"model": "gat"}, "not 'gat'"),
        ("graph-var", {"method": "ig"}, "method scores graph explanations"),
    ],
)
def test_report_refuses_what_a_page_kind_cannot_take(source, kwargs, match):
    with pytest.raises(LoadError, match=match):
        nodescope.report(source, **kwargs)
