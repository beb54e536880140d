"""Register a native sphere to fsaverage5: rigid, then non-rigid coarse to fine, then optional refinement.

The moving subject's sulc is first read at fsaverage5's vertex directions ``g`` (the
*grid*). A registration is a rotation ``Q`` and a deformation ``phi`` of the grid with
``fixed_sulc(phi(g)) ~ moving_sulc(Q^T g)``:

1. rigid: ``Q`` is found whatever the sphere's starting orientation: :data:`GLOBAL_ROTATIONS`
   rotations spread uniformly over all of SO(3) (Super-Fibonacci, Alexa 2022) and a grid over a
   ball of :data:`RIGID_SEARCH_DEG` about the identity are scored at icosphere level 2; the
   :data:`GLOBAL_SEEDS` best distinct ones are searched again on a finer ball about each, and the
   best is polished by gradient steps at levels 3 and 4. Its level-4 correlation is the
   *rigid score*; below :data:`POOR_RIGID_SCORE` the result carries a warning;
2. non-rigid (``method``): the SUGAR network (:mod:`core.models.sugar`) predicts Euler angles
   per grid vertex from the moving and fixed sulc in the rigid frame, and/or per-vertex Euler
   angle fields on levels 2, 3 and 4 (a cascade, each level adding to the coarser ones and
   to the network's field) are fitted by gradient steps of the losses in
   :mod:`core.registration.losses` (similarity, folds, areal and edge distortion, smoothness);
3. refine (``refine`` > 0): that many extra gradient steps of a level-5 field.

Every native vertex is then rotated by ``Q`` and by the angles interpolated (barycentric)
from the grid triangle holding it; the rare long thin native triangle that still flips is
relaxed (:func:`core.registration.warp.unfold`).

A right hemisphere is registered in the left one's frame (:func:`rh_frame`): its sphere is
mirrored and turned so that it looks like a left hemisphere, matched against fsaverage5's
right sulc carried into the same frame, and the result carried back. The network, trained on
left hemispheres against fsaverage5's left sulc, then serves both (on the reference subject
mirrored as a stand-in rh, the network alone gives sulc correlation 0.83 this way, 0.71 when
run in the rh frame against the rh sulc).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from scipy.spatial import cKDTree
from scipy.spatial.transform import Rotation

from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level, pool
from nodescope.core.geometry.resample import locate, resample
from nodescope.core.models.sugar import SHIPPED_DIR, SugarNet, load_sugar, shipped_sugar
from nodescope.core.registration.atlas import FIXED_LEVELS, fixed_sulc
from nodescope.core.registration.io import HEMIS, Subject
from nodescope.core.registration.losses import FixedMap, normalize, regularizers, similarity
from nodescope.core.registration.synthetic import synthetic_subject
from nodescope.core.registration.warp import euler_matrices, rotate, unfold, upsample

__all__ = [
    "METHODS", "RegistrationResult", "Weights", "fixed_maps", "overall_progress", "register", "register_subject",
    "synthetic_subject",
]  # fmt: skip

#: The grid (and fixed sphere) level: fsaverage5.
GRID_LEVEL = 5
#: Rigid search: rotations up to this angle, on a cubic grid of rotation vectors this many degrees apart.
RIGID_SEARCH_DEG = 45.0
RIGID_STEP_DEG = 7.5
#: Global rigid search: this many Super-Fibonacci rotations over SO(3) (mean spacing ~11 degrees) ...
GLOBAL_ROTATIONS = 1000
#: ... of which the best this many, at least :data:`SEED_SEPARATION_DEG` apart, are searched again
#: on a ball of :data:`LOCAL_SEARCH_DEG` (rotation vectors :data:`RIGID_STEP_DEG` apart) about each.
GLOBAL_SEEDS = 4
SEED_SEPARATION_DEG = 30.0
LOCAL_SEARCH_DEG = 22.5
#: A rigid score (level-4 sulc correlation after the rigid stage) below this is a poor match.
POOR_RIGID_SCORE = 0.5
#: Non-rigid cascade: (field level, level the losses are evaluated on, gradient steps).
CASCADE = ((2, 4, 20), (3, 4, 20), (4, 4, 20))
#: The same cascade after the network's field (``"net+fit"``): it starts close, so fewer steps.
NET_FIT_CASCADE = ((2, 4, 10), (3, 4, 10), (4, 4, 10))
#: Fixed surfaces (:mod:`core.registration.atlas`): fsaverage6's sulc is pooled onto the fsaverage5 grid.
FIXED_NAMES = tuple(FIXED_LEVELS)
#: Rotation vector (radians) of :func:`rh_frame`'s rotation, from :func:`fit_rh_frame`.
RH_FRAME_ROTVEC = (0.07791181, 0.22014794, -0.18407173)
#: Non-rigid methods (see :func:`register`) and the one ``"auto"`` picks when the SUGAR weights are shipped.
METHODS = ("fit", "net", "net+fit")
DEFAULT_METHOD = "net+fit"


@dataclass(frozen=True)
class Weights:
    """Weights of the regularizers against the similarity (1 - Pearson + 0.1 MSE)."""

    fold: float = 50.0
    areal: float = 1.0
    edge: float = 2.0
    smooth: float = 0.1


@dataclass(frozen=True)
class RegistrationResult:
    """A registration of a native sphere.

    Attributes:
        registered: (V, 3) float64 the moving sphere's vertices after registration, same radius as input.
        rigid: (V, 3) float64 the vertices after the rigid stage only.
        rotation: (3, 3) the rigid rotation (``rigid = moving @ rotation.T``).
        timings: seconds per stage (``read``, ``rigid``, ``nonrigid``, ``refine``, ``total``).
        stages: the stages that ran, in order.
        grid_angles: (10242, 3) float32 the non-rigid Euler angles (radians) at fsaverage5's
            vertex directions in the rigidly aligned frame (the left hemisphere's frame for
            ``rh``, :func:`rh_frame`); zeros for rigid only.
        rigid_score: Pearson correlation of the moving and fixed sulc at icosphere level 4
            after the rigid stage (unitless, -1..1).
        warnings: one line per problem found (a poor rigid match); empty when all is well.
        hemi: the atlas hemisphere registered onto (``"lh"`` or ``"rh"``).
    """

    registered: np.ndarray
    rigid: np.ndarray
    rotation: np.ndarray
    timings: dict[str, float]
    stages: tuple[str, ...]
    grid_angles: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 3), np.float32))
    rigid_score: float = float("nan")
    warnings: tuple[str, ...] = ()
    hemi: str = "lh"


@lru_cache(maxsize=4)
def fixed_maps(name: str, hemi: str = "lh") -> dict[int, FixedMap]:
    """The fixed sulc (normalized) of a hemisphere, readable at levels 2..5, coarser levels pooled (smoother).

    Args:
        name: the fixed surface (:data:`FIXED_NAMES`).
        hemi: ``"lh"`` or ``"rh"``: the atlas hemisphere whose sulc is matched (both share one sphere).
    """
    if name not in FIXED_NAMES:
        raise ValueError(f"fixed surface must be one of {FIXED_NAMES}, not {name!r}")
    if hemi not in HEMIS:
        raise ValueError(f"hemi must be one of {HEMIS}, not {hemi!r}")
    sulc = fixed_sulc(name, hemi)[1]
    for level in range(FIXED_LEVELS[name], GRID_LEVEL, -1):  # fsaverage6: each ico5 vertex's ico6 1-ring mean
        sulc = pool(torch.from_numpy(sulc), level).numpy()
    if hemi == "rh":  # read in the left hemisphere's frame: the value at g is the rh sulc at T g
        grid = icosphere_level(GRID_LEVEL).vertices.double()
        faces = icosphere_level(GRID_LEVEL).faces
        sulc = resample(sulc, faces, *locate(grid, faces, grid @ torch.from_numpy(rh_frame()).T)).numpy()
    values = _pyramid(normalize(sulc))
    return {level: FixedMap(v, level) for level, v in values.items()}


def rh_frame() -> np.ndarray:
    """(3, 3) ``T`` (det -1) taking the left hemisphere's frame to the right one's: ``p_rh = T p_lh``.

    A mirror (x -> -x) then the rotation :data:`RH_FRAME_ROTVEC` (17.0 degrees: FreeSurfer's two
    atlas spheres are not mirror images), as :func:`fit_rh_frame` finds it.
    """
    return Rotation.from_rotvec(RH_FRAME_ROTVEC).as_matrix() @ np.diag([-1.0, 1.0, 1.0])


def fit_rh_frame() -> np.ndarray:
    """(3, 3) :func:`rh_frame` found afresh.

    The mirror, then the rotation that best matches fsaverage5's mirrored left sulc to its right
    sulc (the rigid stage's search and polish). Takes seconds; :data:`RH_FRAME_ROTVEC` keeps its
    result (a test checks they agree).
    """
    ico = icosphere_level(GRID_LEVEL)
    grid = ico.vertices.double()
    mirror = np.diag([-1.0, 1.0, 1.0])
    # fsaverage5's left hemisphere mirrored, as a moving subject: its sulc at grid direction g is lh(M g).
    moving_sulc = resample(
        fsaverage5_map("sulc", "left"), ico.faces, *locate(grid, ico.faces, grid @ torch.from_numpy(mirror))
    )
    moving = _pyramid(normalize(moving_sulc.float()))
    right = _pyramid(normalize(fsaverage5_map("sulc", "right")))
    raw = {level: FixedMap(v, level) for level, v in right.items()}
    return _polish(_search(moving, raw), moving, raw) @ mirror


def _pyramid(values: torch.Tensor) -> dict[int, torch.Tensor]:
    """Grid values at levels 2..5 (pooled from 5)."""
    out = {GRID_LEVEL: values}
    for level in range(GRID_LEVEL, 2, -1):
        out[level - 1] = pool(out[level], level)
    return out


@lru_cache(maxsize=2)
def _ball_rotations(radius_deg: float) -> np.ndarray:
    """(K, 3, 3) rotations whose rotation vectors lie on a cubic grid inside a ball of ``radius_deg``."""
    n = int(radius_deg // RIGID_STEP_DEG)
    axis = np.radians(RIGID_STEP_DEG) * np.arange(-n, n + 1)
    vecs = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 3)
    vecs = vecs[np.linalg.norm(vecs, axis=1) <= np.radians(radius_deg) + 1e-9]
    return Rotation.from_rotvec(vecs).as_matrix()


def super_fibonacci(n: int) -> np.ndarray:
    """(n, 3, 3) rotations spread uniformly over SO(3): Super-Fibonacci spirals (Alexa, CVPR 2022).

    Example:
        >>> r = super_fibonacci(100)
        >>> r.shape, bool(np.allclose(r[0] @ r[0].T, np.eye(3)))
        ((100, 3, 3), True)
    """
    s = np.arange(n) + 0.5
    phi, psi = np.sqrt(2.0), 1.533751168755204288118041
    inner, outer = np.sqrt(s / n), np.sqrt(1.0 - s / n)
    alpha, beta = 2 * np.pi * s / phi, 2 * np.pi * s / psi
    quat = np.stack(
        [inner * np.sin(alpha), inner * np.cos(alpha), outer * np.sin(beta), outer * np.cos(beta)], 1
    )
    return Rotation.from_quat(quat).as_matrix()


@lru_cache(maxsize=1)
def _global_rotations() -> np.ndarray:
    """(K, 3, 3) the first search's candidates: the identity ball, then all of SO(3)."""
    return np.concatenate([_ball_rotations(RIGID_SEARCH_DEG), super_fibonacci(GLOBAL_ROTATIONS)])


def _scores(rotations: np.ndarray, moving: dict[int, torch.Tensor], fixed: dict[int, FixedMap]) -> np.ndarray:
    """(K,) correlation of the moving level-2 sulc with the fixed level-3 sulc read (nearest vertex) at ``R g``."""
    grid = icosphere_level(2).vertices.double().numpy()
    points = np.einsum("kij,vj->kvi", rotations, grid).reshape(-1, 3)
    target = fixed[3]
    nearest = cKDTree(target.vertices.double().numpy()).query(points, workers=-1)[1]
    read = target.values.numpy()[nearest].reshape(len(rotations), len(grid))
    read = read - read.mean(axis=1, keepdims=True)
    m = moving[2].numpy() - moving[2].numpy().mean()
    return read @ m / (np.linalg.norm(read, axis=1) * np.linalg.norm(m) + 1e-12)


def _seeds(rotations: np.ndarray, score: np.ndarray, k: int) -> list[np.ndarray]:
    """The ``k`` best-scoring rotations, each at least :data:`SEED_SEPARATION_DEG` from the better ones."""
    seeds: list[np.ndarray] = []
    for i in np.argsort(-score):
        if all(
            Rotation.from_matrix(rotations[i] @ s.T).magnitude() >= np.radians(SEED_SEPARATION_DEG)
            for s in seeds
        ):
            seeds.append(rotations[i])
            if len(seeds) == k:
                break
    return seeds


def _search(moving: dict[int, torch.Tensor], fixed: dict[int, FixedMap]) -> np.ndarray:
    """The rotation best matching the moving sulc to the fixed one, from any starting orientation.

    All of SO(3) (and a finer ball about the identity) is scored, then a ball about each of
    the :data:`GLOBAL_SEEDS` best distinct candidates; the best of these is returned.
    """
    rotations = _global_rotations()
    seeds = _seeds(rotations, _scores(rotations, moving, fixed), GLOBAL_SEEDS)
    local = np.concatenate([np.einsum("kij,jl->kil", _ball_rotations(LOCAL_SEARCH_DEG), s) for s in seeds])
    return local[int(np.argmax(_scores(local, moving, fixed)))]


def _rigid_score(rotation: np.ndarray, moving: dict[int, torch.Tensor], fixed: dict[int, FixedMap]) -> float:
    """Pearson correlation of the moving and fixed sulc at level 4 after ``rotation``."""
    grid = icosphere_level(4).vertices.double() @ torch.from_numpy(rotation).T
    read = fixed[4](grid.float()).double()
    return float(torch.corrcoef(torch.stack([moving[4].double(), read]))[0, 1])


def _polish(
    rotation: np.ndarray, moving: dict[int, torch.Tensor], fixed: dict[int, FixedMap], steps: int = 40
) -> np.ndarray:
    """Gradient steps on a rotation (three Euler angles on top of ``rotation``) at levels 3 then 4."""
    base = torch.from_numpy(rotation).float()
    delta = torch.zeros(1, 3, requires_grad=True)
    opt = torch.optim.Adam([delta], lr=0.02)
    for step in range(steps):
        level = 3 if step < steps // 2 else 4
        grid = icosphere_level(level).vertices @ base.T
        moved = grid @ euler_matrices(delta)[0].T
        loss = similarity(moving[level], fixed[level](moved))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == steps // 2:
            for group in opt.param_groups:
                group["lr"] = 0.005
    return euler_matrices(delta.detach())[0].double().numpy() @ rotation


def _fit(
    angles: dict[int, torch.Tensor],
    level: int,
    eval_level: int,
    steps: int,
    moving: dict[int, torch.Tensor],
    fixed: dict[int, FixedMap],
    weights: Weights,
    lr: float = 0.01,
) -> None:
    """Fit ``angles[level]`` (the other levels' fields held) by ``steps`` Adam steps of the losses on ``eval_level``."""
    param = angles[level].requires_grad_(True)
    opt = torch.optim.Adam([param], lr=lr)
    grid = icosphere_level(eval_level).vertices
    for _ in range(steps):
        moved = rotate(grid, _total(angles, eval_level))
        reg = regularizers(moved, eval_level, angles=param if level == eval_level else None)
        loss = similarity(moving[eval_level], fixed[eval_level](moved))
        loss = loss + weights.fold * reg["fold"] + weights.areal * reg["areal"] + weights.edge * reg["edge"]
        if "smooth" in reg:
            loss = loss + weights.smooth * reg["smooth"]
        opt.zero_grad()
        loss.backward()
        opt.step()
    param.requires_grad_(False)


def _total(angles: dict[int, torch.Tensor], level: int) -> torch.Tensor:
    """The sum of the cascade's angle fields (each on its own level) on ``level``."""
    return sum(upsample(a, lv, level) for lv, a in angles.items())


def _in_rigid_frame(moving_grid: FixedMap, rotation: np.ndarray) -> dict[int, torch.Tensor]:
    """The moving sulc at the grid directions after the rotation (``m(rotation^T g)``), levels 2..5."""
    grid = icosphere_level(GRID_LEVEL).vertices.double() @ torch.from_numpy(rotation)  # rows: rotation^T g
    return _pyramid(moving_grid(grid).float())


def _network_angles(
    model: SugarNet, moving: dict[int, torch.Tensor], fixed: dict[int, FixedMap]
) -> torch.Tensor:
    """(V, 3) the network's Euler angles on its level, moving and fixed sulc read in the same frame."""
    level = model.config.level
    with torch.no_grad():
        return model(torch.stack([moving[level], fixed[level].values], dim=1))


@lru_cache(maxsize=1)
def _shipped_model() -> SugarNet | None:
    path = shipped_sugar()
    return load_sugar(path) if path is not None else None


def register(
    moving_vertices: np.ndarray,
    moving_faces: np.ndarray,
    moving_sulc: np.ndarray,
    *,
    fixed: str = "fsaverage5",
    hemi: str = "lh",
    rigid_only: bool = False,
    refine: int = 0,
    device: torch.device | None = None,
    progress: Callable[[str, float], None] | None = None,
    weights: Weights = Weights(),
    method: str = "auto",
) -> RegistrationResult:
    """Register a native sphere to the fixed sphere (fsaverage5's sulc of hemisphere ``hemi``).

    Args:
        moving_vertices: (V, 3) the native sphere (any radius, centered on the origin).
        moving_faces: (F, 3) its triangles.
        moving_sulc: (V,) its sulcal depth.
        fixed: the fixed surface, :data:`FIXED_NAMES`: ``"fsaverage5"`` or ``"fsaverage6"`` (SUGAR's
            904-subject mean sulc, lh only; the fit still runs on the fsaverage5 grid).
        hemi: ``"lh"`` or ``"rh"``: the atlas hemisphere (its sulc) to register onto.
        rigid_only: stop after the rigid stage.
        refine: extra gradient steps at full resolution after the non-rigid stage.
        device: unused: the fit is small and latency-bound, so it stays on the CPU.
        progress: called with ``(stage, fraction done)``.
        weights: regularizer weights.
        method: non-rigid stage: ``"fit"`` (gradient cascade), ``"net"`` (the shipped SUGAR
            network alone), ``"net+fit"`` (the cascade starting from the network's field);
            ``"auto"``: :data:`DEFAULT_METHOD` when the weights are shipped, else ``"fit"``.

    Returns:
        The :class:`RegistrationResult`.
    """
    del device
    if method not in ("auto", *METHODS):
        raise ValueError(f"method must be 'auto' or one of {METHODS}, not {method!r}")
    model = _shipped_model() if method != "fit" else None
    if method == "auto":
        method = DEFAULT_METHOD if model is not None else "fit"
    elif model is None and method != "fit":
        raise ValueError(f"method {method!r} needs the shipped SUGAR weights in {SHIPPED_DIR}")
    say = progress or (lambda stage, fraction: None)
    start = time.perf_counter()
    timings: dict[str, float] = {}
    vertices = np.asarray(moving_vertices, dtype=np.float64)
    faces = np.asarray(moving_faces, dtype=np.int64)
    radius = float(np.linalg.norm(vertices, axis=1).mean())
    maps = fixed_maps(fixed, hemi)
    frame = rh_frame() if hemi == "rh" else np.eye(3)  # every stage runs in the left frame
    unit = (vertices / np.linalg.norm(vertices, axis=1, keepdims=True)) @ frame
    ico = icosphere_level(GRID_LEVEL)

    say("read", 0.0)
    t = time.perf_counter()
    grid_sulc = resample(np.asarray(moving_sulc, dtype=np.float64), faces, *locate(unit, faces, ico.vertices))
    moving = _pyramid(normalize(grid_sulc.float()))
    timings["read"] = time.perf_counter() - t

    say("rigid", 0.0)
    t = time.perf_counter()
    rotation = _polish(_search(moving, maps), moving, maps)
    rigid_score = _rigid_score(rotation, moving, maps)
    timings["rigid"] = time.perf_counter() - t
    notes = ()
    if rigid_score < POOR_RIGID_SCORE:
        notes = (
            f"poor rigid match: sulc correlation {rigid_score:.2f} < {POOR_RIGID_SCORE} after the rigid "
            "stage; check the hemisphere and that the moving file is a sphere with its sulc",
        )
    rigid = unit @ rotation.T
    stages = ["rigid"]
    grid_angles = torch.zeros(len(ico.vertices), 3)
    registered = rigid
    if not rigid_only:
        say("nonrigid", 0.0)
        t = time.perf_counter()
        # From here on the grid is fsaverage5's own directions in the rigidly aligned frame.
        moving = _in_rigid_frame(FixedMap(moving[GRID_LEVEL], GRID_LEVEL), rotation)
        angles = {level: torch.zeros(len(icosphere_level(level).vertices), 3) for level, _, _ in CASCADE}
        if model is not None:
            net = _network_angles(model, moving, maps)
            angles[model.config.level] = angles.get(model.config.level, 0) + net
        if method != "net":
            cascade = NET_FIT_CASCADE if model is not None else CASCADE
            for i, (level, eval_level, steps) in enumerate(cascade):
                say("nonrigid", (i + 1) / (len(cascade) + 1))
                _fit(angles, level, eval_level, steps, moving, maps, weights)
        timings["nonrigid"] = time.perf_counter() - t
        stages.append("nonrigid")
        if refine > 0:
            say("refine", 0.0)
            t = time.perf_counter()
            angles[GRID_LEVEL] = torch.zeros(len(ico.vertices), 3)
            _fit(angles, GRID_LEVEL, GRID_LEVEL, refine, moving, maps, weights, lr=0.002)
            timings["refine"] = time.perf_counter() - t
            stages.append("refine")
        t = time.perf_counter()
        grid_angles = _total(angles, GRID_LEVEL)
        tri, w = locate(ico.vertices.double(), ico.faces, rigid)
        registered = rotate(
            torch.from_numpy(rigid), resample(grid_angles.double(), ico.faces, tri, w)
        ).numpy()
        registered, _ = unfold(registered, unit, faces)
        timings["nonrigid"] += time.perf_counter() - t
    say("done", 1.0)
    timings["total"] = time.perf_counter() - start
    return RegistrationResult(
        registered=registered @ frame.T * radius,
        rigid=rigid @ frame.T * radius,
        rotation=frame @ rotation @ frame.T,
        timings=timings,
        stages=tuple(stages),
        grid_angles=grid_angles.float().numpy(),
        rigid_score=rigid_score,
        warnings=notes,
        hemi=hemi,
    )


def register_subject(moving: Subject, **options: Any) -> RegistrationResult:
    """Register a :class:`~core.registration.io.Subject`'s native sphere by its sulc (see :func:`register`).

    Args:
        moving: the subject to register.
        **options: :func:`register`'s keyword arguments (``fixed``, ``rigid_only``, ``refine``, ...);
            ``hemi`` defaults to the subject's.
    """
    return register(moving.sphere, moving.faces, moving.sulc, **{"hemi": moving.hemi, **options})


#: Share of the whole run (from, to) and a text for each stage :func:`register` reports.
STAGES = {
    "read": (0.0, 0.05, "reading the moving sulc"),
    "rigid": (0.05, 0.25, "rigid: searching rotations"),
    "nonrigid": (0.25, 0.9, "non-rigid: coarse to fine"),
    "refine": (0.9, 0.99, "refining"),
    "done": (1.0, 1.0, "done"),
}


def overall_progress(stage: str, fraction: float) -> tuple[float, str]:
    """A ``(stage, fraction done)`` report of :func:`register` as the whole run's fraction and a text.

    Returns:
        ``(fraction of the whole run in [0, 1], what the stage does)``.

    Example:
        >>> overall_progress("nonrigid", 0.5)
        (0.575, 'non-rigid: coarse to fine')
    """
    lo, hi, text = STAGES.get(stage, (0.0, 1.0, stage))
    return min(1.0, lo + (hi - lo) * min(max(fraction, 0.0), 1.0)), text
