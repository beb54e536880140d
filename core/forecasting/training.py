"""Training and scoring a single-step forecaster (MTGNN) on a :class:`~core.forecasting.windows.ForecastData`.

The protocol of MTGNN's single-step script: Adam with weight decay, an L1 loss on unscaled
values (each series' error times its scale), gradient norm clipped at 5, the weights of the
best validation RSE kept. Training can stop early (``patience`` epochs without a better
validation RSE) and resume from a state file written after every epoch
(:func:`save_state` / :func:`load_state`: safetensors + JSON, no pickle), so a run longer than
a session continues where it stopped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import Tensor

from nodescope.core.device import device
from nodescope.core.forecasting.metrics import corr, rse
from nodescope.core.forecasting.windows import ForecastData
from nodescope.core.models.mtgnn import MTGNN, MTGNNConfig

#: ``progress(epoch, epochs, metrics)``; return False to stop (a Stop button).
Progress = Callable[[int, int, dict[str, float]], bool | None]


@dataclass(frozen=True)
class ForecastTrainConfig:
    """Optimization settings (defaults: MTGNN's single-step script, except the batch size).

    Attributes:
        epochs: passes over the training windows (the script: 30).
        batch_size: windows per step (the script: 4 on Exchange-Rate; 32 is ~6x faster per
            epoch on a CPU).
        lr: Adam's learning rate (the script: 1e-4).
        weight_decay: Adam's weight decay (the script: 1e-5).
        clip: the gradient norm limit.
        patience: stop after this many epochs without a better validation RSE (None: never).
        seed: initialization, shuffling and dropout.
        graph_l1: weight of an L1 penalty on the learned graph's dense weights, per forecast
            target (0: none, the paper; see :mod:`core.models.mtgnn` on identifiability).
        graph_lr_scale: the graph learner's learning rate as a multiple of ``lr``.
    """

    epochs: int = 30
    batch_size: int = 32
    lr: float = 1e-4
    weight_decay: float = 1e-5
    clip: float = 5.0
    patience: int | None = None
    seed: int = 0
    graph_l1: float = 0.0
    graph_lr_scale: float = 1.0


@dataclass
class ForecastResult:
    """A trained forecaster and its scores (unscaled values).

    Attributes:
        model: the best-validation weights, eval mode, on :func:`core.device.device`.
        scores: ``{"val": {"rse", "corr"}, "test": {"rse", "corr"}}``.
        best_epoch: the epoch whose weights were kept (1-based).
        epochs: epochs run in total (across resumes).
        seconds: training time in total (across resumes).
        history: per epoch ``{"epoch", "train_loss", "val_rse", "val_corr"}``.
    """

    model: MTGNN
    scores: dict[str, dict[str, float]]
    best_epoch: int
    epochs: int
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)


@torch.no_grad()
def predict(model: MTGNN, data: ForecastData, split: str, *, batch_size: int = 256) -> np.ndarray:
    """(B, N) unscaled forecasts for every target of ``split`` (``train``/``val``/``test``)."""
    model.eval()
    rows = data.targets[split]
    dev = next(model.parameters()).device
    out = []
    for start in range(0, len(rows), batch_size):
        inputs = torch.from_numpy(np.ascontiguousarray(data.inputs(rows[start : start + batch_size]))).to(dev)
        out.append(model(inputs).cpu().numpy())
    return np.concatenate(out) * data.scale


def evaluate(model: MTGNN, data: ForecastData, split: str) -> dict[str, float]:
    """RSE and CORR of ``model`` on ``split``, unscaled (see :mod:`core.forecasting.metrics`)."""
    prediction = predict(model, data, split)
    truth = data.truth(data.targets[split]) * data.scale
    return {"rse": rse(prediction, truth), "corr": corr(prediction, truth)}


def train_forecaster(
    config: MTGNNConfig,
    data: ForecastData,
    settings: ForecastTrainConfig = ForecastTrainConfig(),
    *,
    progress: Progress | None = None,
    state_path: Path | None = None,
) -> ForecastResult:
    """Train MTGNN on ``data``'s training windows, keeping the weights of the best validation RSE.

    Args:
        config: the model (its ``num_nodes`` and ``window`` must match ``data``).
        data: the scaled, split series.
        settings: the optimization settings.
        progress: called after every epoch; return False to stop.
        state_path: where to write the resumable state after every epoch (``.safetensors`` +
            ``.json``); an existing state there with the same config and settings is resumed.

    Returns:
        The best-validation model and its validation and test scores.
    """
    if (config.num_nodes, config.window) != (data.num_series, data.window):
        raise ValueError(
            f"config is for {config.num_nodes} series x {config.window} steps; data has {data.num_series} x {data.window}"
        )
    torch.manual_seed(settings.seed)
    dev = device()
    model = MTGNN(config).to(dev)
    optimizer = _optimizer(model, settings)
    scale = torch.as_tensor(data.scale, dtype=torch.float32, device=dev)
    rng = np.random.default_rng(settings.seed)
    run = _Run(best_state={k: v.detach().clone() for k, v in model.state_dict().items()})
    if state_path is not None and state_path.with_suffix(".json").exists():
        run = load_state(state_path, model, optimizer, config, settings, rng)
    started = time.perf_counter() - run.seconds
    train_rows = data.targets["train"]
    while run.epoch < settings.epochs:
        model.train()
        losses = []
        for batch in np.array_split(
            rng.permutation(train_rows), max(1, len(train_rows) // settings.batch_size)
        ):
            inputs = torch.from_numpy(np.ascontiguousarray(data.inputs(batch))).to(dev)
            truth = torch.from_numpy(data.truth(batch)).to(dev)
            loss = ((model(inputs) - truth).abs() * scale).sum()
            if settings.graph_l1:
                loss = loss + settings.graph_l1 * truth.numel() * model.graph.dense().mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings.clip)
            optimizer.step()
            losses.append(loss.item() / truth.numel())
        run.epoch += 1
        val = evaluate(model, data, "val")
        run.history.append(
            {
                "epoch": run.epoch,
                "train_loss": float(np.mean(losses)),
                "val_rse": val["rse"],
                "val_corr": val["corr"],
            }
        )
        if val["rse"] < run.best_rse:
            run.best_rse, run.best_epoch = val["rse"], run.epoch
            run.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        run.seconds = time.perf_counter() - started
        if state_path is not None:
            save_state(state_path, model, optimizer, config, settings, rng, run)
        stalled = settings.patience is not None and run.epoch - run.best_epoch >= settings.patience
        if (
            progress is not None and progress(run.epoch, settings.epochs, run.history[-1]) is False
        ) or stalled:
            break
    model.load_state_dict(run.best_state)
    model.eval()
    scores = {split: evaluate(model, data, split) for split in ("val", "test")}
    return ForecastResult(model, scores, run.best_epoch, run.epoch, round(run.seconds, 2), run.history)


def _optimizer(model: MTGNN, settings: ForecastTrainConfig) -> torch.optim.Adam:
    """Adam with the graph learner's parameters in their own group (``graph_lr_scale``)."""
    graph = list(model.graph.parameters())
    in_graph = {id(p) for p in graph}
    rest = [p for p in model.parameters() if id(p) not in in_graph]
    return torch.optim.Adam(
        [{"params": rest}, {"params": graph, "lr": settings.lr * settings.graph_lr_scale}],
        lr=settings.lr,
        weight_decay=settings.weight_decay,
    )


@dataclass
class _Run:
    """What a resumed run needs beyond the model and optimizer."""

    best_state: dict[str, Tensor]
    epoch: int = 0
    best_epoch: int = 0
    best_rse: float = float("inf")
    seconds: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)


def save_state(
    path: Path,
    model: MTGNN,
    optimizer: torch.optim.Optimizer,
    config: MTGNNConfig,
    settings: ForecastTrainConfig,
    rng: np.random.Generator,
    run: _Run,
) -> None:
    """Write a resumable training state: tensors to ``path.safetensors``, the rest to ``path.json``."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors |= {f"best.{k}": v for k, v in run.best_state.items()}
    opt = optimizer.state_dict()
    for index, slot in opt["state"].items():
        tensors |= {f"adam.{index}.{name}": torch.as_tensor(value) for name, value in slot.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(
        {k: v.detach().cpu().contiguous().clone() for k, v in tensors.items()},
        str(path.with_suffix(".safetensors")),
    )
    record = {
        "config": config.to_dict(),
        "settings": asdict(settings),
        "rng": rng.bit_generator.state,
        "torch_rng": torch.get_rng_state().tolist(),
        "run": {k: v for k, v in asdict(run).items() if k != "best_state"},
    }
    path.with_suffix(".json").write_text(json.dumps(record))


def load_state(
    path: Path,
    model: MTGNN,
    optimizer: torch.optim.Optimizer,
    config: MTGNNConfig,
    settings: ForecastTrainConfig,
    rng: np.random.Generator,
) -> _Run:
    """Restore a state written by :func:`save_state` into ``model``, ``optimizer`` and ``rng``.

    Raises:
        ValueError: the state was written for another config or other settings (the number of
            epochs may differ: a finished run can be extended).
    """
    record = json.loads(path.with_suffix(".json").read_text())
    settings_then = {k: v for k, v in record["settings"].items() if k != "epochs"}  # a run may be extended
    settings_now = {k: v for k, v in asdict(settings).items() if k != "epochs"}
    if record["config"] != config.to_dict() or settings_then != settings_now:
        raise ValueError(f"{path.name} holds a run with another config or settings; remove it to start again")
    tensors = load_file(str(path.with_suffix(".safetensors")), device=str(next(model.parameters()).device))
    model.load_state_dict({k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")})
    opt = optimizer.state_dict()
    for key, value in tensors.items():
        if key.startswith("adam."):
            _, index, name = key.split(".", 2)
            opt["state"].setdefault(int(index), {})[name] = value.cpu() if name == "step" else value
    optimizer.load_state_dict(opt)
    rng.bit_generator.state = record["rng"]
    torch.set_rng_state(torch.tensor(record["torch_rng"], dtype=torch.uint8))
    best = {k.removeprefix("best."): v for k, v in tensors.items() if k.startswith("best.")}
    return _Run(best_state=best, **record["run"])
