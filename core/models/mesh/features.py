"""What a mesh model reads and predicts: per-vertex and per-edge inputs, and the scaled increment.

Let ``h`` be the mesh's mean edge length, ``c`` the coefficient and ``dt`` the step. The
equation's dimensionless **step number** ``s`` is the Fourier number ``c·dt/h²`` (heat) or the
squared Courant number ``(c·dt/h)²`` (wave): one step of either scheme changes ``u`` by about
``s`` times a mesh Laplacian of ``u`` in h² units. The model predicts that Laplacian-like
quantity, the **scaled increment** ``y``:

- heat: ``y = (u_{n+1} - u_n) / s`` (``u_{n+1} = u_n + s·y``);
- wave: ``y = (u_{n+1} - 2 u_n + u_{n-1}) / s`` (``u_{n+1} = 2 u_n - u_{n-1} + s·y``: a
  second difference, so the state is ``(u_n, u_{n-1})``).

Inputs (:func:`inputs`), with the geometry of :class:`~core.models.mesh.graph.MeshGraph`:

- per vertex (V, 4): Dirichlet flag, ``s``, lumped mass / h², and heat: the source as
  ``dt·f / s`` (0 without a source); wave: the last change ``u_n - u_{n-1}``;
- per edge ``j -> i``, static (E, 5): ``(pos_j - pos_i)/h``, length / h, hop distance; and
  dynamic (E, 1) heat ``u_j - u_i``, (E, 2) wave ``u_j - u_i`` and
  ``(u_j - u_{j,prev}) - (u_i - u_{i,prev})``.

Only differences of ``u`` enter, as only they enter the Laplacian: adding a constant to the
field changes no input. Relative positions and lengths are the geometry the cotangent weights
are made of, so a model can learn them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from nodescope.core.models.mesh.graph import MeshGraph

#: Per-vertex input width.
NODE_FEATURES = 4
#: Dynamic per-edge input width per equation.
DYNAMIC_FEATURES = {"heat": 1, "wave": 2}


def step_number(equation: str, coefficient: float, dt: float, h: float) -> float:
    """The step number ``s``: heat ``c·dt/h²``, wave ``(c·dt/h)²`` (see the module docstring)."""
    if equation == "heat":
        return float(coefficient * dt / h**2)
    if equation == "wave":
        return float((coefficient * dt / h) ** 2)
    raise ValueError(f"unknown equation {equation!r}")


@dataclass
class MeshInputs:
    """One (or a batch of) model input(s), raw (the model normalizes them).

    Attributes:
        node: (V, 4) per-vertex inputs.
        geometry: (E, 5) static edge inputs.
        dynamic: (E, 1 or 2) edge differences of the state.
        edge_index: (2, E) edges ``j -> i``.
    """

    node: torch.Tensor
    geometry: torch.Tensor
    dynamic: torch.Tensor
    edge_index: torch.Tensor


def inputs(
    graph: MeshGraph,
    equation: str,
    number: float | torch.Tensor,
    u: torch.Tensor,
    u_prev: torch.Tensor | None = None,
    source_dt: torch.Tensor | None = None,
) -> MeshInputs:
    """The model inputs for state ``u`` (and ``u_prev``, wave) on ``graph``.

    Args:
        graph: the mesh graph.
        equation: ``heat`` or ``wave``.
        number: the step number ``s`` (a float, or (V,) per vertex for a batch of meshes).
        u: (V,) the field ``u_n``.
        u_prev: (V,) ``u_{n-1}`` (wave; None: at rest, ``u_prev = u``).
        source_dt: (V,) heat source times dt (``dt·f``), or None.
    """
    src, dst = graph.edge_index
    n = graph.num_vertices
    s = torch.as_tensor(number, dtype=u.dtype, device=u.device).expand(n)
    if equation == "heat":
        extra = torch.zeros_like(u) if source_dt is None else source_dt / s
        dynamic = (u[src] - u[dst])[:, None]
    else:
        change = torch.zeros_like(u) if u_prev is None else u - u_prev
        extra = change
        dynamic = torch.stack([u[src] - u[dst], change[src] - change[dst]], dim=1)
    node = torch.stack([graph.fixed.to(u.dtype), s, graph.mass.to(u.dtype), extra], dim=1)
    return MeshInputs(node, graph.geometry, dynamic, graph.edge_index)


def target(
    equation: str,
    number: float | torch.Tensor,
    u_next: torch.Tensor,
    u: torch.Tensor,
    u_prev: torch.Tensor | None,
) -> torch.Tensor:
    """(V,) the scaled increment ``y`` that takes ``u`` (and ``u_prev``) to ``u_next``."""
    if equation == "heat":
        return (u_next - u) / number
    prev = u if u_prev is None else u_prev
    return (u_next - 2 * u + prev) / number


def advance(
    equation: str, number: float | torch.Tensor, y: torch.Tensor, u: torch.Tensor, u_prev: torch.Tensor | None
) -> torch.Tensor:
    """(V,) ``u_{n+1}`` from the scaled increment ``y`` (the inverse of :func:`target`)."""
    if equation == "heat":
        return u + number * y
    prev = u if u_prev is None else u_prev
    return 2 * u - prev + number * y
