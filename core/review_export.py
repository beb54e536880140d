"""Signed exports of explanation reviews: a CSV and a printable HTML page, each with a content hash.

Each exported row is one :class:`~core.reviews.Review` (reviewer, time, dataset, model, weights
SHA-256, node, verdict, comment, the explanation as reviewed) and its ``row_sha256``: the
SHA-256 of the row's fields as text (:func:`row_sha256`). The file's content hash is the SHA-256
of the row hashes in order (:func:`content_sha256`), so a changed, added, removed or reordered
row changes it. The CSV ends with one line ``# content_sha256=<hex> rows=<n>``; the HTML prints
the same hash, so a printed and signed page vouches for the CSV exported with it.

:func:`verify_csv` re-hashes a CSV and reports what no longer matches (``nodescope reviews
verify FILE``). The hash is not a signature: whoever edits the file can recompute it, so keep
the hash apart from the file (the printed page, a mail, a log) and check the file against it
(``expected``).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime

from nodescope.core.reviews import COLUMNS, Review

#: The exported columns: every review field, then the row's hash.
EXPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, "row_sha256")
_FOOTER = "# content_sha256="


def row_sha256(values: Sequence[object]) -> str:
    """SHA-256 (hex) of one row: its fields in :data:`~core.reviews.COLUMNS` order, each as text.

    The text is the field as the CSV writes it (``str``), JSON-encoded as one list, so a value
    read back from the CSV hashes as the review it came from.
    """
    text = json.dumps([str(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def content_sha256(row_hashes: Sequence[str]) -> str:
    """SHA-256 (hex) of the row hashes in order, one per line: the exported file's content hash."""
    return hashlib.sha256("\n".join(row_hashes).encode()).hexdigest()


def reviews_sha256(reviews: Sequence[Review]) -> str:
    """The content hash an export of ``reviews`` carries (:func:`content_sha256` of their row hashes)."""
    return content_sha256([row_sha256(astuple(r)) for r in reviews])


def reviews_csv(reviews: Sequence[Review]) -> str:
    """The reviews as CSV: :data:`EXPORT_COLUMNS`, then the ``# content_sha256=… rows=…`` line.

    pandas reads the rows with ``pd.read_csv(path, skipfooter=1, engine="python")``.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    hashes = []
    for r in reviews:
        values = astuple(r)
        hashes.append(row_sha256(values))
        writer.writerow([*values, hashes[-1]])
    out.write(f"{_FOOTER}{content_sha256(hashes)} rows={len(hashes)}\n")
    return out.getvalue()


@dataclass(frozen=True)
class Verification:
    """What :func:`verify_csv` found.

    Attributes:
        ok: every row matches its hash and the content hash matches the recorded one (and
            ``expected``, when given).
        rows: how many rows the file has.
        recorded: the content hash on the file's last line (None when it has none).
        computed: the content hash of the rows as they are now.
        changed: review ids (the ``id`` column) of rows whose fields no longer match their ``row_sha256``.
        problems: each mismatch in a sentence (empty when ``ok``).
    """

    ok: bool
    rows: int
    recorded: str | None
    computed: str
    changed: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)


def verify_csv(text: str, expected: str | None = None) -> Verification:
    """Re-hash an exported reviews CSV (:func:`reviews_csv`) and say what does not match.

    Args:
        text: the file's text.
        expected: a content hash kept apart from the file (the printed page's), to check as well.

    Returns:
        A :class:`Verification`; ``ok`` False for an edited, added, removed or reordered row, a
        missing or edited hash line, or a content hash other than ``expected``.
    """
    body, _, last = text.rstrip("\n").rpartition("\n")
    recorded, rows_recorded = None, None
    if last.startswith(_FOOTER):
        parts = last.removeprefix(_FOOTER).split()
        recorded = parts[0] if parts else ""
        rows_recorded = parts[1].removeprefix("rows=") if len(parts) > 1 else None
    else:
        body = text
    table = list(csv.reader(io.StringIO(body)))
    problems: list[str] = []
    if not table or tuple(table[0]) != EXPORT_COLUMNS:
        problems.append(f"the header is not the reviews export's ({', '.join(EXPORT_COLUMNS)})")
        return Verification(False, 0, recorded, content_sha256([]), (), tuple(problems))
    rows = [r for r in table[1:] if r]
    changed, hashes = [], []
    for row in rows:
        if len(row) != len(EXPORT_COLUMNS):
            changed.append(row[0] if row else "?")
            hashes.append("")
            continue
        *values, stated = row
        hashes.append(row_sha256(values))
        if hashes[-1] != stated:
            changed.append(values[0])
    computed = content_sha256(hashes)
    if changed:
        problems.append(
            f"{len(changed)} row(s) do not match their row_sha256: review id {', '.join(changed)}"
        )
    if recorded is None:
        problems.append("the file has no content_sha256 line (it was cut short or is not an export)")
    elif recorded != computed:
        problems.append(f"the content hash {recorded[:12]}… on the file is not its rows' {computed[:12]}…")
    if rows_recorded is not None and rows_recorded != str(len(rows)):
        problems.append(f"the file says {rows_recorded} rows and has {len(rows)}")
    if expected is not None and expected.strip().lower() != computed:
        problems.append(
            f"the rows' content hash {computed[:12]}… is not the expected {expected.strip()[:12]}…"
        )
    return Verification(not problems, len(rows), recorded, computed, tuple(changed), tuple(problems))


_STYLE = """
body { font: 11pt/1.35 system-ui, sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #eee; }
tr { page-break-inside: avoid; }
.hash { font-family: ui-monospace, monospace; font-size: 8pt; word-break: break-all; }
.explanation { white-space: pre-wrap; font-size: 9pt; }
.accept { color: #1a7f37; font-weight: bold; }
.reject { color: #b3261e; font-weight: bold; }
.sign { margin-top: 3em; display: flex; gap: 4em; }
.sign div { border-top: 1px solid #111; width: 18em; padding-top: 4px; }
@media print { body { margin: 0; } }
"""


def reviews_html(reviews: Sequence[Review], *, title: str = "Explanation reviews") -> str:
    """A printable, self-contained HTML page listing each verdict, with the content hash of :func:`reviews_csv`.

    Each verdict is shown with its reviewer, time (UTC), dataset, model, weights SHA-256, node,
    comment, the explanation text as reviewed and its row hash; the page ends with lines to sign.
    """
    hashes = [row_sha256(astuple(r)) for r in reviews]
    content = content_sha256(hashes)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    e = html.escape
    head = ["id", "time (UTC)", "reviewer", "data", "model and weights", "node", "verdict", "comment",
            "explanation as reviewed", "row SHA-256"]  # fmt: skip
    rows = []
    for r, h in zip(reviews, hashes, strict=True):
        rows.append(
            "<tr>"
            f"<td>{r.id}</td><td>{e(r.created)}</td><td>{e(r.reviewer) or '<i>unsigned</i>'}</td>"
            f"<td>{e(r.dataset)}<div class='hash'>{e(r.fingerprint)}</div></td>"
            f"<td>{e(r.model)}<div class='hash'>{e(r.weights_sha256) or 'weights hash unknown'}</div></td>"
            f"<td>{r.node}</td><td class='{e(r.verdict)}'>{e(r.verdict)}</td><td>{e(r.comment)}</td>"
            f"<td class='explanation'>{e(r.explanation)}</td><td class='hash'>{h}</td>"
            "</tr>"
        )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{e(title)}</h1>"
        f"<p>{len(reviews)} verdict(s), exported {made}. Content SHA-256 of the rows "
        f"(the same as the CSV export's last line):</p><p class='hash'><b>{content}</b></p>"
        "<p>Check a CSV export against it with <code>nodescope reviews verify FILE.csv --expected "
        "HASH</code>.</p>"
        f"<table><thead><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        "<div class='sign'><div>Reviewer's signature</div><div>Date</div></div>"
        "</body></html>\n"
    )
