"""2D-to-3D human pose lifting on the 17-joint skeleton: an MLP, a SemGCN-style GCN, HopFIR.

Every model maps (B, 17, 2) pixel keypoints, the focal length (B,) and image size (B, 2) in pixels
to (B, 17, 3) root-relative joints in metres in the camera frame (OpenCV axes), normalizing
inside (:mod:`~core.models.lifting.normalize`). These are not node classifiers, so they are not
in :data:`core.models.MODELS`; :data:`LIFTERS` is their registry. :mod:`~core.models.lifting.training`
is the recipe that trains the shipped weights (``nodescope train skeleton``, ``examples/train_lifting.py``).
"""

from nodescope.core.models.lifting.base import Lifter, LifterConfig
from nodescope.core.models.lifting.checkpoint import load_lifter, save_lifter, shipped_lifter
from nodescope.core.models.lifting.hopfir import LIMBS, HopFIRAttention, HopFIRLifter, hop_masks, limb_mask
from nodescope.core.models.lifting.mlp import MLPLifter
from nodescope.core.models.lifting.normalize import canonical_rotation, normalize_keypoints, rays, to_camera
from nodescope.core.models.lifting.registry import DEFAULT_CONFIGS, LIFTERS, TITLES, build_lifter
from nodescope.core.models.lifting.semgcn import SemGCNLifter, bone_adjacency

__all__ = [
    "DEFAULT_CONFIGS",
    "LIFTERS",
    "LIMBS",
    "TITLES",
    "HopFIRAttention",
    "HopFIRLifter",
    "Lifter",
    "LifterConfig",
    "MLPLifter",
    "SemGCNLifter",
    "bone_adjacency",
    "build_lifter",
    "canonical_rotation",
    "hop_masks",
    "limb_mask",
    "load_lifter",
    "normalize_keypoints",
    "rays",
    "save_lifter",
    "shipped_lifter",
    "to_camera",
]
