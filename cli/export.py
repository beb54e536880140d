"""``nodescope export PAGE --source NAME [--model KEY] [--focus N] --out report.html``.

Writes one self-contained HTML file with a page's main figures, as the app's "Download as HTML"
button does: plotly.js inlined (no network needed to open it), every figure interactive, the
focus node marked, and each figure's "Save SVG" / "Save PNG" buttons (publication preset) working
offline. PAGE is the app's address of the page: ``explorer``, ``geometry``, ``attention``,
``explanations``, ``oversmoothing``, ``registration``, ``timeseries``, ``skeletons``, ``panoramas``
or ``meshes``; ``pipeline`` draws a run of ``nodescope train --model gcnii --stages … --out DIR``
from its run folder, ``--run DIR/<dataset>-gcnii-pipeline`` (its checkpoint and worker reports;
:func:`explain.pipeline_report.run_from_folder`), on the sample ``--source`` names.

The figures are :func:`nodescope.show`'s (the app's views, drawn without Streamlit); the Time
series, Skeletons, Panoramas, Meshes and Pipeline pages' are :func:`nodescope.api.draw_page`'s
(:mod:`nodescope.page_figures`); this module only wires them into the file. ``--source`` names the sample (a
built-in, ``cora``/``citeseer``, a file); for ``registration`` it names the moving hemisphere:
``synthetic`` (fsaverage5 warped, seed 0, as the page's first choice), ``synthetic:SEED``, or what
:func:`nodescope.register` reads (a FreeSurfer subject folder, a sphere file).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nodescope.core.errors import LoadError

if TYPE_CHECKING:
    from nodescope.viz.export_html import Block

#: The app's page addresses this command exports, and the model each uses by default.
PAGES = (
    "explorer", "geometry", "attention", "explanations", "oversmoothing", "registration", "timeseries", "skeletons",
    "panoramas", "meshes",
)  # fmt: skip
#: App pages that draw a saved run (``--run``), and the one line that refuses them without one.
NEEDS_RUN = {
    "pipeline": (
        "export pipeline draws a saved run: --run DIR/<dataset>-gcnii-pipeline, the run folder of "
        "nodescope train --model gcnii --stages 2 --chunks 4 --out DIR (or the page's 'Download as HTML')."
    ),
}
DEFAULT_MODELS = {"attention": "gat", "explanations": "xnode-gcn", "skeletons": "hopfir"}
TITLES = {
    "explorer": "Explorer",
    "geometry": "3D & sphere",
    "attention": "Attention",
    "explanations": "Explanations",
    "oversmoothing": "Over-smoothing",
    "registration": "Cortical registration",
    "timeseries": "Time series",
    "skeletons": "Skeletons",
    "panoramas": "Panoramas",
    "meshes": "Meshes",
    "pipeline": "Pipeline",
}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("export", help="one page's figures as a standalone offline HTML file")
    p.add_argument("page", help=f"the page: {', '.join((*PAGES, *NEEDS_RUN))}")
    p.add_argument(
        "--source", required=True, help="the sample (karate, cora, a file...); registration: synthetic"
    )
    p.add_argument("--model", help="attention: gat (default), gatv2...; explanations: xnode-gcn (default)...")
    p.add_argument("--focus", type=int, help="the node (series, moving vertex) to focus and mark")
    p.add_argument(
        "--run",
        type=Path,
        help="pipeline: the run folder (DIR/<dataset>-gcnii-pipeline of nodescope train --stages)",
    )
    p.add_argument("--out", type=Path, required=True, help="the .html file to write")
    p.set_defaults(func=run)


def _blocks(figures: dict[str, Any], headings: dict[str, str]) -> list[Block]:
    from nodescope.viz.export_html import Block

    return [Block(heading=headings.get(k, k.capitalize()), figure=f) for k, f in figures.items()]


def _explorer(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    figures = {
        "graph": nodescope.show(s, "graph", focus=focus),
        "embedding": nodescope.show(s, "embedding", focus=focus),
    }
    return s.name, _blocks(figures, {"graph": "Graph", "embedding": "Embedding (PCA of the node features)"})


def _geometry(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    figures = nodescope.show(s, "surface", focus=focus)
    if s.kind == "cortex":  # both hemispheres in one view where the other one exists
        from nodescope.core.loaders.hemispheres import both_hemispheres, is_pair, other_hemisphere

        other, real = other_hemisphere(s) if not is_pair(s) else (None, False)
        if real:
            figures["both"] = nodescope.show(both_hemispheres(s, other), "surface")["3d"]
    headings = {"3d": "3D", "map": "Longitude/latitude map", "both": "Both hemispheres (lh left, rh right)"}
    return s.name, _blocks(figures, headings)


def _attention(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    key = model or DEFAULT_MODELS["attention"]
    figures = nodescope.show(s, "attention", model=key, focus=focus)
    headings = {
        "graph": "Attention on edges (layer 1, mean over heads)",
        "heads": "Every head around the focus node",
        "matrix": "The focus node's attention block",
        "importance": "Attention salience vs causal importance",
    }
    return f"{s.name}, {key}", _blocks(figures, headings)


def _explanations(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    key = model or DEFAULT_MODELS["explanations"]
    figures = nodescope.show(s, "explanation", model=key, focus=focus)
    headings = {"map": "Every node, colored by confidence", "contributions": "What each cue contributes"}
    return f"{s.name}, {key}", _blocks(figures, headings)


def _oversmoothing(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope

    s = nodescope.load(source)
    figures = nodescope.show(s, "oversmoothing")
    return s.name, _blocks(
        figures, {"curves": "Dirichlet energy layer by layer", "accuracy": "Accuracy vs depth"}
    )


def _registration(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope
    from nodescope.core.registration.subjects import fixed_subject, synthetic
    from nodescope.page_figures import OVERVIEW_VERTICES, both_hemispheres_overview

    moving: Any = source
    other = None  # the moving subject's other hemisphere, where there is one
    if source == "synthetic" or source.startswith("synthetic:"):
        seed = source.partition(":")[2] or "0"
        if not seed.isdigit():
            raise LoadError(f"synthetic:SEED takes a whole number, not '{seed}'.")
        moving = synthetic(int(seed), atlas=fixed_subject("fsaverage5"))
        other = synthetic(int(seed), atlas=fixed_subject("fsaverage5", "rh"))
    reg = nodescope.register(moving)
    figures = nodescope.show(reg, focus=focus)
    if other is None and Path(source).is_dir():
        from nodescope.core.registration.io import read_subject_dir

        try:
            other = read_subject_dir(source, "rh" if reg.moving.hemi == "lh" else "lh")
        except LoadError:
            other = None  # one hemisphere only (the reference subject has lh only)
    if other is not None:
        figures["both"] = both_hemispheres_overview(reg.moving, other, focus)
    headings = {
        "moving": "Moving sphere",
        "fixed": "Fixed sphere (fsaverage5)",
        "registered": "Registered sphere",
        "map": "Moving vertices at their registered positions",
        "both": "Both hemispheres of the moving subject (lh left, rh right), sulc on one scale; "
        f"at most {OVERVIEW_VERTICES:,} vertices",
    }
    return reg.moving.name, _blocks(figures, headings)


def _timeseries(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    import nodescope
    from nodescope.api import draw_page
    from nodescope.cli.progress import Bar

    s = nodescope.load(source)
    with Bar(f"No shipped forecaster for {s.name}: training MTGNN", unit="epoch") as bar:  # opens to train
        page = draw_page(s, "forecast", focus=focus, progress=bar.on_count)
    return page.what, _blocks(page.figures, page.headings)


def _skeletons(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    from nodescope.api import draw_page

    page = draw_page(source, "lifting", model=model or DEFAULT_MODELS["skeletons"], focus=focus)
    return page.what, _blocks(page.figures, page.headings)


def _panoramas(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    from nodescope.api import draw_page

    page = draw_page(source, "panorama", focus=focus)
    return page.what, _blocks(page.figures, page.headings)


def _meshes(source: str, model: str | None, focus: int | None) -> tuple[str, list[Block]]:
    from nodescope.api import draw_page

    page = draw_page(source, "simulation", focus=focus)
    return page.what, _blocks(page.figures, page.headings)


def _pipeline(source: str, run_dir: Path, focus: int | None) -> tuple[str, list[Block]]:
    from nodescope.api import draw_page

    page = draw_page(source, "pipeline", run=run_dir, focus=focus)
    return page.what, _blocks(page.figures, page.headings)


BUILDERS: dict[str, Callable[[str, str | None, int | None], tuple[str, list[Block]]]] = {
    "explorer": _explorer,
    "geometry": _geometry,
    "attention": _attention,
    "explanations": _explanations,
    "oversmoothing": _oversmoothing,
    "registration": _registration,
    "timeseries": _timeseries,
    "skeletons": _skeletons,
    "panoramas": _panoramas,
    "meshes": _meshes,
}


def _focus_check(focus: int | None) -> None:
    """Refuse a negative ``--focus`` at once (each page bounds it by its node count)."""
    if focus is not None and focus < 0:
        raise LoadError(f"--focus takes a node id (0 or more), not {focus}.")


def run(args: argparse.Namespace) -> int:
    """Write ``--out``: the page's figures in one standalone HTML file; its size goes to stderr.

    Returns:
        0.

    Raises:
        LoadError: an unknown page, an unreadable source, a bad focus, a model the page cannot
            use or has no shipped weights for, or an unwritable ``--out``.
    """
    if args.page in NEEDS_RUN and args.run is None:
        raise LoadError(NEEDS_RUN[args.page])
    if args.page not in BUILDERS and args.page not in NEEDS_RUN:
        raise LoadError(f"Unknown page '{args.page}'; choose one of {', '.join((*PAGES, *NEEDS_RUN))}.")
    _focus_check(args.focus)
    from nodescope.viz.export_html import html_document, html_size_text

    if args.page == "pipeline":
        what, blocks = _pipeline(args.source, args.run, args.focus)
    else:
        what, blocks = BUILDERS[args.page](args.source, args.model, args.focus)
    focus = "" if args.focus is None else f", focus {args.focus}"
    document = html_document(f"Nodescope · {TITLES[args.page]}", blocks, subtitle=f"{what}{focus}")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"Cannot write {args.out} ({exc.strerror}).") from exc
    print(
        f"{TITLES[args.page]} → {args.out}: {len(blocks)} figures, {html_size_text(document)}",
        file=sys.stderr,
    )
    return 0
