"""What the Panoramas page computes and caches: the shipped spherical U-Net and its predictions.

The network is loaded once (``st.cache_resource``); a generated room's render, predictions,
truth and scores (:func:`core.models.panorama.single.predict_room`) and a loaded panorama's
predictions (:func:`core.models.panorama.single.predict_image`) are cached by their keys, as are
the shipped depth super-resolution networks (x4, x8), a room's super-resolution beside its
baselines (:func:`core.models.panorama.superres_room.superres_room`) and its maps.

A panorama uploaded on the page (not the sidebar's sample) lives in the session: the last one
that loaded (:func:`uploaded`) and the last refusal's one line (:func:`upload_error`). A refused
file leaves the previous upload and the page as they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from nodescope.app import sidebar
from nodescope.core.errors import LoadError
from nodescope.core.loaders.panorama import read_uploaded_image
from nodescope.core.models.panorama.checkpoint import load_panorama, load_superres, shipped_panorama
from nodescope.core.models.panorama.single import (
    DEFAULT_CAMERA_HEIGHT_M,
    PanoramaPrediction,
    predict_image,
    predict_room,
)
from nodescope.core.models.panorama.superres import DepthSuperRes
from nodescope.core.models.panorama.superres_room import SuperResRoom, superres_room
from nodescope.core.models.panorama.unet import SphericalUNet
from nodescope.viz.superres_view import superres_figures

#: Width of a generated room's render (pixels; the height is half).
ROOM_WIDTH = 512
_UPLOADED = "pano_uploaded"  # session: (name, (H, W, 3) uint8 image, key) of the last upload that loaded
_UPLOAD_ERROR = "pano_upload_error"  # session: the last refused upload's one line


@st.cache_resource(show_spinner="Loading the spherical U-Net…")
def network() -> tuple[SphericalUNet, dict[str, Any]] | None:
    """The shipped network and its JSON record, or None when no weights ship (or they do not load)."""
    return _shipped("spherical-unet", load_panorama)


@st.cache_data(show_spinner="Rendering the room and running the network…", max_entries=32)
def room(seed: int, split: str) -> PanoramaPrediction:
    """Generated room ``seed`` of ``split`` at :data:`ROOM_WIDTH`, predicted, with truth and scores."""
    net = network()
    assert net is not None, "room() needs the shipped network"
    return predict_room(net[0], seed, split, ROOM_WIDTH)


@st.cache_data(show_spinner="Running the network…", max_entries=8)
def loaded(fp: str, _image: np.ndarray) -> PanoramaPrediction:
    """Predictions for an image without truth (keyed by ``fp``: the sample's fingerprint, or the upload's key).

    Depths are scaled to a camera :data:`~core.models.panorama.single.DEFAULT_CAMERA_HEIGHT_M`
    above the predicted floor, as ``nodescope panorama`` does by default.
    """
    net = network()
    assert net is not None, "loaded() needs the shipped network"
    return predict_image(net[0], _image, DEFAULT_CAMERA_HEIGHT_M)


@st.cache_resource(show_spinner="Loading the depth super-resolution network…")
def superres_network(scale: int) -> tuple[DepthSuperRes, dict[str, Any]] | None:
    """The shipped depth super-resolution network of ``scale`` (4 or 8) and its record, or None."""
    return _shipped(f"depth-superres-x{scale}", load_superres)


def _shipped(
    name: str, load: Callable[[Path], tuple[Any, dict[str, Any]]]
) -> tuple[Any, dict[str, Any]] | None:
    """Shipped panorama network ``name`` read by ``load``; None when it does not ship or does not load."""
    path = shipped_panorama(name)
    if path is None:
        return None
    try:
        return load(path)
    except LoadError:
        return None


@st.cache_data(show_spinner="Degrading the room's depth and upsampling it three ways…", max_entries=16)
def superres(seed: int, split: str, scale: int) -> SuperResRoom:
    """Generated room ``seed`` of ``split`` through the ``scale`` network and both baselines."""
    net = superres_network(scale)
    assert net is not None, "superres() needs the shipped network of this scale"
    return superres_room(net[0], seed, split)


@st.cache_data(show_spinner=False, max_entries=16)
def superres_maps(seed: int, split: str, scale: int, focus: int | None) -> dict[str, Any]:
    """:func:`viz.superres_view.superres_figures` of :func:`superres`, the zoom centered on ``focus`` (or the hardest vertex)."""
    return superres_figures(superres(seed, split, scale), focus=focus)


def try_upload(name: str, blob: bytes) -> bool:
    """Read an uploaded panorama; on failure keep the previous upload and say why (:func:`upload_error`).

    Args:
        name: the file's name as uploaded.
        blob: its bytes (refused over the sidebar's upload limit).

    Returns:
        True when it loaded (it is then :func:`uploaded`).
    """
    try:
        image = read_uploaded_image(name, blob, sidebar.MAX_UPLOAD_MB << 20)
    except LoadError as exc:
        st.session_state[_UPLOAD_ERROR] = str(exc).splitlines()[0]
        return False
    key = f"upload-{hashlib.sha256(blob).hexdigest()[:16]}"
    st.session_state[_UPLOADED] = (name, image, key)
    st.session_state.pop(_UPLOAD_ERROR, None)
    return True


def uploaded() -> tuple[str, np.ndarray, str] | None:
    """The last uploaded panorama that loaded: its name, (H, W, 3) uint8 image and cache key; or None."""
    return st.session_state.get(_UPLOADED)


def upload_error() -> str | None:
    """The last refused upload's one-line message (cleared by the next upload that loads)."""
    return st.session_state.get(_UPLOAD_ERROR)
