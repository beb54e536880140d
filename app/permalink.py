"""Permalinks: the view's state in the page address, so copying it reproduces the view.

Short keys, beside ``source`` (the loaded sample, :func:`app.state.remember_source`):

========  =====================================================  ==================
key       what                                                   example
========  =====================================================  ==================
``f``     the focus node                                         ``f=33``
``s``     the selected nodes, contiguous runs as ranges          ``s=0-4.8.10-12``
          (omitted when only the focus is selected)
``m``     the model (registry key)                               ``m=gatv2``
``l``     the attention layer (1-based; ``r`` the rollout)       ``l=2``
``h``     the attention head (1-based; ``mean``, ``max``)        ``h=3``
``c``     what nodes are colored by (Explorer, 3D & sphere,      ``c=degree``
          Explanations)
``b``     the model compared with (Attention, Explanations:      ``b=gatv2``,
          "Compare with"; ``KEY@SEED`` a second seed)            ``b=gat@1``
========  =====================================================  ==================

:func:`encode` and :func:`decode` are the one pair that turns a :class:`View` into these
parameters and back; they need no Streamlit. A session's first run reads the address
(:func:`read_once`), widgets pick their value from it (:func:`choose`), and every run ends by
writing the state back (:func:`sync`). A bad or stale parameter (a node the data lacks, an
unknown model, a head the layer lacks) is ignored, and said in one notice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import streamlit as st

#: The keys this module owns in the address (``source`` is :mod:`app.state`'s).
KEYS = ("f", "s", "m", "l", "h", "c", "b")
#: The longest ``c`` value read (a feature name).
MAX_COLOR_CHARS = 80
ROLLOUT_CODE = "r"
_PENDING = "permalink_pending"  # session: the address's values not yet used by a widget
_PROBLEMS = "permalink_problems"  # session: what was ignored, for the one notice
_READ = "permalink_read"
_NOTED = "permalink_noted"  # session: this run's widget values the address records
#: Widget keys whose value the address records, per parameter (the page's own model widget).
MODEL_WIDGETS = ("model_choice", "xnode_model_choice")


@dataclass(frozen=True)
class View:
    """What a permalink records (None / empty: not recorded)."""

    focus: int | None = None
    nodes: tuple[int, ...] = ()
    model: str | None = None
    layer: str | None = None  # "1", "2", ... or "r"
    head: str | None = None  # "1", "2", ..., "mean" or "max"
    color: str | None = None  # an option of the page's "Color by" widget
    compare: str | None = None  # the "Compare with" model: a registry key, or "key@seed"
    problems: tuple[str, ...] = field(default=(), compare=False)


def node_ranges(nodes: Sequence[int]) -> str:
    """Sorted unique node ids as runs: ``[0, 1, 2, 3, 8, 10, 11]`` -> ``"0-3.8.10-11"``."""
    ids = sorted({int(i) for i in nodes})
    runs: list[str] = []
    k = 0
    while k < len(ids):
        j = k
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        runs.append(str(ids[k]) if j == k else f"{ids[k]}-{ids[j]}")
        k = j + 1
    return ".".join(runs)


def parse_ranges(text: str, n: int, limit: int = 1_000_000) -> tuple[int, ...]:
    """The node ids of :func:`node_ranges` text, each in 0..n-1; ValueError on anything else."""
    ids: set[int] = set()
    for part in text.split("."):
        lo, dash, hi = part.partition("-")
        a, b = int(lo), int(hi) if dash else int(lo)
        if not 0 <= a <= b < n or b - a > limit:
            raise ValueError(part)
        ids.update(range(a, b + 1))
    return tuple(sorted(ids))


def encode(view: View) -> dict[str, str]:
    """A view as address parameters (only those it records)."""
    out: dict[str, str] = {}
    if view.focus is not None:
        out["f"] = str(view.focus)
    if view.nodes and tuple(view.nodes) != ((view.focus,) if view.focus is not None else ()):
        out["s"] = node_ranges(view.nodes)
    pairs = (("m", view.model), ("l", view.layer), ("h", view.head), ("c", view.color), ("b", view.compare))
    for key, value in pairs:
        if value:
            out[key] = value
    return out


def decode(params: Mapping[str, str], num_nodes: int, models: Sequence[str]) -> View:
    """Address parameters as a view; values that do not fit the data or the app are left out.

    Args:
        params: the address's parameters (other keys are not looked at).
        num_nodes: the loaded sample's node count (nodes must be in 0..num_nodes-1).
        models: the registry keys a model must be one of.

    Returns:
        The view; its ``problems`` name each parameter left out, in words.
    """
    problems: list[str] = []
    focus: int | None = None
    nodes: tuple[int, ...] = ()
    if "f" in params:
        text = str(params["f"])
        if text.isdigit() and int(text) < num_nodes:
            focus = int(text)
        else:
            problems.append(f"f={text} (no such node: 0..{num_nodes - 1})")
    if "s" in params:
        try:
            nodes = parse_ranges(str(params["s"]), num_nodes)
        except ValueError:
            problems.append(f"s={params['s']} (not node ids in 0..{num_nodes - 1})")
    if focus is not None and focus not in nodes:
        nodes = tuple(sorted({*nodes, focus}))
    model = params.get("m")
    if model is not None and model not in models:
        problems.append(f"m={model} (no such model)")
        model = None
    layer = params.get("l")
    if layer is not None and not (layer == ROLLOUT_CODE or (layer.isdigit() and int(layer) >= 1)):
        problems.append(f"l={layer} (a layer is 1, 2, ... or r)")
        layer = None
    head = params.get("h")
    if head is not None and not (head in ("mean", "max") or (head.isdigit() and int(head) >= 1)):
        problems.append(f"h={head} (a head is 1, 2, ..., mean or max)")
        head = None
    color = params.get("c")
    if color is not None and not 0 < len(color) <= MAX_COLOR_CHARS:
        problems.append(f"c={color[:MAX_COLOR_CHARS]}… (too long)" if color else "c= (empty)")
        color = None
    compare = params.get("b")
    if compare is not None:
        key, at, seed = compare.partition("@")
        if key not in models or (at and not seed.isdigit()):
            problems.append(f"b={compare[:MAX_COLOR_CHARS]} (no such model to compare with)")
            compare = None
    return View(focus, nodes, model, layer, head, color, compare, tuple(problems))


def layer_code(choice: str, options: Sequence[str], rollout: str) -> str:
    """The ``l`` value of a layer widget's choice (1-based position; ``r`` for the rollout)."""
    return ROLLOUT_CODE if choice == rollout else str(list(options).index(choice) + 1)


def head_code(choice: str) -> str:
    """The ``h`` value of a head widget's choice ("head 2" -> "2", "mean over heads" -> "mean")."""
    return choice.removeprefix("head ") if choice.startswith("head ") else choice.split()[0]


# ---------------------------------------------------------------- the session's address
def _params() -> dict[str, str]:
    return {k: st.query_params.get(k) for k in st.query_params}


def read_once(num_nodes: int, models: Sequence[str]) -> tuple[tuple[int, ...], int | None] | None:
    """On a session's first call: the address's selection, and its other values kept for :func:`choose`.

    Returns:
        ``(nodes, focus)`` to select, or None (a later call, or no selection in the address).
    """
    if st.session_state.get(_READ):
        return None
    st.session_state[_READ] = True
    view = decode(_params(), num_nodes, models)
    st.session_state[_PENDING] = _pending(view)
    st.session_state[_PROBLEMS] = list(view.problems)
    return (view.nodes, view.focus) if view.nodes else None


def _pending(view: View) -> dict[str, str | None]:
    """The values of ``view`` that widgets take (:func:`choose`)."""
    return {"m": view.model, "l": view.layer, "h": view.head, "c": view.color, "b": view.compare}


def restore(view: View) -> None:
    """Have the next run's widgets take ``view``'s model, layer, head, color and compared model (an opened session's).

    Call it from a widget callback (before the page's widgets are drawn); like a copied link,
    each value is used once, by the first widget that offers it (:func:`choose`).
    """
    st.session_state[_READ] = True
    st.session_state[_PENDING] = _pending(view)


def choose(
    param: str, widget_key: str, options: Sequence[str], to_option: dict[str, str] | None = None
) -> None:
    """Give widget ``widget_key`` the address's ``param`` value, once, if it is one of ``options``.

    Call it just before the widget is drawn. ``to_option`` maps an address value to its option
    (a layer's number to its name); without it the value is the option itself.
    """
    pending: dict = st.session_state.get(_PENDING) or {}
    value = pending.pop(param, None)
    if value is None:
        return
    option = (to_option or {}).get(value, value if to_option is None else None)
    if option in options:
        st.session_state[widget_key] = option
    else:
        st.session_state.setdefault(_PROBLEMS, []).append(f"{param}={value} (not offered here)")


def note(param: str, code: str) -> None:
    """Record this run's value of ``param`` (a widget's choice as :func:`encode` writes it)."""
    st.session_state.setdefault(_NOTED, {})[param] = code


def begin_run() -> None:
    """Forget the previous run's noted values (the entry script calls it before the page runs)."""
    st.session_state[_NOTED] = {}


def current(focus: int | None, nodes: Sequence[int]) -> View:
    """The view of this run: the selection, and the widget values pages noted (:func:`note`)."""
    noted = st.session_state.get(_NOTED, {})
    return View(
        focus, tuple(nodes), noted.get("m"), noted.get("l"), noted.get("h"), noted.get("c"), noted.get("b")
    )


def layer_options_map(options: Sequence[str], rollout: str) -> dict[str, str]:
    """``l`` values to a layer widget's options (for :func:`choose`)."""
    return {layer_code(o, options, rollout): o for o in options}


def head_options_map(options: Sequence[str]) -> dict[str, str]:
    """``h`` values to a head widget's options (for :func:`choose`)."""
    return {head_code(o): o for o in options}


def sync(view: View) -> None:
    """End of a run: write ``view`` into the address, and say once what the address had that was ignored."""
    st.session_state.pop(_PENDING, None)
    problems = st.session_state.pop(_PROBLEMS, None)
    if problems:
        st.toast("Ignored from the link: " + "; ".join(problems), icon=":material/link_off:")
    wanted = encode(view)
    for key in KEYS:
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]
