"""Local east/north frames on the sphere, and mesh edges expressed in them.

At a direction ``d`` (unit, :mod:`core.geometry.sphere` convention, z up) the east vector is
``(-y, x, 0) / |(x, y)|`` (towards growing longitude) and the north vector is ``d x east``
(towards growing latitude); ``(d, east, north)`` is a right-handed orthonormal frame. A
rotation about z carries every frame to the frame of the rotated direction, so quantities
written in these frames (an edge's heading, a surface normal) do not change when a panorama
is yawed. At the two poles east is undefined and no choice would turn with a yaw, so there
east and north are zero vectors: a vector keeps only its radial part, and edges seen from a
pole have bearing ``(0, 0)`` (a pole sees its neighbors without direction).
"""

from __future__ import annotations

import torch

#: Directions closer to a pole than this (in ``|(x, y)|``) get zero east and north vectors.
POLE_EPS = 1e-6


def local_frames(directions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """East and north unit vectors at each direction.

    Args:
        directions: (N, 3) unit vectors.

    Returns:
        ``(east, north)``, each (N, 3) with the dtype and device of ``directions``: unit vectors,
        zero at the poles.
    """
    x, y = directions[:, 0], directions[:, 1]
    r = torch.sqrt(x * x + y * y)
    safe = torch.where(r < POLE_EPS, torch.full_like(r, torch.inf), r)
    east = torch.stack([-y / safe, x / safe, torch.zeros_like(r)], dim=1)
    north = torch.linalg.cross(directions, east)
    return east, north


def edge_headings(directions: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """Heading of each edge's target seen from its source, in the source's east/north frame.

    Args:
        directions: (N, 3) unit vectors (the mesh's vertices).
        edge_index: (2, E) int64 source and target ids (PyG's ``source_to_target`` flow:
            row 0 sends, row 1 receives).

    Returns:
        (E, 2) float: ``(cos, sin)`` of the angle from the receiver's east towards its north
        at which the sender lies (the receiver is where a message arrives, so this is what an
        attention layer sees as the neighbor's bearing); ``(0, 0)`` at a pole. Yaw-invariant.
    """
    src, dst = edge_index
    at, to = directions[dst], directions[src]
    tangent = to - (to * at).sum(1, keepdim=True) * at
    east, north = local_frames(directions)
    heading = torch.stack([(tangent * east[dst]).sum(1), (tangent * north[dst]).sum(1)], dim=1)
    return heading / heading.norm(dim=1, keepdim=True).clamp_min(1e-12)


def to_local(vectors: torch.Tensor, directions: torch.Tensor) -> torch.Tensor:
    """(..., N, 3) components ``(radial, east, north)`` of (..., N, 3) vectors at (N, 3) directions."""
    east, north = local_frames(directions)
    return torch.stack(
        [(vectors * directions).sum(-1), (vectors * east).sum(-1), (vectors * north).sum(-1)], -1
    )


def from_local(components: torch.Tensor, directions: torch.Tensor) -> torch.Tensor:
    """(..., N, 3) vectors from their ``(radial, east, north)`` components at (N, 3) directions."""
    east, north = local_frames(directions)
    return components[..., 0:1] * directions + components[..., 1:2] * east + components[..., 2:3] * north
