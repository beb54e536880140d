"""Scores of panorama predictions: depth, classes, layout, normals, and the layout band oracle.

Every function pools all the elements it is given (one image, or a whole split stacked) and
takes optional per-element ``weights``: on an equirectangular image, pixels weighted by the
cosine of their latitude (:func:`equirect_weights`) count the sphere's area evenly; on the
icosphere the vertices already sample it almost evenly (:func:`vertex_weights` gives their
exact areas).
"""

from __future__ import annotations

import numpy as np

from nodescope.core.geometry.sphere import pixel_to_latlon, xyz_to_latlon


def equirect_weights(height: int, width: int) -> np.ndarray:
    """(H, W) float64 cosine-of-latitude weights of an equirectangular image's pixels, mean 1."""
    lat, _ = pixel_to_latlon(0, np.arange(height), width, height)
    w = np.repeat(np.cos(np.radians(lat))[:, None], width, axis=1)
    return w / w.mean()


def vertex_weights(level: int, sphere: str = "icosphere") -> np.ndarray:
    """(N,) float64 area of each icosphere vertex's cell (a third of its triangles), mean 1.

    ``sphere``: the icosphere family (:data:`core.panorama.dataset.SPHERES`).
    """
    from nodescope.core.panorama.dataset import sphere_mesh

    v, f = sphere_mesh(level, sphere)
    tri = v[f]
    area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1) / 2
    w = np.bincount(f.ravel(), np.repeat(area / 3, 3), minlength=len(v))
    return w / w.mean()


def vertex_latitudes(level: int, sphere: str = "icosphere") -> np.ndarray:
    """(N,) float64 latitude (degrees) of each icosphere vertex (``sphere``: the icosphere family)."""
    from nodescope.core.panorama.dataset import sphere_mesh

    return xyz_to_latlon(sphere_mesh(level, sphere)[0])[:, 0]


def _weights(weights: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    return np.ones(shape) if weights is None else np.broadcast_to(np.asarray(weights, np.float64), shape)


def weighted_accuracy(pred: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Weighted share of elements where ``pred == target`` (class ids, any equal shapes)."""
    w = _weights(weights, np.shape(target))
    return float((w * (np.asarray(pred) == np.asarray(target))).sum() / w.sum())


def mean_iou(
    pred: np.ndarray, target: np.ndarray, num_classes: int, weights: np.ndarray | None = None
) -> float:
    """Mean intersection over union of the classes present in ``pred`` or ``target``.

    Args:
        pred: predicted class ids, any shape.
        target: true class ids, the same shape.
        num_classes: number of classes C; ids outside 0..C-1 are ignored.
        weights: optional per-element weights (broadcast to the shape).
    """
    p, t = np.asarray(pred).ravel(), np.asarray(target).ravel()
    w = _weights(weights, np.shape(target)).ravel()
    ok = (t >= 0) & (t < num_classes) & (p >= 0) & (p < num_classes)
    p, t, w = p[ok], t[ok], w[ok]
    inter = np.bincount(t[p == t], w[p == t], minlength=num_classes)
    union = np.bincount(t, w, minlength=num_classes) + np.bincount(p, w, minlength=num_classes) - inter
    present = union > 0
    return float((inter[present] / union[present]).mean()) if present.any() else float("nan")


def depth_abs_rel(pred: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Mean absolute relative depth error ``|pred - target| / target`` over targets > 0."""
    p, t = np.asarray(pred, np.float64), np.asarray(target, np.float64)
    w = _weights(weights, t.shape) * (t > 0)
    return float((w * np.abs(p - t) / np.where(t > 0, t, 1)).sum() / w.sum())


def depth_delta(
    pred: np.ndarray, target: np.ndarray, threshold: float = 1.25, weights: np.ndarray | None = None
) -> float:
    """Share of elements with ``max(pred / target, target / pred) < threshold`` (δ<1.25 by default)."""
    p, t = np.asarray(pred, np.float64), np.asarray(target, np.float64)
    w = _weights(weights, t.shape) * (t > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.maximum(p / t, t / p)
    return float((w * (ratio < threshold)).sum() / w.sum())


def normal_angles(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Angle (degrees) between (..., 3) predicted and true normals (normalized first)."""
    p = np.asarray(pred, np.float64)
    t = np.asarray(target, np.float64)
    p = p / np.maximum(np.linalg.norm(p, axis=-1, keepdims=True), 1e-12)
    t = t / np.maximum(np.linalg.norm(t, axis=-1, keepdims=True), 1e-12)
    return np.degrees(np.arccos(np.clip((p * t).sum(-1), -1, 1)))


def median_normal_angle(pred: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Weighted median angle (degrees) between (..., 3) predicted and true normals."""
    a = normal_angles(pred, target)
    w = _weights(weights, a.shape).ravel()
    a = a.ravel()
    order = np.argsort(a)
    cum = np.cumsum(w[order])
    return float(a[order][np.searchsorted(cum, cum[-1] / 2)])


def band_oracle(
    layout: np.ndarray, lat: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, float, float]:
    """The best latitude band for one image's layout, chosen on its own ground truth (an oracle).

    The band predicts floor below ``lat_floor``, ceiling above ``lat_ceiling`` and wall in
    between; both thresholds are picked to maximize the weighted accuracy against
    ``layout``, over all cuts between distinct latitudes (exact, by prefix sums).

    Args:
        layout: (N,) layout ids of one image (0 floor, 1 wall, 2 ceiling).
        lat: (N,) latitude of each element, degrees.
        weights: (N,) optional weights (cos latitude for pixels, areas for vertices).

    Returns:
        ``(accuracy, lat_floor, lat_ceiling)``.
    """
    w = _weights(weights, np.shape(layout)).ravel()
    y = np.asarray(layout).ravel()
    levels, inv = np.unique(np.asarray(lat, np.float64).ravel(), return_inverse=True)
    per = np.zeros((3, len(levels)))
    for k in range(3):
        per[k] = np.bincount(inv, w * (y == k), minlength=len(levels))
    # Cut i: levels[:i] are floor. F[i] - W[i] + max over j >= i of (W[j] - C[j]) + C[total].
    zero = np.zeros((3, 1))
    cum = np.concatenate([zero, np.cumsum(per, axis=1)], axis=1)  # (3, L + 1)
    floor_gain = cum[0] - cum[1]
    ceil_gain = cum[1] - cum[2]
    best_j = np.maximum.accumulate(ceil_gain[::-1])[::-1]
    score = floor_gain + best_j + cum[2, -1]
    i = int(np.argmax(score))
    j = i + int(np.argmax(ceil_gain[i:]))
    edges = np.concatenate([[-90.0], (levels[1:] + levels[:-1]) / 2, [90.0]])
    return float(score[i] / w.sum()), float(edges[i]), float(edges[j])


def band_oracle_accuracy(
    layouts: np.ndarray, lat: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """(S,) :func:`band_oracle` accuracy of each of (S, N) layouts sharing (N,) latitudes."""
    return np.array([band_oracle(y, lat, weights)[0] for y in np.asarray(layouts)])
