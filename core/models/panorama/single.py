"""One panorama through a spherical U-Net: its input, predictions and, for a generated room, truth and errors.

What the app's Panoramas page shows. The network reads the image bilinearly at its icosphere
vertices (:func:`core.loaders.panorama.sample_at_directions`); a generated room's truth is
cast straight at the same vertices (:func:`core.panorama.dataset.sphere_sample`), so
predictions, truth and errors share the vertex ids 0..V-1.

An image taller than :data:`PREFILTER_HEIGHT` rows is first box-averaged down by a whole factor
(a 2048x1024 photo becomes 512x256, the size the page renders rooms at), so that one bilinear
sample per vertex reads the neighborhood the vertex stands for rather than one pixel of it.

**Metric scale** (``camera_height``): a single image does not fix the scale of a room, so the
depths can be scaled to an assumed camera height. The predicted floor (amodal layout
``floor``, vertices at least :data:`FLOOR_MIN_DEPRESSION_DEG` below the horizon) lies
``layout_depth * -z`` below the camera at each vertex; the median of these is the network's
own camera height (:func:`floor_height`), and every depth is multiplied by
``camera_height / median``, so that the floor lies ``camera_height`` metres below the camera.
Without a predicted floor the network's own metres are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from nodescope.core.loaders.panorama import sample_at_directions
from nodescope.core.models.panorama.evaluate import predict, score
from nodescope.core.models.panorama.unet import SphericalUNet
from nodescope.core.panorama.dataset import sphere_sample
from nodescope.core.panorama.metrics import normal_angles
from nodescope.core.panorama.render import render_panorama
from nodescope.core.panorama.scene import sample_scene

#: Fields of a prediction (and of the truth) that the maps show: (V,) or (V, 3) each.
MAP_FIELDS = ("depth", "class", "layout", "normal")
#: The truth's name for each field (``class`` is ``label`` in :func:`sphere_sample`).
TRUTH_FIELDS = {"depth": "depth", "class": "label", "layout": "layout", "normal": "normal"}
#: Images taller than this (rows) are box-averaged down by a whole factor before sampling.
PREFILTER_HEIGHT = 256
#: The camera height (metres) that fixes the scale of an image without ground truth.
DEFAULT_CAMERA_HEIGHT_M = 1.5
#: Floor vertices must lie this far below the horizon (degrees) to count for the scale.
FLOOR_MIN_DEPRESSION_DEG = 5.0
#: With fewer predicted floor vertices than this the scale is left alone.
MIN_FLOOR_VERTICES = 5


@dataclass(frozen=True)
class PanoramaPrediction:
    """One panorama on the network's V vertices.

    Attributes:
        image: (H, W, 3) uint8 equirectangular input.
        directions: (V, 3) float32 unit vertex directions (camera frame, z up).
        rgb: (V, 3) float32 input colors in [0, 1] at the vertices.
        pred: :func:`~core.models.panorama.evaluate.predict`'s fields for this panorama:
            ``depth`` (V,) metres, ``class`` and ``layout`` (V,) ids, ``normal`` (V, 3) unit...
        truth: for a generated room, the :data:`TRUTH_FIELDS` (``depth`` (V,) metres,
            ``class``, ``layout`` (V,) int64, ``normal`` (V, 3)); else None.
        errors: with the truth: ``depth`` (V,) signed metres (prediction - truth), ``class`` and
            ``layout`` (V,) bool (wrong), ``normal`` (V,) angle in degrees; else None.
        scores: with the truth: :func:`~core.models.panorama.evaluate.score` on this panorama
            (AbsRel, δ<1.25, mIoU, layout accuracy beside the band oracle...); else None.
        scale: the factor the network's depths were multiplied by (1.0: not rescaled).
        camera_height_m: the camera height the depths were scaled to, or None (not asked, or
            no predicted floor to scale by: the network's own metres).
    """

    image: np.ndarray
    directions: np.ndarray
    rgb: np.ndarray
    pred: dict[str, np.ndarray]
    truth: dict[str, np.ndarray] | None = None
    errors: dict[str, np.ndarray] | None = None
    scores: dict[str, float] | None = None
    scale: float = 1.0
    camera_height_m: float | None = None


def prefiltered(image: np.ndarray) -> np.ndarray:
    """(h, w, 3) uint8: ``image`` box-averaged by ``H // PREFILTER_HEIGHT`` when that is 2 or more, else itself."""
    factor = np.shape(image)[0] // PREFILTER_HEIGHT
    if factor < 2:
        return np.asarray(image)
    return np.asarray(Image.fromarray(np.asarray(image, np.uint8)).reduce(factor))


def floor_height(pred: dict[str, np.ndarray], directions: np.ndarray) -> float | None:
    """The network's own camera height (metres): the median height of its floor vertices below the camera.

    Args:
        pred: vertex predictions with ``layout`` (V,) ids and ``layout_depth`` (V,) metres.
        directions: (V, 3) unit vertex directions (z up).

    Returns:
        The median of ``layout_depth * -z`` over vertices predicted ``floor`` at least
        :data:`FLOOR_MIN_DEPRESSION_DEG` below the horizon; None with fewer than
        :data:`MIN_FLOOR_VERTICES` of them.
    """
    z = np.asarray(directions, np.float64)[:, 2]
    floor = (np.asarray(pred["layout"]) == 0) & (z < -np.sin(np.radians(FLOOR_MIN_DEPRESSION_DEG)))
    if floor.sum() < MIN_FLOOR_VERTICES:
        return None
    return float(np.median(np.asarray(pred["layout_depth"], np.float64)[floor] * -z[floor]))


def predict_image(
    model: SphericalUNet, image: np.ndarray, camera_height: float | None = None
) -> PanoramaPrediction:
    """Run the network on one (H, W, 3) uint8 equirectangular image (W = 2 H); no truth.

    Args:
        model: the network.
        image: the image (taller than :data:`PREFILTER_HEIGHT`: box-averaged first).
        camera_height: metres from the camera down to the floor: scale the depths to it (see
            the module docstring); None keeps the network's own metres.
    """
    directions = model.directions().numpy()
    small = prefiltered(image)
    rgb = (sample_at_directions(small, directions.astype(np.float64)) / 255.0).astype(np.float32)
    pred = {k: v[0] for k, v in predict(model, rgb[None]).items()}
    own = floor_height(pred, directions) if camera_height is not None else None
    if own is None or own <= 0:
        return PanoramaPrediction(image=np.asarray(image), directions=directions, rgb=rgb, pred=pred)
    factor = float(camera_height) / own
    for key in ("depth", "layout_depth"):
        pred[key] = (pred[key] * factor).astype(np.float32)
    return PanoramaPrediction(
        image=np.asarray(image), directions=directions, rgb=rgb, pred=pred,
        scale=factor, camera_height_m=float(camera_height),
    )  # fmt: skip


def error_maps(pred: dict[str, np.ndarray], truth: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-vertex errors (see :class:`PanoramaPrediction`'s ``errors``) of (V,)-shaped fields."""
    return {
        "depth": (pred["depth"] - truth["depth"]).astype(np.float32),
        "class": pred["class"] != truth["class"],
        "layout": pred["layout"] != truth["layout"],
        "normal": normal_angles(pred["normal"], truth["normal"]).astype(np.float32),
    }


def predict_room(
    model: SphericalUNet, seed: int, split: str = "test", width: int = 512
) -> PanoramaPrediction:
    """A generated room rendered at ``width`` x ``width / 2``, predicted, with its truth, errors and scores.

    Args:
        model: the network.
        seed: the room's seed within ``split``.
        split: ``train``, ``val``, ``test`` or ``ood`` (:data:`core.panorama.scene.SPLITS`).
        width: the rendered image's width in pixels (the height is half).
    """
    image = render_panorama(sample_scene(seed, split), width, width // 2).rgb
    out = predict_image(model, (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
    cast = sphere_sample(seed, split, out.directions[None])
    truth = {k: np.asarray(cast[t]) for k, t in TRUTH_FIELDS.items()}
    truth["class"] = truth["class"].astype(np.int64)
    truth["layout"] = truth["layout"].astype(np.int64)
    data = {t: np.asarray(cast[t])[None] for t in ("depth", "label", "layout", "layout_depth", "normal")}
    scores = score({k: v[None] for k, v in out.pred.items()}, data, model.config.level)
    return PanoramaPrediction(
        image=out.image,
        directions=out.directions,
        rgb=out.rgb,
        pred=out.pred,
        truth=truth,
        errors=error_maps(out.pred, truth),
        scores=scores,
    )
