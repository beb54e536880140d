"""One pipeline stage's training loop (GNNPipe after Chen et al., 2023), one process per stage.

Every worker builds the same GCNII (same seed), keeps the units of its stage
(:class:`~core.pipeline.stages.Stage`) with their Adam optimizer, and runs each epoch as:

1. **Train pass, GPipe schedule**: forwards of chunks 0..C-1 through the stage (rank 0
   encodes the chunk's features; the others receive (x, x0) of the chunk's own nodes from
   the previous rank), sending (x, x0) on; the last rank adds each chunk's share of the
   full-batch cross-entropy. Then the backwards of chunks C-1..0, gradients of (x, x0) sent
   back. Each layer reads the chunk's halo from the :class:`HistoricalCache` and writes the
   chunk's own fresh inputs to it. Then each stage's Adam step.
2. **Evaluation pass**: the exact full-graph forward with the new weights (no chunks, no
   dropout); the last rank computes the losses and accuracies. When the staleness bound is
   due it overwrites the caches (an exact refresh).
3. Early stopping on the validation loss as :func:`core.training.train` does, decided on the
   last rank and broadcast; a checkpoint (:mod:`core.pipeline.checkpoint`) every
   ``checkpoint_every`` epochs.

Point-to-point ``send``/``recv`` (:mod:`core.pipeline.comm`) rather than
``torch.distributed.pipelining``: that API splits one module's batch into equal micro-batches
and runs a module per stage; here the chunks have different sizes (the receiver must know
each shape), every layer takes two inputs (x and GCNII's initial residual x0, which must flow
through the stages and get its gradient back) and reads and writes a per-layer cache as a side
effect of each chunk, which its schedules do not model.

**Same numerics in one process.** The dropout masks are keyed by (seed, epoch, chunk, unit)
(:func:`keyed_dropout`), and every cache is touched by one stage in chunk order, so
``world == 1`` (one stage holding every unit, :func:`train_single`) computes the same chunks
with the same historical embeddings as any number of stages; results differ only by the
order of float sums in x0's gradient.

The worker records a timeline (epoch, stage, chunk, pass, t0, t1; wall-clock seconds from the
moment the inputs arrived, so waiting counts as bubble; chunk -1 for the evaluation pass), the bytes it
sent per epoch and its peak memory (:func:`peak_rss_mb`; ``torch.cuda.max_memory_allocated`` on a GPU).
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Data

from nodescope.core.device import device
from nodescope.core.errors import LoadError
from nodescope.core.models import ModelConfig, build
from nodescope.core.models.adjacency import gcn_adjacency
from nodescope.core.models.dropout import dropout
from nodescope.core.pipeline import checkpoint as ckpt
from nodescope.core.pipeline.chunks import partition, split_graph
from nodescope.core.pipeline.comm import Link, init
from nodescope.core.pipeline.historical import HistoricalCache
from nodescope.core.pipeline.stages import Drop, Stage, balance, unit_costs
from nodescope.core.training import _EarlyStopping, accuracy, seed_everything


class WorkerDied(LoadError):
    """A pipeline worker stopped, or lost a peer, before the run ended (the message is one line)."""


class RunStopped(LoadError):
    """The run was asked to stop (:attr:`Worker.should_stop`, ``launch(stop=...)``) and did."""


@dataclass(frozen=True)
class PipelineConfig:
    """How a pipeline run trains.

    Attributes:
        stages: pipeline stages (one process each).
        chunks: graph chunks flowing through the stages.
        refresh_every: staleness bound S: the caches are refreshed exactly every S epochs.
        partition: ``auto`` | ``metis`` | ``rcm`` (see :func:`core.pipeline.chunks.partition`).
        max_epochs, patience, lr, weight_decay, seed: as :class:`core.training.TrainConfig`
            (early stopping on the validation loss).
        checkpoint_every: epochs between checkpoints (0: none).
        threads: torch CPU threads per worker (0: the cores divided among the local workers).
        timeout_s: how long a worker waits on a peer before the run fails (gloo/NCCL timeout).
    """

    stages: int = 2
    chunks: int = 4
    refresh_every: int = 1
    partition: str = "auto"
    max_epochs: int = 500
    patience: int = 100
    lr: float = 0.01
    weight_decay: float = 5e-4
    seed: int = 0
    checkpoint_every: int = 1
    threads: int = 0
    timeout_s: float = 120.0


@dataclass
class StageReport:
    """What one worker measured (times are wall-clock seconds, bytes are bytes)."""

    rank: int
    bounds: tuple[int, int]
    epochs: int = 0
    best_epoch: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    timeline: list[tuple[int, int, int, str, float, float]] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    bytes_per_epoch: list[int] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    peak_cuda_mb: float = 0.0
    cache_mb: float = 0.0
    staleness: list[float] = field(default_factory=list)
    stopped_early: bool = False


def keyed_dropout(p: float, training: bool, *key: int) -> Drop:
    """:func:`core.models.dropout.dropout` with a mask fixed by ``key`` (seed, epoch, chunk, unit).

    The global generator is restored afterwards, so workers and the one-process mode draw the
    same masks whatever order they run the chunks in.
    """

    def drop(x: Tensor) -> Tensor:
        if not training or p == 0.0:
            return x
        seed = int(np.random.SeedSequence(list(key)).generate_state(1, dtype=np.uint64)[0] >> 1)
        with torch.random.fork_rng(devices=[x.device] if x.is_cuda else []):
            torch.manual_seed(seed)
            return dropout(x, p, True)

    return drop


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB.

    ``VmHWM`` of ``/proc/self/status`` where there is one: ``ru_maxrss`` survives the exec of a
    spawned worker, so it would report the parent's peak when that is larger.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _identity(x: Tensor) -> Tensor:
    return x


class Worker:
    """One stage of a pipeline run (see the module docstring).

    Args:
        rank: this worker's stage, 0..world-1.
        world: the number of stages.
        config: the GCNII's config.
        data: the graph with ``y`` and masks (not yet prepared).
        settings: the run's :class:`PipelineConfig`.
        bounds: every stage's [start, stop) units (see :func:`plan`).
        folder: checkpoint folder, or None.
        link: the :class:`~core.pipeline.comm.Link` (None when ``world == 1``).
    """

    def __init__(
        self,
        rank: int,
        world: int,
        config: ModelConfig,
        data: Data,
        settings: PipelineConfig,
        bounds: list[tuple[int, int]],
        folder: Path | None,
        link: Link | None,
    ) -> None:
        seed_everything(settings.seed)
        self.dev = device()
        self.rank, self.world, self.settings, self.bounds = rank, world, settings, bounds
        self.folder, self.link = folder, link
        self.model = build(config).to(self.dev)
        self.stage = Stage(self.model, *bounds[rank])
        self.first, self.last = rank == 0, rank == world - 1
        self.opt = torch.optim.Adam(
            self.stage.parameters(), lr=settings.lr, weight_decay=settings.weight_decay
        )
        self.data = self.model.prepare(data).to(self.dev)
        n = self.data.num_nodes
        self.adj = gcn_adjacency(self.data.edge_index, n)
        part = partition(self.data.edge_index, n, settings.chunks, method=settings.partition)
        self.chunks = [
            type(c)(c.nodes.to(self.dev), c.halo.to(self.dev), c.adjacency.to(self.dev))
            for c in split_graph(self.data.edge_index, n, part)
        ]
        h = config.hidden
        self.cache = HistoricalCache(
            self.stage.layers, n, h, refresh_every=settings.refresh_every, device=self.dev
        )
        self.n_train = int(self.data.train_mask.sum())
        self.stopper = _EarlyStopping("val_loss", settings.patience)
        self.best_state = self._params()
        self.report = StageReport(rank=rank, bounds=tuple(bounds[rank]), best_epoch=0)
        self.report.cache_mb = sum(v.numel() * v.element_size() for v in self.cache.values.values()) / 2**20
        #: Asked before every epoch (one process only): True stops the run with :class:`RunStopped`.
        self.should_stop: Callable[[], bool] | None = None

    # ----- communication
    def _send(self, tensors: list[Tensor], to: int) -> None:
        self.link.send(tensors, to)

    def _recv(self, rows: int, source: int) -> list[Tensor]:
        h = self.model.config.hidden
        return self.link.recv([(rows, h), (rows, h)], source)

    def _params(self) -> dict[str, Tensor]:
        """This stage's parameters under their GCNII names (copies)."""
        mine = {id(p) for p in self.stage.parameters()}
        return {k: v.detach().clone() for k, v in self.model.named_parameters() if id(v) in mine}

    # ----- the passes
    def train_pass(self, epoch: int) -> float:
        """One GPipe epoch (all forwards, all backwards, Adam step); the summed loss on the last rank."""
        p, seed, top = self.model.config.dropout, self.settings.seed, self.model.config.layers + 1
        self.model.train()
        self.opt.zero_grad()
        saved = []
        for c, chunk in enumerate(self.chunks):
            t0 = time.time()
            if self.first:
                x0 = self.stage.encode(self.data.x[chunk.nodes], keyed_dropout(p, True, seed, epoch, c, 0))
                inputs, x = None, x0
            else:
                x, x0 = self._recv(chunk.nodes.numel(), self.rank - 1)
                t0 = time.time()  # busy from here: waiting on the previous stage is bubble
                x.requires_grad_()
                x0.requires_grad_()
                inputs = (x, x0)
            for k in self.stage.layers:
                self.cache.write(k, chunk.nodes, x, epoch)
                full = torch.cat([x, self.cache.read(k, chunk.halo)])
                x = self.stage.layer(k, full, x0, chunk.adjacency, keyed_dropout(p, True, seed, epoch, c, k))
            if self.last:
                logits = self.stage.classify(x, keyed_dropout(p, True, seed, epoch, c, top))
                mask = self.data.train_mask[chunk.nodes]
                loss = F.cross_entropy(logits, self.data.y[chunk.nodes], reduction="none")[mask].sum()
                saved.append((inputs, [loss / self.n_train], None))
            else:
                self._send([x, x0], self.rank + 1)
                saved.append((inputs, [x, x0], None))
            self.report.timeline.append((epoch, self.rank, c, "fwd", t0, time.time()))
        total = 0.0
        for c in reversed(range(len(self.chunks))):
            t0 = time.time()
            inputs, outputs, _ = saved[c]
            if self.last:
                total += float(outputs[0].detach())
                outputs[0].backward()
            else:
                grads = self._recv(self.chunks[c].nodes.numel(), self.rank + 1)
                t0 = time.time()
                torch.autograd.backward(outputs, grads)
            if inputs is not None:
                self._send(
                    [t.grad if t.grad is not None else torch.zeros_like(t) for t in inputs], self.rank - 1
                )
            saved[c] = None
            self.report.timeline.append((epoch, self.rank, c, "bwd", t0, time.time()))
        self.opt.step()
        if self.link is not None:
            self.link.flush()
        return total

    @torch.no_grad()
    def eval_pass(self, epoch: int, *, refresh: bool) -> Tensor | None:
        """The exact full-graph forward (no dropout); (N, C) logits on the last rank, else None.

        With ``refresh`` every layer's input overwrites its cache (the staleness bound's refresh).
        """
        self.model.eval()
        t0 = time.time()
        n = self.data.num_nodes
        if self.first:
            x = x0 = self.stage.encode(self.data.x, _identity)
        else:
            x, x0 = self._recv(n, self.rank - 1)
        for k in self.stage.layers:
            if refresh:
                self.cache.refresh(k, x, epoch)
            x = self.stage.layer(k, x, x0, self.adj, _identity)
        out = None
        if self.last:
            out = self.stage.classify(x, _identity)
        else:
            self._send([x, x0], self.rank + 1)
            self.link.flush()
        self.report.timeline.append((epoch, self.rank, -1, "eval", t0, time.time()))
        return out

    # ----- the loop
    def _decide(self, logits: Tensor | None, loss: float, epoch: int) -> tuple[bool, bool]:
        """(better, stop) from the last rank's metrics, shared with every rank."""
        flags = torch.zeros(2, dtype=torch.long)
        if self.last:
            d = self.data
            row = {
                "epoch": epoch,
                "loss": loss,
                "val_loss": float(F.cross_entropy(logits[d.val_mask], d.y[d.val_mask])),
                "train_acc": accuracy(logits, d.y, d.train_mask),
                "val_acc": accuracy(logits, d.y, d.val_mask),
                "test_acc": accuracy(logits, d.y, d.test_mask),
            }
            self.report.history.append(row)
            flags[0] = int(self.stopper.update(row["val_acc"], row["val_loss"]))
            flags[1] = int(self.stopper.should_stop())
        if self.world > 1:
            flags = flags.to(self.dev) if self.link.dev.type == "cuda" and not self.link.host else flags
            dist.broadcast(flags, self.world - 1)
        return bool(flags[0]), bool(flags[1])

    def _save(self, epoch: int) -> None:
        """Checkpoint this stage after ``epoch``; rank 0 then points ``latest.json`` at it."""
        names = {id(v): k for k, v in self.model.named_parameters()}
        tensors = {f"model.{k}": v for k, v in self._params().items()}
        tensors |= {f"best.{k}": v for k, v in self.best_state.items()}
        for param, state in self.opt.state.items():
            for field_name, value in state.items():
                tensors[f"opt.{names[id(param)]}.{field_name}"] = value
        tensors |= self.cache.state()
        s = self.stopper
        meta = {
            "epoch": epoch,
            "best_epoch": self.report.best_epoch,
            "stopper": [s.best_loss, s.best_acc, list(s.kept), s.stale],
            "history": self.report.history,
        }
        ckpt.write_stage(self.folder, epoch, self.rank, tensors, meta)
        if self.world > 1:
            dist.barrier()
        if self.rank == 0:
            record = {
                "model_config": asdict(self.model.config),
                "settings": asdict(self.settings),
                "bounds": [list(b) for b in self.bounds],
            }
            ckpt.write_latest(self.folder, epoch, record)

    def _resume(self) -> int:
        """Load the last complete epoch of the checkpoint folder; returns it (0 when none)."""
        latest = ckpt.read_latest(self.folder) if self.folder is not None else None
        if latest is None:
            return 0
        epoch = latest["epoch"]
        tensors, meta = ckpt.read_stage(self.folder, epoch, self.rank)
        params = dict(self.model.named_parameters())
        mine = {id(p) for p in self.stage.parameters()}
        with torch.no_grad():
            for k, v in params.items():
                if id(v) in mine:
                    v.copy_(tensors[f"model.{k}"])
        self.best_state = {k[5:]: v.to(self.dev) for k, v in tensors.items() if k.startswith("best.")}
        opt_state = {}
        for k, v in params.items():
            if id(v) in mine and f"opt.{k}.step" in tensors:
                opt_state[v] = {
                    f: tensors[f"opt.{k}.{f}"].to(self.dev) for f in ("step", "exp_avg", "exp_avg_sq")
                }
                opt_state[v]["step"] = opt_state[v]["step"].cpu()
        self.opt.state.update(opt_state)
        self.cache.load({k: v.to(self.dev) for k, v in tensors.items() if k.startswith("cache.")})
        self.cache.written, self.cache.refreshed = self.cache.written.cpu(), self.cache.refreshed.cpu()
        s = self.stopper
        s.best_loss, s.best_acc, kept, s.stale = meta["stopper"]
        s.kept = tuple(kept)
        self.report.best_epoch, self.report.history = meta["best_epoch"], meta["history"]
        return epoch

    def run(self, *, resume: bool = False) -> StageReport:
        """Train until ``max_epochs`` or early stopping; load the best weights into this stage."""
        start = self._resume() if resume else 0
        if start == 0:
            self.eval_pass(0, refresh=True)
        for epoch in range(start + 1, self.settings.max_epochs + 1):
            if self.should_stop is not None and self.should_stop():
                raise RunStopped(f"Stopped before epoch {epoch}.")
            t0 = time.time()
            sent = self.link.bytes_sent if self.link is not None else 0
            loss = self.train_pass(epoch)
            logits = self.eval_pass(epoch, refresh=self.cache.due(epoch))
            better, stop = self._decide(logits, loss, epoch)
            if better:
                self.best_state, self.report.best_epoch = self._params(), epoch
            self.report.epoch_seconds.append(time.time() - t0)
            self.report.bytes_per_epoch.append((self.link.bytes_sent if self.link else 0) - sent)
            self.report.staleness.append(float(self.cache.staleness(epoch).float().mean()))
            self.report.epochs = epoch
            every = self.settings.checkpoint_every
            if self.folder is not None and every and (epoch % every == 0 or stop):
                self._save(epoch)
            if stop:
                self.report.stopped_early = True
                break
        with torch.no_grad():
            for k, v in self.model.named_parameters():
                if k in self.best_state:
                    v.copy_(self.best_state[k])
        self.report.peak_rss_mb = peak_rss_mb()
        if self.dev.type == "cuda":
            self.report.peak_cuda_mb = torch.cuda.max_memory_allocated(self.dev) / 2**20
        return self.report


def plan(config: ModelConfig, data: Data, stages: int, *, seed: int = 0) -> list[tuple[int, int]]:
    """Stage bounds for a GCNII of ``config`` on ``data``, balanced by :func:`unit_costs` measured once."""
    seed_everything(seed)
    model = build(config).to(device())
    costs = unit_costs(model, model.prepare(data).to(device()))
    return balance(costs, stages)


def train_single(
    config: ModelConfig,
    data: Data,
    settings: PipelineConfig,
    *,
    folder: Path | None = None,
    resume: bool = False,
) -> tuple[Worker, StageReport]:
    """The one-process mode: every unit in one stage, the same chunks and historical embeddings."""
    worker = Worker(0, 1, config, data, settings, [(0, config.layers + 2)], folder, None)
    return worker, worker.run(resume=resume)


def run_worker(
    rank: int,
    world: int,
    config: ModelConfig,
    data: Data,
    settings: PipelineConfig,
    bounds: list[tuple[int, int]] | None,
    folder: Path | None,
    report_dir: Path | None,
    resume: bool = False,
) -> StageReport:
    """One stage's process: join the group, train, write ``report_dir/stage<rank>.json``, leave.

    ``bounds`` None: rank 0 measures them (:func:`plan`) and broadcasts them (a torchrun launch).
    """
    # Threads split between the local workers: two processes of two threads on two cores thrash.
    local = int(os.environ.get("LOCAL_WORLD_SIZE", world))
    torch.set_num_threads(settings.threads or max(1, (os.cpu_count() or 1) // local))
    dev = device()
    backend = init(rank, world, timeout_s=settings.timeout_s, dev=dev)
    try:
        cuts = torch.zeros(world, dtype=torch.long)
        if bounds is None:
            if rank == 0:
                cuts = torch.tensor([b for _, b in plan(config, data, world, seed=settings.seed)])
            dist.broadcast(cuts, 0)
            stops = cuts.tolist()
            bounds = list(zip([0, *stops[:-1]], stops, strict=True))
        worker = Worker(rank, world, config, data, settings, bounds, folder, Link(backend, dev))
        try:
            report = worker.run(resume=resume)
        except (RuntimeError, dist.DistError) as exc:  # a peer died: gloo/NCCL error or timeout
            latest = ckpt.read_latest(folder) if folder is not None else None
            left = f"last checkpoint: epoch {latest['epoch']} in {folder}" if latest else "no checkpoint yet"
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise WorkerDied(f"pipeline worker {rank} lost a peer ({detail}); {left}.") from exc
        if report_dir is not None:
            report_dir.mkdir(parents=True, exist_ok=True)
            (report_dir / f"stage{rank}.json").write_text(json.dumps(asdict(report)) + "\n")
        dist.barrier()
        return report
    finally:
        dist.destroy_process_group()


def reports_summary(reports: list[StageReport], *, skip: int = 1) -> dict[str, Any]:
    """Epoch time, bubble fraction, bytes and memory of a run from its workers' reports.

    The bubble fraction of an epoch is 1 - (busy time summed over stages) / (stages x the
    span of the train pass), over the fwd/bwd entries; ``skip`` first epochs are left out
    (warm-up). Times in seconds, bytes per epoch summed over workers, memory per worker in MiB.
    """
    stages = len(reports)
    per_epoch: dict[int, list] = {}
    for r in reports:
        for e in r.timeline:
            if e[3] in ("fwd", "bwd"):
                per_epoch.setdefault(e[0], []).append(e)
    bubbles = []
    for epoch, entries in sorted(per_epoch.items()):
        if epoch <= skip:
            continue
        span = max(e[5] for e in entries) - min(e[4] for e in entries)
        busy = sum(e[5] - e[4] for e in entries)
        bubbles.append(1 - busy / (stages * span) if span > 0 else 0.0)
    times = [t for r in reports for t in r.epoch_seconds[skip:]] or [
        t for r in reports for t in r.epoch_seconds
    ]
    last = reports[-1]
    return {
        "stages": stages,
        "bounds": [list(r.bounds) for r in reports],
        "epochs": last.epochs,
        "best_epoch": last.best_epoch,
        "epoch_s_median": float(np.median(times)) if times else float("nan"),
        "bubble_fraction": float(np.mean(bubbles)) if bubbles else 0.0,
        "bytes_per_epoch": int(
            np.median([sum(x) for x in zip(*(r.bytes_per_epoch for r in reports), strict=True)])
        )
        if last.bytes_per_epoch
        else 0,
        "peak_rss_mb": [round(r.peak_rss_mb, 1) for r in reports],
        "peak_cuda_mb": [round(r.peak_cuda_mb, 1) for r in reports],
        "cache_mb": [round(r.cache_mb, 1) for r in reports],
    }
