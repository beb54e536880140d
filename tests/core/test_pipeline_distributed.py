"""A CI-size 2-process pipeline run on gloo (a 200-node graph, 4 epochs; under 2 minutes on 2 busy cores)."""

from __future__ import annotations

import time

import pytest
import torch.distributed as dist

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.pipeline import PipelineConfig, launch, load_pipeline_model, reports_summary, train_single
from nodescope.core.training import with_split

pytestmark = pytest.mark.skipif(not dist.is_gloo_available(), reason="torch was built without gloo")


def test_two_stage_run_equals_the_one_process_mode(tmp_path):
    sample = load("sbm")
    data = with_split(sample.data)
    config = MODELS["gcnii"].config(data.num_features, sample.num_classes, layers=6, hidden=16)
    settings = PipelineConfig(stages=2, chunks=3, refresh_every=2, max_epochs=4, patience=100)
    start = time.perf_counter()
    reports = launch(config, data, settings, [(0, 4), (4, 8)], tmp_path)
    seconds = time.perf_counter() - start
    assert seconds < 120, f"the CI-size run took {seconds:.0f} s"
    _, single = train_single(config, data, settings)
    for dist_row, one_row in zip(reports[-1].history, single.history, strict=True):
        for key in ("loss", "val_loss", "val_acc"):
            assert abs(dist_row[key] - one_row[key]) < 1e-5, key
    summary = reports_summary(reports)
    assert summary["bounds"] == [[0, 4], [4, 8]] and summary["epochs"] == 4
    assert 0 <= summary["bubble_fraction"] < 1
    # per epoch: 3 chunks x (x, x0) forward and back, plus the exact pass's (N, h) x 2, 4-byte floats
    n, h = data.num_nodes, config.hidden
    assert summary["bytes_per_epoch"] == 4 * h * (2 * 2 * n + 2 * n)
    kinds = {(e[1], e[3]) for e in reports[0].timeline} | {(e[1], e[3]) for e in reports[1].timeline}
    assert kinds == {(s, k) for s in (0, 1) for k in ("fwd", "bwd", "eval")}
    model, latest = load_pipeline_model(tmp_path / "checkpoint")
    assert latest["epoch"] == 4 and model.config.layers == 6
