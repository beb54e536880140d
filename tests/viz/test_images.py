"""Images as data URIs: PNG (downsampled when wide) and lossless WebP, RGB or RGBA."""

import base64
import doctest
import io

import numpy as np
import pytest
from PIL import Image

from nodescope.viz import images
from nodescope.viz.images import image_data_uri


def decode(uri: str) -> tuple[str, np.ndarray]:
    header, payload = uri.split(",", 1)
    return header, np.asarray(Image.open(io.BytesIO(base64.b64decode(payload))))


def test_docstring_example_runs():
    assert doctest.testmod(images, raise_on_error=True).attempted >= 1


def test_webp_is_lossless_and_keeps_alpha():
    rgba = np.random.default_rng(0).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    header, pixels = decode(image_data_uri(rgba, image_format="webp"))
    assert header == "data:image/webp;base64"
    visible = rgba[..., 3] > 0  # fully transparent pixels may lose their color
    np.testing.assert_array_equal(pixels[..., 3], rgba[..., 3])
    np.testing.assert_array_equal(pixels[visible], rgba[visible])


def test_png_is_downsampled_to_the_widest_allowed_keeping_the_aspect():
    rgb = np.full((40, 100, 3), 200, np.uint8)
    header, pixels = decode(image_data_uri(rgb, max_width=50))
    assert header == "data:image/png;base64" and pixels.shape == (20, 50, 3)
    assert decode(image_data_uri(rgb))[1].shape == (40, 100, 3)


def test_other_shapes_are_refused():
    with pytest.raises(ValueError, match="image must have shape"):
        image_data_uri(np.zeros((4, 4)))
