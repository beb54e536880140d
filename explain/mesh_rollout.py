"""Heat on one mesh: the solver's states beside the learned simulators' rollouts, and where they look.

:func:`roll_out_heat` runs, on a mesh checked by :func:`core.simulation.prepare_mesh`, the
solver (:mod:`core.simulation.heat`, backward Euler on the cotangent Laplacian) for N steps from
a seeded initial field (:func:`core.simulation.default_field`, as ``nodescope simulate`` draws
it), and each model's autoregressive rollout from the same state
(:func:`core.models.mesh.rollout`); open meshes hold their boundary vertices (Dirichlet), as the
CLI does by default. :func:`ring_attention` reads, from a model's first-layer attention over the
1-ring (:func:`explain.mesh_attention.attention_vs_cotangent`), the weights one vertex gives its
neighbors, with the neighbors laid out in the vertex's tangent plane for drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nodescope.core.models.mesh import MeshModel, mesh_graph, no_change, rollout, step_number
from nodescope.core.simulation import SimulationMesh, default_dt, default_field, simulate
from nodescope.explain.mesh_attention import AttentionPhysics, attention_vs_cotangent

#: The baseline every rollout is shown beside.
NO_CHANGE = "no change"
#: The steps simulated, and the step shown, before the user chooses (the page and the export).
DEFAULT_STEPS = 50
SHOWN_STEP = 10


@dataclass
class MeshRollouts:
    """The solver's states on a mesh and the rollouts from the same initial state.

    Attributes:
        pos: (V, 3) float64 positions, mesh units.
        faces: (T, 3) int64 triangles.
        fixed: (V,) bool Dirichlet vertices (held at their initial value).
        dt: the time step.
        coefficient: the diffusivity c, mesh units² per time unit.
        truth: (N+1, V) float64 solver states, row 0 the initial field.
        predictions: model key -> (N+1, V) float32 rollout, and :data:`NO_CHANGE` -> the initial
            field repeated.
    """

    pos: np.ndarray
    faces: np.ndarray
    fixed: np.ndarray
    dt: float
    coefficient: float
    truth: np.ndarray
    predictions: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """N."""
        return len(self.truth) - 1

    @property
    def start_vertex(self) -> int:
        """The vertex of largest ``|u_0|`` (a bump's peak): followed until the user picks another."""
        return int(np.abs(self.truth[0]).argmax())

    def errors(self) -> dict[str, np.ndarray]:
        """Per prediction, (N+1,) RMSE over the vertices at each step (0 at step 0)."""
        return {
            key: np.sqrt(np.mean((np.asarray(pred, np.float64) - self.truth) ** 2, axis=1))
            for key, pred in self.predictions.items()
        }


def roll_out_heat(
    mesh: SimulationMesh,
    models: dict[str, MeshModel],
    *,
    steps: int,
    seed: int,
    coefficient: float = 1.0,
) -> MeshRollouts:
    """Solve heat on ``mesh`` for ``steps`` steps and roll out each of ``models`` beside it.

    Args:
        mesh: a mesh checked by :func:`core.simulation.prepare_mesh`.
        models: key -> a heat mesh model (the shipped ones).
        steps: N >= 1.
        seed: the initial field's seed (:func:`core.simulation.default_field`).
        coefficient: the diffusivity c; dt is :func:`core.simulation.default_dt` (0.25 h²/c).
    """
    pos, faces, fixed = mesh.pos, mesh.faces, mesh.boundary
    dt = default_dt(pos, faces, "heat", coefficient)
    truth = simulate(
        pos,
        faces,
        equation="heat",
        initial=default_field(pos, faces, seed),
        steps=steps,
        dt=dt,
        coefficient=coefficient,
        fixed=fixed,
    )
    out = MeshRollouts(pos, faces, fixed, dt, coefficient, truth)
    for key, model in models.items():
        graph = mesh_graph(pos, faces, k=model.config.k, fixed=fixed)
        number = step_number("heat", coefficient, dt, graph.h)
        out.predictions[key] = rollout(model, graph, number=number, initial=truth[0], steps=steps)
    out.predictions[NO_CHANGE] = no_change(truth[0], steps)
    return out


def heat_attention(model: MeshModel, run: MeshRollouts, step: int) -> AttentionPhysics:
    """First-layer attention of ``model`` at the solver's state ``step`` beside the cotangent weights."""
    graph = mesh_graph(run.pos, run.faces, k=model.config.k, fixed=run.fixed)
    number = step_number("heat", run.coefficient, run.dt, graph.h)
    return attention_vs_cotangent(model, graph, run.pos, run.faces, number=number, u=run.truth[step])


@dataclass
class RingAttention:
    """What one vertex's first-layer attention gives each mesh neighbor.

    Attributes:
        vertex: the vertex id.
        neighbors: (K,) its 1-ring neighbors' ids.
        xy: (K, 2) the neighbors' offsets in the vertex's tangent plane (the two main directions
            of the offsets), in units of the mean distance to the neighbors.
        attention: (K, heads) each head's weight on each neighbor (a head's weights over the
            1-ring sum to 1 when k = 1).
        cotangent: (K,) normalized cotangent weight ``w_ij / Σ_k w_ik`` of each neighbor.
    """

    vertex: int
    neighbors: np.ndarray
    xy: np.ndarray
    attention: np.ndarray
    cotangent: np.ndarray


def ring_attention(physics: AttentionPhysics, pos: np.ndarray, vertex: int) -> RingAttention:
    """The 1-ring edges into ``vertex`` of ``physics`` (edges ``j -> i``, i = vertex), laid out flat."""
    into = physics.edge_index[1] == vertex
    neighbors = physics.edge_index[0][into]
    offsets = np.asarray(pos, np.float64)[neighbors] - np.asarray(pos, np.float64)[vertex]
    if len(offsets) >= 2:
        _, _, axes = np.linalg.svd(offsets - offsets.mean(0), full_matrices=False)
        xy = offsets @ axes[:2].T
    else:
        xy = np.zeros((len(offsets), 2))
    scale = float(np.linalg.norm(offsets, axis=1).mean()) if len(offsets) else 1.0
    return RingAttention(
        int(vertex), neighbors, xy / (scale or 1.0), physics.attention[into], physics.cotangent[into]
    )
