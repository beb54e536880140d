"""Both hemispheres in one 3D view, and the color bar's limits, for the cortical pages.

The 3D & sphere page shows both hemispheres by loading a pair (:func:`core.loaders.hemispheres.both_hemispheres`)
as the app's sample, so the one selection covers both (pair ids: ``lh`` first, node names
``"rh 12"``); turning the toggle off goes back to the hemisphere that was loaded, the selection
carried over both ways. :func:`limits_inputs` draws the two number inputs (and a reset) that set
a color bar's limits over :func:`viz.limits.color_limits`'s defaults.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nodescope.app import state
from nodescope.core.errors import LoadError
from nodescope.core.loaders.hemispheres import (
    MIRROR_NOTICE,
    both_hemispheres,
    hemi_of_sample,
    hemisphere_sizes,
    is_pair,
    one_hemisphere,
)
from nodescope.core.sample import Sample
from nodescope.viz.limits import color_limits

_SINGLE = "hemispheres_single"  # session: {pair fingerprint: the one hemisphere it was made from}
_ERROR = "hemispheres_error"
#: What the toggle says.
TOGGLE = "Both hemispheres"


@st.cache_resource(show_spinner="Loading the other hemisphere…", max_entries=4)
def _pair(fp: str, _s: Sample) -> Sample:
    return both_hemispheres(_s)


def _offset(single: Sample, pair: Sample) -> int:
    """Where ``single``'s vertex 0 is in the pair's numbering."""
    return 0 if (hemi_of_sample(single) or "lh") == "lh" else hemisphere_sizes(pair)[0]


def _switch(on: bool) -> None:
    s, sel = state.sample(), state.selection()
    focus = sel.focus
    if on and not is_pair(s):
        try:
            pair = _pair(s.fingerprint, s)
        except LoadError as exc:
            st.session_state[_ERROR] = str(exc).splitlines()[0]
            return
        st.session_state.setdefault(_SINGLE, {})[pair.fingerprint] = s
        k = _offset(s, pair)
        state.use(pair, [i + k for i in sel.nodes], None if focus is None else focus + k)
    elif not on and is_pair(s):
        single = st.session_state.get(_SINGLE, {}).get(s.fingerprint)
        if single is None and s.source == "builtin:fsaverage5-both":
            state.try_load("fsaverage5-left")
            single = state.sample()
        single = single if single is not None else one_hemisphere(s, "lh")
        k, n = _offset(single, s), single.num_nodes
        kept = [i - k for i in sel.nodes if k <= i < k + n]
        state.use(single, kept, None if focus is None or not k <= focus < k + n else focus - k)
    st.session_state.pop(_ERROR, None)


def _on_toggle(key: str) -> None:
    _switch(bool(st.session_state.get(key)))


def toggle(s: Sample, fp: str) -> None:
    """The "Both hemispheres" toggle of a cortex sample, and what the pair shows (a stand-in said so)."""
    key = f"both_hemispheres_{fp}"
    st.toggle(
        TOGGLE,
        value=is_pair(s),
        key=key,
        on_change=_on_toggle,
        args=(key,),
        help="lh on the left, rh on the right, one color scale; a vertex's id names its hemisphere (rh 12).",
    )
    if st.session_state.get(_ERROR):
        st.error(st.session_state[_ERROR])
    if is_pair(s):
        stand_in = [n for n in s.notices if MIRROR_NOTICE in n]
        st.caption(
            "lh on the left, rh on the right; vertex ids run lh first and name their hemisphere (rh 12)."
            + (" " + stand_in[0] if stand_in else " Both hemispheres are real.")
        )


def limits_inputs(*values: np.ndarray | None, key: str) -> tuple[float, float, str]:
    """Two number inputs for a color bar's low and high ends, and a reset to the defaults.

    The defaults are :func:`viz.limits.color_limits` over every array (``±max|value|`` for
    signed maps, min..max for one-signed ones).

    Args:
        *values: the arrays the one color scale covers (both hemispheres' maps).
        key: widget key prefix (one per page and coloring, so each keeps its own limits).

    Returns:
        ``(low, high, colorscale)`` for the figure.
    """
    lo, hi, scale = color_limits(*values)
    keys = (f"{key}_low", f"{key}_high")
    step = float(f"{(hi - lo) / 100:.2g}") or 0.01
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    low = c1.number_input("Color bar from", value=lo, step=step, format="%.3f", key=keys[0])
    high = c2.number_input("to", value=hi, step=step, format="%.3f", key=keys[1])
    c3.button("Reset", key=f"{key}_reset", on_click=_reset, args=keys, help="Back to the default limits")
    return color_limits(*values, user=(low, high))


def _reset(*keys: str) -> None:
    for k in keys:
        st.session_state.pop(k, None)
