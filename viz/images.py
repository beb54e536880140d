"""Images as data URIs: the one way a figure carries pixels (layout images, backgrounds).

A data URI rides along every time a figure is sent to the browser, so the encoders are chosen
for size: PNG for photographs and renders, lossless WebP for masks (about half PNG's bytes).
"""

from __future__ import annotations

import base64
import io
from typing import Literal

import numpy as np

#: Encoder settings of each format: PNG optimized; WebP lossless at a medium effort.
_SAVE_OPTIONS = {
    "png": {"format": "PNG", "optimize": True},
    "webp": {"format": "WEBP", "lossless": True, "method": 4, "quality": 50},
}


def image_data_uri(
    image: np.ndarray, *, image_format: Literal["png", "webp"] = "png", max_width: int | None = None
) -> str:
    """Base64 data URI of an (H, W, 3) RGB or (H, W, 4) RGBA uint8 image.

    Args:
        image: (H, W, 3) or (H, W, 4) pixels, 0-255.
        image_format: ``"png"`` or ``"webp"`` (lossless).
        max_width: downsample (Lanczos, aspect kept) to at most this many pixels wide.

    Returns:
        ``"data:image/<format>;base64,..."``.

    Example:
        >>> image_data_uri(np.zeros((2, 3, 3), np.uint8))[:22]
        'data:image/png;base64,'
    """
    from PIL import Image  # only figures with images need PIL

    a = np.asarray(image)
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"image must have shape (H, W, 3) or (H, W, 4), not {a.shape}")
    im = Image.fromarray(a.astype(np.uint8, copy=False))  # RGB or RGBA from the shape
    if max_width is not None and im.width > max_width:
        im = im.resize((max_width, max(1, round(im.height * max_width / im.width))), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, **_SAVE_OPTIONS[image_format])
    return f"data:image/{image_format};base64," + base64.b64encode(buf.getvalue()).decode("ascii")
