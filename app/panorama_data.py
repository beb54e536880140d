"""What the Panoramas page computes and caches: the shipped spherical U-Net and its predictions.

The network is loaded once (``st.cache_resource``); a generated room's render, predictions,
truth and scores (:func:`core.models.panorama.single.predict_room`) and a loaded panorama's
predictions (:func:`core.models.panorama.single.predict_image`) are cached by their keys.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from nodescope.core.errors import LoadError
from nodescope.core.models.panorama.checkpoint import load_panorama, shipped_panorama
from nodescope.core.models.panorama.single import PanoramaPrediction, predict_image, predict_room
from nodescope.core.models.panorama.unet import SphericalUNet

#: Width of a generated room's render (pixels; the height is half).
ROOM_WIDTH = 512


@st.cache_resource(show_spinner="Loading the spherical U-Net…")
def network() -> tuple[SphericalUNet, dict[str, Any]] | None:
    """The shipped network and its JSON record, or None when no weights ship (or they do not load)."""
    path = shipped_panorama()
    if path is None:
        return None
    try:
        return load_panorama(path)
    except LoadError:
        return None


@st.cache_data(show_spinner="Rendering the room and running the network…", max_entries=32)
def room(seed: int, split: str) -> PanoramaPrediction:
    """Generated room ``seed`` of ``split`` at :data:`ROOM_WIDTH`, predicted, with truth and scores."""
    net = network()
    assert net is not None, "room() needs the shipped network"
    return predict_room(net[0], seed, split, ROOM_WIDTH)


@st.cache_data(show_spinner="Running the network…", max_entries=8)
def loaded(fp: str, _image: np.ndarray) -> PanoramaPrediction:
    """Predictions for the loaded panorama's image (keyed by the sample's fingerprint ``fp``)."""
    net = network()
    assert net is not None, "loaded() needs the shipped network"
    return predict_image(net[0], _image)
