"""A pipeline run in the background (core/pipeline/job.py): it finishes, or stops with its workers, and leaves no folder."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import torch

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.pipeline import PipelineConfig, PipelineJob
from nodescope.core.training import with_split


@pytest.fixture(scope="module")
def karate():
    torch.set_num_threads(1)
    s = load("karate")
    config = MODELS["gcnii"].config(s.data.num_features, s.num_classes, layers=4, hidden=8)
    return config, with_split(s.data, seed=0)


def _settings(stages: int, epochs: int) -> PipelineConfig:
    return PipelineConfig(
        stages=stages, chunks=2, max_epochs=epochs, patience=epochs, checkpoint_every=stages > 1, threads=1
    )


def _wait(job: PipelineJob, epochs: int, limit_s: float = 120) -> None:
    end = time.monotonic() + limit_s
    while job.running and job.epochs_done < epochs and time.monotonic() < end:
        time.sleep(0.1)


def test_a_finished_job_keeps_what_finish_made_and_deletes_its_folder(karate):
    config, data = karate
    job = PipelineJob(config, data, _settings(1, 3), finish=lambda model, reports: len(reports[0].history))
    job.start()._thread.join(120)
    assert not job.running and job.error is None and not job.stopped
    assert job.result == 3 and job.epochs_done == 3
    assert not job.folder.exists()


def test_stop_ends_a_one_stage_job_between_epochs(karate):
    config, data = karate
    job = PipelineJob(config, data, _settings(1, 100_000)).start()
    _wait(job, 2)
    assert job.running and job.epochs_done >= 2
    job.stop()
    assert not job.running and job.stopped and job.result is None and job.error is None
    assert not job.folder.exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_stop_terminates_the_worker_processes_of_a_two_stage_job(karate):
    config, data = karate
    job = PipelineJob(config, data, _settings(2, 100_000)).start()
    _wait(job, 1)
    assert job.running and job.epochs_done >= 1, job.error
    pids = json.loads((job.folder / "workers.json").read_text())["pids"]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    job.stop()
    assert not job.running and job.stopped
    assert not job.folder.exists()
    assert not any(_alive(p) for p in pids)


def test_a_failing_job_reports_one_line(karate):
    config, data = karate
    job = PipelineJob(config, data, PipelineConfig(stages=1, chunks=10_000, max_epochs=2)).start()
    job._thread.join(60)
    assert job.result is None and job.error is not None and "\n" not in job.error
    assert "chunks must be between 1 and the node count 34" in job.error
