"""Autoregressive rollouts of a mesh model, and the two trivial baselines it must beat.

A rollout starts from the solver's initial state, feeds each prediction back as the next input
and holds the Dirichlet vertices at their initial values (as the solver does). Baselines:

- **no change**: every state equals the initial one;
- **uniform Laplacian**: one explicit step of the uniform-weight graph Laplacian per time
  step, ``Δu_i ≈ (4/h²)(mean_{j~i} u_j - u_i)`` (exact for a regular triangle grid of side
  ``h``, the mean edge length): heat ``u_{n+1} = u_n + c·dt·Δu_n + dt·f`` (forward Euler),
  wave ``u_{n+1} = 2u_n - u_{n-1} + (c·dt)²·Δu_n + dt²·f`` (leapfrog, starting at rest). It is
  unstable where ``c·dt/h²`` (heat) exceeds 1/4; it is run as stated, whatever it does.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from nodescope.core.geometry.triangles import face_edges
from nodescope.core.models.mesh.base import MeshModel
from nodescope.core.models.mesh.features import advance, inputs
from nodescope.core.models.mesh.graph import MeshGraph
from nodescope.core.models.mesh.kernels import edge_csr


@torch.inference_mode()
def rollout(
    model: MeshModel,
    graph: MeshGraph,
    *,
    number: float,
    initial: np.ndarray,
    steps: int,
    source_dt: np.ndarray | None = None,
    fast: bool = True,
) -> np.ndarray:
    """(N+1, V) float32 states of ``model``'s rollout from ``initial`` (row 0).

    On the CPU each step runs the model's fused-kernel path (:meth:`MeshModel.process_fast`,
    the same function to float32 rounding); ``fast=False`` runs the plain forward.

    Args:
        model: a trained mesh model (its device and equation are used).
        graph: the mesh's :class:`MeshGraph` with the model's ``k`` and the Dirichlet vertices.
        number: the step number ``s`` (:func:`core.models.mesh.features.step_number`).
        initial: (V,) ``u_0`` (the wave starts at rest).
        steps: N.
        source_dt: (V,) heat source times dt, or None.
        fast: use the fused kernels where they run (CPU).
    """
    if graph.k != model.config.k:
        raise ValueError(f"the graph has k = {graph.k}, the model runs on k = {model.config.k}")
    device = next(model.parameters()).device
    equation = model.config.equation
    graph = graph.to(device)
    model.eval()
    u = torch.as_tensor(np.asarray(initial), dtype=torch.float32, device=device)
    source = None if source_dt is None else torch.as_tensor(source_dt, dtype=torch.float32, device=device)
    static = model.static(graph.geometry)
    csr = edge_csr(graph.edge_index, graph.num_vertices) if fast else None
    fixed, held = graph.fixed, u[graph.fixed]
    states = [u]
    u_prev = u
    for _ in range(int(steps)):
        x = inputs(graph, equation, number, u, u_prev, source)
        y = model(x, static=static, csr=csr).y
        u_next = advance(equation, number, y, u, u_prev)
        u_next[fixed] = held
        u_prev, u = u, u_next
        states.append(u)
    return torch.stack(states).cpu().numpy()


def no_change(initial: np.ndarray, steps: int) -> np.ndarray:
    """(N+1, V) float32: the initial state repeated."""
    return np.tile(np.asarray(initial, np.float32), (int(steps) + 1, 1))


def uniform_laplacian_rollout(
    faces: np.ndarray,
    *,
    equation: str,
    h: float,
    coefficient: float,
    dt: float,
    initial: np.ndarray,
    steps: int,
    fixed: np.ndarray | None = None,
    source: np.ndarray | None = None,
) -> np.ndarray:
    """(N+1, V) float32 states of the explicit uniform-Laplacian baseline (module docstring).

    Args:
        faces: (T, 3) triangles.
        equation: ``heat`` or ``wave``.
        h: the mean edge length.
        coefficient: diffusivity (heat) or wave speed (wave).
        dt: the time step.
        initial: (V,) ``u_0``.
        steps: N.
        fixed: (V,) bool Dirichlet vertices (held), or None.
        source: (V,) source ``f``, or None.
    """
    u = np.asarray(initial, np.float64).copy()
    n = len(u)
    edges = face_edges(np.asarray(faces))
    adjacency = sp.coo_matrix((np.ones(edges.shape[1]), (edges[0], edges[1])), shape=(n, n))
    adjacency = (adjacency + adjacency.T).tocsr()
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1.0)
    fixed = np.zeros(n, bool) if fixed is None else np.asarray(fixed, bool)
    f = np.zeros(n) if source is None else np.asarray(source, np.float64)
    states = np.empty((int(steps) + 1, n), np.float32)
    states[0] = u
    u_prev = u.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, int(steps) + 1):
            laplacian = (4.0 / h**2) * (adjacency @ u / degree - u)
            if equation == "heat":
                u_next = u + coefficient * dt * laplacian + dt * f
            else:
                u_next = 2 * u - u_prev + (coefficient * dt) ** 2 * laplacian + dt * dt * f
            u_next[fixed] = u[fixed]
            u_prev, u = u, u_next
            states[k] = u
    return states
