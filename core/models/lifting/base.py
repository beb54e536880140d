"""The lifting models' shared config and base class: pixels in, camera-frame metres out."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from nodescope.core.models.lifting.normalize import normalize_keypoints, to_camera
from nodescope.core.skeleton.joints import NUM_JOINTS, ROOT


@dataclass(frozen=True)
class LifterConfig:
    """Everything that rebuilds a lifting model's architecture (not its weights).

    Attributes:
        model: ``mlp``, ``gcn`` or ``hopfir`` (a key of :data:`core.models.lifting.LIFTERS`).
        hidden: width: the MLP's linear layers, the GCN's and HopFIR's per-joint features.
        layers: residual blocks (MLP, GCN) or HopFIR layers.
        heads: attention heads (HopFIR; ignored by the others).
        dropout: dropout inside the blocks.
    """

    model: str
    hidden: int
    layers: int
    heads: int = 1
    dropout: float = 0.1

    def to_dict(self) -> dict[str, Any]:
        """The config as a JSON-serializable dict (what :meth:`from_dict` reads back)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LifterConfig:
        """Rebuild from :meth:`to_dict`'s output; unknown keys are a ``ValueError``."""
        extra = set(raw) - set(cls.__dataclass_fields__)
        if extra:
            raise ValueError(f"unknown lifter config keys: {', '.join(sorted(extra))}")
        return cls(**raw)


class Lifter(nn.Module):
    """2D keypoints (pixels) with their camera's focal length and image size -> 3D joints.

    Subclasses implement :meth:`lift` on the normalized input of
    :func:`~core.models.lifting.normalize.normalize_keypoints`; :meth:`forward` normalizes,
    lifts, puts the pelvis at the origin and turns the result into the camera frame.

    Shapes:
        forward: keypoints (B, 17, 2) pixels, focal (B,) pixels, image_size (B, 2) pixels
        -> (B, 17, 3) metres, camera frame (x right, y down, z forward), pelvis at the origin.
    """

    key: ClassVar[str] = ""

    def __init__(self, config: LifterConfig) -> None:
        """Keep ``config`` (subclasses build their layers after calling this)."""
        super().__init__()
        self.config = config

    def lift(self, x: Tensor) -> Tensor:
        """(B, 17, 3) canonical-frame joints, metres, from (B, 17, 2) normalized keypoints."""
        raise NotImplementedError

    def forward(self, keypoints: Tensor, focal: Tensor, image_size: Tensor) -> Tensor:
        """(B, 17, 3) root-relative camera-frame joints in metres (see the class docstring)."""
        x, rotation = normalize_keypoints(keypoints, focal, image_size)
        joints = self.lift(x)
        joints = joints - joints[:, ROOT : ROOT + 1]
        return to_camera(joints, rotation)

    def num_parameters(self) -> int:
        """Trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    @torch.no_grad()
    def predict(self, keypoints: Tensor, focal: Tensor, image_size: Tensor, batch: int = 4096) -> Tensor:
        """:meth:`forward` in eval mode without gradients, in batches of ``batch`` poses."""
        was = self.training
        self.eval()
        out = [
            self(keypoints[i : i + batch], focal[i : i + batch], image_size[i : i + batch])
            for i in range(0, keypoints.shape[0], batch)
        ]
        self.train(was)
        return torch.cat(out) if out else keypoints.new_zeros((0, NUM_JOINTS, 3))
