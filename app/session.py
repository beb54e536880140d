"""Save the session to a file and open it again: the sidebar's "Save session" and "Open session".

What is saved: the sample (source, name, content fingerprint), the model in use and its weights'
sha256, the permalink's view (focus, selection, model, layer, head, color), the selected nodes
with their names, and the review notes on the sample (:mod:`app.session_file` writes the file).
Opening restores what fits and says in one line what it did and what did not match: data that
cannot be loaded or differ from the saved (the selection and focus are then dropped), weights
that are missing or differ. A file that is not a session changes nothing.
"""

from __future__ import annotations

import streamlit as st

from nodescope.app import model_state, permalink, state
from nodescope.app.session_file import (
    DataRef,
    ModelRef,
    SessionFile,
    SessionFileError,
    dumps,
    loads,
    named_nodes,
)
from nodescope.core.checkpoint import dataset_key
from nodescope.core.models import MODELS
from nodescope.core.paths import data_dir
from nodescope.core.reviews import ReviewStore
from nodescope.core.sample import Sample

_UPLOADER = "open_session"
_NOTICE = "session_notice"  # session: (level, text) of the last open, shown under the uploader


def current(page: str | None = None) -> SessionFile:
    """This run's session: call it after the page ran (its widgets noted their values)."""
    s = state.sample()
    fp = s.fingerprint
    sel = state.selection()
    view = permalink.current(sel.focus, sel.nodes)
    model = None
    if view.model is not None:
        ref = model_state.weights_ref(s, fp, view.model)
        model = ModelRef(view.model, *ref) if ref is not None else ModelRef(view.model, "none", None)
    return SessionFile(
        data=DataRef(s.source, s.name, s.kind, s.num_nodes, fp),
        model=model,
        view=permalink.encode(view),
        named=named_nodes(sel.nodes, s.node_names),
        focus=sel.focus,
        reviews=tuple(ReviewStore().reviews(fingerprint=fp)),
        page=page,
    )


def render(page: str | None = None) -> None:
    """The sidebar's session controls: a Save button, an Open uploader and the last open's notice."""
    s = state.sample()
    st.download_button(
        "Save session",
        dumps(current(page)),
        file_name=f"{dataset_key(s)}-session.json",
        mime="application/json",
        key="save_session",
        on_click="ignore",
        icon=":material/save:",
        help="The data and model it needs (with content hashes), the view, the selection with node "
        "names and the review notes, in one JSON file.",
    )
    st.file_uploader("Open session", type=["json"], key=_UPLOADER, on_change=_on_open)
    notice = st.session_state.get(_NOTICE)
    if notice is not None:
        level, text = notice
        (st.error if level == "error" else st.warning if level == "warning" else st.success)(text)


def _on_open() -> None:
    upload = st.session_state.get(_UPLOADER)
    if upload is None:
        st.session_state.pop(_NOTICE, None)
        return
    st.session_state[_NOTICE] = open_bytes(upload.getvalue(), upload.name)


def open_bytes(blob: bytes, name: str = "session") -> tuple[str, str]:
    """Open a session file's bytes: restore what fits; returns ``(level, one line)`` saying what happened.

    ``level`` is "success" (all restored), "warning" (opened, with something missing or
    different) or "error" (not opened; nothing changed).
    """
    try:
        saved = loads(blob)
    except SessionFileError as exc:
        return "error", f"{name}: {exc}; nothing changed."
    s = _saved_sample(saved.data)
    done: list[str] = []
    issues: list[str] = []
    same = s.fingerprint == saved.data.fingerprint
    view = permalink.decode(saved.view, s.num_nodes, list(MODELS))
    if same:
        state.select(view.nodes, view.focus)
        done.append("selection" if view.nodes else "view")
    else:
        issues.append(_data_issue(saved.data, s))
    permalink.restore(view)
    if view.model is not None or view.layer or view.head or view.color or view.compare:
        done.append("page options")
    issues += [f"ignored {p}" for p in view.problems if not p.startswith(("f=", "s=")) or same]
    if saved.model is not None and same:
        issue = _model_issue(saved.model, model_state.weights_ref(s, s.fingerprint, saved.model.key))
        if issue:
            issues.append(issue)
    if saved.reviews:
        added = ReviewStore().merge(saved.reviews)
        done.append(f"{len(saved.reviews)} review note(s) ({added} new here)")
    text = f"Opened {name}: " + (", ".join(done) + " restored" if done else "nothing to restore")
    return ("warning", text + "; " + "; ".join(issues) + ".") if issues else ("success", text + ".")


def _saved_sample(data: DataRef) -> Sample:
    """The loaded sample, after loading the saved one when it differs and can be loaded by name."""
    s = state.sample()
    if s.fingerprint == data.fingerprint or s.source == data.source:
        return s  # the same, or loaded from the same place already (loading again changes nothing)
    prefix, _, key = data.source.partition(":")
    if prefix in ("builtin", "planetoid") and key:
        folder = str(data_dir()) if prefix == "planetoid" else None
        if state.try_load(key, data_dir=folder):
            st.session_state.pop("source_mode", None)  # the sidebar opens on the new sample
    return state.sample()


def _data_issue(data: DataRef, here: Sample) -> str:
    if data.source.startswith(("builtin:", "planetoid:")) and here.source != data.source:
        what = f"the saved data {data.name} ({data.source}) could not be loaded"
    elif here.source != data.source:
        what = (
            f"the saved data {data.name} ({data.source}) is not loaded: load it, then open the session again"
        )
    else:
        what = f"the data differ from the saved {data.name} (fingerprint {data.fingerprint[:12]}…, here {here.fingerprint[:12]}…)"
    return what + ", so the selection and focus were dropped"


def _model_issue(saved: ModelRef, here: tuple[str, str] | None) -> str | None:
    """What differs between the saved model's weights and those this app has for it (None: the same)."""
    if saved.sha256 is None:
        return None
    if here is None:
        return f"model {saved.key}'s weights (sha256 {saved.sha256[:12]}…, {saved.origin}) are not here: train it on the page"
    if here[1] != saved.sha256:
        return (
            f"model {saved.key}'s weights differ from the saved ones (sha256 {saved.sha256[:12]}… {saved.origin}, "
            f"here {here[1][:12]}… {here[0]})"
        )
    return None
