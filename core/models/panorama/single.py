"""One panorama through a spherical U-Net: its input, predictions and, for a generated room, truth and errors.

What the app's Panoramas page shows. The network reads the image bilinearly at its icosphere
vertices (:func:`core.loaders.panorama.sample_at_directions`); a generated room's truth is
cast straight at the same vertices (:func:`core.panorama.dataset.sphere_sample`), so
predictions, truth and errors share the vertex ids 0..V-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    """

    image: np.ndarray
    directions: np.ndarray
    rgb: np.ndarray
    pred: dict[str, np.ndarray]
    truth: dict[str, np.ndarray] | None = None
    errors: dict[str, np.ndarray] | None = None
    scores: dict[str, float] | None = None


def predict_image(model: SphericalUNet, image: np.ndarray) -> PanoramaPrediction:
    """Run the network on one (H, W, 3) uint8 equirectangular image (W = 2 H); no truth."""
    directions = model.directions().numpy()
    rgb = (sample_at_directions(image, directions.astype(np.float64)) / 255.0).astype(np.float32)
    pred = {k: v[0] for k, v in predict(model, rgb[None]).items()}
    return PanoramaPrediction(image=np.asarray(image), directions=directions, rgb=rgb, pred=pred)


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
