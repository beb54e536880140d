"""Start one process per stage on this machine, or join a ``torchrun`` launch, and watch the workers.

:func:`launch` spawns ``stages`` workers (``torch.multiprocessing``, spawn start method) with
torchrun's environment (``MASTER_ADDR``, ``MASTER_PORT``; rank and world size as arguments) and
polls them: when one dies (a crash, a kill, a peer's gloo timeout), the others are stopped and
:class:`WorkerDied` carries one line naming it and the last complete checkpoint. Under
``torchrun`` (``RANK`` and ``WORLD_SIZE`` set) :func:`torchrun_rank` runs this process's stage
and torchrun watches the workers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from dataclasses import asdict
from pathlib import Path

import torch.multiprocessing as mp
from torch_geometric.data import Data

from nodescope.core.models import ModelConfig
from nodescope.core.pipeline import checkpoint as ckpt
from nodescope.core.pipeline.engine import PipelineConfig, RunStopped, StageReport, WorkerDied, run_worker

WORKERS = "workers.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _entry(rank: int, *args) -> None:  # noqa: ANN002  spawn passes the rank first
    run_worker(rank, *args)


def launch(
    config: ModelConfig,
    data: Data,
    settings: PipelineConfig,
    bounds: list[tuple[int, int]] | None,
    folder: Path,
    *,
    resume: bool = False,
    poll_s: float = 0.2,
    stop: threading.Event | None = None,
) -> list[StageReport]:
    """Train with ``settings.stages`` local processes; their reports, rank order.

    Args:
        config: the GCNII's config.
        data: the graph with ``y`` and masks.
        settings: the run's settings.
        bounds: stage bounds (see :func:`core.pipeline.engine.plan`), or None to let rank 0 measure them.
        folder: the run folder: checkpoints in ``folder/checkpoint``, worker reports in
            ``folder/reports``, the workers' pids in ``folder/workers.json``.
        resume: continue from the folder's last complete checkpoint.
        poll_s: seconds between checks on the workers.
        stop: when set, the workers are terminated and :class:`RunStopped` raised.

    Raises:
        WorkerDied: a worker exited before the end (the others are stopped first).
        RunStopped: ``stop`` was set (every worker has ended).
    """
    world = settings.stages
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(_free_port())
    checkpoints, reports = folder / "checkpoint", folder / "reports"
    for old in reports.glob("stage*.json") if reports.exists() else []:
        old.unlink()
    args = (world, config, data, settings, bounds, checkpoints, reports, resume)
    context = mp.start_processes(_entry, args=args, nprocs=world, join=False, start_method="spawn")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / WORKERS).write_text(json.dumps({"pids": [p.pid for p in context.processes]}) + "\n")
    try:
        while True:
            if stop is not None and stop.is_set():
                raise RunStopped("Stopped; the workers were terminated.")
            codes = [p.exitcode for p in context.processes]
            dead = [(r, c) for r, c in enumerate(codes) if c not in (None, 0)]
            if dead:  # a worker killed by a signal first: its peers then fail for want of it
                rank, code = min(dead, key=lambda rc: (rc[1] > 0, rc[0]))
                raise WorkerDied(_death_line(rank, code, checkpoints))
            if all(c == 0 for c in codes):
                break
            time.sleep(poll_s)
    finally:
        for p in context.processes:
            if p.is_alive():
                p.terminate()
        for p in context.processes:
            p.join(5)
            if p.is_alive():
                p.kill()
    return [StageReport(**json.loads((reports / f"stage{r}.json").read_text())) for r in range(world)]


def _death_line(rank: int, code: int, checkpoints: Path) -> str:
    """One line: which worker died, how, and what checkpoint is left."""
    how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    latest = ckpt.read_latest(checkpoints)
    left = (
        f"last checkpoint: epoch {latest['epoch']} in {checkpoints}"
        if latest
        else "no checkpoint written yet"
    )
    return f"pipeline worker {rank} (stage {rank}) died ({how}); stopped all workers; {left}."


def torchrun_rank(
    config: ModelConfig, data: Data, settings: PipelineConfig, folder: Path, *, resume: bool = False
) -> StageReport:
    """Run this process's stage of a ``torchrun`` launch (``RANK``, ``WORLD_SIZE`` in the environment)."""
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    settings = PipelineConfig(**{**asdict(settings), "stages": world})
    return run_worker(
        rank, world, config, data, settings, None, folder / "checkpoint", folder / "reports", resume
    )
