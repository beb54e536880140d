"""The ``nodescope`` command line: one entry point, one subcommand per task.

Bad input prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from core.errors import LoadError

EXIT_BAD_INPUT = 2


def _cmd_info(args: argparse.Namespace) -> int:
    from core.loaders import load

    sample = load(
        args.source,
        companions=[Path(p) for p in args.with_files],
        data_dir=args.data_dir,
        level=args.level,
    )
    summary = sample.summary()
    if args.json:
        print(json.dumps(summary))
        return 0
    geo = summary["geometry"]
    lines = [
        f"{summary['name']}  ({summary['kind']}, from {summary['source']})",
        f"  nodes     {summary['nodes']:,}",
        f"  edges     {summary['edges']:,} ({'directed' if summary['directed'] else 'undirected'})",
        f"  features  {summary['features'][0]:,} x {summary['features'][1]:,}"
        + (f"  ({', '.join(summary['feature_names'][:6])}{', ...' if summary['features'][1] > 6 else ''})"),
    ]
    labels = summary["labels"]
    lines.append(
        "  labels    none"
        if labels is None
        else f"  labels    {labels['classes']} classes, {labels['labelled']:,} labelled nodes"
    )
    present = [k for k in ("pos", "spherical_coords") if geo[k]]
    if geo["faces"]:
        present.append(f"{geo['faces']:,} faces")
    if geo["surfaces"]:
        present.append("surfaces " + "/".join(geo["surfaces"]))
    if geo["image"]:
        present.append(f"image {geo['image'][1]}x{geo['image'][0]}")
    lines.append(f"  geometry  {', '.join(present) or 'none'}")
    lines += [f"  note      {n}" for n in summary["notices"]]
    print("\n".join(lines))
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    spec = importlib.util.find_spec("app.main")
    if spec is None or spec.origin is None:
        raise LoadError("The Nodescope app is not installed next to this command (app/main.py is missing).")
    env = dict(os.environ)
    if args.source:
        env["NODESCOPE_SOURCE"] = args.source
    if args.data_dir:
        env["NODESCOPE_DATA_DIR"] = str(args.data_dir)
    cmd = [sys.executable, "-m", "streamlit", "run", spec.origin, "--server.port", str(args.port)]
    cmd += ["--browser.gatherUsageStats", "false", "--server.headless", "true" if args.headless else "false"]
    return subprocess.call(cmd, env=env)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nodescope", description="Interactive visual exploration of graph neural networks."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="load a graph, mesh, cortical surface or panorama and summarise it")
    info.add_argument(
        "source", help="a built-in name (karate, fsaverage5-left, room, ...), cora/citeseer, or a file"
    )
    info.add_argument(
        "--with",
        dest="with_files",
        action="append",
        default=[],
        metavar="FILE",
        help="a companion file: an overlay (lh.sulc, .annot, .func.gii) or a node feature/label table",
    )
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.add_argument("--data-dir", type=Path, help="Planetoid data folder (default $NODESCOPE_DATA_DIR)")
    info.add_argument("--level", type=int, help="icosphere subdivision level for panoramas (default 5)")
    info.set_defaults(func=_cmd_info)

    app = sub.add_parser("app", help="launch the browser app")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--source", help="what to open first (default: a built-in graph)")
    app.add_argument("--data-dir", type=Path, help="Planetoid data folder")
    app.add_argument("--headless", action="store_true", help="do not open a browser window")
    app.set_defaults(func=_cmd_app)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LoadError as exc:
        print(f"nodescope: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
