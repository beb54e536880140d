"""``nodescope report --source SRC [--model KEY] [--method M] [--fidelity-nodes N] --out DIR``.

Writes ``DIR/report.html``, one self-contained file a reviewer opens from disk with no network
and nothing installed (plotly.js inlined once for every figure), and ``DIR/report.json``, the
same sentences and tables for machines. What it holds depends on the source's kind:

- a graph: the model's accuracy per split beside the majority class, its attention entropy per
  layer and head against uniform (``n/a`` for models without attention), the fidelity of its
  explanations over a seeded sample of nodes (``nodescope explain``'s numbers), and the
  Over-smoothing page's depth sweep; a graph without labels gets the sweep only;
- a cortical hemisphere (``fsaverage5-left``, a cortex file, or ``synthetic`` /
  ``synthetic:SEED``: fsaverage5 warped, as the Cortical registration page's first choice):
  its registration onto fsaverage5 with ``nodescope register``'s quality control and the page's
  figures;
- a time series, a skeleton clip, a mesh or a panorama (``test:SEED``, ``ood:SEED`` for a
  generated room): the figures ``nodescope export`` draws for that kind's page.

The sections are built below the CLI (:func:`nodescope.report`, :mod:`explain.batch_report`)
and drawn by :mod:`viz`; the page kinds' figures are :func:`nodescope.api.draw_page`'s
(:mod:`nodescope.page_figures`), as ``nodescope export`` writes them; this module only wires them. ``--model`` defaults to
:data:`explain.defaults.REPORT_MODEL` for graphs; a skeleton takes a lifter (``hopfir``,
``gcn``, ``mlp``); the other kinds use their shipped models and refuse ``--model``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nodescope.core.errors import LoadError
from nodescope.explain.defaults import EXPLAIN_METHODS, REPORT_MODEL
from nodescope.page_figures import KIND_MODELS, KIND_PAGES, SKELETON_MODELS

if TYPE_CHECKING:
    from nodescope.cli.progress import Bar
    from nodescope.explain.batch_report import Section
    from nodescope.viz.export_html import Block

HTML_NAME, JSON_NAME = "report.html", "report.json"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser("report", help="a self-contained offline HTML report of a model on a source")
    p.add_argument(
        "--source",
        required=True,
        help="karate, cora, a file...; fsaverage5-left or synthetic[:SEED]; ant; test:0...",
    )
    p.add_argument(
        "--model",
        help=f"graphs: a registry key (default {REPORT_MODEL}); skeletons: hopfir (default), gcn, mlp",
    )
    p.add_argument(
        "--method",
        choices=EXPLAIN_METHODS,
        help="the explainer scored (default xnode for X-Node models, else ig)",
    )
    p.add_argument("--fidelity-nodes", type=int, default=50, help="nodes explained and scored (default 50)")
    p.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    p.add_argument(
        "--out", type=Path, required=True, help="the folder to write report.html and report.json into"
    )
    p.set_defaults(func=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _section_blocks(section: Section) -> list[Block]:
    """A section as document blocks: its sentences and table, then its figures (:mod:`viz`)."""
    from nodescope.core.models import MODELS
    from nodescope.viz.export_html import Block
    from nodescope.viz.oversmoothing_view import accuracy_depth_figure, metric_curves_figure
    from nodescope.viz.report_view import head_entropy_figure, split_accuracy_figure

    a = section.arrays
    figures = []
    if section.key == "accuracy" and a:
        figures.append(
            split_accuracy_figure(a["splits"], a["accuracy"], a["majority"], title="Accuracy per split")
        )
    elif section.key == "attention" and a:
        figures.append(
            head_entropy_figure(a["entropy_norm"], a["layer_names"], title="Entropy of each head / uniform")
        )
    elif section.key == "oversmoothing" and a:
        names = {m: MODELS[m].title for m in a["curves"]}
        figures.append(
            metric_curves_figure(
                a["curves"], metric_title=a["metric_title"], names=names, log_y=a["log_y"],
                title=f"{a['metric_title']}, models of depth {a['depth']}",
            )
        )  # fmt: skip
        if "accuracy" in a:
            acc = a["accuracy"]
            figures.append(
                accuracy_depth_figure(
                    acc, names={m: MODELS[m].title for m in acc}, title="Test accuracy vs depth"
                )
            )
    text = "\n\n".join(section.sentences)
    first = Block(
        heading=section.title, text=text, table=section.table, figure=figures[0] if figures else None
    )
    return [first, *(Block(figure=f) for f in figures[1:])]


def _synthetic(source: str) -> Any:
    """The moving subject ``synthetic[:SEED]`` names (fsaverage5 warped, as the registration page's first)."""
    from nodescope.core.registration.subjects import fixed_subject, synthetic

    seed = source.partition(":")[2] or "0"
    if not seed.isdigit():
        raise LoadError(f"synthetic:SEED takes a whole number, not '{seed}'.")
    return synthetic(int(seed), atlas=fixed_subject("fsaverage5"))


def _registration(moving: Any, bar: Bar) -> tuple[str, list[Section], list[Block]]:
    import nodescope
    from nodescope.cli.export import _blocks

    _say("Registering onto fsaverage5…")
    reg = nodescope.register(moving, progress=lambda stage, f: bar.on_fraction(f, f"registering: {stage}"))
    sections = nodescope.report(reg)
    headings = {
        "moving": "Moving sphere",
        "fixed": "Fixed sphere (fsaverage5)",
        "registered": "Registered sphere",
        "map": "Moving vertices at their registered positions",
    }
    return reg.moving.name, sections, _blocks(nodescope.show(reg), headings)


def _graph(s: Any, args: argparse.Namespace, bar: Bar) -> tuple[str, list[Section]]:
    import nodescope
    from nodescope.cli.common import known_model
    from nodescope.cli.progress import Bar as EpochBar
    from nodescope.core.models import MODELS

    key = args.model or REPORT_MODEL
    known_model(key)
    if s.data.get("y") is None or s.num_classes < 2:  # the sweep only (a --model is refused)
        return s.name, nodescope.report(s, args.model, progress=bar.on_fraction)
    with EpochBar(f"{key}: no shipped weights fit {s.name}, training (seed 0)", unit="epoch") as epochs:
        network = nodescope.model(s, key, progress=epochs.on_epoch)
    sections = nodescope.report(
        s, network, method=args.method, fidelity_nodes=args.fidelity_nodes, progress=bar.on_fraction
    )
    return f"{s.name}, {MODELS[key].title}", sections


def _page(kind: str, target: Any, args: argparse.Namespace) -> tuple[str, list[Block]]:
    """The figures ``nodescope export`` draws for ``kind``'s page, after :func:`nodescope.report`'s line on them.

    ``target`` is the loaded sample, or the source of a generated room (``test:SEED``).
    """
    import nodescope
    from nodescope.cli.export import BUILDERS

    if args.method:
        raise LoadError(f"--method scores graph explanations; a {kind} report has none.")
    if kind == "skeleton":
        if args.model and args.model not in SKELETON_MODELS:
            raise LoadError(f"A skeleton report lifts with {', '.join(SKELETON_MODELS)}, not '{args.model}'.")
    elif args.model:
        raise LoadError(f"A {kind} report uses {KIND_MODELS[kind]}; --model does not apply.")
    (intro,) = nodescope.report(target, args.model)
    what, blocks = BUILDERS[KIND_PAGES[kind][0]](args.source, args.model, None)
    return what, [*_section_blocks(intro), *blocks]


def _content(args: argparse.Namespace, bar: Bar) -> tuple[str, str, list[Section], list[Block]]:
    """``(what, kind, sections, figure blocks)`` for ``--source``."""
    import nodescope

    source = args.source
    if source == "synthetic" or source.startswith("synthetic:"):
        if args.model or args.method:
            raise LoadError("A cortical report is a registration: --model and --method do not apply.")
        what, sections, blocks = _registration(_synthetic(source), bar)
        return what, "cortex", sections, blocks
    if source.partition(":")[0] in ("test", "ood") and source.partition(":")[2]:
        what, blocks = _page("panorama", source, args)
        return what, "panorama", [], blocks
    s = nodescope.load(source, data_dir=args.data_dir)
    if s.kind == "graph":
        what, sections = _graph(s, args, bar)
        return what, "graph", sections, []
    if s.kind == "cortex":
        if args.model or args.method:
            raise LoadError(
                f"{s.name} is a cortical hemisphere: its report is its registration; --model does not apply."
            )
        what, sections, blocks = _registration(s, bar)
        return what, "cortex", sections, blocks
    if s.kind in KIND_PAGES:
        what, blocks = _page(s.kind, s, args)
        return what, s.kind, [], blocks
    raise LoadError(f"{s.name} is a {s.kind} sample; nodescope report has no report for it.")


def _record(
    source: str, kind: str, what: str, sections: list[Section], blocks: list[Block]
) -> dict[str, Any]:
    """The report's sentences and tables as JSON-ready data."""
    from nodescope.core.export import json_bytes

    return {
        "source": source,
        "kind": kind,
        "what": what,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "sentences": list(s.sentences),
                "table": None if s.table is None else json.loads(json_bytes(s.table)),
            }
            for s in sections
        ],
        "figures": [
            b.heading or (b.figure.layout.title.text if b.figure is not None else "") for b in blocks
        ],
    }


def run(args: argparse.Namespace) -> int:
    """Write ``--out``/report.html and report.json; progress and a summary line go to stderr.

    Returns:
        0.

    Raises:
        LoadError: an unknown or unreadable source, a model or method the source's kind cannot
            take, a negative ``--fidelity-nodes``, an ``--out`` that is a file or unwritable.
    """
    from nodescope.cli.progress import FRACTION_FORMAT, Bar
    from nodescope.viz.export_html import html_document, html_size_text

    if args.fidelity_nodes < 0:
        raise LoadError(f"--fidelity-nodes must be 0 or more, not {args.fidelity_nodes}.")
    if args.out.exists() and not args.out.is_dir():
        raise LoadError(f"--out {args.out} is a file; give a folder for report.html.")
    with Bar(bar_format=FRACTION_FORMAT) as bar:
        what, kind, sections, figures = _content(args, bar)
    blocks = [b for s in sections for b in _section_blocks(s)] + figures
    document = html_document("Nodescope report", blocks, subtitle=what)
    record = _record(args.source, kind, what, sections, blocks)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / HTML_NAME).write_text(document, encoding="utf-8")
        (args.out / JSON_NAME).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise LoadError(f"Cannot write {args.out} ({exc.strerror}).") from exc
    drawn = sum(b.figure is not None for b in blocks)
    _say(
        f"Report on {what} → {args.out / HTML_NAME}: {len(sections)} sections, {drawn} figures, "
        f"{html_size_text(document)}"
    )
    return 0
