"""What the Pipeline page runs and keeps: a pipelined GCNII trained here, or a CLI run's results.

A run trains in a background thread (one stage in this process, or one process per stage through
:func:`core.pipeline.launch`) while the page updates a progress bar; the finished run is kept in
the session, the latest one per sample (its fingerprint).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
import torch
from torch_geometric.data import Data

from nodescope.core.checkpoint import load_checkpoint
from nodescope.core.errors import LoadError
from nodescope.core.models import NodeModel
from nodescope.core.pipeline import (
    PipelineConfig,
    StageReport,
    Worker,
    launch,
    load_pipeline_model,
    partition,
    plan,
    reports_summary,
    split_graph,
)
from nodescope.core.pipeline.checkpoint import read_latest
from nodescope.core.recipes import recipe
from nodescope.core.sample import Sample
from nodescope.core.training import accuracy, with_split
from nodescope.explain.oversmoothing import dirichlet_energy, metric_context
from nodescope.explain.pipeline import chunk_of, halo_reads

_RUNS = "pipe_runs"  # session: {fingerprint: PipelineRun}


@dataclass(frozen=True)
class PipelineRun:
    """One finished run, as the page draws it.

    Attributes:
        origin: "trained here" or the results file it was read from.
        depth, stages, chunks, refresh_every: the GCNII's layers and the pipeline's settings.
        history: one row per epoch (epoch, loss, val_loss, train/val/test accuracy).
        timeline: every worker's (epoch, stage, chunk, pass, t0, t1) entries (seconds).
        staleness: (epochs,) mean epochs since the last exact refresh, after each epoch.
        summary: :func:`core.pipeline.reports_summary` of the run (bubble fraction, memory...).
        part: (N,) chunk of every node.
        reads_before, reads_after: (N,) chunks reading each node's embedding before / after its
            own chunk runs (:func:`explain.pipeline.halo_reads`).
        energy: (depth + 1,) Dirichlet energy of the trained model's representations per layer.
        test_acc: the best-validation model's test accuracy.
    """

    origin: str
    depth: int
    stages: int
    chunks: int
    refresh_every: int
    history: list[dict[str, float]]
    timeline: list[tuple[int, int, int, str, float, float]]
    staleness: list[float]
    summary: dict[str, Any]
    part: np.ndarray
    reads_before: np.ndarray
    reads_after: np.ndarray
    energy: np.ndarray
    test_acc: float


def current(fp: str) -> PipelineRun | None:
    """The latest run on the sample of fingerprint ``fp`` in this session, if any."""
    return st.session_state.get(_RUNS, {}).get(fp)


def _finish(
    s: Sample, data: Data, model: NodeModel, settings: PipelineConfig, reports: list[StageReport], origin: str
) -> PipelineRun:
    """The run's record: its reports' measures, the chunks, and the trained model's energies."""
    model.eval()
    prepared = model.prepare(data)
    with torch.no_grad():
        out = model(prepared)
    context = metric_context(s.data.edge_index, s.num_nodes)
    energy = np.array([dirichlet_energy(h, s.data.edge_index, context=context) for h in out.hidden])
    part = partition(data.edge_index, s.num_nodes, settings.chunks, method=settings.partition)
    chunks = split_graph(data.edge_index, s.num_nodes, part)
    before, after = halo_reads(chunks, s.num_nodes)
    return PipelineRun(
        origin=origin,
        depth=model.config.layers,
        stages=len(reports),
        chunks=settings.chunks,
        refresh_every=settings.refresh_every,
        history=reports[-1].history,
        timeline=[tuple(e) for r in reports for e in r.timeline],
        staleness=list(reports[0].staleness),
        summary=reports_summary(reports),
        part=chunk_of(chunks, s.num_nodes),
        reads_before=before,
        reads_after=after,
        energy=energy,
        test_acc=accuracy(out.logits, prepared.y, prepared.test_mask),
    )


def run_here(
    s: Sample, fp: str, *, depth: int, chunks: int, refresh_every: int, epochs: int, stages: int
) -> None:
    """Train a pipelined GCNII on ``s`` with a progress bar, keep the run, rerun the page.

    Args:
        s: the labeled sample (its own split, else a random one of seed 0).
        fp: its fingerprint.
        depth: GCNII layers.
        chunks: graph chunks.
        refresh_every: staleness bound S (epochs between exact refreshes).
        epochs: epochs to train (early stopping as the GCNII recipe has it).
        stages: 1 (this process) or more (one spawned process per stage).
    """
    data = with_split(s.data, seed=0)
    config, train = recipe("gcnii", s, seed=0, max_epochs=epochs)
    config = dataclasses.replace(config, layers=depth)
    settings = PipelineConfig(
        stages=stages, chunks=chunks, refresh_every=refresh_every, max_epochs=epochs,
        patience=train.patience, lr=train.lr, weight_decay=train.weight_decay, seed=train.seed,
        checkpoint_every=0 if stages == 1 else 1,
    )  # fmt: skip
    bar = st.progress(0.0, text="Starting the pipeline…")
    failed: list[BaseException] = []
    folder = Path(tempfile.mkdtemp(prefix="nodescope-pipeline-"))
    reports: list[StageReport] = []
    thread: threading.Thread | None = None
    try:
        if stages == 1:
            worker = Worker(0, 1, config, data, settings, [(0, depth + 2)], None, None)

            def job() -> None:
                reports.append(worker.run())

            def done() -> int:
                return len(worker.report.history)
        else:
            bounds = plan(config, data, stages, seed=train.seed)

            def job() -> None:
                reports.extend(launch(config, data, settings, bounds, folder))

            def done() -> int:
                latest = read_latest(folder / "checkpoint")
                return latest["epoch"] if latest else 0

        def guarded() -> None:
            try:
                job()
            except BaseException as exc:  # noqa: BLE001  shown on the page below
                failed.append(exc)

        thread = threading.Thread(target=guarded, daemon=True)
        thread.start()
        while thread.is_alive():
            n = done()
            bar.progress(min(n / epochs, 1.0), text=f"Epoch {n} of at most {epochs}")
            time.sleep(0.2)
        if failed:
            raise LoadError(f"The pipeline run failed: {failed[0]}")
        model = worker.model if stages == 1 else load_pipeline_model(folder / "checkpoint")[0]
        run = _finish(s, data, model, settings, reports, "trained here")
    finally:  # a rerun mid-run (another widget) stops this script, not the thread: leave it its folder
        if thread is None or not thread.is_alive():
            shutil.rmtree(folder, ignore_errors=True)
    bar.empty()
    st.session_state.setdefault(_RUNS, {})[fp] = run
    st.rerun()


def read_results(s: Sample, fp: str, path: Path) -> None:
    """Keep the run of ``nodescope train --stages … --chunks …`` whose results JSON is ``path``.

    Its model (``<dataset>-gcnii-pipeline-seed<k>`` beside it) gives the energies; the chunks are
    recomputed from its settings (deterministic).

    Raises:
        LoadError: an unreadable file, not a pipeline run, or a run on another graph.
    """
    try:
        result = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise LoadError(f"Cannot read {path} ({exc}).") from exc
    if not isinstance(result, dict) or not {"timeline", "pipeline", "settings", "history"} <= set(result):
        raise LoadError(f"{path} is not the results of a pipeline run (nodescope train --stages …).")
    trained_on = result.get("sample", {}).get("fingerprint")
    if trained_on != fp:
        raise LoadError(
            f"{path} was trained on {result.get('sample', {}).get('name', 'another graph')}; load it first."
        )
    try:
        settings = PipelineConfig(**result["settings"])
        model_path = Path(path).with_name(f"{result['dataset']}-gcnii-pipeline-seed{result['seed']}")
        summary = result["pipeline"]
        stages = int(summary["stages"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LoadError(f"{path} is not the results of a pipeline run ({exc!r} missing or wrong).") from exc
    model, _ = load_checkpoint(model_path)
    reports = [
        StageReport(rank=r, bounds=tuple(summary["bounds"][r]), history=result["history"],
                    timeline=[e for e in result["timeline"] if int(e[1]) == r],
                    staleness=result.get("staleness_mean", []), epochs=summary["epochs"],
                    best_epoch=summary["best_epoch"], peak_rss_mb=summary["peak_rss_mb"][r],
                    cache_mb=summary["cache_mb"][r])
        for r in range(stages)
    ]  # fmt: skip
    run = _finish(s, with_split(s.data, seed=0), model, settings, reports, Path(path).name)
    st.session_state.setdefault(_RUNS, {})[fp] = dataclasses.replace(run, summary=summary)
