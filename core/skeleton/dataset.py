"""2D-to-3D lifting data from BVH clips seen by virtual cameras, split by subject.

A folder of BVH clips (``../shared/data/mocap``: CMU clips named ``<subject>_<take>.bvh``) becomes
training pairs: each kept frame's 17 joints (:func:`~core.skeleton.mapping.clip_joints`, metres)
are seen by ``cameras`` independent random cameras (:func:`~core.skeleton.camera.random_camera`,
drawn around that frame's pelvis, so every pair meets the issue's ranges exactly), giving

- the 2D keypoints in pixels (optionally with Gaussian noise of ``noise_px`` per axis),
- the camera's focal length and image size (the principal point is the image centre),
- the 3D joints in the camera frame (OpenCV axes, metres), root-relative (pelvis at the origin).

The split is by subject, never by frame: the subject is the file name's prefix before ``_``,
and :func:`split_subjects` puts each subject in exactly one of train / val / test. Everything
is deterministic by ``seed``: a clip's cameras and noise come from a generator seeded with
``(seed, crc32(clip name))``, so they do not depend on which other clips are built with it.
For a fixed camera over a whole clip (animation, ``nodescope lift CLIP.bvh``) use
:func:`clip_camera`.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.skeleton.bvh import parse_bvh
from nodescope.core.skeleton.camera import Camera, add_noise, random_camera
from nodescope.core.skeleton.joints import NUM_JOINTS, ROOT, root_relative
from nodescope.core.skeleton.mapping import clip_joints


@dataclass(frozen=True)
class Clip:
    """One BVH clip's 17 joints.

    Attributes:
        name: the file's stem (``02_01``).
        subject: the file name's prefix before ``_`` (``02``).
        joints: (F, 17, 3) float64 world positions, metres (Y up), the rest frame dropped.
        frame_rate: frames per second.
        action: what the clip shows, from the folder's README table when it has one, else ``""``.
    """

    name: str
    subject: str
    joints: np.ndarray
    frame_rate: float
    action: str = ""


@dataclass(frozen=True)
class LiftingSet:
    """Pairs of 2D keypoints and root-relative 3D joints (M poses), with their cameras and origins.

    Attributes:
        keypoints_2d: (M, 17, 2) float32 pixels (noisy when ``noise_px`` > 0).
        focal: (M,) float32 focal length, pixels.
        image_size: (M, 2) int32 (width, height), pixels; the principal point is its centre.
        joints_3d: (M, 17, 3) float32 camera frame (x right, y down, z forward), metres,
            pelvis at the origin.
        root_depth: (M,) float32 the pelvis' depth z in the camera frame, metres.
        subject: (M,) str subject id of each pose.
        clip: (M,) int64 index into ``clip_names``.
        frame: (M,) int64 frame index within its clip (after the rest frame is dropped).
        clip_names: the clips' names.
        actions: each clip's action (``""`` when unknown), aligned with ``clip_names``.
        noise_px: the 2D noise's standard deviation, pixels.
    """

    keypoints_2d: np.ndarray
    focal: np.ndarray
    image_size: np.ndarray
    joints_3d: np.ndarray
    root_depth: np.ndarray
    subject: np.ndarray
    clip: np.ndarray
    frame: np.ndarray
    clip_names: tuple[str, ...]
    actions: tuple[str, ...] = field(default=())
    noise_px: float = 0.0

    def __len__(self) -> int:
        """M."""
        return int(self.keypoints_2d.shape[0])

    @property
    def subjects(self) -> list[str]:
        """The distinct subjects, sorted."""
        return sorted(set(self.subject.tolist()))


def subject_of(path: Path | str) -> str:
    """The subject of a clip: its file name's prefix before ``_`` (``02_01.bvh`` -> ``02``)."""
    return Path(path).stem.split("_", 1)[0]


def list_clips(folder: Path | str) -> list[Path]:
    """The ``.bvh`` files of ``folder``, sorted by name.

    Raises:
        LoadError: the folder does not exist or holds no BVH file.
    """
    folder = Path(folder)
    paths = sorted(folder.glob("*.bvh")) if folder.is_dir() else []
    if not paths:
        raise LoadError(f"No .bvh clips in '{folder}'.")
    return paths


def read_actions(folder: Path | str) -> dict[str, str]:
    """Clip name -> action, from a README table row ``| `02_01.bvh` | 2 | walk | ...`` (empty if none)."""
    readme = Path(folder) / "README.md"
    if not readme.is_file():
        return {}
    rows = re.findall(r"^\|\s*`([^`]+)\.bvh`\s*\|[^|]*\|([^|]+)\|", readme.read_text(), flags=re.MULTILINE)
    return {name: action.strip() for name, action in rows}


def load_clip(path: Path | str, *, stride: int = 1, action: str = "") -> Clip:
    """Read one BVH clip's 17 joints (every ``stride``-th frame after the rest frame is dropped).

    Raises:
        LoadError: the file cannot be parsed or lacks joints of the 17-joint mapping.
    """
    path = Path(path)
    parsed = parse_bvh(path.read_text(errors="replace"), path.name)
    joints, _ = clip_joints(parsed, path.name)
    return Clip(path.stem, subject_of(path), joints[::stride], parsed.frame_rate / stride, action)


def split_subjects(
    subjects: list[str], *, val: int = 1, test: int = 2, seed: int = 0
) -> dict[str, list[str]]:
    """Assign each subject to exactly one of ``train``, ``val``, ``test`` (shuffled by ``seed``).

    Args:
        subjects: subject ids (duplicates are ignored).
        val: how many subjects to hold out for validation.
        test: how many for testing.
        seed: the shuffle's seed.

    Raises:
        ValueError: fewer subjects than ``val + test + 1``.
    """
    unique = sorted(set(subjects))
    if len(unique) < val + test + 1:
        raise ValueError(f"{len(unique)} subjects cannot make {val} val, {test} test and a train split")
    order = [unique[i] for i in np.random.default_rng(seed).permutation(len(unique))]
    return {
        "train": sorted(order[val + test :]),
        "val": sorted(order[:val]),
        "test": sorted(order[val : val + test]),
    }


def _clip_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def clip_camera(joints: np.ndarray, seed: int) -> Camera:
    """One random camera for a whole clip, aimed at its mean pelvis.

    The distance is drawn in 3-6 m and lengthened by the pelvis' largest horizontal excursion
    from its mean, so a subject who walks across stays at least 3 m from the camera.

    Args:
        joints: (F, 17, 3) world positions, metres (Y up).
        seed: the camera's seed.
    """
    pelvis = joints[:, ROOT]
    centre = pelvis.mean(0)
    excursion = float(np.linalg.norm((pelvis - centre)[:, [0, 2]], axis=1).max())
    return random_camera(np.random.default_rng(seed), centre, extra_distance=excursion)


def framed_camera(joints: np.ndarray, seed: int = 0, tries: int = 100) -> Camera:
    """The first :func:`clip_camera` from ``seed`` on that sees every joint in every frame.

    Args:
        joints: (F, 17, 3) world positions, metres (Y up).
        seed: the first seed tried.
        tries: seeds tried (``seed`` .. ``seed + tries - 1``); if none frames the whole clip,
            :func:`clip_camera` with ``seed``.
    """
    for s in range(seed, seed + tries):
        camera = clip_camera(joints, s)
        pixels = camera.project(joints)
        if ((pixels >= 0) & (pixels <= (camera.width, camera.height))).all():
            return camera
    return clip_camera(joints, seed)


def view_clip(clip: Clip, *, cameras: int, noise_px: float, seed: int) -> dict[str, np.ndarray]:
    """Each frame of ``clip`` seen by ``cameras`` random cameras drawn around its pelvis.

    Returns:
        Arrays of :class:`LiftingSet` for this clip's F * cameras poses (frame-major), without
        the clip and subject columns.
    """
    rng = _clip_rng(seed, clip.name)
    frames = clip.joints.shape[0]
    n = frames * cameras
    kp = np.empty((n, NUM_JOINTS, 2))
    cam3d = np.empty((n, NUM_JOINTS, 3))
    focal, size = np.empty(n), np.empty((n, 2), dtype=np.int32)
    for i, world in enumerate(np.repeat(clip.joints, cameras, axis=0)):
        camera = random_camera(rng, world[ROOT])
        cam3d[i] = camera.to_camera(world)
        kp[i] = camera.project(world)
        focal[i], size[i] = camera.focal, (camera.width, camera.height)
    kp = add_noise(kp, noise_px, rng)
    return {
        "keypoints_2d": kp.astype(np.float32),
        "focal": focal.astype(np.float32),
        "image_size": size,
        "joints_3d": root_relative(cam3d).astype(np.float32),
        "root_depth": cam3d[:, ROOT, 2].astype(np.float32),
        "frame": np.repeat(np.arange(frames), cameras),
    }


def build_lifting_set(
    clips: list[Clip], *, cameras: int = 4, noise_px: float = 0.0, seed: int = 0
) -> LiftingSet:
    """See ``clips`` through random cameras (see the module docstring).

    Args:
        clips: the clips (read with :func:`load_clip`).
        cameras: cameras per frame.
        noise_px: standard deviation of the 2D noise, pixels per axis (0: exact projections).
        seed: the seed of every camera and of the noise.
    """
    parts = [view_clip(c, cameras=cameras, noise_px=noise_px, seed=seed) for c in clips]
    if not parts:
        raise ValueError("no clips to build a lifting set from")
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    counts = [len(p["focal"]) for p in parts]
    return LiftingSet(
        **arrays,
        subject=np.repeat(np.array([c.subject for c in clips]), counts),
        clip=np.repeat(np.arange(len(clips)), counts),
        clip_names=tuple(c.name for c in clips),
        actions=tuple(c.action for c in clips),
        noise_px=float(noise_px),
    )


def subject_split(
    folder: Path | str,
    *,
    splits: dict[str, list[str]] | None = None,
    stride: int = 4,
    cameras: int = 4,
    noise_px: float = 0.0,
    seed: int = 0,
) -> dict[str, LiftingSet]:
    """Lifting sets per split from a folder of BVH clips, split by subject.

    Args:
        folder: a folder of ``<subject>_<take>.bvh`` clips (``../shared/data/mocap``).
        splits: split name -> subjects; None: :func:`split_subjects` over the folder's subjects
            with ``seed``. A subject may appear in one split only.
        stride: keep every ``stride``-th frame of each clip (120 fps clips: 4 gives 30 fps).
        cameras: cameras per kept frame.
        noise_px: 2D noise, pixels per axis.
        seed: the seed of the split (when ``splits`` is None), the cameras and the noise.

    Returns:
        Split name -> :class:`LiftingSet`; splits without clips are left out.

    Raises:
        ValueError: a subject in two splits.
        LoadError: no clips, or a clip that cannot be read.
    """
    paths = list_clips(folder)
    if splits is None:
        splits = split_subjects([subject_of(p) for p in paths], seed=seed)
    owner: dict[str, str] = {}
    for name, subjects in splits.items():
        for s in subjects:
            if s in owner:
                raise ValueError(f"subject {s} is in both {owner[s]} and {name}")
            owner[s] = name
    actions = read_actions(folder)
    out = {}
    for name, subjects in splits.items():
        clips = [
            load_clip(p, stride=stride, action=actions.get(p.stem, ""))
            for p in paths
            if subject_of(p) in subjects
        ]
        if clips:
            out[name] = build_lifting_set(clips, cameras=cameras, noise_px=noise_px, seed=seed)
    return out
