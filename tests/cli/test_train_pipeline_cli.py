"""``nodescope train --stages 2``: a killed worker stops the run with one line; resume matches.

Two CI-size runs (a 200-node graph, 6 layers, two worker processes on gloo each).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch.distributed as dist

from nodescope.cli.main import main
from nodescope.core.loaders import load
from nodescope.core.pipeline import PipelineConfig, load_pipeline_model, train_single
from nodescope.core.recipes import recipe
from nodescope.core.training import with_split

EXE = shutil.which("nodescope") or str(Path(sys.executable).with_name("nodescope"))
ARGS = ["train", "--dataset", "sbm", "--model", "gcnii", "--layers", "6", "--stages", "2", "--chunks", "3"]
ARGS += ["--staleness", "2"]


def test_pipeline_refuses_other_models(tmp_path, capsys):
    assert (
        main(["train", "--dataset", "karate", "--model", "gcn", "--stages", "2", "--out", str(tmp_path)]) == 2
    )
    assert capsys.readouterr().err.startswith("nodescope: --stages/--chunks train gcnii only")


@pytest.mark.skipif(not dist.is_gloo_available(), reason="torch was built without gloo")
def test_killed_worker_then_resume(tmp_path):
    out = tmp_path / "runs"
    run_dir = out / "sbm-gcnii-pipeline"
    latest_path = run_dir / "checkpoint" / "latest.json"
    proc = subprocess.Popen(
        [EXE, *ARGS, "--epochs", "2000", "--out", str(out)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 150
    killed_after = None
    while time.monotonic() < deadline and proc.poll() is None:
        if latest_path.exists() and json.loads(latest_path.read_text())["epoch"] >= 2:
            pids = json.loads((run_dir / "workers.json").read_text())["pids"]
            os.kill(pids[1], signal.SIGKILL)
            killed_after = json.loads(latest_path.read_text())["epoch"]
            break
        time.sleep(0.05)
    assert killed_after is not None, "the run never checkpointed an epoch"
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    lines = [line for line in err.splitlines() if line.startswith("nodescope:")]
    assert len(lines) == 1 and "pipeline worker 1 (stage 1) died (killed by SIGKILL)" in lines[0]
    assert "last checkpoint: epoch" in lines[0]
    model, latest = load_pipeline_model(run_dir / "checkpoint")  # usable as it was left
    assert model.config.layers == 6 and latest["epoch"] >= killed_after
    epochs = latest["epoch"] + 3

    done = subprocess.run(
        [EXE, *ARGS, "--epochs", str(epochs), "--resume", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stderr
    resumed = json.loads((out / "sbm-gcnii-pipeline-results.json").read_text())["history"]

    sample = load("sbm")
    config, train = recipe("gcnii", sample, seed=0, max_epochs=epochs)
    config = dataclasses.replace(config, layers=6)
    settings = PipelineConfig(
        stages=1,
        chunks=3,
        refresh_every=2,
        max_epochs=epochs,
        patience=train.patience,
        lr=train.lr,
        weight_decay=train.weight_decay,
    )
    _, whole = train_single(config, with_split(sample.data, seed=0), settings)
    assert len(resumed) == len(whole.history) == epochs
    for a, b in zip(resumed, whole.history, strict=True):
        assert abs(a["loss"] - b["loss"]) < 1e-5 and abs(a["val_loss"] - b["val_loss"]) < 1e-5
