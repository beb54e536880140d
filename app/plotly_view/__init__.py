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

import json
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

import plotly
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components_v1

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
    result = _COMPONENT(
        key=key,
        data=payload(fig, options),
        height="content",
        on_event_change=_ignore,  # declares the "event" state; the rerun itself does the work
    )
    return _as_event(result.get("event"))


def payload(fig: go.Figure, options: dict[str, Any]) -> bytes:
    """The component's data: UTF-8 JSON of ``options`` plus ``"figure"``, the figure as an object.

    Bytes, not a dict: Streamlit passes bytes through untouched, where a dict would be
    serialized again (the figure's JSON, ~0.5 MB with an edge image, escaped into a string)
    and parsed twice in the browser, on every rerun.
    """
    head = json.dumps(options)
    return f'{head[:-1]}{", " if options else ""}"figure": {fig.to_json()}}}'.encode()


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
