"""Training and scoring the mesh models: noisy one-step batches, a resumable loop, rollout errors.

**Recipe** (:class:`MeshTrainSettings`). Each step draws ``batch`` (sample, time) pairs from the
training examples, adds Gaussian noise of std ``noise·s`` (the model's ``noise``, ``s`` the
sample's step number) to the input state on the free vertices (the target is the scaled increment from the *noisy* state to the clean next
one, so the model learns to pull a drifted rollout back, as MeshGraphNets does), rotates each
mesh's edge vectors by a random rotation, and minimizes the mean squared error of the
normalized scaled increment on the free vertices. Adam, cosine decay from ``lr`` to
``lr·final_lr_fraction``. The normalizers are fitted once, before the first step, on noisy
batches of the same kind.

**Resuming.** The run's state (weights, optimizer, step, history) is written every
``save_every`` steps; each step's draws come from a generator seeded by (seed, step), so a
resumed run draws what the uninterrupted one would have.

**Scores** (:func:`evaluate`): one-step RMSE (from each true state, over every step and
vertex) and rollout RMSE (autoregressive from ``u_0``, over steps 1..N and every vertex),
per sample, in field units.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nodescope.core.models.mesh.base import MeshModel
from nodescope.core.models.mesh.data import Example
from nodescope.core.models.mesh.features import MeshInputs, advance, inputs, target
from nodescope.core.models.mesh.rollout import rollout
from nodescope.core.run_state import cosine_lr, load_run_state, save_run_state


@dataclass(frozen=True)
class MeshTrainSettings:
    """The optimization recipe (see the module docstring)."""

    steps: int = 800
    batch: int = 4
    lr: float = 1e-3
    final_lr_fraction: float = 0.02
    seed: int = 0
    save_every: int = 100


def _rotation(rng: np.random.Generator) -> torch.Tensor:
    """A uniformly random (3, 3) rotation."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return torch.as_tensor(q, dtype=torch.float32)


def batch(
    examples: Sequence[Example], rng: np.random.Generator, size: int, noise: float
) -> tuple[MeshInputs, torch.Tensor, torch.Tensor]:
    """A training batch: ``size`` random (example, time) pairs, noisy and rotated, as one graph.

    Returns:
        The concatenated inputs, (V,) scaled-increment targets and (V,) bool free vertices.
    """
    parts, targets, free = [], [], []
    for _ in range(size):
        ex = examples[int(rng.integers(len(examples)))]
        equation = ex.sample.equation
        t = int(rng.integers(len(ex.states) - 1))
        u, u_next = ex.states[t], ex.states[t + 1]
        u_prev = ex.states[t - 1] if t > 0 else u
        jitter = torch.as_tensor(rng.normal(0.0, noise * ex.number, len(u)), dtype=torch.float32)
        jitter[ex.graph.fixed] = 0.0
        noisy = u + jitter
        x = inputs(ex.graph, equation, ex.number, noisy, u_prev, ex.source_dt)
        geometry = x.geometry.clone()
        geometry[:, :3] = geometry[:, :3] @ _rotation(rng)
        parts.append(MeshInputs(x.node, geometry, x.dynamic, x.edge_index))
        targets.append(target(equation, ex.number, u_next, noisy, u_prev))
        free.append(~ex.graph.fixed)
    return concat(parts), torch.cat(targets), torch.cat(free)


def concat(parts: Sequence[MeshInputs]) -> MeshInputs:
    """Several inputs as one graph of disjoint pieces (edge ids offset by the vertices before)."""
    offsets = np.cumsum([0] + [len(p.node) for p in parts[:-1]])
    return MeshInputs(
        torch.cat([p.node for p in parts]),
        torch.cat([p.geometry for p in parts]),
        torch.cat([p.dynamic for p in parts]),
        torch.cat([p.edge_index + int(o) for p, o in zip(parts, offsets, strict=True)], dim=1),
    )


def fit_normalizers(model: MeshModel, examples: Sequence[Example], *, seed: int, batches: int = 32) -> None:
    """Fit the model's input and target normalizers on ``batches`` noisy training batches."""
    rng = np.random.default_rng([seed, 10**9])
    drawn = [batch(examples, rng, 4, model.config.noise) for _ in range(batches)]
    model.node_norm.fit(torch.cat([x.node for x, _, _ in drawn]))
    model.geometry_norm.fit(torch.cat([x.geometry for x, _, _ in drawn]))
    model.dynamic_norm.fit(torch.cat([x.dynamic for x, _, _ in drawn]))
    model.target_norm.fit(torch.cat([y[f] for _, y, f in drawn]))


def load_state(path: Path, model: MeshModel, opt: torch.optim.Optimizer | None = None) -> dict[str, Any]:
    """Load a run's state (written by :func:`train`) into ``model`` (and ``opt``); its record."""
    load_run_state(path, model, opt)
    return json.loads(Path(path).with_suffix(".json").read_text())


def train(
    model: MeshModel,
    examples: Sequence[Example],
    settings: MeshTrainSettings,
    *,
    state_path: Path | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Train ``model`` in place by the recipe of the module docstring; resumes from ``state_path``.

    Args:
        model: a fresh model (its normalizers are fitted here on a fresh start).
        examples: the training examples.
        settings: the recipe.
        state_path: where the run's state is kept (suffix replaced), or None for no state.
        progress: called with ``(step, steps, loss)`` every 10 steps.
        stop_after: stop (with the state saved) after this many steps of this call.

    Returns:
        ``{"step", "seconds", "history": [[step, mean loss over the last 10 steps], ...],
        "settings", "done"}``.
    """
    opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
    info: dict[str, Any] = {
        "step": 0,
        "seconds": 0.0,
        "history": [],
        "settings": asdict(settings),
        "done": False,
    }
    if state_path is not None and state_path.with_suffix(".json").is_file():
        info = load_state(state_path, model, opt)
    else:
        torch.manual_seed(settings.seed)
        fit_normalizers(model, examples, seed=settings.seed)
    model.train()
    losses: list[float] = []
    start, done_here = time.perf_counter(), 0
    while info["step"] < settings.steps:
        step = info["step"]
        rng = np.random.default_rng([settings.seed, step])
        x, y, free = batch(examples, rng, settings.batch, model.config.noise)
        for group in opt.param_groups:
            group["lr"] = cosine_lr(step, settings.steps, settings.lr, settings.final_lr_fraction)
        out = model(x)
        loss = ((out.y_normalized - model.target_norm(y[:, None])[:, 0])[free] ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        info["step"], done_here = step + 1, done_here + 1
        if info["step"] % 10 == 0:
            info["history"].append([info["step"], float(np.mean(losses))])
            if progress is not None:
                progress(info["step"], settings.steps, float(np.mean(losses)))
            losses = []
        finished = info["step"] >= settings.steps
        pause = stop_after is not None and done_here >= stop_after
        if state_path is not None and (finished or pause or info["step"] % settings.save_every == 0):
            info["seconds"] += time.perf_counter() - start
            start = time.perf_counter()
            info["done"] = finished
            save_run_state(state_path, model, opt, info)
        if pause:
            break
    if state_path is None:
        info["seconds"] += time.perf_counter() - start
    info["done"] = info["step"] >= settings.steps
    model.eval()
    return info


@torch.no_grad()
def one_step_rmse(model: MeshModel, ex: Example, *, chunk: int = 20) -> float:
    """RMSE of the one-step predictions from every true state of ``ex`` (field units), ``chunk`` states a pass."""
    model.eval()
    device = next(model.parameters()).device
    equation, graph = ex.sample.equation, ex.graph.to(device)
    states = ex.states.to(device)
    source = None if ex.source_dt is None else ex.source_dt.to(device)
    steps, n = len(states) - 1, graph.num_vertices
    squared = 0.0
    for start in range(0, steps, chunk):
        times = range(start, min(start + chunk, steps))
        u = states[list(times)]
        u_prev = states[[max(t - 1, 0) for t in times]]
        x = concat([inputs(graph, equation, ex.number, a, b, source) for a, b in zip(u, u_prev, strict=True)])
        y = model(x).y.view(len(times), n)
        pred = advance(equation, ex.number, y, u, u_prev)
        pred[:, graph.fixed] = u[:, graph.fixed]
        squared += float(((pred - states[times.start + 1 : times.stop + 1]) ** 2).sum())
    return float(np.sqrt(squared / (steps * n)))


def rollout_rmse(pred: np.ndarray, truth: np.ndarray) -> float:
    """RMSE of a rollout against the truth over steps 1..N and every vertex (row 0 left out)."""
    return float(np.sqrt(np.mean((np.asarray(pred[1:], np.float64) - np.asarray(truth[1 : len(pred)])) ** 2)))


def evaluate(model: MeshModel, examples: Sequence[Example], *, steps: int = 50) -> dict[str, Any]:
    """One-step and ``steps``-step rollout RMSE of ``model`` per example, and their means."""
    one, roll = [], []
    for ex in examples:
        one.append(one_step_rmse(model, ex))
        pred = rollout(
            model,
            ex.graph,
            number=ex.number,
            initial=ex.states[0].numpy(),
            steps=steps,
            source_dt=None if ex.source_dt is None else ex.source_dt.numpy(),
        )
        roll.append(rollout_rmse(pred, ex.states.numpy()))
    return {
        "one_step_rmse": float(np.mean(one)),
        "rollout_rmse": float(np.mean(roll)),
        "per_sample": {"one_step_rmse": one, "rollout_rmse": roll},
        "samples": len(examples),
        "rollout_steps": steps,
    }
