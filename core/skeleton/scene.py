"""What a lifting model sees of a skeleton sample: 2D keypoints, their camera, the 3D truth.

A ``skeleton`` :class:`~core.sample.Sample` holds 3D joints, 2D keypoints or both
(:mod:`core.loaders.skeleton`). :func:`lifting_view` turns any of them into the input of a
lifter and the truth to score it against:

- **3D in world axes** (BVH clips, the built-ins; ``units["joints_3d"]`` says ``world``): seen by
  :func:`~core.skeleton.dataset.framed_camera` (seed ``camera_seed``; seed 0 gives the built-ins'
  own 2D), the truth in that camera's frame, root-relative;
- **3D and 2D from a file** (e.g. ``nodescope lift``'s NPZ): the 2D as given, the 3D taken as
  already in that camera's frame, made root-relative;
- **2D only**: the 2D as given, no truth (no errors);
- **3D only in the file's axes**: treated as world axes with Y up, with a notice.

A camera the file does not give (2D input) is assumed: focal length :data:`DEFAULT_FOCAL_PX`
and the principal point at the centre of the keypoints' bounding box, with a notice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nodescope.core.sample import Sample
from nodescope.core.skeleton.dataset import framed_camera
from nodescope.core.skeleton.joints import root_relative

#: Focal length (pixels) assumed for 2D keypoints whose file gives none.
DEFAULT_FOCAL_PX = 1000.0


@dataclass(frozen=True)
class LiftingView:
    """A skeleton clip as a lifter's input and the truth to score it against.

    Attributes:
        keypoints_2d: (F, 17, 2) float64 exact (noise-free) pixel keypoints.
        focal: focal length, pixels.
        image_size: (width, height), pixels; the principal point is the image centre.
        truth_3d: (F, 17, 3) float64 metres, camera frame (x right, y down, z forward),
            pelvis at the origin; None for 2D-only input.
        notices: what was assumed, for the user.
    """

    keypoints_2d: np.ndarray
    focal: float
    image_size: tuple[float, float]
    truth_3d: np.ndarray | None
    notices: tuple[str, ...] = ()

    @property
    def num_frames(self) -> int:
        """F, the clip's frames."""
        return int(self.keypoints_2d.shape[0])


def lifting_view(sample: Sample, camera_seed: int = 0) -> LiftingView:
    """The lifter's view of a ``skeleton`` sample (see the module docstring).

    Args:
        sample: a ``skeleton`` sample.
        camera_seed: first seed of the virtual camera for 3D-only input.

    Raises:
        ValueError: ``sample`` is not a skeleton.
    """
    if sample.kind != "skeleton":
        raise ValueError(f"{sample.name} is a {sample.kind}, not a skeleton")
    joints, pixels = sample.frames_3d, sample.frames_2d
    world = "world" in sample.units.get("joints_3d", "")
    if joints is not None and (world or pixels is None):
        joints = joints.astype(np.float64)
        camera = framed_camera(joints, camera_seed)
        notices = (
            () if world else ("The 3D joints were taken as world axes with Y up (the file says nothing).",)
        )
        return LiftingView(
            keypoints_2d=camera.project(joints),
            focal=camera.focal,
            image_size=(float(camera.width), float(camera.height)),
            truth_3d=root_relative(camera.to_camera(joints)),
            notices=notices,
        )
    assert pixels is not None  # a skeleton sample has 3D joints or 2D keypoints
    pixels = pixels.astype(np.float64)
    notices: list[str] = []
    focal = sample.camera.get("focal")
    if focal is None:
        focal = DEFAULT_FOCAL_PX
        notices.append(f"No focal length in the file: {DEFAULT_FOCAL_PX:.0f} px assumed.")
    if "width" in sample.camera and "height" in sample.camera:
        size = (float(sample.camera["width"]), float(sample.camera["height"]))
    else:
        lo, hi = pixels.reshape(-1, 2).min(0), pixels.reshape(-1, 2).max(0)
        size = (float(lo[0] + hi[0]), float(lo[1] + hi[1]))  # the centre of the box is the image's
        notices.append("No image size in the file: the principal point is taken at the keypoints' centre.")
    truth = None if joints is None else root_relative(joints.astype(np.float64))
    return LiftingView(pixels, float(focal), size, truth, tuple(notices))
