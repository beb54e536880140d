"""The Pipeline page: a tiny pipelined GCNII trained here draws its Gantt chart; a node pick shows its chunk."""

import json

from streamlit.testing.v1 import AppTest

from nodescope.app.state import Selection
from nodescope.cli.main import main
from tests.app.pages import open_page


def _trained(monkeypatch, stages: int = 1) -> AppTest:
    at = open_page(monkeypatch, "karate", "views/pipeline.py", timeout=180)
    assert any("No pipeline run on this graph yet" in i.value for i in at.info)
    at.slider(key="pipe_depth").set_value(8)
    at.slider(key="pipe_chunks").set_value(2)
    at.slider(key="pipe_epochs").set_value(5)
    at.radio(key="pipe_stages").set_value(stages)
    at.button(key="pipe_run").click().run()
    assert not at.exception, at.exception
    return at


def _charts(at: AppTest) -> dict[str, dict]:
    """Each plain chart's figure, by its title."""
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {f["layout"].get("title", {}).get("text", ""): f for f in figures}


def test_a_tiny_run_draws_the_gantt_chart_of_its_stages_and_chunks(monkeypatch):
    at = _trained(monkeypatch)
    assert any("GCNII-8 trained here: 1 stage(s) × 2 chunks" in c.value for c in at.caption)
    gantt = _charts(at)["Epoch 5: stages × time"]
    bars = {t["name"]: t for t in gantt["data"]}
    assert {"forward", "backward", "evaluation (full graph)"} <= set(bars)
    assert sorted(bars["forward"]["text"]) == ["0", "1"]  # one forward bar per chunk
    assert all(w > 0 for w in bars["backward"]["x"])
    assert {"Peak memory per stage", "Dirichlet energy per layer", "Accuracy and loss"} <= set(_charts(at))
    at.slider(key="pipe_epoch_5").set_value(2).run()
    assert not at.exception, at.exception
    assert "Epoch 2: stages × time" in _charts(at)


def test_a_node_pick_shows_its_chunk(monkeypatch):
    at = _trained(monkeypatch)
    assert any("Click a node" in i.value for i in at.info)
    run = at.session_state["pipe_runs"]
    (part,) = [r.part for r in run.values()]
    node = 33
    at.session_state["selection"] = Selection((node,), node)
    at.run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert f"**Node {node}**: chunk **{int(part[node])}** of 2" in text
    assert sorted(set(part.tolist())) == [0, 1]


def test_two_stages_run_as_two_processes_and_draw_two_rows(monkeypatch):
    at = _trained(monkeypatch, stages=2)
    assert any("GCNII-8 trained here: 2 stage(s) × 2 chunks" in c.value for c in at.caption)
    bars = {t["name"]: t for t in _charts(at)["Epoch 5: stages × time"]["data"]}
    assert sorted(set(bars["forward"]["y"])) == ["stage 0", "stage 1"]
    assert len(bars["backward"]["x"]) == 4  # 2 stages × 2 chunks
    memory = _charts(at)["Peak memory per stage"]
    assert list(memory["data"][0]["x"]) == ["stage 0", "stage 1"]


def test_a_cli_run_is_read_from_its_results_file(monkeypatch, tmp_path):
    args = ["train", "--dataset", "karate", "--model", "gcnii", "--layers", "8", "--stages", "1"]
    assert main([*args, "--chunks", "3", "--epochs", "4", "--out", str(tmp_path)]) == 0
    at = open_page(monkeypatch, "karate", "views/pipeline.py", timeout=180)
    at.text_input(key="pipe_path").input(str(tmp_path / "karate-gcnii-pipeline-results.json")).run()
    at.button(key="pipe_read").click().run()
    assert not at.exception, at.exception
    assert any(
        "GCNII-8 karate-gcnii-pipeline-results.json: 1 stage(s) × 3 chunks" in c.value for c in at.caption
    )
    assert "Epoch 4: stages × time" in _charts(at)


def test_a_results_file_of_another_graph_is_refused_in_one_line(monkeypatch, tmp_path):
    bad = tmp_path / "x-results.json"
    bad.write_text(
        '{"timeline": [], "pipeline": {}, "settings": {}, "history": [], "sample": {"name": "cora"}}'
    )
    at = open_page(monkeypatch, "karate", "views/pipeline.py", timeout=180)
    at.text_input(key="pipe_path").input(str(bad)).run()
    at.button(key="pipe_read").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [f"{bad} was trained on cora; load it first."]
