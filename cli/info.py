"""``nodescope info SOURCE``: load anything the app can load and summarize it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``info`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    info = sub.add_parser(
        "info", help="load a graph, mesh, cortical surface, panorama or skeleton and summarize it"
    )
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
    info.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load ``args.source`` (with its companion files) and print its summary, as text or one JSON object.

    Args:
        args: the parsed ``nodescope info`` options.

    Returns:
        0.

    Raises:
        LoadError: the source or a companion file cannot be loaded.
    """
    from nodescope.core.loaders import load

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
        else f"  labels    {labels['classes']} classes, {labels['labeled']:,} labeled nodes"
    )
    present = [k for k in ("pos", "spherical_coords") if geo[k]]
    if geo["faces"]:
        present.append(f"{geo['faces']:,} faces")
    if geo["surfaces"]:
        present.append("surfaces " + "/".join(geo["surfaces"]))
    if geo["image"]:
        present.append(f"image {geo['image'][1]}x{geo['image'][0]}")
    lines.append(f"  geometry  {', '.join(present) or 'none'}")
    motion = summary.get("motion")
    if motion:
        rate = f" at {motion['frame_rate']:g} fps" if motion["frame_rate"] else ""
        names = {"joints_3d": "3D joints (m)", "keypoints_2d": "2D keypoints (px)"}
        held = [k for k in names if motion[k]]
        cam = motion["camera"] or {}
        seen = f", focal {cam['focal']:.0f} px" if "focal" in cam else ""
        if "width" in cam:
            seen += f", image {cam['width']:.0f}x{cam['height']:.0f}"
        lines.append(
            f"  motion    {motion['frames']:,} frames{rate}: {', '.join(names[k] for k in held)}{seen}"
        )
    lines += [f"  note      {n}" for n in summary["notices"]]
    print("\n".join(lines))
    return 0
