"""Pipelined GCNII (GNNPipe) on Cora; write benchmarks/results/pipeline.json.

1. **Timing** at depths 32 and 64 (hidden 64, public split, 4 chunks, staleness bound 1):
   ``--timing-epochs`` epochs of the one-stage run and of the two-stage run, each in worker
   processes started by :func:`core.pipeline.launch` (gloo), no checkpoints, one torch thread
   per worker (and for the plain model and the cost measurement): a stage is a core. Reported per
   run: median epoch seconds (train pass + exact evaluation pass; the first epoch left out),
   bubble fraction of the train pass, bytes sent per epoch, peak RSS per worker, the stage
   bounds the cost measurement chose; and, for reference, the epoch time of the plain
   full-batch GCNII (:func:`core.training.train`, same process as this script).
   Communication is set against GNNPipe's model (exactly 6 N h 4 bytes per stage boundary and
   epoch: (x, x0) forward, their gradients back, and the exact pass's (x, x0)) and against the
   volume a graph-parallel run of the same model on the same chunks would exchange (every
   layer, each chunk's halo rows forward and their gradients back, plus the exact pass:
   3 L h 4 sum_c |halo_c| bytes; computed from the chunks, not a measured run).
2. **Accuracy** at the same depths: the pipeline's numerics (4 chunks, historical embeddings,
   staleness bound ``--staleness``; the one-process mode, which the tests show equals any
   number of stages) against the plain GCNII trained by :func:`core.training.train`, same
   recipe (lr 0.01, weight decay 5e-4, dropout 0.6, patience 100) and epoch cap
   (``--accuracy-epochs``), seed 0, best validation loss kept.

The machine may be shared: wall seconds are what they are under the load reported with them
(``os.getloadavg``). Two worker processes on two busy cores cannot show a speed-up.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py [--depths 32 64] [--skip-accuracy]``
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from common import write

from nodescope.core.loaders import load
from nodescope.core.pipeline import (
    PipelineConfig,
    launch,
    partition,
    plan,
    reports_summary,
    split_graph,
    train_single,
)
from nodescope.core.recipes import recipe
from nodescope.core.training import train, with_split

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "planetoid"
CHUNKS = 4


def _load() -> tuple:
    sample = load("cora", data_dir=SHARED, download=False)
    return sample, with_split(sample.data, seed=0)


def timing(depth: int, epochs: int) -> dict:
    sample, data = _load()
    config, settings = recipe("gcnii", sample, max_epochs=epochs)
    config = dataclasses.replace(config, layers=depth)
    n, h = data.num_nodes, config.hidden
    chunks = split_graph(data.edge_index, n, partition(data.edge_index, n, CHUNKS))
    halo = sum(int(c.halo.numel()) for c in chunks)
    out: dict = {
        "depth": depth,
        "chunks": CHUNKS,
        "partition": "metis" if _metis() else "rcm (PyG built without METIS)",
        "halo_rows": halo,
        "graph_parallel_bytes_per_epoch_model": 3 * depth * h * 4 * halo,
        "pipeline_bytes_per_epoch_model_per_boundary": 6 * n * h * 4,
    }
    plain = train(config, data, dataclasses.replace(settings, max_epochs=epochs, patience=epochs))
    out["plain_gcnii_epoch_s"] = plain.seconds / plain.epochs
    for stages in (1, 2):
        bounds = [(0, depth + 2)] if stages == 1 else plan(config, data, stages)
        run = PipelineConfig(
            stages=stages,
            chunks=CHUNKS,
            refresh_every=1,
            max_epochs=epochs,
            patience=epochs,
            checkpoint_every=0,
            threads=1,
            lr=settings.lr,
            weight_decay=settings.weight_decay,
        )
        load0 = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as folder:
            reports = launch(config, data, run, bounds, Path(folder))
        summary = reports_summary(reports)
        summary["load_avg_1min_before"] = round(load0, 1)
        summary["load_avg_1min_after"] = round(os.getloadavg()[0], 1)
        summary["ideal_gpipe_bubble"] = (stages - 1) / (CHUNKS + stages - 1)
        out[f"stages_{stages}"] = summary
        print(depth, stages, summary, flush=True)
    return out


def _metis() -> bool:
    from torch_geometric.typing import WITH_METIS

    return bool(WITH_METIS)


def accuracy(depth: int, epochs: int, staleness: int) -> dict:
    sample, data = _load()
    config, settings = recipe("gcnii", sample, max_epochs=epochs)
    config = dataclasses.replace(config, layers=depth)
    t0 = time.perf_counter()
    plain = train(config, data, settings)
    plain_s = time.perf_counter() - t0
    print(
        f"depth {depth}: plain GCNII {plain.test_acc:.3f} after {plain.epochs} epochs, {plain_s:.0f} s",
        flush=True,
    )
    run = PipelineConfig(
        stages=1,
        chunks=CHUNKS,
        refresh_every=staleness,
        max_epochs=epochs,
        patience=settings.patience,
        lr=settings.lr,
        weight_decay=settings.weight_decay,
        checkpoint_every=0,
    )
    t0 = time.perf_counter()
    worker, report = train_single(config, data, run)
    pipe_s = time.perf_counter() - t0
    best = report.history[report.best_epoch - 1]
    row = {
        "depth": depth,
        "epoch_cap": epochs,
        "staleness_bound": staleness,
        "plain": {
            "test_acc": plain.test_acc,
            "val_acc": plain.val_acc,
            "best_epoch": plain.best_epoch,
            "epochs": plain.epochs,
            "seconds": round(plain_s, 1),
        },
        "pipeline": {
            "test_acc": best["test_acc"],
            "val_acc": best["val_acc"],
            "best_epoch": report.best_epoch,
            "epochs": report.epochs,
            "seconds": round(pipe_s, 1),
            "mean_staleness": float(np.mean(report.staleness)),
        },
    }
    row["test_acc_gap_points"] = 100 * (row["pipeline"]["test_acc"] - row["plain"]["test_acc"])
    print(row, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--timing-epochs", type=int, default=6)
    parser.add_argument("--accuracy-epochs", type=int, default=300)
    parser.add_argument("--staleness", type=int, default=1)
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--name", default="pipeline")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one core per worker everywhere: the plain model, the cost measurement
    payload: dict = {"cpu_count": os.cpu_count(), "load_avg_at_start": [round(x, 1) for x in os.getloadavg()]}
    if not args.skip_timing:
        payload["timing"] = [timing(d, args.timing_epochs) for d in args.depths]
    if not args.skip_accuracy:
        payload["accuracy"] = [accuracy(d, args.accuracy_epochs, args.staleness) for d in args.depths]
    write(args.name, payload)


if __name__ == "__main__":
    main()
