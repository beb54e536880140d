"""The "Download as HTML" button: every figure the page drew this run, in one offline file.

Pages draw their figures through :func:`app.components.chart` or :func:`app.components.plot`,
which keep each one here (:func:`keep`); the entry script clears the list before the page runs
(:func:`begin_run`) and draws the button after it (:func:`download_button`). The file is built
on click only (:func:`viz.export_html.html_document`): plotly.js inlined, the selection and focus
as drawn, each figure with offline "Save SVG" / "Save PNG" buttons.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from nodescope.app import state
from nodescope.app.pages import PageInfo
from nodescope.viz.export_html import Block, html_document

_FIGURES = "page_figures"  # session: [(key, figure)] drawn by this run's page


def begin_run() -> None:
    """Forget the figures of the previous run (the entry script calls it before the page runs)."""
    st.session_state[_FIGURES] = []


def keep(fig: go.Figure, key: str) -> None:
    """Remember a figure the page draws, for the export (the last one drawn under a key wins)."""
    figures: list = st.session_state.setdefault(_FIGURES, [])
    figures[:] = [(k, f) for k, f in figures if k != key]
    figures.append((key, fig))


def _heading(key: str, fig: go.Figure) -> str:
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    return re.sub(r"<[^>]+>", " ", title).strip() or key.replace("_", " ")


def _subtitle() -> str:
    s = state.sample()
    sel = state.selection()
    parts = [f"{s.name} ({s.num_nodes:,} nodes)"]
    if sel.focus is not None:
        parts.append(f"focus {s.node_label(sel.focus)}")
    if sel.nodes:
        parts.append(f"{len(sel.nodes)} selected")
    return " · ".join(parts)


def document(info: PageInfo, figures: list[tuple[str, go.Figure]], subtitle: str) -> bytes:
    """The page's HTML file (UTF-8)."""
    blocks = [Block(heading=_heading(k, f), figure=f) for k, f in figures]
    return html_document(f"Nodescope · {info.title}", blocks, subtitle=subtitle).encode()


def download_button(info: PageInfo) -> None:
    """Offer the page's figures of this run as one standalone HTML file (built on click)."""
    figures = list(st.session_state.get(_FIGURES, []))
    if not figures:
        return
    subtitle = _subtitle()
    st.divider()
    c_button, c_note = st.columns([1, 3])
    c_button.download_button(
        "Download as HTML",
        lambda: document(info, figures, subtitle),
        file_name=f"nodescope-{info.url_path}-{state.sample().name}.html".replace(" ", "_"),
        mime="text/html",
        on_click="ignore",
        icon=":material/download:",
        key="download_html",
    )
    c_note.caption(
        f"The {len(figures)} figures above, with the selection, in one file that opens offline (about 5 MB, "
        "most of it plotly.js) and stays interactive; each figure saves as SVG or as a 3× PNG in a "
        "publication style. `nodescope export` writes the same from the command line."
    )
