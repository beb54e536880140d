"""The Pipeline page: a tiny pipelined GCNII trained here draws its Gantt chart; a node pick shows its chunk."""

import gc
import json
import os
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from nodescope.app.state import Selection
from nodescope.cli.main import main
from tests.app.pages import open_page


def _started(monkeypatch, stages: int = 1, epochs: int = 5) -> AppTest:
    at = open_page(monkeypatch, "karate", "views/pipeline.py", timeout=180)
    assert any("No pipeline run on this graph yet" in i.value for i in at.info)
    at.slider(key="pipe_depth").set_value(8)
    at.slider(key="pipe_chunks").set_value(2)
    at.slider(key="pipe_epochs").set_value(epochs)
    at.radio(key="pipe_stages").set_value(stages)
    at.button(key="pipe_run").click().run()
    assert not at.exception, at.exception
    return at


def _finished(at: AppTest, limit_s: float = 150) -> AppTest:
    """Rerun the page (as its polling fragment does) until the run in the background ended."""
    end = time.monotonic() + limit_s
    while "pipe_job" in at.session_state and time.monotonic() < end:
        time.sleep(0.3)
        at.run()
        assert not at.exception, at.exception
    assert "pipe_job" not in at.session_state, "the run did not end in time"
    return at


def _trained(monkeypatch, stages: int = 1) -> AppTest:
    return _finished(_started(monkeypatch, stages))


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


def test_a_run_survives_a_widget_click_mid_run_and_its_result_shows(monkeypatch):
    at = _started(monkeypatch, epochs=40)
    slot = at.session_state["pipe_job"]
    assert slot.job.running and at.get("progress"), (
        "the page returns at once, the run trains in the background"
    )
    at.slider(key="pipe_chunks").set_value(3).run()  # a widget click reruns the page mid-run
    assert not at.exception, at.exception
    assert at.session_state["pipe_job"] is slot
    assert at.button(key="pipe_run").disabled  # one run at a time
    _finished(at)
    assert slot.job.result is not None and not slot.job.folder.exists()
    assert any("GCNII-8 trained here: 1 stage(s) × 2 chunks" in c.value for c in at.caption)


def test_stop_ends_the_workers_and_deletes_the_run_folder(monkeypatch):
    at = _started(monkeypatch, stages=2, epochs=200)
    job = at.session_state["pipe_job"].job
    end = time.monotonic() + 120
    while job.epochs_done < 1 and time.monotonic() < end:  # the workers are up and training
        time.sleep(0.3)
    assert job.running and job.epochs_done >= 1
    pids = json.loads((job.folder / "workers.json").read_text())["pids"]
    at.button(key="pipe_stop").click().run()
    assert not at.exception, at.exception
    assert not job.running and job.stopped and job.result is None
    assert not job.folder.exists()
    for pid in pids:
        assert not _alive(pid), f"worker {pid} still runs"
    assert "pipe_job" not in at.session_state
    assert any("No pipeline run on this graph yet" in i.value for i in at.info)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie has ended


def test_a_session_that_lets_go_of_its_run_stops_it(monkeypatch):
    from nodescope.app.pipeline_data import _Slot
    from nodescope.core.loaders import load
    from nodescope.core.models import MODELS
    from nodescope.core.pipeline import PipelineConfig, PipelineJob
    from nodescope.core.training import with_split

    s = load("karate")
    config = MODELS["gcnii"].config(s.data.num_features, s.num_classes, layers=8, hidden=16)
    settings = PipelineConfig(stages=1, chunks=2, max_epochs=100_000, patience=100_000, checkpoint_every=0)
    job = PipelineJob(config, with_split(s.data, seed=0), settings).start()
    slot = _Slot(job, s.fingerprint, 100_000)
    del slot  # what the end of a session does to its state
    gc.collect()
    job._thread.join(60)
    assert not job.running and job.stopped and not job.folder.exists()
