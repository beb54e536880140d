"""``nodescope reviews``: export the explanation reviews (signed CSV or printable HTML) and verify an export."""

from __future__ import annotations

import argparse
from pathlib import Path

from nodescope.core.errors import LoadError

#: Exit status of ``reviews verify`` when the file does not match its hash.
EXIT_MISMATCH = 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``reviews`` subcommand (``export``, ``verify``) to ``sub``, the ``nodescope`` subparsers."""
    reviews = sub.add_parser(
        "reviews", help="export the explanation reviews or verify an export's content hash"
    )
    actions = reviews.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write the reviews as a signed CSV or a printable HTML page")
    export.add_argument("--out", type=Path, required=True, help="FILE.csv or FILE.html")
    export.add_argument("--db", type=Path, help="the review database (default $NODESCOPE_REVIEWS_DB)")
    export.add_argument("--fingerprint", help="only the reviews of the graph with this fingerprint")
    export.add_argument("--model", help="only the reviews of this model (as the page names it)")
    export.set_defaults(func=run_export)
    verify = actions.add_parser("verify", help="re-hash an exported CSV; exit 1 when it was changed")
    verify.add_argument("file", type=Path, help="a CSV written by `reviews export` or the app")
    verify.add_argument("--expected", help="the content hash kept apart (e.g. the printed page's)")
    verify.set_defaults(func=run_verify)


def run_export(args: argparse.Namespace) -> int:
    """Write the reviews to ``args.out`` (CSV or HTML by its suffix) and print the content hash.

    Returns:
        0.

    Raises:
        LoadError: an output suffix other than .csv or .html.
    """
    from nodescope.core.review_export import reviews_csv, reviews_html, verify_csv
    from nodescope.core.reviews import ReviewStore

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".html"):
        raise LoadError(f"--out must end in .csv or .html, not {args.out.name!r}.")
    rows = ReviewStore(args.db).reviews(fingerprint=args.fingerprint, model=args.model)
    csv_text = reviews_csv(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(csv_text if suffix == ".csv" else reviews_html(rows), encoding="utf-8")
    print(f"{len(rows)} review(s) → {args.out}; content sha256 {verify_csv(csv_text).computed}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Re-hash the CSV ``args.file`` and print what matches or not.

    Returns:
        0 when the file matches its hash (and ``--expected``), :data:`EXIT_MISMATCH` when not.

    Raises:
        LoadError: the file cannot be read.
    """
    from nodescope.core.review_export import verify_csv

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"Cannot read {args.file} ({type(exc).__name__}).") from exc
    check = verify_csv(text, expected=args.expected)
    if check.ok:
        print(f"OK: {check.rows} review(s), content sha256 {check.computed}")
        return 0
    print(f"MISMATCH in {args.file}:")
    for problem in check.problems:
        print(f"- {problem}")
    return EXIT_MISMATCH
