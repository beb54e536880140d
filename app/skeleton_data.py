"""What the Skeletons page computes and caches.

The shipped lifters (``assets/models/skeleton``: HopFIR, SemGCN, MLP) are loaded once per
process; a clip's view (:func:`core.skeleton.scene.lifting_view`), its lifting and errors at a
2D noise level, HopFIR's hop-wise attention from a joint and SemGCN's weights are cached by
their inputs (the sample's fingerprint, the model, the noise, the camera seed, the frame, the
joint, the layer).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nodescope.core.models.lifting import Lifter, load_lifter, shipped_lifter
from nodescope.core.sample import Sample
from nodescope.core.skeleton.scene import LiftingView, lifting_view
from nodescope.explain.lifting import HopWeights, LiftedClip, gcn_weights, hop_attention, lift_clip

#: The noise's seed: the same noisy 2D for every model at one noise level.
NOISE_SEED = 0


@st.cache_resource(show_spinner="Loading the lifting model…", max_entries=4)
def lifter(key: str) -> Lifter | None:
    """The shipped lifter ``key`` in eval mode, or None where none is shipped."""
    path = shipped_lifter(key)
    return None if path is None else load_lifter(path)[0]


@st.cache_data(show_spinner=False, max_entries=16)
def view(fp: str, camera_seed: int, _s: Sample) -> LiftingView:
    """The sample's 2D, camera and 3D truth (:func:`core.skeleton.scene.lifting_view`)."""
    return lifting_view(_s, camera_seed)


@st.cache_data(show_spinner="Lifting the clip…", max_entries=32)
def lifted(fp: str, key: str, noise_px: float, camera_seed: int, _s: Sample) -> LiftedClip:
    """Model ``key``'s 3D for every frame with 2D noise of ``noise_px`` pixels, and its errors."""
    model = lifter(key)
    assert model is not None, f"no shipped {key} weights"
    return lift_clip(model, view(fp, camera_seed, _s), noise_px, seed=NOISE_SEED)


@st.cache_data(show_spinner=False, max_entries=256)
def hops(
    fp: str, noise_px: float, camera_seed: int, frame: int, joint: int, layer: int, _s: Sample
) -> HopWeights:
    """HopFIR's attention from ``joint`` in ``layer`` on frame ``frame`` (with the same noisy 2D)."""
    model = lifter("hopfir")
    keypoints = lifted(fp, "hopfir", noise_px, camera_seed, _s).keypoints_2d[frame]
    return hop_attention(model, keypoints, view(fp, camera_seed, _s), joint, layer)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=32)
def gcn(joint: int) -> tuple[np.ndarray, list[str]]:
    """SemGCN's weights for ``joint``: the plain GCN's uniform mean, then each learned convolution."""
    return gcn_weights(lifter("gcn"), joint)  # type: ignore[arg-type]
