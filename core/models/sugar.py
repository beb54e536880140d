"""SUGAR-style registration network: a U-Net of GATv2 layers over the fsaverage icosphere levels.

Per grid vertex (fsaverage4 by default, 2,562 vertices) the input is the moving and the
fixed sulc (normalized, see :func:`core.registration.losses.normalize`) read at the same
directions, and positional encodings of the vertex's polar and azimuthal angles; the
output is three Euler angles per vertex (radians), the rotation that carries the vertex to
its place on the fixed sphere (:func:`core.registration.warp.rotate`). Encoder levels are
joined by :func:`core.geometry.fsaverage.pool`, decoder levels by ``unpool`` with skip
connections.

Weights are stored as ``NAME.safetensors`` + ``NAME.json`` (format ``nodescope-sugar``:
the :class:`SugarConfig`, the weights' SHA-256 and the trainer's record), never a pickle.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch_geometric.nn import GATv2Conv

from nodescope.core.checkpoint import read_weights, write_weights
from nodescope.core.errors import LoadError
from nodescope.core.geometry.fsaverage import icosphere_level, pool, unpool

FORMAT = "nodescope-sugar"
VERSION = 1
#: Where the shipped SUGAR weights live.
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "assets" / "registration"


@dataclass(frozen=True)
class SugarConfig:
    """Architecture of a :class:`SugarNet`.

    Attributes:
        level: the icosphere level of input and output (4: 2,562 vertices).
        depth: how many levels the encoder goes down (2: level 4 -> 2).
        hidden: channels per level (the same at every level).
        heads: GATv2 attention heads (``hidden`` is split between them).
        in_maps: per-vertex maps in (2: moving and fixed sulc; 4 with both curvatures).
        max_angle: output angles are ``max_angle * tanh(.)`` radians.
    """

    level: int = 4
    depth: int = 2
    hidden: int = 32
    heads: int = 2
    in_maps: int = 2
    max_angle: float = 0.5


@lru_cache(maxsize=8)
def positional_encoding(level: int) -> torch.Tensor:
    """(V, 4) ``sin/cos`` of each icosphere vertex's polar angle theta and azimuth phi."""
    v = icosphere_level(level).vertices.double()
    theta = torch.arccos(v[:, 2].clamp(-1, 1))
    phi = torch.atan2(v[:, 1], v[:, 0])
    return torch.stack([theta.sin(), theta.cos(), phi.sin(), phi.cos()], dim=1).float()


class _Block(nn.Module):
    """GATv2 (self-loops added) + residual + layer norm + ELU at one icosphere level."""

    def __init__(self, in_dim: int, hidden: int, heads: int) -> None:
        super().__init__()
        self.conv = GATv2Conv(in_dim, hidden // heads, heads=heads)
        self.skip = nn.Linear(in_dim, hidden) if in_dim != hidden else nn.Identity()
        self.norm = nn.LayerNorm(hidden)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        return nn.functional.elu(self.norm(self.conv(x, edge_index) + self.skip(x)))


class SugarNet(nn.Module):
    """The registration U-Net (see the module docstring).

    Args:
        config: the architecture.
    """

    def __init__(self, config: SugarConfig = SugarConfig()) -> None:
        super().__init__()
        self.config = config
        h = config.hidden
        self.levels = [config.level - i for i in range(config.depth + 1)]  # fine to coarse
        self.encoder = nn.ModuleList(
            [_Block(config.in_maps + 4 if i == 0 else h, h, config.heads) for i in range(len(self.levels))]
        )
        self.decoder = nn.ModuleList([_Block(2 * h, h, config.heads) for _ in range(config.depth)])
        self.head = nn.Linear(h, 3)
        nn.init.zeros_(self.head.weight)  # start from the identity deformation
        nn.init.zeros_(self.head.bias)

    def forward(self, maps: torch.Tensor) -> torch.Tensor:
        """(V, 3) Euler angles (radians) of (V, in_maps) normalized maps on icosphere ``config.level``."""
        x = torch.cat([maps, positional_encoding(self.config.level).to(maps.device)], dim=1)
        skips = []
        for i, (level, block) in enumerate(zip(self.levels, self.encoder, strict=True)):
            if i > 0:
                x = pool(x, level + 1)
            x = block(x, icosphere_level(level).edge_index.to(x.device))
            skips.append(x)
        for j, block in enumerate(self.decoder):
            level = self.levels[-2 - j]
            x = torch.cat([unpool(x, level - 1), skips[-2 - j]], dim=1)
            x = block(x, icosphere_level(level).edge_index.to(x.device))
        return self.config.max_angle * torch.tanh(self.head(x))


def save_sugar(model: SugarNet, path: Path, *, info: dict[str, Any]) -> None:
    """Write ``path.safetensors`` and ``path.json`` (suffix replaced; folders created)."""
    write_weights(model, path, {**info, "format": FORMAT, "version": VERSION, "config": asdict(model.config)})


def load_sugar(path: Path) -> SugarNet:
    """A :class:`SugarNet` in eval mode from ``path.safetensors`` + ``path.json``.

    Raises:
        LoadError: a file is missing, not a SUGAR checkpoint, or its weights do not match.
    """
    meta = Path(path).with_suffix(".json")
    try:
        record = json.loads(meta.read_text())
    except FileNotFoundError as exc:
        raise LoadError(f"No such SUGAR checkpoint file: '{meta}'.") from exc
    except (OSError, ValueError) as exc:
        raise LoadError(f"{meta.name} is not readable JSON ({exc}).") from exc
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise LoadError(f"{meta.name} is not a {FORMAT} checkpoint.")
    tensors = read_weights(Path(path), record)
    try:
        model = SugarNet(SugarConfig(**record["config"]))
        model.load_state_dict(tensors)
    except (TypeError, KeyError, RuntimeError) as exc:
        raise LoadError(
            f"{meta.with_suffix('.safetensors').name} does not fit the architecture in {meta.name} ({exc})."
        ) from exc
    return model.eval()


def shipped_sugar(name: str = "sugar-ico4") -> Path | None:
    """The shipped checkpoint's path (without suffix), or None when it is not there."""
    path = SHIPPED_DIR / name
    return path if path.with_suffix(".safetensors").is_file() else None
