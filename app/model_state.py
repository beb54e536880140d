"""The model the analysis pages share: shipped weights for the loaded sample, or one trained here.

A page calls :func:`model_picker`; it shows which model runs, where its weights came from
and its accuracy, offers training in the browser (with progress and a Cancel button) when
no shipped weights fit the sample, and returns a :class:`ActiveModel` or None. Training runs
:func:`core.recipes.fit`, the recipe and entry point of ``nodescope train``; this module keeps
only the session state, caching and widgets around it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from safetensors.torch import save as safetensors_save
from torch_geometric.data import Data

from nodescope.app import permalink
from nodescope.core.checkpoint import check_compatible, load_checkpoint, shipped_weights
from nodescope.core.device import device
from nodescope.core.errors import LoadError
from nodescope.core.models import MODELS, NodeModel
from nodescope.core.recipes import fit
from nodescope.core.sample import Sample
from nodescope.core.training import with_split

_TRAINED = "trained_models"  # session: {(fingerprint, model key): ActiveModel}


@dataclass(frozen=True)
class ActiveModel:
    """A model ready to run on the current sample.

    Attributes:
        key: registry key.
        model: the network, eval mode, on :func:`core.device.device`.
        data: the sample's graph prepared for it (encodings, split masks), on the same device.
        origin: "shipped" or "trained here".
        test_acc: accuracy on the test mask in [0, 1], or None when unknown.
        ident: a string that changes when the weights do (a cache key for results).
    """

    key: str
    model: NodeModel
    data: Data
    origin: str
    test_acc: float | None
    ident: str


@st.cache_resource(show_spinner="Loading weights…", max_entries=16)
def _shipped(path: str) -> tuple[NodeModel, dict]:
    model, info = load_checkpoint(Path(path))
    return model.to(device()).eval(), info


@st.cache_resource(show_spinner=False, max_entries=16)
def _prepared(fp: str, key: str, _model: NodeModel, _s: Sample) -> Data:
    return _model.prepare(with_split(_s.data, seed=0)).to(device())


def model_picker(
    s: Sample,
    fp: str,
    *,
    attention_only: bool = False,
    only: Sequence[str] | None = None,
    widget_key: str = "model_choice",
) -> ActiveModel | None:
    """Choose a model for ``s``; returns it ready to run, or None (with an explanation shown).

    ``only`` limits the choice to those registry keys; a page offering its own set uses its
    own ``widget_key``, so the choice made on another page never falls outside its options.
    """
    if s.data.get("y") is None:
        st.info("This sample has no node labels, so there is no classifier to inspect. Load a labeled graph.")
        return None
    keys = [
        k
        for k, spec in MODELS.items()
        if (not attention_only or spec.attention != "none") and (only is None or k in only)
    ]
    c_model, c_status = st.columns([1, 3])
    with c_model:
        permalink.choose("m", widget_key, keys)  # a copied link's model, once
        key = st.selectbox(
            "Model", keys, format_func=lambda k: MODELS[k].title, key=widget_key, help=_model_help(keys)
        )
        permalink.note("m", key)
    with c_status:
        active = _from_session(s, fp, key) or _from_assets(s, fp, key)
        if active is not None:
            acc = f", test accuracy {active.test_acc:.1%}" if active.test_acc is not None else ""
            st.caption(f"{MODELS[key].title} ({MODELS[key].reference}) · weights {active.origin}{acc}")
            return active
        st.caption(
            f"No shipped {MODELS[key].title} weights fit {s.name}; train one here (seconds to minutes)."
        )
        if st.button(f"Train {MODELS[key].title} on {s.name}", type="primary"):
            _train_here(s, fp, key)
    return None


def weights_ref(s: Sample, fp: str, key: str) -> tuple[str, str] | None:
    """Where :func:`model_picker` takes model ``key``'s weights for ``s`` from, and their sha256.

    Returns:
        ``(origin, sha256)``: "trained here" (this session's; the hash of its safetensors
        serialization) or "shipped" (the hash of the shipped ``.safetensors`` file); None when
        there are none (the page would offer training).
    """
    active = _from_session(s, fp, key)
    if active is not None:
        return active.origin, _state_sha256(active.ident, active.model)
    path = shipped_weights(s, key)
    return None if path is None else ("shipped", _file_sha256(str(path), path.stat().st_mtime_ns))


@st.cache_resource(show_spinner=False, max_entries=64)
def _file_sha256(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=16)
def _state_sha256(ident: str, _model: NodeModel) -> str:
    state = {k: v.detach().cpu().contiguous().clone() for k, v in _model.state_dict().items()}
    return hashlib.sha256(safetensors_save(state)).hexdigest()


def _model_help(keys: list[str]) -> str:
    return "  \n".join(f"**{MODELS[k].title}**: {MODELS[k].reference}" for k in keys)


def _from_session(s: Sample, fp: str, key: str) -> ActiveModel | None:
    return st.session_state.get(_TRAINED, {}).get((fp, key))


def _from_assets(s: Sample, fp: str, key: str) -> ActiveModel | None:
    path = shipped_weights(s, key)
    if path is None:
        return None
    try:
        model, info = _shipped(str(path))
        check_compatible(model, s)
    except LoadError as exc:
        st.warning(f"Shipped weights not usable: {exc}")
        return None
    acc = info.get("test_acc")
    return ActiveModel(key, model, _prepared(fp, key, model, s), "shipped", acc, f"shipped:{path}")


def _train_here(s: Sample, fp: str, key: str) -> None:
    """Train ``key`` on ``s`` as ``nodescope train`` does (seed 0), with a progress bar; keep it, rerun."""
    bar = st.progress(0.0, text="Training…")
    # A click on any widget reruns the page, and Streamlit stops the running script at its next
    # call (the progress update): so this button cancels, and nothing half-trained is kept.
    st.button("Cancel training")

    def progress(epoch: int, total: int, row: dict[str, float]) -> None:
        bar.progress(epoch / total, text=f"epoch {epoch}: validation accuracy {row['val_acc']:.1%}")

    result = fit(key, s, progress=progress)
    bar.empty()
    active = ActiveModel(
        key,
        result.model,
        result.model.prepare(with_split(s.data, seed=0)).to(device()),
        "trained here",
        result.test_acc,
        f"trained:{fp}:{key}:{result.settings.seed}",
    )
    st.session_state.setdefault(_TRAINED, {})[(fp, key)] = active
    st.rerun()  # draw the page again, now with the model
