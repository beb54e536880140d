"""What a pipeline run did, as the Pipeline page and ``nodescope export pipeline`` draw it.

A :class:`PipelineRun` gathers a finished run's measures: its workers' timelines and summary
(:func:`core.pipeline.reports_summary`: bubble fraction, bytes, memory), the staleness of the
historical embeddings over training, the chunk of every node and who reads its embedding when
(:mod:`explain.pipeline`), and the trained model's Dirichlet energy layer by layer. It is built
from a model and its reports (:func:`pipeline_run`, a run trained in the app), from the results
JSON of ``nodescope train --stages … --out DIR`` (:func:`run_from_results`), or from that
command's run folder (:func:`run_from_folder`: checkpoint and worker reports).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.data import Data

from nodescope.core.checkpoint import load_checkpoint
from nodescope.core.errors import LoadError
from nodescope.core.models import NodeModel
from nodescope.core.pipeline import (
    PipelineConfig,
    StageReport,
    load_pipeline_model,
    partition,
    reports_summary,
    split_graph,
)
from nodescope.core.pipeline.checkpoint import read_stage
from nodescope.core.sample import Sample
from nodescope.core.training import accuracy, with_split
from nodescope.explain.oversmoothing import dirichlet_energy, metric_context
from nodescope.explain.pipeline import chunk_of, halo_reads


@dataclass(frozen=True)
class PipelineRun:
    """One finished run, as the page draws it.

    Attributes:
        origin: "trained here", the results file or the run folder it was read from.
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


def pipeline_run(
    s: Sample, data: Data, model: NodeModel, settings: PipelineConfig, reports: list[StageReport], origin: str
) -> PipelineRun:
    """The run's record: its reports' measures, the chunks, and the trained model's energies.

    Args:
        s: the sample it trained on.
        data: ``s.data`` with the split it trained with.
        model: the trained GCNII (best weights).
        settings: the run's settings (chunks, partition, staleness bound).
        reports: one per worker, rank order.
        origin: where the run comes from (shown in captions).
    """
    model = model.cpu().eval()
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


def run_from_results(s: Sample, path: Path) -> PipelineRun:
    """The run of ``nodescope train --stages … --chunks …`` whose results JSON is ``path``.

    Its model (``<dataset>-gcnii-pipeline-seed<k>`` beside it) gives the energies; the chunks are
    recomputed from its settings (deterministic).

    Raises:
        LoadError: an unreadable file, not a pipeline run, or a run on another graph than ``s``.
    """
    try:
        result = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise LoadError(f"Cannot read {path} ({exc}).") from exc
    if not isinstance(result, dict) or not {"timeline", "pipeline", "settings", "history"} <= set(result):
        raise LoadError(f"{path} is not the results of a pipeline run (nodescope train --stages …).")
    trained_on = result.get("sample", {}).get("fingerprint")
    if trained_on != s.fingerprint:
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
    run = pipeline_run(s, with_split(s.data, seed=0), model, settings, reports, Path(path).name)
    return dataclasses.replace(run, summary=summary)


def _run_folder(path: Path) -> Path:
    """The run folder ``path`` names: itself, the folder above its ``checkpoint/``, or the one run in ``--out``."""
    path = Path(path)
    if path.name == "checkpoint" and (path / "latest.json").exists():
        return path.parent
    if (path / "checkpoint").is_dir():
        return path
    runs = sorted(p for p in path.glob("*-gcnii-pipeline") if (p / "checkpoint").is_dir())
    if len(runs) == 1:
        return runs[0]
    what = "no" if not runs else f"{len(runs)}"
    raise LoadError(
        f"{path} holds {what} pipeline run folder(s) (a nodescope train --stages … --out DIR run writes "
        "DIR/<dataset>-gcnii-pipeline/checkpoint); name one."
    )


def run_from_folder(s: Sample, path: Path) -> PipelineRun:
    """The run whose folder (``<dataset>-gcnii-pipeline`` in ``--out``) is ``path``, drawn on ``s``.

    Reads the last complete checkpoint (best weights) and the workers' reports
    (``reports/stage<r>.json``). A run that stopped before writing them (a worker died) is drawn
    from its checkpoint's history alone: no timeline, no memory.

    Args:
        s: the sample it trained on (checked against the results JSON beside the folder when
            there is one, else against the model's input and output widths).
        path: the run folder, its ``checkpoint/`` folder, or the ``--out`` folder holding one run.

    Raises:
        LoadError: one line: no run there, an incomplete checkpoint, or a run on another graph.
    """
    folder = _run_folder(path)
    model, latest = load_pipeline_model(folder / "checkpoint")
    results = folder.with_name(f"{folder.name}-results.json")
    if results.exists():
        try:
            trained_on = json.loads(results.read_text()).get("sample", {})
        except (OSError, ValueError):
            trained_on = {}
        if trained_on.get("fingerprint") not in (None, s.fingerprint):
            raise LoadError(
                f"{folder} was trained on {trained_on.get('name', 'another graph')}; not on {s.name}."
            )
    config = model.config
    if (config.in_dim, config.out_dim) != (s.data.num_features, s.num_classes):
        raise LoadError(
            f"{folder} was trained on {config.in_dim} features and {config.out_dim} classes; "
            f"{s.name} has {s.data.num_features} and {s.num_classes}."
        )
    settings = PipelineConfig(**latest["settings"])
    paths = [folder / "reports" / f"stage{r}.json" for r in range(len(latest["bounds"]))]
    if all(p.exists() for p in paths):
        reports = [StageReport(**json.loads(p.read_text())) for p in paths]
    else:  # the run died: its last complete epoch's loop state
        meta = read_stage(folder / "checkpoint", latest["epoch"], len(paths) - 1)[1]
        reports = [
            StageReport(rank=r, bounds=tuple(b), epochs=latest["epoch"], best_epoch=meta["best_epoch"],
                        history=meta["history"])
            for r, b in enumerate(latest["bounds"])
        ]  # fmt: skip
    return pipeline_run(s, with_split(s.data, seed=0), model, settings, reports, folder.name)
