"""``nodescope lift``: 2D keypoints to 3D joints with a shipped lifting model (HopFIR, SemGCN, MLP).

Two forms:

- ``nodescope lift KEYPOINTS.npy --focal F --size W H [--model hopfir|gcn|mlp] --out JOINTS3D.npy``
  reads (frames, 17, 2) pixel coordinates (a single (17, 2) pose is one frame) in the Human3.6M
  joint order (:data:`core.skeleton.joints.JOINT_NAMES`), taken by a camera of focal length
  ``F`` pixels whose principal point is the centre of its ``W`` x ``H`` image, and writes
  (frames, 17, 3) float32 metres in that camera's frame (x right, y down, z forward), pelvis at
  the origin, in the same joint order. A ``.npz`` works too, read as the app reads keypoint files
  (:mod:`core.loaders.skeleton`: keypoints under ``keypoints_2d`` or ``kp2d``, or its only array;
  gaps of a few NaN frames filled), with ``focal`` and ``image_size`` (width, height) taken from
  it when ``--focal``/``--size`` are not given (what this command's ``.bvh`` form writes).
- ``nodescope lift CLIP.bvh --camera-seed S [--noise PX] --out FILE.npz`` reads a BVH clip, sees
  it through one random virtual camera (:func:`core.skeleton.dataset.clip_camera` with seed
  ``S``), lifts that 2D and writes ``gt3d`` and ``pred3d`` (frames, 17, 3) metres (camera
  frame, root-relative), ``kp2d`` (frames, 17, 2) pixels, ``mpjpe`` and ``p_mpjpe`` (mm),
  ``per_joint_mpjpe`` (17,) mm, ``focal`` and ``image_size``, and ``joint_names``.

Weights: the shipped ones (``assets/models/skeleton/<model>``), or ``--weights`` (a checkpoint of
:mod:`core.models.lifting.checkpoint`). Bad input (wrong shape, missing or infinite values, a
missing ``--focal``/``--size`` for a ``.npy``, an unreadable file) exits 2 with one line.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nodescope.core.errors import LoadError

if TYPE_CHECKING:
    import numpy as np

    from nodescope.core.models.lifting import Lifter

MODELS = ("hopfir", "gcn", "mlp")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``lift`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("lift", help="lift 2D keypoints (.npy/.npz) or a BVH clip's virtual view to 3D joints")
    p.add_argument("input", type=Path, help="(frames, 17, 2) pixel keypoints (.npy/.npz), or a .bvh clip")
    p.add_argument("--focal", type=float, help="focal length in pixels (.npy input)")
    p.add_argument(
        "--size", type=int, nargs=2, metavar=("W", "H"), help="image width and height in pixels (.npy)"
    )
    p.add_argument("--model", choices=MODELS, default="hopfir", help="the lifting model (default hopfir)")
    p.add_argument("--weights", type=Path, help="a lifter checkpoint instead of the shipped weights")
    p.add_argument(
        "--camera-seed", type=int, default=0, help="seed of the virtual camera (.bvh input, default 0)"
    )
    p.add_argument(
        "--noise", type=float, default=0.0, help="2D noise in pixels per axis (.bvh input, default 0)"
    )
    p.add_argument(
        "--out", type=Path, required=True, help="JOINTS3D.npy (.npy input) or FILE.npz (.bvh input)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Lift and write (see the module docstring).

    Returns:
        0.

    Raises:
        LoadError: bad input, missing weights, or an output that cannot be written.
    """
    suffix = args.input.suffix.lower()
    if suffix not in (".npy", ".npz", ".bvh"):
        raise LoadError(
            f"{args.input.name}: nodescope lift reads a .npy or .npz of 2D keypoints or a .bvh clip."
        )
    if not args.input.is_file():
        raise LoadError(f"No file at {args.input}.")
    if suffix in (".npy", ".npz"):
        return _lift_npy(args)
    return _lift_bvh(args)


def _model(key: str, weights: Path | None) -> Lifter:
    from nodescope.core.models.lifting import load_lifter, shipped_lifter

    path = weights if weights is not None else shipped_lifter(key)
    if path is None:
        raise LoadError(
            f"No shipped {key} weights; train them (examples/train_lifting.py --ship) or give --weights."
        )
    model, _ = load_lifter(path)
    if weights is not None and model.config.model != key:
        raise LoadError(
            f"{weights.name} holds a {model.config.model} model, not {key}; pass --model {model.config.model}."
        )
    return model


def read_keypoints(path: Path) -> np.ndarray:
    """(frames, 17, 2) float64 pixel keypoints from a ``.npy`` (never unpickled).

    Raises:
        LoadError: unreadable, not numeric, the wrong shape, or missing (NaN) / infinite values.
    """
    import numpy as np

    from nodescope.core.skeleton.joints import NUM_JOINTS

    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise LoadError(f"{path.name} is not a readable .npy array ({str(exc).splitlines()[0]}).") from exc
    if array.dtype.kind not in "iuf":
        raise LoadError(f"{path.name} holds {array.dtype} values, not numbers.")
    if array.shape == (NUM_JOINTS, 2):
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (NUM_JOINTS, 2) or array.shape[0] == 0:
        raise LoadError(
            f"{path.name} has shape {array.shape}; nodescope lift needs (frames, {NUM_JOINTS}, 2) pixel keypoints."
        )
    bad = ~np.isfinite(array)
    if bad.any():
        frames = np.flatnonzero(bad.any(axis=(1, 2)))
        raise LoadError(
            f"{path.name} has {int(bad.sum())} missing (NaN) or infinite coordinate(s) in {len(frames)} frame(s) "
            f"(first: frame {int(frames[0])}); fill them first."
        )
    return array.astype(np.float64)


def _lift(model: Lifter, keypoints: np.ndarray, focal: float, size: tuple[int, int]) -> np.ndarray:
    import torch

    frames = keypoints.shape[0]
    device = next(model.parameters()).device
    out = model.predict(
        torch.as_tensor(keypoints, dtype=torch.float32, device=device),
        torch.full((frames,), float(focal), device=device),
        torch.tensor([size], dtype=torch.float32, device=device).expand(frames, 2),
    )
    return out.cpu().numpy()


def _lift_npy(args: argparse.Namespace) -> int:
    import numpy as np

    keypoints = _npz_keypoints(args) if args.input.suffix.lower() == ".npz" else None
    if args.focal is None or args.size is None:
        raise LoadError(
            f"{args.input.name} needs --focal F and --size W H (pixels; principal point at the "
            "centre), unless a .npz holds 'focal' and 'image_size'."
        )
    if not (args.focal > 0 and min(args.size) > 0 and np.isfinite(args.focal)):
        raise LoadError("--focal and --size must be positive.")
    keypoints = read_keypoints(args.input) if keypoints is None else keypoints
    model = _model(args.model, args.weights)
    joints = _lift(model, keypoints, args.focal, tuple(args.size)).astype(np.float32)
    _write(args.out, lambda f: np.save(f, joints))
    print(
        f"{args.input.name}: {joints.shape[0]} frame(s) lifted by {model.config.model} -> {args.out} {joints.shape}"
    )
    return 0


def _npz_keypoints(args: argparse.Namespace) -> np.ndarray:
    """(frames, 17, 2) keypoints of a ``.npz``, read as the app reads it (:func:`core.loaders.skeleton.read_keypoints`).

    ``--focal`` and ``--size`` not given are filled from the file's ``focal`` and ``image_size``.

    Raises:
        LoadError: what the reader refuses, or a file with 3D joints and no 2D keypoints.
    """
    import numpy as np

    from nodescope.core.loaders.skeleton import read_keypoints as read_skeleton

    sample = read_skeleton(args.input, [])
    if sample.frames_2d is None:
        raise LoadError(f"{args.input.name} holds 3D joints but no 2D keypoints; put them under 'kp2d'.")
    camera = sample.camera
    if args.focal is None:
        args.focal = camera.get("focal")
    if args.size is None and "width" in camera:
        args.size = [int(round(camera["width"])), int(round(camera["height"]))]
    return sample.frames_2d.astype(np.float64)


def _lift_bvh(args: argparse.Namespace) -> int:
    import numpy as np

    from nodescope.core.skeleton.camera import add_noise
    from nodescope.core.skeleton.dataset import clip_camera, load_clip
    from nodescope.core.skeleton.joints import JOINT_NAMES, root_relative
    from nodescope.core.skeleton.metrics import joint_errors, p_mpjpe

    if not (args.noise >= 0 and np.isfinite(args.noise)):
        raise LoadError("--noise must be 0 or more pixels.")
    clip = load_clip(args.input)
    model = _model(args.model, args.weights)
    camera = clip_camera(clip.joints, args.camera_seed)
    kp2d = add_noise(camera.project(clip.joints), args.noise, np.random.default_rng(args.camera_seed))
    gt3d = root_relative(camera.to_camera(clip.joints))
    pred3d = _lift(model, kp2d, camera.focal, (camera.width, camera.height)).astype(np.float64)
    errors = joint_errors(pred3d, gt3d)
    result = {
        "gt3d": gt3d.astype(np.float32),
        "kp2d": kp2d.astype(np.float32),
        "pred3d": pred3d.astype(np.float32),
        "mpjpe": np.float64(errors.mean()),
        "p_mpjpe": np.float64(p_mpjpe(pred3d, gt3d)),
        "per_joint_mpjpe": errors.mean(0),
        "focal": np.float64(camera.focal),
        "image_size": np.array([camera.width, camera.height], dtype=np.int32),
        "joint_names": np.array(JOINT_NAMES),
    }
    _write(args.out, lambda f: np.savez(f, **result))
    print(
        f"{clip.name}: {len(gt3d)} frames, camera seed {args.camera_seed} (focal {camera.focal:.0f} px, "
        f"{camera.width}x{camera.height}), {model.config.model}: MPJPE {result['mpjpe']:.1f} mm, "
        f"P-MPJPE {result['p_mpjpe']:.1f} mm -> {args.out}"
    )
    return 0


def _write(path: Path, write: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write(f)  # type: ignore[operator]
    except OSError as exc:
        raise LoadError(f"Cannot write {path} ({exc.strerror}).") from exc
