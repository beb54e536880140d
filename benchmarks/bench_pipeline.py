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
   (``--accuracy-epochs``), seed ``--seed`` (default 0), best validation loss kept.
   ``--only plain`` or ``--only pipeline`` trains one side, so that the two can run as two
   processes at once (the JSON then holds that side and no gap).

3. **Scale** (``--synthetic``): the same timing runs on a planted-partition graph of 200k nodes
   and 2M directed edges (:func:`core.pipeline.synthetic.block_model`: 16 communities, 80 % of
   edges inside, 32 features; ``--synthetic-depth`` layers, hidden ``--synthetic-hidden``), with
   the crossing-edge fraction and halo rows of both partitions (METIS, the RCM fallback).

The machine may be shared: wall seconds are what they are under the load reported with them
(``os.getloadavg``). Two worker processes on two busy cores cannot show a speed-up.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py [--depths 32 64] [--skip-accuracy] [--synthetic]``
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
from nodescope.core.models import MODELS
from nodescope.core.pipeline import (
    PipelineConfig,
    launch,
    metis_available,
    partition,
    plan,
    reports_summary,
    split_graph,
    train_single,
)
from nodescope.core.pipeline.synthetic import block_model
from nodescope.core.recipes import recipe
from nodescope.core.training import train, with_split

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "planetoid"
CHUNKS = 4


def _load() -> tuple:
    sample = load("cora", data_dir=SHARED, download=False)
    return sample, with_split(sample.data, seed=0)


def _partitions(data, depth: int, hidden: int) -> dict:
    """Crossing-edge fraction, halo rows and the graph-parallel bytes model of each partition method."""
    n, edges = data.num_nodes, data.edge_index
    out = {}
    for method in ("metis", "rcm") if metis_available() else ("rcm",):
        t0 = time.perf_counter()
        part = partition(edges, n, CHUNKS, method=method)
        seconds = time.perf_counter() - t0
        halo = sum(int(c.halo.numel()) for c in split_graph(edges, n, part))
        out[method] = {
            "crossing_edge_fraction": round(float((part[edges[0]] != part[edges[1]]).float().mean()), 4),
            "halo_rows": halo,
            "largest_chunk": int(part.bincount().max()),
            "seconds": round(seconds, 2),
            "graph_parallel_bytes_per_epoch_model": 3 * depth * hidden * 4 * halo,
        }
    return out


def timing(depth: int, epochs: int) -> dict:
    sample, data = _load()
    config, settings = recipe("gcnii", sample, max_epochs=epochs)
    config = dataclasses.replace(config, layers=depth)
    plain = train(config, data, dataclasses.replace(settings, max_epochs=epochs, patience=epochs))
    out = _stage_runs(config, data, epochs, settings.lr, settings.weight_decay)
    out["plain_gcnii_epoch_s"] = plain.seconds / plain.epochs
    return out


def synthetic(depth: int, hidden: int, epochs: int) -> dict:
    t0 = time.perf_counter()
    data = with_split(block_model(), seed=0)
    made = time.perf_counter() - t0
    config = MODELS["gcnii"].config(data.num_features, int(data.y.max()) + 1, layers=depth, hidden=hidden)
    out = {
        "graph": {"nodes": data.num_nodes, "edges": int(data.edge_index.shape[1]), "seconds": round(made, 1)}
    }
    return out | _stage_runs(config, data, epochs, 0.01, 5e-4)


def _stage_runs(config, data, epochs: int, lr: float, weight_decay: float) -> dict:  # noqa: ANN001
    """Timing of 1 and 2 stages in worker processes, with the communication models."""
    depth, n, h = config.layers, data.num_nodes, config.hidden
    parts = _partitions(data, depth, h)
    used = "metis" if metis_available() else "rcm"
    out: dict = {
        "depth": depth,
        "hidden": h,
        "chunks": CHUNKS,
        "partition": used if used == "metis" else "rcm (no METIS here)",
        "partitions": parts,
        "halo_rows": parts[used]["halo_rows"],
        "graph_parallel_bytes_per_epoch_model": parts[used]["graph_parallel_bytes_per_epoch_model"],
        "pipeline_bytes_per_epoch_model_per_boundary": 6 * n * h * 4,
    }
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
            lr=lr,
            weight_decay=weight_decay,
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


def accuracy(depth: int, epochs: int, staleness: int, seed: int = 0, only: str = "both") -> dict:
    sample, data = _load()
    config, settings = recipe("gcnii", sample, max_epochs=epochs, seed=seed)
    config = dataclasses.replace(config, layers=depth)
    row: dict = {"depth": depth, "epoch_cap": epochs, "staleness_bound": staleness, "seed": seed}
    if only in ("both", "plain"):
        t0 = time.perf_counter()
        plain = train(config, data, settings)
        plain_s = time.perf_counter() - t0
        print(
            f"depth {depth}: plain GCNII {plain.test_acc:.3f} after {plain.epochs} epochs, {plain_s:.0f} s",
            flush=True,
        )
        row["plain"] = {
            "test_acc": plain.test_acc,
            "val_acc": plain.val_acc,
            "best_epoch": plain.best_epoch,
            "epochs": plain.epochs,
            "seconds": round(plain_s, 1),
        }
    if only == "plain":
        return row
    run = PipelineConfig(
        stages=1,
        chunks=CHUNKS,
        refresh_every=staleness,
        max_epochs=epochs,
        patience=settings.patience,
        lr=settings.lr,
        weight_decay=settings.weight_decay,
        checkpoint_every=0,
        seed=seed,
    )
    t0 = time.perf_counter()
    worker, report = train_single(config, data, run)
    pipe_s = time.perf_counter() - t0
    best = report.history[report.best_epoch - 1]
    row["pipeline"] = {
        "test_acc": best["test_acc"],
        "val_acc": best["val_acc"],
        "best_epoch": report.best_epoch,
        "epochs": report.epochs,
        "seconds": round(pipe_s, 1),
        "mean_staleness": float(np.mean(report.staleness)),
    }
    if "plain" in row:
        row["test_acc_gap_points"] = 100 * (row["pipeline"]["test_acc"] - row["plain"]["test_acc"])
    print(row, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--timing-epochs", type=int, default=6)
    parser.add_argument("--accuracy-epochs", type=int, default=300)
    parser.add_argument("--staleness", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0, help="accuracy runs: initialization and dropout seed")
    parser.add_argument(
        "--only",
        choices=["both", "plain", "pipeline"],
        default="both",
        help="accuracy runs: train only one side (to run the two as parallel processes)",
    )
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--name", default="pipeline")
    parser.add_argument("--synthetic", action="store_true", help="also time the 200k-node / 2M-edge graph")
    parser.add_argument("--synthetic-depth", type=int, default=8)
    parser.add_argument("--synthetic-hidden", type=int, default=32)
    parser.add_argument("--synthetic-epochs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)  # one core per worker everywhere: the plain model, the cost measurement
    payload: dict = {"cpu_count": os.cpu_count(), "load_avg_at_start": [round(x, 1) for x in os.getloadavg()]}
    if not args.skip_timing:
        payload["timing"] = [timing(d, args.timing_epochs) for d in args.depths]
    if args.synthetic:
        payload["synthetic"] = synthetic(args.synthetic_depth, args.synthetic_hidden, args.synthetic_epochs)
    if not args.skip_accuracy:
        payload["accuracy"] = [
            accuracy(d, args.accuracy_epochs, args.staleness, args.seed, args.only) for d in args.depths
        ]
    write(args.name, payload)


if __name__ == "__main__":
    main()
