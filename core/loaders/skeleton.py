"""Skeletons: BVH motion capture, NPZ/NPY keypoint files, and a procedural walk and jump.

Every reader gives a ``skeleton`` :class:`~core.sample.Sample` of the 17 Human3.6M joints (see
the :mod:`core.sample` docstring for where the per-frame arrays live).

Formats:

- ``.bvh``: any hierarchy whose joint names :mod:`core.skeleton.mapping` can map onto the 17
  joints (CMU, Mixamo/LAFAN1, SMPL-style, 3ds Max Biped names); forward kinematics gives the
  3D joints in metres in the file's world axes (Y up), the unit guessed from the leg length
  and an added rest (T-pose) frame 0 dropped, each with a notice.
- ``.npy``: one array, (frames, 17, 2) pixel keypoints or (frames, 17, 3) metres; (17, 2) or
  (17, 3) is one frame.
- ``.npz``: 2D keypoints under ``keypoints_2d`` (or ``kp2d``), 3D joints under ``joints_3d``
  (or ``gt3d``, else ``pred3d``: what ``nodescope lift`` writes), optional ``focal`` (pixels),
  ``image_size`` (width, height in pixels) and ``frame_rate`` (frames per second). Read
  without pickle.

Bad input is refused with one line (:class:`~core.errors.LoadError`): a malformed hierarchy
(with its line), channel counts that do not match the motion rows, a ``Frames:`` count that
does not match, a hierarchy lacking joints of the 17 (named), the wrong joint count or
dimension, infinite values, and missing (NaN) keypoints over more than :data:`MAX_GAP`
frames in a row. Shorter gaps are filled by linear interpolation over time, per joint, with a
notice saying how many were filled.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.loaders.registry import Builtin, FileReader
from nodescope.core.sample import Sample
from nodescope.core.skeleton.bvh import parse_bvh
from nodescope.core.skeleton.dataset import framed_camera
from nodescope.core.skeleton.joints import JOINT_NAMES, NUM_JOINTS, edge_index
from nodescope.core.skeleton.mapping import clip_joints
from nodescope.core.skeleton.synthetic import jump, walk
from nodescope.core.validate import make_sample

#: The longest run of missing frames (per joint) filled by interpolation; longer runs are refused.
MAX_GAP = 5
#: At most this many frames (about 28 minutes at 120 fps).
MAX_FRAMES = 200_000
#: NPZ keys read as 2D keypoints and as 3D joints, in order of preference.
KEYS_2D = ("keypoints_2d", "kp2d")
KEYS_3D = ("joints_3d", "gt3d", "pred3d")
#: First seed tried for the virtual camera that makes the built-ins' 2D keypoints.
BUILTIN_CAMERA_SEED = 0


def skeleton_sample(
    *,
    name: str,
    source: str,
    joints_3d: np.ndarray | None = None,
    keypoints_2d: np.ndarray | None = None,
    frame_rate: float | None = None,
    camera: dict[str, float] | None = None,
    axes: str = "world, Y up",
    notices: list[str] | None = None,
) -> Sample:
    """Assemble a ``skeleton`` sample from checked per-frame arrays.

    Args:
        name: the display name.
        source: where it came from.
        joints_3d: (F, 17, 3) metres, or None.
        keypoints_2d: (F, 17, 2) pixels, or None (one of the two is needed).
        frame_rate: frames per second, when known.
        camera: ``focal``, ``width``, ``height`` of the 2D keypoints' image, when known.
        axes: what the 3D axes are (recorded in ``units["joints_3d"]``).
        notices: what was done while reading, for the user.
    """
    if joints_3d is None and keypoints_2d is None:
        raise ValueError("a skeleton needs 3D joints or 2D keypoints")
    first = joints_3d if joints_3d is not None else keypoints_2d
    extra: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    if joints_3d is not None:
        extra["joints_3d"] = np.ascontiguousarray(joints_3d.transpose(1, 0, 2), dtype=np.float32)
        extra["pos"] = joints_3d[0].astype(np.float32)
        units.update(pos="m", joints_3d=f"m ({axes})")
    if keypoints_2d is not None:
        extra["keypoints_2d"] = np.ascontiguousarray(keypoints_2d.transpose(1, 0, 2), dtype=np.float32)
        units["keypoints_2d"] = "px"
    return make_sample(
        kind="skeleton",
        name=name,
        source=source,
        num_nodes=NUM_JOINTS,
        edge_index=edge_index(),
        x=first[0],
        feature_names=["x", "y", "z"] if joints_3d is not None else ["u", "v"],
        extra=extra,
        node_names=list(JOINT_NAMES),
        units=units,
        frame_rate=frame_rate,
        camera=dict(camera or {}),
        notices=list(notices or []),
    )


def read_bvh(path: Path, companions: list[Path]) -> Sample:
    """Read a BVH clip's 17 joints (see the module docstring)."""
    _no_companions(path, companions)
    clip = parse_bvh(path.read_text(errors="replace"), path.name)
    if clip.num_frames > MAX_FRAMES:
        raise LoadError(
            f"{path.name} has {clip.num_frames:,} frames; Nodescope handles at most {MAX_FRAMES:,}."
        )
    joints, notices = clip_joints(clip, path.name)
    return skeleton_sample(
        name=path.name,
        source=str(path),
        joints_3d=joints,
        frame_rate=clip.frame_rate,
        notices=notices,
    )


def read_keypoints(path: Path, companions: list[Path]) -> Sample:
    """Read an NPY or NPZ file of 2D keypoints and/or 3D joints (see the module docstring)."""
    _no_companions(path, companions)
    notices: list[str] = []
    camera: dict[str, float] = {}
    frame_rate = None
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        kind = "NPZ archive" if path.suffix.lower() == ".npz" else "NumPy array file"
        raise LoadError(f"{path.name} is not a valid {kind} (or it holds Python objects).") from exc
    if isinstance(loaded, np.ndarray):
        arrays = {"array": loaded}
    else:
        with loaded:
            try:
                arrays = {k: loaded[k] for k in loaded.files}
            except ValueError as exc:  # object arrays need pickle, which user data never gets
                raise LoadError(f"{path.name} holds Python objects; save plain numbers.") from exc
    if len(arrays) == 1 and not set(arrays) & set(KEYS_2D + KEYS_3D):  # one unnamed array
        name, array = next(iter(arrays.items()))
        dim = array.shape[-1] if array.ndim else 0
        two, three = (array, None) if dim == 2 else (None, array)
        key2 = key3 = name
    else:
        key2 = next((k for k in KEYS_2D if k in arrays), None)
        key3 = next((k for k in KEYS_3D if k in arrays), None)
        if key2 is None and key3 is None:
            raise LoadError(
                f"{path.name} has arrays {sorted(arrays)}; put (frames, 17, 2) pixel keypoints under "
                "'keypoints_2d' and/or (frames, 17, 3) metres under 'joints_3d' (a time series NPZ loads "
                "with load_series / nodescope forecast)."
            )
        two = arrays[key2] if key2 else None
        three = arrays[key3] if key3 else None
        if key3 == "gt3d" and "pred3d" in arrays:
            notices.append("Read 'gt3d' as the 3D joints; 'pred3d' (a model's prediction) was left out.")
        camera = _camera(arrays, path.name)
        if "frame_rate" in arrays:
            frame_rate = _positive(arrays["frame_rate"], "frame_rate", path.name)
    two = _checked(two, 2, _label(key2), path.name, notices) if two is not None else None
    three = _checked(three, 3, _label(key3), path.name, notices) if three is not None else None
    if two is not None and three is not None and len(two) != len(three):
        raise LoadError(f"{path.name}: {len(two)} frames of 2D keypoints but {len(three)} of 3D joints.")
    return skeleton_sample(
        name=path.name,
        source=str(path),
        joints_3d=three,
        keypoints_2d=two,
        frame_rate=frame_rate,
        camera=camera,
        axes="axes as in the file",
        notices=notices,
    )


def _label(key: str | None) -> str:
    """How messages name an array: ``'kp2d'``, or ``the array`` for an NPY file."""
    return "the array" if key in (None, "array") else f"'{key}'"


def _no_companions(path: Path, companions: list[Path]) -> None:
    if companions:
        raise LoadError(f"{path.name} is a skeleton file; it takes no companion files.")


def _positive(value: np.ndarray, key: str, file: str) -> float:
    try:
        number = float(np.asarray(value, dtype=np.float64).reshape(-1)[0]) if np.size(value) == 1 else np.nan
    except (TypeError, ValueError):
        number = np.nan
    if not number > 0 or not np.isfinite(number):
        raise LoadError(f"{file}: '{key}' must be one positive number.")
    return number


def _camera(arrays: dict[str, np.ndarray], file: str) -> dict[str, float]:
    camera: dict[str, float] = {}
    if "focal" in arrays:
        camera["focal"] = _positive(arrays["focal"], "focal", file)
    if "image_size" in arrays:
        size = np.asarray(arrays["image_size"]).reshape(-1)
        if size.shape != (2,) or not np.issubdtype(size.dtype, np.number) or not (size > 0).all():
            raise LoadError(f"{file}: 'image_size' must be two positive numbers (width, height) in pixels.")
        camera["width"], camera["height"] = float(size[0]), float(size[1])
    return camera


def _checked(array: np.ndarray, dim: int, key: str, file: str, notices: list[str]) -> np.ndarray:
    """(F, 17, dim) float64 with short NaN gaps filled; refuse wrong shapes, inf and long gaps."""
    what = "pixel keypoints" if dim == 2 else "3D joints in metres"
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise LoadError(f"{file}: {key} holds {array.dtype} values; save numbers.")
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (NUM_JOINTS, dim):
        raise LoadError(
            f"{file}: {key} is {tuple(array.shape)}; expected (frames, {NUM_JOINTS}, {dim}) {what}, the "
            f"{NUM_JOINTS} joints in Human3.6M order ({', '.join(JOINT_NAMES[:3])}, ..., {JOINT_NAMES[-1]})."
        )
    frames = array.shape[0]
    if frames == 0:
        raise LoadError(f"{file}: {key} has no frames.")
    if frames > MAX_FRAMES:
        raise LoadError(f"{file}: {key} has {frames:,} frames; Nodescope handles at most {MAX_FRAMES:,}.")
    array = array.astype(np.float64)
    if np.isinf(array).any():
        frame, joint = (int(i) for i in np.argwhere(np.isinf(array))[0][:2])
        raise LoadError(f"{file}: {key} holds an infinite value ({JOINT_NAMES[joint]}, frame {frame}).")
    return _filled(array, key, file, notices)


def _filled(array: np.ndarray, key: str, file: str, notices: list[str]) -> np.ndarray:
    """Fill runs of at most :data:`MAX_GAP` frames where a joint is missing (NaN), linearly over time."""
    missing = np.isnan(array).any(-1)  # (F, 17): a joint with any NaN coordinate is missing
    if not missing.any():
        return array
    frames = array.shape[0]
    array = array.copy()
    for j in np.flatnonzero(missing.any(0)):
        run, start = _longest_run(missing[:, j])
        if run > MAX_GAP or run == frames:
            raise LoadError(
                f"{file}: {key} has the {JOINT_NAMES[j]} missing (NaN) in {run} frames in a row (frames "
                f"{start}-{start + run - 1}); gaps of at most {MAX_GAP} frames are filled: fill or cut it."
            )
        known = np.flatnonzero(~missing[:, j])
        for c in range(array.shape[-1]):
            array[:, j, c] = np.interp(np.arange(frames), known, array[known, j, c])  # ends: nearest
    notices.append(
        f"Filled {int(missing.sum())} missing (NaN) joint position(s) in {key} ({int(missing.any(0).sum())} "
        f"joint(s)) by linear interpolation between the neighboring frames (gaps of at most {MAX_GAP} "
        "frames; a gap at the start or end repeats the nearest frame)."
    )
    return array


def _longest_run(mask: np.ndarray) -> tuple[int, int]:
    """(length, start) of the longest run of True in a 1-D boolean array."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    return int(ends[k] - starts[k]), int(starts[k])


# ---------------------------------------------------------------- built-ins
def _builtin(
    key: str, title: str, make_joints: Callable[..., np.ndarray], fps: float
) -> Callable[[], Sample]:
    def load() -> Sample:
        joints = make_joints(fps=fps)
        camera = framed_camera(joints, BUILTIN_CAMERA_SEED)
        return skeleton_sample(
            name=title,
            source=f"builtin:{key}",
            joints_3d=joints,
            keypoints_2d=camera.project(joints),
            frame_rate=fps,
            camera={"focal": camera.focal, "width": float(camera.width), "height": float(camera.height)},
        )

    return load


BUILTINS = [
    Builtin(
        "skeleton-walk",
        "skeleton",
        "Walk (procedural skeleton)",
        "A 2.2 s straight walk from a parametric gait on the 17-joint skeleton, with its 2D view from a virtual camera.",
        _builtin("skeleton-walk", "Walk (procedural skeleton)", walk, 30.0),
    ),
    Builtin(
        "skeleton-jump",
        "skeleton",
        "Jump (procedural skeleton)",
        "A 2 s countermovement jump (crouch, arm swing, 0.4 s flight, landing) on the 17-joint skeleton, with its 2D view.",
        _builtin("skeleton-jump", "Jump (procedural skeleton)", jump, 30.0),
    ),
]
READERS = [
    FileReader("skeleton", (".bvh",), read_bvh),
    FileReader("skeleton", (".npy", ".npz"), read_keypoints),
]
