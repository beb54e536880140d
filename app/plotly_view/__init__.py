"""A plotly chart that keeps its identity across reruns and reports clicks and selections.

Why not ``st.plotly_chart(fig, key=..., on_select="rerun")``: Streamlit (1.67) derives that
element's id from the figure, so every new figure (our selection highlight changes on every
click) remounts the chart: a new div, ``Plotly.newPlot``, new WebGL contexts and shader
compiles (1-3 s per click on a 3,000-node graph in headless Chromium), and the chart's own
selection state is lost.

:func:`plotly_view` is an ``st.components.v2`` component: its element id comes from ``key``
alone, its JavaScript (``frontend/plotly_view.js``) runs in the app's own document (no
iframe) and draws the first figure with ``Plotly.newPlot`` and every later one with
``Plotly.react`` on the same div, so buffers are updated in place and ``uirevision`` keeps
zoom and pan. plotly.js is the ``plotly.min.js`` the plotly Python package ships, served by
Streamlit's static component route (no network, no npm build).

Reading events (the value persists across reruns, so compare ``event_id``)::

    event = plotly_view(fig, key="nodelink")            # or, before drawing: latest_event("nodelink")
    if event and event["event_id"] != last_seen:        # a new click or box/lasso selection
        ids = node_ids_from_points(event["points"])
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

import plotly
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components_v1
from plotly.io.json import to_json_plotly

_FRONTEND = Path(__file__).resolve().parent / "frontend"
#: The folder holding the plotly.min.js that matches the installed plotly Python package.
PLOTLY_DIR = Path(str(resources.files("plotly") / "package_data"))

#: ``loadPlotly(url)``: one plotly.js per page, shared by the component and the preload.
_LOAD_PLOTLY_JS = (_FRONTEND / "load_plotly.js").read_text(encoding="utf-8")

_COMPONENT = st.components.v2.component(
    "nodescope.plotly_view",
    js=_LOAD_PLOTLY_JS + "\n" + (_FRONTEND / "plotly_view.js").read_text(encoding="utf-8"),
    # In the page's DOM, not a shadow root: plotly.js styles its modebar and hover labels
    # through a global stylesheet, and tests find charts with document.querySelectorAll.
    isolate_styles=False,
)


#: With ``send_once``, a trace whose JSON has at least this many characters is sent once per
#: chart and then named by a hash of its JSON (see :func:`plotly_view`).
LARGE_TRACE_CHARS = 16_384
#: How many large traces a chart's browser side is assumed to hold (its latest ones).
HELD_PER_CHART = 8
_HELD = "_plotly_view_held"  # session: {chart key: hashes of the large traces the browser holds}
_RESENDS = "_plotly_view_resends"  # session: {chart key: the last "resend" request handled}


class Point(TypedDict, total=False):
    """One clicked or selected point, as the frontend reports it."""

    curve_number: int  # index of the trace in fig.data
    point_index: int  # index of the point in that trace
    customdata: Any  # the point's customdata (our node points: the node id)
    x: Any
    y: Any
    z: Any  # 3D traces only


class SelectionEvent(TypedDict):
    """The latest click or box/lasso selection of a :func:`plotly_view` chart."""

    kind: str  # "click" or "select"
    event_id: int  # strictly increasing per browser tab: a new id is a new user action
    points: list[Point]  # never empty (empty selections and deselects are not reported)


def plotly_js_url() -> str:
    """URL path of the served plotly.min.js, serving it first if needed (call inside a script run).

    Streamlit serves a declared v1 component's folder at ``/component/<name>/<file>``: its one
    public way to serve a static file without app configuration; only plotly.min.js is fetched
    from it. The folder may be inside site-packages (the route resolves real paths; a symlink
    pointing out of the folder would be refused, so nothing is linked or copied). Declaring
    registers the folder with the running server only inside a script run, so it is done on
    every call (same name and path: a no-op after the first). The plotly version is a query
    string so a browser never runs a cached older bundle.
    """
    assets = components_v1.declare_component("plotly_js", path=str(PLOTLY_DIR))
    if assets.url:  # server.customComponentBaseUrlPath set: components are served from there
        return f"{assets.url.rstrip('/')}/plotly.min.js?v={plotly.__version__}"
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{assets.name}/plotly.min.js?v={plotly.__version__}"


#: Starts loading plotly.js with the component's own ``loadPlotly`` (frontend/load_plotly.js), into
#: the ``window.__nodescopePlotly`` promise the component then finds. The marker and the style hide
#: the element's own container: even a script-only ``st.html`` takes a row's gap.
_PRELOAD_HTML = """<span id="nodescope-plotly-preload"></span>
<style>[data-testid="stElementContainer"]:has(#nodescope-plotly-preload) {{ display: none; }}</style>
<script>
{load_plotly}
loadPlotly("{url}").catch(() => {{}});  // a failed preload is retried by the first chart
</script>"""


def preload_plotly_js() -> None:
    """Have the browser start loading plotly.js now, before any chart needs it (inside a script run).

    plotly.min.js is 4.8 MB: fetching, compiling and running it takes headless Chromium ~1.5 s
    on a 2-core machine. app/main.py calls this before a page with charts runs, so that happens
    while the page's first run is still importing and computing instead of after it (and on
    Home after the sidebar). Draws nothing; once loaded (or loading), a call costs the browser
    nothing.
    """
    st.html(
        _PRELOAD_HTML.format(load_plotly=_LOAD_PLOTLY_JS, url=plotly_js_url()), unsafe_allow_javascript=True
    )


def chart_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """The plotly config sent to the browser: ``config`` without the "Share chart" button.

    plotly.js 4 adds a modebar button that uploads the figure (the user's data) to Plotly
    Cloud; a local exploration tool should not offer that.
    """
    out = dict(config or {})
    out["modeBarButtonsToRemove"] = [*out.get("modeBarButtonsToRemove", ()), "sendChartToCloud"]
    return out


def plotly_view(
    fig: go.Figure,
    *,
    key: str,
    config: dict[str, Any] | None = None,
    height: int = 520,
    click_selects: bool = False,
    send_once: bool = False,
) -> SelectionEvent | None:
    """Draw ``fig`` (full container width, ``height`` px) and return its latest selection event.

    A click on a point or a box/lasso selection reruns the app. The returned event persists
    across reruns until the next one: compare ``event_id`` with the last one handled to tell
    a new user action from a repeat. ``key`` fixes the chart's identity: the same key on the
    next run updates the same chart in place (``Plotly.react``), keeping zoom/pan when the
    layout sets ``uirevision``. ``layout.height``, when set, overrides ``height``.

    Unless ``click_selects``, a click only reports (``clickmode`` "event"): plotly's own
    click-selection would restyle and redraw the whole WebGL scene before the event is even
    sent (~0.5 s for a 3,000-node graph in software GL), only for the rerun to draw the app's
    selection. Box and lasso selections (modebar) work either way.

    ``config["plotGlPixelRatio"] = "device"`` draws WebGL at the screen's resolution instead of
    plotly's default of twice it: a 3D redraw shades a quarter of the pixels on a standard screen.

    With ``send_once``, a large trace (a mesh, thousands of points: JSON of at least
    :data:`LARGE_TRACE_CHARS` characters) already sent to this chart in this session is not
    sent again: the payload names it by the hash of its JSON and the browser uses the trace it
    holds, the very object it drew, so ``Plotly.react`` sees that trace unchanged. An update
    that only moves a marker then costs a few kB instead of the whole mesh. Should the
    browser lack a named trace (evicted, or an update it never received), it asks for all of
    them again (state ``resend``: one more rerun).

    Returns:
        ``{"kind", "event_id", "points": [{"curve_number", "point_index", "customdata",
        "x", "y"}, ...]}`` or None before the first event. ``points`` works with
        :func:`viz.nodes.node_ids_from_points`.
    """
    options = {
        "config": chart_config(config),
        "height": int(height),
        "plotly_url": plotly_js_url(),
        "click_selects": bool(click_selects),
    }
    held = None
    if send_once:
        held, options["resend"] = _held(key)
    data, hashes = _encode(fig, options, held)
    result = _COMPONENT(
        key=key,
        data=data,
        height="content",
        on_event_change=_ignore,  # declares the "event" state; the rerun itself does the work
        on_resend_change=_ignore,  # the browser lacks a trace it was told it holds
    )
    if held is not None:  # recorded once the element is on its way (a stopped run sends nothing)
        st.session_state[_HELD][key] = [*(h for h in held if h not in hashes), *hashes][-HELD_PER_CHART:]
    return _as_event(result.get("event"))


def _held(key: str) -> tuple[list[str], int | None]:
    """The hashes of the large traces chart ``key``'s browser holds, and its last resend id handled.

    None are held right after a resend request. The id goes into the payload: a payload that names traces the browser lacks, sent again
    after the request by a run that overtook the one answering it, then differs from the one
    that asked, so the component runs again and asks again (an equal payload would not reach it).
    """
    held = st.session_state.setdefault(_HELD, {})
    value = st.session_state.get(key)
    resend = value.get("resend") if hasattr(value, "get") else None
    handled = st.session_state.setdefault(_RESENDS, {})
    if resend is not None and handled.get(key) != resend:
        handled[key] = resend
        held.pop(key, None)
    return list(held.get(key, ())), handled.get(key)


def payload(fig: go.Figure, options: dict[str, Any]) -> bytes:
    """The component's data: UTF-8 JSON of ``options`` plus ``"figure"``, the figure as an object.

    Bytes, not a dict: Streamlit passes bytes through untouched, where a dict would be
    serialized again (the figure's JSON, ~0.5 MB with an edge image, escaped into a string)
    and parsed twice in the browser, on every rerun.
    """
    return _encode(fig, options, None)[0]


def _encode(fig: go.Figure, options: dict[str, Any], held: list[str] | None) -> tuple[bytes, list[str]]:
    """:func:`payload`, and with ``held`` its large-trace form (see :func:`plotly_view`'s ``send_once``).

    Each trace of at least :data:`LARGE_TRACE_CHARS` JSON characters becomes ``{"$ref": hash}``
    in ``figure.data``; those not in ``held`` also go under ``"traces": {hash: trace}``.

    Returns:
        The bytes, and the hashes of the figure's large traces in trace order (none without ``held``).
    """
    head = json.dumps(options)
    sep = ", " if options else ""
    if held is None:
        return f'{head[:-1]}{sep}"figure": {fig.to_json()}}}'.encode(), []
    spec = fig.to_dict()
    parts, hashes, new = [], [], {}
    for trace in spec["data"]:
        text = to_json_plotly(trace)
        if len(text) < LARGE_TRACE_CHARS:
            parts.append(text)
            continue
        digest = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
        parts.append(json.dumps({"$ref": digest}))
        hashes.append(digest)
        if digest not in held:
            new[digest] = text
    figure = f'{{"data": [{", ".join(parts)}], "layout": {to_json_plotly(spec.get("layout", {}))}}}'
    traces = ", ".join(f'"{h}": {text}' for h, text in new.items())
    return f'{head[:-1]}{sep}"figure": {figure}, "traces": {{{traces}}}}}'.encode(), hashes


def latest_event(key: str) -> SelectionEvent | None:
    """The latest event of the chart ``key`` read from session state: usable BEFORE drawing it.

    Pages take events first and then draw every view with the new selection, so one rerun
    shows the result (reading the return value of :func:`plotly_view` would need two).
    """
    value = st.session_state.get(key)
    return _as_event(value.get("event") if hasattr(value, "get") else None)


def _as_event(value: Any) -> SelectionEvent | None:
    if not isinstance(value, dict) or not isinstance(value.get("points"), list):
        return None
    return SelectionEvent(
        kind=str(value.get("kind", "click")), event_id=int(value.get("event_id", 0)), points=value["points"]
    )


def _ignore() -> None:
    pass
