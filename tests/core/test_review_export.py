"""Signed review exports: the CSV's content hash verifies, and an edited, removed or reordered row shows."""

import io

import pandas as pd

from nodescope.core.review_export import EXPORT_COLUMNS, reviews_csv, reviews_html, verify_csv
from nodescope.core.reviews import ReviewStore

GRAPH = {"dataset": "Karate club", "fingerprint": "abc123", "model": "xnode-gcn (shipped)"}


def _reviews(tmp_path):
    store = ReviewStore(tmp_path / "reviews.sqlite3")
    store.add(**GRAPH, node=3, verdict="accept", reviewer="Dr. A", weights_sha256="a" * 64,
              explanation="Predicted A:\n degree 4, 2 labeled neighbors", comment='fine, "mostly"')  # fmt: skip
    store.add(
        **GRAPH, node=5, verdict="reject", reviewer="Dr. B <b>", weights_sha256="a" * 64, explanation="B"
    )
    store.add(
        **GRAPH, node=3, verdict="reject", reviewer="Dr. B <b>", weights_sha256="a" * 64, explanation="A"
    )
    return store.reviews()


def test_an_export_verifies_and_reads_as_a_table(tmp_path):
    text = reviews_csv(_reviews(tmp_path))
    check = verify_csv(text)
    assert check.ok and check.rows == 3 and check.recorded == check.computed and not check.problems
    assert verify_csv(text, expected=check.computed.upper()).ok
    table = pd.read_csv(io.StringIO(text), skipfooter=1, engine="python")
    assert list(table.columns) == list(EXPORT_COLUMNS)
    assert table["reviewer"].tolist() == ["Dr. A", "Dr. B <b>", "Dr. B <b>"]
    assert table.loc[0, "explanation"].startswith("Predicted A:\n")
    assert verify_csv(reviews_csv([])).ok


def test_an_edited_row_is_found(tmp_path):
    text = reviews_csv(_reviews(tmp_path))
    edited = text.replace(",5,reject,", ",5,accept,")
    assert edited != text
    check = verify_csv(edited)
    assert not check.ok and check.changed == ("2",)
    assert "review id 2" in check.problems[0]


def test_a_recomputed_row_hash_still_breaks_the_content_hash(tmp_path):
    reviews = _reviews(tmp_path)
    original = verify_csv(reviews_csv(reviews)).computed
    forged = reviews_csv([reviews[0], reviews[2]])  # a row dropped and every hash recomputed
    assert verify_csv(forged).ok  # the file alone is consistent ...
    check = verify_csv(forged, expected=original)  # ... but not with the hash printed apart
    assert not check.ok and "expected" in check.problems[-1]


def test_removed_reordered_or_unsigned_files_fail(tmp_path):
    lines = reviews_csv(_reviews(tmp_path)).splitlines(keepends=True)
    header, rows, footer = lines[0], lines[1:-1], lines[-1]
    assert footer.startswith("# content_sha256=")
    assert not verify_csv(header + "".join(rows[:-1]) + footer).ok  # the last row removed
    swapped = verify_csv(header + rows[-1] + "".join(rows[:-1]) + footer)
    assert not swapped.ok and not swapped.changed  # each row intact, the order not
    assert not verify_csv(header + "".join(rows)).ok  # the hash line cut off
    assert not verify_csv("a,b\n1,2\n").ok


def test_the_printable_page_lists_each_verdict_with_the_csv_hash(tmp_path):
    reviews = _reviews(tmp_path)
    page = reviews_html(reviews, title="Karate club reviews")
    assert verify_csv(reviews_csv(reviews)).computed in page
    assert page.count("<tr>") == 1 + 3
    assert "Dr. B &lt;b&gt;" in page and "Dr. B <b>" not in page
    assert "a" * 64 in page and "degree 4, 2 labeled neighbors" in page
    assert "signature" in page
