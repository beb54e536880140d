"""Session state shared by every page: the loaded sample and the one node selection.

The rule for linked views: views read the selection; a chart, table or widget event
writes it; the page then reruns and every view redraws from it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import streamlit as st

from nodescope.app import permalink
from nodescope.core.errors import LoadError
from nodescope.core.loaders import DEFAULT_SOURCE, load, load_uploaded, load_uploaded_series
from nodescope.core.models import MODELS
from nodescope.core.sample import Sample

_SAMPLE = "sample"
_SOURCE = "source_label"
_SELECTION = "selection"
_SEEN = "seen_events"
_ERROR = "load_error"
_QUERY = "source"  # the page address's query parameter naming the loaded built-in or Planetoid set
#: The kinds the app's pages draw (time series on the Time series page alone, skeletons on Skeletons).
APP_KINDS = ("graph", "mesh", "cortex", "panorama", "timeseries", "skeleton")


@dataclass(frozen=True)
class Selection:
    """Selected node ids (sorted, unique) and the focus node the detail panel shows."""

    nodes: tuple[int, ...] = ()
    focus: int | None = None


@st.cache_resource(show_spinner="Loading…", max_entries=16)
def _load_cached(source: str, level: int | None, data_dir: str | None) -> Sample:
    return _app_kind(load(source, data_dir=data_dir, level=level))


def _app_kind(loaded: Sample) -> Sample:
    """``loaded``, if some page of the app draws its kind; else a one-line LoadError."""
    if loaded.kind not in APP_KINDS:
        raise LoadError(f"{loaded.name} is a {loaded.kind} sample; the app has no page for it yet.")
    return loaded


def sample() -> Sample:
    """The loaded sample.

    A new session (a first visit, or a browser reload) loads the page address's ``?source=``
    (see :func:`remember_source`), else ``$NODESCOPE_SOURCE``, else the default built-in.
    """
    if _SAMPLE not in st.session_state:
        source = st.query_params.get(_QUERY) or os.environ.get("NODESCOPE_SOURCE", DEFAULT_SOURCE)
        try:
            st.session_state[_SAMPLE] = _load_cached(source, None, os.environ.get("NODESCOPE_DATA_DIR"))
        except LoadError as exc:
            st.session_state[_ERROR] = f"{source}: {exc}"
            st.session_state[_SAMPLE] = _load_cached(DEFAULT_SOURCE, None, None)
        picked = permalink.read_once(st.session_state[_SAMPLE].num_nodes, list(MODELS))
        if picked is not None:  # the selection a copied link names (app/permalink.py)
            select(*picked)
    return st.session_state[_SAMPLE]


def remember_source() -> None:
    """Name the loaded sample in the page address (``?source=karate``), so a reload keeps it.

    Built-ins and Planetoid sets can be loaded again from their name; an upload cannot (its
    files live in the browser session only), so the parameter is removed for it.
    """
    prefix, _, key = sample().source.partition(":")
    if prefix in ("builtin", "planetoid") and key:
        if st.query_params.get(_QUERY) != key:
            st.query_params[_QUERY] = key
    elif _QUERY in st.query_params:
        del st.query_params[_QUERY]


def fingerprint(s: Sample) -> str:
    """The sample's content hash (see :attr:`core.sample.Sample.fingerprint`)."""
    return s.fingerprint


def _replace(new: Sample) -> None:
    # The record of handled events is kept: a chart still holds its last event after a load, and
    # forgetting that it was handled would apply it again to the new sample (a click on node 14
    # selected node 14 of the next dataset). New events have new ids (chart event ids strictly
    # increase per browser tab), so nothing the user does next is mistaken for an old one.
    st.session_state[_SAMPLE] = new
    st.session_state[_SELECTION] = Selection()
    st.session_state.pop(_ERROR, None)


def use(new: Sample, nodes: Iterable[int] = (), focus: int | None = None) -> None:
    """Show ``new``, a sample made from the loaded one (both hemispheres of it), selecting ``nodes`` of it."""
    _replace(new)
    select(nodes, focus)


def try_load(source: str, *, level: int | None = None, data_dir: str | None = None) -> bool:
    """Load a built-in or Planetoid source; on failure keep the current sample and record the error."""
    try:
        _replace(_load_cached(source, level, data_dir))
    except LoadError as exc:
        st.session_state[_ERROR] = str(exc)
        return False
    return True


def try_load_upload(
    files: list[tuple[str, bytes]], *, level: int | None, max_bytes: int, series: bool = False
) -> bool:
    """Load uploaded files (main file first); on failure keep the current sample.

    With ``series`` the main file is a time series and the next one its optional known graph
    (:func:`core.loaders.load_uploaded_series`).
    """
    try:
        if series:
            loaded = load_uploaded_series(files, max_bytes=max_bytes)
        else:
            loaded = load_uploaded(files, level=level, max_bytes=max_bytes)
        _replace(_app_kind(loaded))
    except LoadError as exc:
        st.session_state[_ERROR] = str(exc)
        return False
    return True


def load_error() -> str | None:
    """The last load failure's one-line message (cleared by the next successful load)."""
    return st.session_state.get(_ERROR)


def selection() -> Selection:
    """The current selection (empty before any)."""
    return st.session_state.get(_SELECTION, Selection())


def select(nodes: Iterable[int], focus: int | None = None) -> None:
    """Replace the selection; the focus defaults to the first selected node."""
    n = sample().num_nodes
    ids = tuple(sorted({int(i) for i in nodes if 0 <= int(i) < n}))
    if focus is not None and not 0 <= focus < n:
        focus = None
    if focus is None and ids:
        focus = selection().focus if selection().focus in ids else ids[0]
    st.session_state[_SELECTION] = Selection(ids, focus)


def set_focus(node: int) -> None:
    """Focus one node (and select it alone)."""
    select([node], focus=node)


def is_new_event(view: str, event_key: object) -> bool:
    """Whether ``event_key`` is a new action of ``view`` (remembered, so it is new only once).

    A chart's or table's last event is returned again on every rerun, also when the rerun
    was caused by another view; ``event_key`` identifies the event (a chart's event id, a
    table's selected rows).
    """
    seen: dict[str, object] = st.session_state.setdefault(_SEEN, {})
    if seen.get(view) == event_key:
        return False
    seen[view] = event_key
    return True


def apply_event(view: str, event_key: object, node_ids: Sequence[int]) -> bool:
    """Write a view's event into the selection, once per new event (see :func:`is_new_event`).

    Returns:
        True when the selection changed.
    """
    if not is_new_event(view, event_key):
        return False
    key = tuple(int(i) for i in node_ids)
    if not key:
        return False  # a cleared table selection keeps the shared selection
    select(key, focus=key[0] if len(key) == 1 else None)
    return True
