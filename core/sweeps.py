"""Depth sweeps: over-smoothing metrics (and test accuracy) of models at many depths, cached on disk.

``run_sweep(SweepConfig("cora", ("gcn", "gcnii"), (2, 8, 32)), measure_for)`` builds every
model at every depth for every seed (config and settings from :func:`core.recipes.sweep_recipe`),
either at initialization (seconds) or trained with :func:`core.training.train` (minutes), and
records every metric at every layer. The metrics come in as ``measure``
(``explain.oversmoothing.measure_for``): core sits below explain and does not import it.
Results are JSON-serializable (:meth:`SweepResult.to_dict`) and cached under
``core.paths.user_dir() / "cache" / "sweeps"`` by a hash of the configuration, the dataset's
content and :data:`CODE_VERSION`; change any of them and the sweep runs again.

Shipped results (``assets/sweeps/<dataset>.json``, written by ``examples/precompute_sweeps.py``)
load with :func:`precomputed`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.paths import user_dir

if TYPE_CHECKING:
    from torch import Tensor
    from torch_geometric.data import Data

    from nodescope.core.sample import Sample

#: Bump when a change to the models, metrics or training changes sweep results (old caches then miss).
#: 2: models train with core.models.dropout (same distribution, other random masks).
CODE_VERSION = "2"
#: Shipped sweeps, one JSON file per dataset.
ASSETS = Path(__file__).resolve().parents[1] / "assets" / "sweeps"

#: ``progress(fraction_done, message)``; fraction in [0, 1].
Progress = Callable[[float, str], None]
#: ``cancel()`` returns True to stop (a Cancel button); the partial result is returned, not cached.
Cancel = Callable[[], bool]
#: ``measure(data)`` prepares per-graph work and returns ``f(hidden) -> {metric: (L + 1,) array}``;
#: ``explain.oversmoothing.measure_for`` is the one to pass (core does not import explain).
Measure = Callable[["Data"], Callable[[list["Tensor"]], dict[str, np.ndarray]]]


@dataclass(frozen=True)
class SweepConfig:
    """What to sweep. Every field enters the cache key.

    Attributes:
        dataset: anything :func:`core.loaders.load` accepts (``karate``, ``cora``, a file).
        models: registry keys (``gcn``, ``gcnii``, ``dagnn``, ...).
        depths: depths from 1 to 64 (``ModelConfig.layers``: layers, or propagation steps
            for decoupled models).
        seeds: runs per model and depth, seeded 0..seeds-1 (initialization and dropout; a
            graph without a split gets seed 0's random split in every run).
        trained: train each model (test accuracy recorded) or measure it at initialization.
        hidden: hidden width for every model, or None for each model's registry default.
        max_epochs, patience: training length and early-stopping patience (trained only).
    """

    dataset: str
    models: tuple[str, ...]
    depths: tuple[int, ...]
    seeds: int = 1
    trained: bool = False
    hidden: int | None = None
    max_epochs: int = 200
    patience: int = 50

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(self.models))
        object.__setattr__(self, "depths", tuple(int(d) for d in self.depths))

    def validate(self) -> None:
        """Raise :class:`LoadError` (one line for a user) on a model, depth or count out of range."""
        from nodescope.core.models import MODELS
        from nodescope.core.models.deep import MAX_DEPTH

        unknown = [m for m in self.models if m not in MODELS]
        if unknown or not self.models:
            raise LoadError(
                f"Unknown model(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(MODELS)}."
            )
        bad = [d for d in self.depths if not 1 <= d <= MAX_DEPTH]
        if bad or not self.depths:
            raise LoadError(f"Depths must be between 1 and {MAX_DEPTH}; got {list(self.depths) or 'none'}.")
        if self.seeds < 1:
            raise LoadError(f"--seeds must be at least 1, not {self.seeds}.")
        if self.hidden is not None and self.hidden < 1:
            raise LoadError(f"Hidden width must be at least 1, not {self.hidden}.")
        if self.trained and (self.max_epochs < 1 or self.patience < 1):
            raise LoadError("max_epochs and patience must be at least 1.")

    def train_settings(self, seed: int) -> dict[str, int]:
        """The :class:`~core.training.TrainConfig` fields of run ``seed`` (for :func:`core.recipes.sweep_recipe`)."""
        return {"seed": seed, "max_epochs": self.max_epochs, "patience": self.patience}

    def key(self, data_fingerprint: str) -> str:
        """Cache key: hash of every field, the dataset's content fingerprint and :data:`CODE_VERSION`."""
        blob = json.dumps([asdict(self), data_fingerprint, CODE_VERSION], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:24]


@dataclass
class SweepRun:
    """One model at one depth with one seed.

    Attributes:
        metrics: metric name -> per-layer values (``depth + 1`` of them, index k for
            ``hidden[k]``); None where undefined (NaN).
        test_acc, val_acc, train_acc: fractions in [0, 1] (trained sweeps; else None).
        epochs: epochs trained (None when untrained).
        seconds: wall time of training (if any) and measuring.
    """

    model: str
    depth: int
    seed: int
    metrics: dict[str, list[float | None]]
    test_acc: float | None = None
    val_acc: float | None = None
    train_acc: float | None = None
    epochs: int | None = None
    seconds: float = 0.0


@dataclass
class SweepResult:
    """Every run of a sweep plus what it ran on.

    Attributes:
        config: the sweep.
        key: its cache key.
        dataset: ``name``, ``nodes``, ``edges`` (directed), ``classes``, ``fingerprint``.
        runs: one per (model, depth, seed), in that loop order.
        seconds: wall time of the whole sweep when it ran.
        cancelled: stopped early by ``cancel``; ``runs`` then holds the finished ones.
    """

    config: SweepConfig
    key: str
    dataset: dict[str, Any]
    runs: list[SweepRun] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: config, key, code version, dataset, runs, seconds and cancelled."""
        return {
            "config": asdict(self.config),
            "key": self.key,
            "code_version": CODE_VERSION,
            "dataset": self.dataset,
            "runs": [asdict(r) for r in self.runs],
            "seconds": self.seconds,
            "cancelled": self.cancelled,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SweepResult:
        """Rebuild a result from :meth:`to_dict`'s output."""
        return cls(
            config=SweepConfig(**raw["config"]),
            key=raw["key"],
            dataset=raw["dataset"],
            runs=[SweepRun(**r) for r in raw["runs"]],
            seconds=raw.get("seconds", 0.0),
            cancelled=raw.get("cancelled", False),
        )

    def save(self, path: Path) -> None:
        """Write JSON (NaN as null) atomically: a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.to_dict(), allow_nan=False))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> SweepResult:
        """Read a result :meth:`save` wrote."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    def curve(self, model: str, depth: int, metric: str) -> np.ndarray:
        """(depth + 1,) per-layer values of ``metric`` averaged over seeds (NaN where undefined)."""
        rows = [_floats(r.metrics[metric]) for r in self.runs if r.model == model and r.depth == depth]
        if not rows:
            raise KeyError(f"no run of {model} at depth {depth}")
        stacked = np.stack(rows)
        with np.errstate(all="ignore"):
            return np.array([np.nan if np.isnan(c).all() else np.nanmean(c) for c in stacked.T])

    def accuracy(self, model: str) -> dict[int, tuple[float, float]]:
        """Depth -> (mean, std over seeds) test accuracy in [0, 1]; empty for untrained sweeps."""
        out: dict[int, tuple[float, float]] = {}
        for depth in self.config.depths:
            accs = [r.test_acc for r in self.runs if r.model == model and r.depth == depth]
            accs = [a for a in accs if a is not None]
            if accs:
                out[depth] = (float(np.mean(accs)), float(np.std(accs)))
        return out


def _floats(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _json_floats(values: np.ndarray) -> list[float | None]:
    """Six significant digits (the metrics are estimates; keeps files small), NaN as None."""
    return [None if not math.isfinite(v) else float(f"{v:.6g}") for v in values.tolist()]


def _epoch_reporter(
    progress: Progress | None, cancel: Cancel | None, start: float, end: float, label: str
) -> Callable[[int, int, dict[str, float]], bool]:
    """A :func:`core.training.train` progress callback mapping epochs onto [start, end] of the sweep."""

    def report(epoch: int, total: int, _row: dict[str, float]) -> bool:
        if progress is not None:
            progress(start + (end - start) * epoch / total, f"{label} · epoch {epoch}")
        return not (cancel is not None and cancel())

    return report


def cache_dir() -> Path:
    """The on-disk cache of computed sweeps: ``cache/sweeps`` under :func:`core.paths.user_dir`."""
    return user_dir() / "cache" / "sweeps"


def precomputed(dataset: str) -> dict[str, SweepResult]:
    """Shipped sweeps for ``dataset``: ``{"untrained": ..., "trained": ...}`` (either may be absent).

    Read once per process (the shipped files do not change while it runs); treat the results as
    read-only.
    """
    return dict(_read_shipped(dataset.lower()))


@functools.cache
def _read_shipped(dataset: str) -> dict[str, SweepResult]:
    path = ASSETS / f"{dataset}.json"
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text())
    return {kind: SweepResult.from_dict(r) for kind, r in raw.items() if r is not None}


def shipped_sweeps(sample: Sample) -> dict[str, SweepResult]:
    """The shipped sweeps computed on this very graph (same content fingerprint), by kind.

    The app's Over-smoothing page and :func:`nodescope.show` draw these; a sample that only
    shares a name with a shipped dataset (an upload called ``cora.csv``) gets none.
    """
    from nodescope.core.checkpoint import dataset_key

    return {
        kind: result
        for kind, result in precomputed(dataset_key(sample)).items()
        if result.dataset.get("fingerprint") == sample.fingerprint
    }


def run_sweep(
    config: SweepConfig,
    measure: Measure,
    *,
    data_dir: Path | str | None = None,
    sample: Sample | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    use_cache: bool = True,
    cache: Path | None = None,
) -> SweepResult:
    """Run (or read from the disk cache) a depth sweep.

    Args:
        config: what to run; validated first.
        measure: the per-layer metrics (``explain.oversmoothing.measure_for``).
        data_dir: Planetoid data folder (default ``NODESCOPE_DATA_DIR``).
        sample: the graph already loaded (an upload in the app), used instead of loading
            ``config.dataset``, which then only names it; its content still keys the cache.
        progress: called with the fraction done and what is running.
        cancel: polled between runs and training epochs.
        use_cache: read and write the disk cache.
        cache: cache folder (default :func:`cache_dir`).

    Raises:
        LoadError: bad configuration or dataset (one line for a user).
    """
    import torch

    from nodescope.core.device import device
    from nodescope.core.loaders import load
    from nodescope.core.models import build
    from nodescope.core.recipes import sweep_recipe
    from nodescope.core.training import seed_everything, train, with_split

    config.validate()
    if sample is None:
        sample = load(config.dataset, data_dir=data_dir)
    key = config.key(sample.fingerprint)
    path = (cache or cache_dir()) / f"{key}.json"
    if use_cache and path.is_file():
        if progress is not None:
            progress(1.0, "read from cache")
        return SweepResult.load(path)

    data = sample.data
    if config.trained:
        try:
            data = with_split(data, seed=0)
        except ValueError as exc:
            raise LoadError(f"{sample.name} cannot be trained on: {exc}.") from exc
    classes = int(data.y.max()) + 1 if data.y is not None else 2
    result = SweepResult(
        config=config,
        key=key,
        dataset={
            "name": sample.name,
            "nodes": sample.num_nodes,
            "edges": int(data.edge_index.shape[1]),
            "classes": classes,
            "fingerprint": sample.fingerprint,
        },
    )
    start = time.perf_counter()
    metrics_of = measure(data)
    jobs = [(m, d, s) for m in config.models for d in config.depths for s in range(config.seeds)]
    cost = np.array([d for _, d, _ in jobs], dtype=np.float64)  # progress weight: depth
    done_before = np.concatenate([[0.0], np.cumsum(cost)]) / cost.sum()
    dev = device()

    for i, (name, depth, seed) in enumerate(jobs):
        if cancel is not None and cancel():
            result.cancelled = True
            break
        label = f"{name} depth {depth} seed {seed}"
        if progress is not None:
            progress(float(done_before[i]), label)
        t0 = time.perf_counter()
        model_config, settings = sweep_recipe(
            name, sample, depth, hidden=config.hidden, **config.train_settings(seed)
        )
        run = SweepRun(model=name, depth=depth, seed=seed, metrics={})
        if config.trained:
            report = _epoch_reporter(progress, cancel, done_before[i], done_before[i + 1], label)
            trained = train(model_config, data, settings, progress=report)
            if trained.cancelled:
                result.cancelled = True
                break
            model = trained.model
            run.test_acc, run.val_acc, run.train_acc = trained.test_acc, trained.val_acc, trained.train_acc
            run.epochs = trained.epochs
        else:
            seed_everything(seed)
            model = build(model_config).to(dev).eval()
        with torch.no_grad():
            hidden = model(model.prepare(data).to(dev)).hidden
        run.metrics = {k: _json_floats(v) for k, v in metrics_of(hidden).items()}
        run.seconds = time.perf_counter() - t0
        result.runs.append(run)

    result.seconds = time.perf_counter() - start
    if progress is not None and not result.cancelled:
        progress(1.0, "done")
    if use_cache and not result.cancelled:
        result.save(path)
    return result
