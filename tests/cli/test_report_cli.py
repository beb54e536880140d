"""``nodescope report``: one offline HTML report (and its JSON) per source kind; one line and status 2 for bad input."""

from __future__ import annotations

import functools
import json
import re

import pytest
import torch
from plotly.offline import get_plotlyjs

from nodescope.cli.main import main
from nodescope.core.checkpoint import shipped_weights
from nodescope.core.loaders import load


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _report(tmp_path, *argv: str) -> tuple[str, dict]:
    out = tmp_path / "report"
    assert main(["report", *argv, "--out", str(out)]) == 0
    doc = (out / "report.html").read_text()
    assert doc.count(get_plotlyjs()) == 1  # inlined once, for every figure
    assert not re.search(r"<script[^>]+src=", doc.replace(get_plotlyjs(), ""))  # nothing fetched
    return doc, json.loads((out / "report.json").read_text())


def test_a_graph_report_has_every_section_with_the_shipped_numbers(tmp_path, capsys):
    doc, record = _report(tmp_path, "--source", "karate", "--fidelity-nodes", "6")
    keys = [s["key"] for s in record["sections"]]
    assert keys == ["accuracy", "attention", "fidelity", "oversmoothing"]
    for heading in ("Accuracy", "Attention", "Explanation fidelity", "Over-smoothing"):
        assert f"<h2>{heading}</h2>" in doc
    assert doc.count('class="figure"') == 3  # accuracy bars, head entropy, over-smoothing curves
    assert "X-Node (GAT)" in record["what"]  # the default model
    accuracy = {row["split"]: row["accuracy"] for row in record["sections"][0]["table"]}
    shipped = json.loads(shipped_weights(load("karate"), "xnode-gat").with_suffix(".json").read_text())
    assert accuracy["test"] == pytest.approx(shipped["test_acc"], abs=1e-6)  # what the record says
    fidelity = {row["metric"]: row["value"] for row in record["sections"][2]["table"]}
    assert {"prob. Fid+", "prob. Fid-", "Fid+", "Fid-"} <= set(fidelity)
    assert "X-Node explained 6 nodes" in record["sections"][2]["sentences"][0]
    assert "sections, 3 figures" in capsys.readouterr().err.strip().splitlines()[-1]


def test_a_model_without_attention_says_n_a_and_is_scored_with_integrated_gradients(tmp_path):
    doc, record = _report(tmp_path, "--source", "karate", "--model", "gcn", "--fidelity-nodes", "4")
    attention = record["sections"][1]
    assert attention["table"] is None and attention["sentences"] == ["n/a: GCN has no attention."]
    assert record["sections"][2]["sentences"][0].startswith("Integrated Gradients explained 4 nodes")
    assert doc.count('class="figure"') == 2


def test_an_unlabeled_graph_gets_the_sweep_only(tmp_path):
    edges = tmp_path / "ring.csv"
    edges.write_text("source,target\n" + "".join(f"{i},{(i + 1) % 12}\n" for i in range(12)))
    _, record = _report(tmp_path, "--source", str(edges))
    assert [s["key"] for s in record["sections"]] == ["model", "oversmoothing"]
    assert "no node labels" in record["sections"][0]["sentences"][0]


def test_a_cortical_report_is_the_registration_qc_with_the_page_figures(tmp_path, monkeypatch):
    import nodescope
    from nodescope import api

    monkeypatch.setattr(nodescope, "register", functools.partial(api.register, rigid_only=True))  # seconds
    doc, record = _report(tmp_path, "--source", "synthetic:1")
    (section,) = record["sections"]
    assert record["kind"] == "cortex" and section["key"] == "registration"
    assert [row["sphere"] for row in section["table"]] == ["native (before)", "rigid", "registered"]
    assert section["table"][2]["sulc correlation"] > section["table"][0]["sulc correlation"]
    assert any("rigid stage matched the atlas" in s for s in section["sentences"])
    assert "<h2>Registration quality control</h2>" in doc
    assert doc.count('class="figure"') == 4  # moving, fixed, registered, map: as export registration


def test_a_mesh_report_draws_the_meshes_page(tmp_path):
    doc, record = _report(tmp_path, "--source", "ant")
    assert record["kind"] == "mesh" and record["sections"] == []
    assert "<h2>Meshes page</h2>" in doc and doc.count('class="figure"') == 7  # as nodescope export meshes


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--source", "no-such-source"], "no-such-source"),
        (["--source", "karate", "--model", "hopfir"], "Unknown model 'hopfir'"),
        (["--source", "karate", "--model", "gcn", "--method", "xnode"], "X-Node models only"),
        (["--source", "karate", "--model", "gcn", "--method", "attention"], "gcn has no attention"),
        (["--source", "karate", "--fidelity-nodes", "-1"], "--fidelity-nodes"),
        (["--source", "ant", "--model", "gat"], "--model does not apply"),
        (["--source", "skeleton-walk", "--model", "gat"], "not 'gat'"),
        (["--source", "graph-var", "--method", "ig"], "--method"),
        (["--source", "synthetic:x"], "whole number"),
        (["--source", "synthetic", "--model", "gat"], "do not apply"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, says, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err
    assert not (out / "report.html").exists()


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "report.html"
    out.write_text("mine")
    assert main(["report", "--source", "karate", "--out", str(out)]) == 2
    assert "is a file" in capsys.readouterr().err and out.read_text() == "mine"
