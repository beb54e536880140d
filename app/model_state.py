"""The model the analysis pages share: shipped weights for the loaded sample, or one trained here.

A page calls :func:`model_picker`; it shows which model runs, where its weights came from
and its accuracy, offers training in the browser (with progress and a Cancel button) when
no shipped weights fit the sample, and returns a :class:`ActiveModel` or None. Training runs
:func:`core.recipes.fit`, the recipe and entry point of ``nodescope train``; this module keeps
only the session state, caching and widgets around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
import torch
from torch_geometric.data import Data

from nodescope.app import permalink
from nodescope.core.checkpoint import check_compatible, load_checkpoint, shipped_weights, weights_sha256
from nodescope.core.device import device
from nodescope.core.errors import LoadError
from nodescope.core.models import MODELS, ModelOutput, NodeModel
from nodescope.core.recipes import fit
from nodescope.core.sample import Sample
from nodescope.core.training import with_split
from nodescope.explain.focus import with_node_labels
from nodescope.explain.model_compare import prediction_disagreement

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


NOTHING = "nothing"  # the compare picker's first option
_COMPARED = "compared_models"  # session: {(fingerprint, model key, seed): ActiveModel} of second seeds
#: The seed a second seed of a model trains with (shipped weights and :func:`model_picker`'s use 0).
SECOND_SEED = 1


def compare_picker(
    s: Sample, fp: str, primary: ActiveModel, *, keys: Sequence[str], widget_key: str
) -> ActiveModel | None:
    """A second model to show beside ``primary``, or None (nothing chosen, or not trained yet).

    The choice goes into the permalink and saved sessions (``b``, :mod:`app.permalink`); a
    linked choice not offered here is ignored with the link's one notice.

    Offered: every other model of ``keys`` whose weights for ``s`` are shipped or were trained
    in this session, and ``primary``'s model trained with seed :data:`SECOND_SEED` (trained here
    by the same recipe on request, with progress). Models without weights are listed as not
    offered.
    """
    ready = [k for k in keys if k != primary.key and (_from_session(s, fp, k) or shipped_weights(s, k))]
    second = f"{primary.key}@{SECOND_SEED}"
    options = [NOTHING, *ready, second]

    def title(option: str) -> str:
        if option == NOTHING:
            return "nothing (one model)"
        key, _, seed = option.partition("@")
        return f"{MODELS[key].title}, seed {seed}" if seed else MODELS[key].title

    c_pick, c_note = st.columns([1, 3])
    permalink.choose("b", widget_key, options)  # a copied link's (or opened session's) model B, once
    choice = c_pick.selectbox("Compare with", options, format_func=title, key=widget_key)
    if choice != NOTHING:
        permalink.note("b", choice)
    missing = [MODELS[k].title for k in keys if k != primary.key and k not in ready]
    with c_note:
        if missing:
            st.caption(
                f"Not offered: {', '.join(missing)} (no weights for {s.name} yet; choose one as the model "
                "above to train it here)."
            )
        if choice == NOTHING:
            return None
        if choice != second:
            other = _from_session(s, fp, choice) or _from_assets(s, fp, choice)
        else:
            other = st.session_state.get(_COMPARED, {}).get((fp, primary.key, SECOND_SEED))
            if other is None:
                st.caption(
                    f"No {MODELS[primary.key].title} with seed {SECOND_SEED} yet: train one here with the "
                    f"recipe of the shipped weights (seed {SECOND_SEED} instead of 0)."
                )
                if st.button(f"Train {MODELS[primary.key].title} (seed {SECOND_SEED}) on {s.name}"):
                    _train_here(s, fp, primary.key, seed=SECOND_SEED)
                return None
        if other is not None:
            acc = f", test accuracy {other.test_acc:.1%}" if other.test_acc is not None else ""
            st.caption(f"B: {title(choice)} · weights {other.origin}{acc}")
        return other


@st.cache_resource(show_spinner="Running the model once…", max_entries=16)
def _outputs(ident: str, _active: ActiveModel) -> ModelOutput:
    with torch.no_grad():
        return _active.model.eval()(_active.data)


def outputs(active: ActiveModel) -> ModelOutput:
    """``active``'s output on its graph (logits, layer outputs, attention), computed once per model."""
    return _outputs(active.ident, active)


@st.cache_data(show_spinner=False, max_entries=16)
def _disagreement(ident_a: str, ident_b: str, _a: ActiveModel, _b: ActiveModel) -> pd.DataFrame:
    return prediction_disagreement(outputs(_a).logits, outputs(_b).logits)


def disagreement(s: Sample, a: ActiveModel, b: ActiveModel) -> pd.DataFrame:
    """The nodes models ``a`` and ``b`` predict differently (:func:`explain.model_compare.prediction_disagreement`).

    Classes by name, nodes with their names and true classes (:func:`explain.focus.with_node_labels`).
    """
    table = _disagreement(a.ident, b.ident, a, b).copy()
    for col in ("A", "B"):
        table[col] = [s.class_name(int(c)) for c in table[col]]
    return with_node_labels(s, table)


def compare_title(active: ActiveModel) -> str:
    """The model's title, with its seed when it is a second seed (:func:`compare_picker`)."""
    seed = f", seed {SECOND_SEED}" if active.origin.endswith(f"(seed {SECOND_SEED})") else ""
    return MODELS[active.key].title + seed


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
    return weights_sha256(Path(path))


@st.cache_resource(show_spinner=False, max_entries=16)
def _state_sha256(ident: str, _model: NodeModel) -> str:
    return weights_sha256(_model)


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


def _train_here(s: Sample, fp: str, key: str, *, seed: int | None = None) -> None:
    """Train ``key`` on ``s`` as ``nodescope train`` does, with a progress bar; keep it, rerun.

    ``seed`` None: the recipe's (0), kept as this session's ``key``; else a second seed, kept for
    :func:`compare_picker`.
    """
    bar = st.progress(0.0, text="Training…")
    # A click on any widget reruns the page, and Streamlit stops the running script at its next
    # call (the progress update): so this button cancels, and nothing half-trained is kept.
    st.button("Cancel training")

    def progress(epoch: int, total: int, row: dict[str, float]) -> None:
        bar.progress(epoch / total, text=f"epoch {epoch}: validation accuracy {row['val_acc']:.1%}")

    result = fit(key, s, progress=progress) if seed is None else fit(key, s, progress=progress, seed=seed)
    bar.empty()
    active = ActiveModel(
        key,
        result.model,
        result.model.prepare(with_split(s.data, seed=0)).to(device()),
        "trained here" if seed is None else f"trained here (seed {seed})",
        result.test_acc,
        f"trained:{fp}:{key}:{result.settings.seed}",
    )
    if seed is None:
        st.session_state.setdefault(_TRAINED, {})[(fp, key)] = active
    else:
        st.session_state.setdefault(_COMPARED, {})[(fp, key, seed)] = active
    st.rerun()  # draw the page again, now with the model
