"""``nodescope train --model gcnii --layers 64 --stages 2 --chunks 4 …``: pipelined GCNII training.

One process per stage on this machine (:func:`core.pipeline.launch`), or, when ``torchrun``
started this process (``RANK``/``WORLD_SIZE`` set; its ``--nnodes``, ``--node-rank``,
``--master-addr`` and ``--master-port`` work as usual), this process's stage only, with one
stage per process torchrun started: ``torchrun --nproc-per-node 2 $(which nodescope) train
--dataset cora --model gcnii --layers 64 --chunks 4 --out runs/``. ``--stages 1``
trains in this process with the same chunks and historical embeddings (the comparison mode).

Writes, for dataset key ``D`` and seed ``k``, into ``--out``:

- ``D-gcnii-pipeline/``: the run folder: ``checkpoint/`` (every epoch, see
  :mod:`core.pipeline.checkpoint`; ``--resume`` continues from it), ``reports/`` (one JSON per
  worker: timeline, bytes, memory) and ``workers.json`` (their pids);
- ``D-gcnii-pipeline-seed<k>.safetensors`` + ``.json``: the best-validation GCNII, an ordinary
  checkpoint (``nodescope explain`` and the app read it);
- ``D-gcnii-pipeline-results.json``: accuracies, history, epoch time, bubble fraction, bytes
  per epoch, peak memory per worker and the timeline.

A worker that dies stops the run with one line and exit status 2; the checkpoint folder keeps
the last complete epoch.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from dataclasses import asdict

from nodescope.core.errors import LoadError


def wanted(args: argparse.Namespace) -> bool:
    """True when the ``train`` options ask for a pipeline run (``--stages`` or ``--chunks``)."""
    return args.stages is not None or args.chunks is not None


def run(args: argparse.Namespace) -> int:
    """Train one pipelined GCNII (seed 0, or ``--seeds`` 1 with ``--seed``); see the module docstring.

    Returns:
        0.

    Raises:
        LoadError: a model other than gcnii, bad sizes, an unreadable dataset, or a worker that died.
    """
    import torch
    import torch.nn.functional as F

    from nodescope.cli.common import labeled_sample
    from nodescope.core.checkpoint import dataset_key, save_checkpoint
    from nodescope.core.pipeline import (
        PipelineConfig,
        launch,
        load_pipeline_model,
        plan,
        reports_summary,
        torchrun_rank,
        train_single,
    )
    from nodescope.core.pipeline.checkpoint import read_latest
    from nodescope.core.recipes import recipe
    from nodescope.core.training import accuracy, with_split

    if args.model != "gcnii":
        raise LoadError(f"--stages/--chunks train gcnii only, not {args.model}.")
    stages, chunks = args.stages or 1, args.chunks or 1
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # torchrun: a stage per process it started
        if args.stages is not None and args.stages != int(os.environ["WORLD_SIZE"]):
            raise LoadError(
                f"--stages {args.stages} but torchrun started {os.environ['WORLD_SIZE']} processes."
            )
        stages = int(os.environ["WORLD_SIZE"])
    if stages < 1 or chunks < 1 or args.staleness < 1:
        raise LoadError("--stages, --chunks and --staleness must be at least 1.")
    sample = labeled_sample(args.dataset, args.data_dir, "to train on")
    data = with_split(sample.data, seed=0)
    overrides = {"seed": args.seed} | ({} if args.epochs is None else {"max_epochs": args.epochs})
    config, train = recipe("gcnii", sample, **overrides)
    if args.layers is not None:
        config = dataclasses.replace(config, layers=args.layers)
    if stages > config.layers + 2 or chunks > data.num_nodes:
        raise LoadError(
            f"{config.layers} layers make {config.layers + 2} units; --stages must not exceed that."
        )
    settings = PipelineConfig(
        stages=stages,
        chunks=chunks,
        refresh_every=args.staleness,
        max_epochs=train.max_epochs,
        patience=train.patience,
        lr=train.lr,
        weight_decay=train.weight_decay,
        seed=train.seed,
    )
    key = dataset_key(sample)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoadError(f"Cannot create the output folder {args.out} ({exc.strerror}).") from exc
    folder = args.out / f"{key}-gcnii-pipeline"
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        torchrun_rank(config, data, settings, folder, resume=args.resume)
        if int(os.environ["RANK"]) != 0:
            return 0
        reports = None
    elif stages == 1:
        reports = [train_single(config, data, settings, folder=folder / "checkpoint", resume=args.resume)[1]]
    else:
        latest = read_latest(folder / "checkpoint") if args.resume else None
        bounds = (
            [tuple(b) for b in latest["bounds"]] if latest else plan(config, data, stages, seed=train.seed)
        )
        reports = launch(config, data, settings, bounds, folder, resume=args.resume)
    model, latest = load_pipeline_model(folder / "checkpoint")
    prepared = model.prepare(data)
    with torch.no_grad():
        logits = model(prepared).logits
    acc = {m: accuracy(logits, prepared.y, prepared[f"{m}_mask"]) for m in ("train", "val", "test")}
    val_loss = float(F.cross_entropy(logits[prepared.val_mask], prepared.y[prepared.val_mask]))
    if reports is None:  # torchrun: the reports are on this node's disk when the nodes share it
        from nodescope.core.pipeline import StageReport

        paths = sorted((folder / "reports").glob("stage*.json"))
        reports = [StageReport(**json.loads(p.read_text())) for p in paths]
    summary = reports_summary(reports)
    history = reports[-1].history
    info = {
        "dataset": key,
        "sample": {"name": sample.name, "source": sample.source, "fingerprint": sample.fingerprint},
        "split": "public" if sample.data.get("train_mask") is not None else "random seed 0",
        "settings": asdict(settings),
        "seed": settings.seed,
        **{f"{m}_acc": a for m, a in acc.items()},
        "best_epoch": summary["best_epoch"],
        "epochs": summary["epochs"],
    }
    save_checkpoint(model, args.out / f"{key}-gcnii-pipeline-seed{settings.seed}", info=info)
    result = {
        **info,
        "val_loss": val_loss,
        "config": asdict(model.config),
        "pipeline": summary,
        "history": history,
        "staleness_mean": reports[0].staleness,
        "timeline": [e for r in reports for e in r.timeline],
    }
    (args.out / f"{key}-gcnii-pipeline-results.json").write_text(json.dumps(result) + "\n")
    print(
        f"gcnii-{config.layers} {key}, {stages} stage(s) x {chunks} chunk(s): test acc {acc['test']:.1%} "
        f"(val {acc['val']:.1%}, best epoch {summary['best_epoch']}/{summary['epochs']}), "
        f"{summary['epoch_s_median']:.2f} s/epoch, bubble {summary['bubble_fraction']:.0%}, "
        f"{summary['bytes_per_epoch'] / 2**20:.1f} MiB sent/epoch"
    )
    return 0
