"""Simulation samples as a mesh model trains on them, with an on-disk cache of the generated splits.

:func:`load_split` generates a split with :func:`core.simulation.generate` once and keeps it as a
pickle-free ``.npz`` keyed by its arguments; :class:`Example` adds what a model reads (the
graph, the step number, the source).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from nodescope.core.models.mesh.features import step_number
from nodescope.core.models.mesh.graph import MeshGraph, mesh_graph
from nodescope.core.simulation.dataset import DatasetConfig, SimulationSample, generate

_ARRAYS = ("pos", "faces", "fixed", "source", "states")
_SCALARS = ("split", "family", "shape", "seed", "equation", "coefficient", "dt")


def load_split(
    split: str,
    count: int,
    *,
    equation: str,
    seed: int = 0,
    config: DatasetConfig | None = None,
    cache_dir: Path | None = None,
) -> list[SimulationSample]:
    """The first ``count`` samples of ``split`` (:func:`core.simulation.generate`), cached in ``cache_dir``."""
    config = config or DatasetConfig()
    if cache_dir is None:
        return generate(split, count, equation=equation, seed=seed, config=config)
    key = json.dumps([split, count, equation, seed, asdict(config)], sort_keys=True)
    path = Path(cache_dir) / f"{equation}-{split}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            return [SimulationSample(**m, **{a: f[f"{i}/{a}"] for a in _ARRAYS}) for i, m in enumerate(meta)]
    samples = generate(split, count, equation=equation, seed=seed, config=config)
    arrays = {f"{i}/{a}": getattr(s, a) for i, s in enumerate(samples) for a in _ARRAYS}
    meta = [{k: getattr(s, k) for k in _SCALARS} for s in samples]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, meta=np.str_(json.dumps(meta)), **arrays)
    tmp.replace(path)
    return samples


@dataclass
class Example:
    """A simulation sample with what a model reads.

    Attributes:
        sample: the sample.
        graph: its :class:`~core.models.mesh.graph.MeshGraph` (with its Dirichlet vertices).
        number: the step number ``s``.
        source_dt: (V,) float32 ``dt·f`` (heat), or None.
        states: (N+1, V) float32 the solver's states.
    """

    sample: SimulationSample
    graph: MeshGraph
    number: float
    source_dt: torch.Tensor | None
    states: torch.Tensor


def example(sample: SimulationSample, k: int) -> Example:
    """The :class:`Example` of ``sample`` on its k-ring graph."""
    graph = mesh_graph(sample.pos, sample.faces, k=k, fixed=sample.fixed)
    number = step_number(sample.equation, sample.coefficient, sample.dt, graph.h)
    source = None
    if sample.equation == "heat" and np.any(sample.source):
        source = torch.as_tensor(sample.dt * sample.source, dtype=torch.float32)
    return Example(sample, graph, number, source, torch.as_tensor(sample.states, dtype=torch.float32))
