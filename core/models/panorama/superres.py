"""Guided depth super-resolution on the icosphere, after GDNet's split of global geometry and fine detail.

GDNet ("Decoupling Fine Detail and Global Geometry for Compressed Depth Map Super-Resolution")
recovers depth from a low-resolution, lossy depth map and a full-resolution image with two
branches, fused. Here, on fsaverage icosphere levels (:mod:`core.geometry.fsaverage`), all in
log-depth:

- **Global geometry** (:class:`GlobalGeometry`, low rank): the coarse log-depth is fitted by
  ``K = (degree + 1)**2`` real spherical harmonics (:mod:`core.geometry.harmonics`; a ridge
  least-squares projection on the coarse vertices), and a small graph encoder on the coarse
  level (GATv2 blocks of :mod:`core.models.panorama.layers` over coarse depth and colors) adds a
  learned correction to the K coefficients. Its output ``G = Y c`` lies in the span of the K
  harmonics: rank at most K over any batch.
- **Fine detail** (image-guided): a GATv2 U-Net at the full level over the colors, the vertex
  z, the barycentric upsampling ``U`` of the coarse log-depth (:mod:`core.panorama.upsample`)
  minus ``G``, and ``G`` itself, down ``depth_levels`` levels and back, predicting per vertex
  a residual ``F`` and a gate ``a`` in (0, 1); and a **guided selection** ``S``: each vertex
  ``p`` weighs the coarse log-depths of its ``k`` nearest coarse vertices ``q`` by a softmax of
  ``-(angle(p, q) / s)**2 / 2 - |rgb_p - rgb_q|**2 / (2 r**2) + MLP(h_p, features of q)``, with
  ``s``, ``r`` learned (starting at joint bilateral upsampling's widths, :data:`SIGMA_S0`,
  :data:`SIGMA_R0`) and the MLP's output starting at zero: a learned joint bilateral
  upsampling, which can pick the side of a depth edge whose color matches.
- **Fusion**: ``log depth = G + a (S - G) + F``. The gate's bias starts high and the residual's
  and the MLP's last weights at zero, so an untrained network returns (nearly) joint bilateral
  upsampling of the log-depth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from nodescope.core.geometry.fsaverage import MAX_LEVEL, icosphere_level, num_vertices, pool, unpool
from nodescope.core.geometry.harmonics import num_harmonics, real_harmonics
from nodescope.core.models.panorama.layers import GraphBlock
from nodescope.core.panorama.dataset import sphere_dataset
from nodescope.core.panorama.metrics import vertex_weights
from nodescope.core.panorama.superres import degrade, superres_scores
from nodescope.core.panorama.upsample import barycentric_table, bilateral_table, mean_edge_angle

#: Per-vertex inputs of the global encoder (coarse level): centered log-depth, r, g, b, z.
GLOBAL_IN = 5
#: Per-vertex inputs of the fine branch (full level): r, g, b, z, U - G, centered G.
FINE_IN = 6
#: Initial bias of the fusion gate (sigmoid 0.95: trust the upsampling first).
GATE_BIAS = 3.0
#: Test rooms of the check a shipped network records and a test reproduces.
CHECK_ROOMS = 8
#: Widths the guided selection starts from: joint bilateral upsampling with these (coarse mean
#: edges, RGB distance), learned from there.
SIGMA_S0, SIGMA_R0 = 0.5, 0.1
#: Per-candidate features of the guided selection: angle, color difference (3), its square, log-depth - U.
CANDIDATE_IN = 6


@dataclass(frozen=True)
class SuperResConfig:
    """Architecture of a :class:`DepthSuperRes`.

    Attributes:
        level: fsaverage level of the colors and the output depth (5: 10,242 vertices).
        in_level: level of the low-resolution depth (``level - 2``: x4, ``level - 3``: x8).
        degree: spherical-harmonic degree of the global branch; rank ``(degree + 1)**2``.
        width: channels of the fine branch at ``level`` (doubled one level down).
        global_width: channels of the global encoder.
        depth_levels: levels the fine U-Net goes down.
        heads: GATv2 heads per block.
        ridge: ridge weight of the harmonic fit (relative to the mean vertex weight 1).
    """

    level: int = 5
    in_level: int = 3
    degree: int = 8
    width: int = 16
    global_width: int = 32
    depth_levels: int = 2
    heads: int = 2
    ridge: float = 1e-2

    def __post_init__(self) -> None:
        if not 0 <= self.in_level < self.level <= MAX_LEVEL:
            raise ValueError(f"need 0 <= in_level < level <= {MAX_LEVEL}, got {self.in_level}, {self.level}")
        if not 0 <= self.depth_levels <= self.level:
            raise ValueError(f"depth_levels must be in 0..{self.level}, got {self.depth_levels}")
        if self.width % self.heads or self.global_width % self.heads:
            raise ValueError(f"width and global_width must be divisible by heads={self.heads}")

    @property
    def rank(self) -> int:
        """Number of basis functions of the global branch: ``(degree + 1)**2``."""
        return num_harmonics(self.degree)

    @property
    def scale(self) -> int:
        """Linear upsampling factor: ``2**(level - in_level)``."""
        return 2 ** (self.level - self.in_level)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields."""
        return asdict(self)


def _z(level: int, like: torch.Tensor, batch: int) -> torch.Tensor:
    """(V, B, 1) vertex z (sine of latitude) of ``level``."""
    z = icosphere_level(level).vertices[:, 2].to(like)
    return z[:, None, None].expand(-1, batch, 1)


class GlobalGeometry(nn.Module):
    """The low-rank branch: coarse log-depth to ``K`` harmonic coefficients and their field (module docstring).

    Args:
        config: the architecture.
    """

    def __init__(self, config: SuperResConfig) -> None:
        super().__init__()
        self.config = config
        fine = icosphere_level(config.level).vertices.double().numpy()
        coarse = fine[: num_vertices(config.in_level)]
        basis, coarse_basis = real_harmonics(fine, config.degree), real_harmonics(coarse, config.degree)
        w = vertex_weights(config.in_level, "fsaverage")
        gram = coarse_basis.T @ (w[:, None] * coarse_basis) + config.ridge * np.eye(config.rank)
        projection = np.linalg.solve(gram, coarse_basis.T * w)  # (K, V_in)
        # Not in the state dict: rebuilt from the config, and 3 MB at level 5.
        self.register_buffer("basis", torch.from_numpy(basis).float(), persistent=False)
        self.register_buffer("coarse_basis", torch.from_numpy(coarse_basis).float(), persistent=False)
        self.register_buffer("projection", torch.from_numpy(projection).float(), persistent=False)
        gw = config.global_width
        self.encoder = nn.ModuleList(
            [GraphBlock(GLOBAL_IN, gw, config.heads), GraphBlock(gw, gw, config.heads)]
        )
        self.coefficients = nn.Linear(gw, config.rank)
        nn.init.zeros_(self.coefficients.weight)
        nn.init.zeros_(self.coefficients.bias)

    def forward(
        self, log_coarse: torch.Tensor, rgb_coarse: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Coefficients and field of the global geometry.

        Args:
            log_coarse: (B, V_in) log-depth (log metres) on ``in_level``.
            rgb_coarse: (B, V_in, 3) colors in [0, 1] at the same vertices.

        Returns:
            ``(coefficients, field)``: (B, K) and (B, V) log-depth on ``level``, ``field = coefficients @ basis.T``.
        """
        fit = log_coarse @ self.projection.T  # (B, K)
        mean = log_coarse.mean(1, keepdim=True)
        x = torch.cat([(log_coarse - mean)[..., None], 2 * rgb_coarse - 1], dim=-1).transpose(0, 1)
        x = torch.cat([x, _z(self.config.in_level, x, x.shape[1])], dim=-1)
        for block in self.encoder:
            x = block(x, self.config.in_level)
        # A learned projection: each coarse vertex's vote for each coefficient, weighted by the harmonic there.
        correction = (self.coefficients(x) * self.coarse_basis[:, None, :]).mean(0)  # (B, K)
        coefficients = fit + correction
        return coefficients, coefficients @ self.basis.T


class GuidedSelection(nn.Module):
    """Per fine vertex, a learned softmax over its ``k`` nearest coarse vertices' log-depths (module docstring).

    Args:
        config: the architecture.
        k: candidates per vertex (:data:`core.panorama.upsample.BILATERAL_NEIGHBORS`).
    """

    def __init__(self, config: SuperResConfig, k: int = 12) -> None:
        super().__init__()
        neighbors, angles = bilateral_table(config.in_level, config.level, k)
        edge = mean_edge_angle(config.in_level)
        self.register_buffer("neighbors", torch.from_numpy(np.array(neighbors)), persistent=False)
        self.register_buffer("angles", torch.from_numpy(np.array(angles) / edge).float(), persistent=False)
        self.log_sigma_s = nn.Parameter(torch.tensor(float(np.log(SIGMA_S0))))
        self.log_sigma_r = nn.Parameter(torch.tensor(float(np.log(SIGMA_R0))))
        self.mlp = nn.Sequential(nn.Linear(config.width + CANDIDATE_IN, config.width), nn.ELU())
        self.score = nn.Linear(config.width, 1)
        nn.init.zeros_(self.score.weight)
        nn.init.zeros_(self.score.bias)

    def forward(
        self, h: torch.Tensor, rgb: torch.Tensor, log_coarse: torch.Tensor, up: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The selection ``S`` (B, V) in log metres, and its (B, V, k) weights.

        Args:
            h: (V, B, width) fine-branch features.
            rgb: (B, V, 3) colors in [0, 1] (the coarse vertices' are the first V_in).
            log_coarse: (B, V_in) coarse log-depth.
            up: (B, V) its barycentric upsampling.
        """
        q = self.neighbors  # (V, k)
        diff = rgb[:, :, None, :] - rgb[:, q]  # (B, V, k, 3)
        dist2 = (diff * diff).sum(-1)
        candidates = log_coarse[:, q]  # (B, V, k)
        angles = self.angles.expand_as(candidates)
        prior = -0.5 * (angles / self.log_sigma_s.exp()) ** 2 - 0.5 * dist2 / self.log_sigma_r.exp() ** 2
        features = torch.cat(
            [angles[..., None], diff, dist2[..., None], (candidates - up[..., None])[..., None]], dim=-1
        )
        hp = h.transpose(0, 1)[:, :, None, :].expand(-1, -1, q.shape[1], -1)
        logits = prior + self.score(self.mlp(torch.cat([hp, features], dim=-1)))[..., 0]
        weights = logits.softmax(-1)
        return (weights * candidates).sum(-1), weights


class DepthSuperRes(nn.Module):
    """Guided depth super-resolution on the icosphere (see the module docstring).

    Args:
        config: the architecture.
    """

    def __init__(self, config: SuperResConfig = SuperResConfig()) -> None:
        super().__init__()
        self.config = config
        self.global_branch = GlobalGeometry(config)
        corners, weights = barycentric_table(config.in_level, config.level)
        self.register_buffer("corners", torch.from_numpy(np.array(corners)), persistent=False)
        self.register_buffer("weights", torch.from_numpy(np.array(weights)).float(), persistent=False)
        w, h = config.width, config.heads
        widths = [w] + [2 * w] * config.depth_levels  # fine to coarse
        self.encoder = nn.ModuleList(
            [GraphBlock(FINE_IN if i == 0 else widths[i - 1], c, h) for i, c in enumerate(widths)]
        )
        self.decoder = nn.ModuleList(
            [
                GraphBlock(widths[i + 1] + widths[i], widths[i], h)
                for i in reversed(range(config.depth_levels))
            ]
        )
        self.select = GuidedSelection(config)
        self.head = nn.Linear(w, 2)  # residual, gate logit
        nn.init.zeros_(self.head.weight)
        nn.init.constant_(self.head.bias, 0.0)
        with torch.no_grad():
            self.head.bias[1] = GATE_BIAS

    def num_parameters(self) -> int:
        """Trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def upsample(self, log_coarse: torch.Tensor) -> torch.Tensor:
        """(B, V) barycentric upsampling of (B, V_in) values (as :func:`core.panorama.upsample.barycentric_upsample`)."""
        return (log_coarse[:, self.corners] * self.weights).sum(-1)

    def forward(self, coarse_depth: torch.Tensor, rgb: torch.Tensor) -> dict[str, torch.Tensor]:
        """Full-resolution depth from low-resolution depth and full-resolution colors.

        Args:
            coarse_depth: (B, V_in) depth in metres (> 0) on ``in_level`` (:func:`core.panorama.superres.degrade`).
            rgb: (B, V, 3) colors in [0, 1] on ``level``.

        Returns:
            ``depth`` (B, V) metres and, all (B, V) in log metres, ``log_depth``, ``global`` (the
            low-rank field G), ``upsampled`` (U), ``selected`` (S), ``residual`` (F); ``gate`` (B, V) in (0, 1);
            ``coefficients`` (B, K).
        """
        cfg = self.config
        n_in, n = num_vertices(cfg.in_level), num_vertices(cfg.level)
        if coarse_depth.ndim != 2 or coarse_depth.shape[1] != n_in:
            raise ValueError(
                f"coarse_depth must be (B, {n_in}) for level {cfg.in_level}, got {tuple(coarse_depth.shape)}"
            )
        if rgb.shape != (len(coarse_depth), n, 3):
            raise ValueError(
                f"rgb must be ({len(coarse_depth)}, {n}, 3) for level {cfg.level}, got {tuple(rgb.shape)}"
            )
        log_coarse = coarse_depth.clamp_min(1e-3).log()
        coefficients, g = self.global_branch(log_coarse, rgb[:, :n_in])
        up = self.upsample(log_coarse)
        center = g.mean(1, keepdim=True)
        x = torch.stack([up - g, g - center], dim=-1)
        x = torch.cat([2 * rgb - 1, x], dim=-1).transpose(0, 1)  # (V, B, 5)
        x = torch.cat([x[..., :3], _z(cfg.level, x, x.shape[1]), x[..., 3:]], dim=-1)
        skips = []
        for i, block in enumerate(self.encoder):
            if i > 0:
                x = pool(x, cfg.level - i + 1)
            x = block(x, cfg.level - i)
            skips.append(x)
        for j, block in enumerate(self.decoder):
            level = cfg.level - cfg.depth_levels + j + 1
            x = block(torch.cat([unpool(x, level - 1), skips[-2 - j]], dim=-1), level)
        out = self.head(x).transpose(0, 1)  # (B, V, 2)
        residual, gate = out[..., 0], torch.sigmoid(out[..., 1])
        selected, _ = self.select(x, rgb, log_coarse, up)
        log_depth = g + gate * (selected - g) + residual
        return {
            "depth": log_depth.exp(),
            "log_depth": log_depth,
            "global": g,
            "upsampled": up,
            "selected": selected,
            "residual": residual,
            "gate": gate,
            "coefficients": coefficients,
        }


@torch.no_grad()
def predict_depth(
    model: DepthSuperRes, coarse_depth: np.ndarray, rgb: np.ndarray, batch: int = 4
) -> np.ndarray:
    """(S, V) float32 predicted depth (metres) for (S, V_in) coarse depth and (S, V, 3) colors."""
    model.eval()
    dev = next(model.parameters()).device
    out = []
    for i in range(0, len(rgb), batch):
        c = torch.as_tensor(coarse_depth[i : i + batch], dtype=torch.float32, device=dev)
        x = torch.as_tensor(rgb[i : i + batch], dtype=torch.float32, device=dev)
        out.append(model(c, x)["depth"].cpu())
    return torch.cat(out).numpy()


def check_superres(model: DepthSuperRes, antialias: int) -> dict[str, float]:
    """:func:`~core.panorama.superres.superres_scores` on the first :data:`CHECK_ROOMS` test rooms (what shipped weights record)."""
    cfg = model.config
    data = sphere_dataset("test", CHECK_ROOMS, cfg.level, antialias=antialias, sphere="fsaverage")
    pred = predict_depth(model, degrade(data["depth"], cfg.in_level), data["rgb"])
    return superres_scores(pred, data["depth"], cfg.level)
