"""Reviews of node explanations: stored in SQLite, listed, exported, kept across processes."""

import io
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from dataclasses import astuple
from pathlib import Path

import pandas as pd
import pytest

from nodescope.core.paths import reviews_db
from nodescope.core.reviews import COLUMNS, Review, ReviewStore

REPO = Path(__file__).resolve().parents[2]
GRAPH = {"dataset": "Karate club", "fingerprint": "abc123", "model": "xnode-gcn (shipped)"}


def test_default_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NODESCOPE_REVIEWS_DB", str(tmp_path / "r.sqlite3"))
    assert reviews_db() == tmp_path / "r.sqlite3"
    monkeypatch.delenv("NODESCOPE_REVIEWS_DB")
    monkeypatch.setenv("NODESCOPE_HOME", str(tmp_path / "home"))
    assert reviews_db() == tmp_path / "home" / "reviews.sqlite3"
    assert ReviewStore().path == tmp_path / "home" / "reviews.sqlite3"


def test_add_list_and_latest(tmp_path):
    store = ReviewStore(tmp_path / "sub" / "reviews.sqlite3")
    assert store.reviews() == []
    first = store.add(**GRAPH, node=3, verdict="accept", comment=" fine ", explanation="Predicted A.")
    store.add(**GRAPH, node=5, verdict="reject", comment="wrong cue")
    store.add(**GRAPH, node=3, verdict="reject", comment="on second thought")
    store.add(**{**GRAPH, "fingerprint": "other"}, node=3, verdict="accept")
    assert first.comment == "fine" and first.explanation == "Predicted A."
    mine = store.reviews(fingerprint="abc123", model=GRAPH["model"])
    assert [(r.node, r.verdict) for r in mine] == [(3, "accept"), (5, "reject"), (3, "reject")]
    latest = store.latest(fingerprint="abc123", model=GRAPH["model"])
    assert latest[3].comment == "on second thought" and latest[5].verdict == "reject"
    assert len(store.reviews()) == 4


def test_bad_verdicts_and_nodes_are_refused(tmp_path):
    store = ReviewStore(tmp_path / "reviews.sqlite3")
    with pytest.raises(ValueError, match="verdict"):
        store.add(**GRAPH, node=1, verdict="maybe")
    with pytest.raises(ValueError, match="non-negative"):
        store.add(**GRAPH, node=-1, verdict="accept")
    assert store.reviews() == []


def test_csv_export_round_trips(tmp_path):
    store = ReviewStore(tmp_path / "reviews.sqlite3")
    assert list(pd.read_csv(io.StringIO(store.to_csv())).columns) == list(COLUMNS)
    store.add(**GRAPH, node=7, verdict="reject", comment='says "degree", but, commas')
    table = pd.read_csv(io.StringIO(store.to_csv(fingerprint="abc123")))
    assert table.loc[0, "node"] == 7 and table.loc[0, "comment"] == 'says "degree", but, commas'


def test_reviews_survive_a_new_process(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    ReviewStore(path).add(**GRAPH, node=2, verdict="accept", comment="written here")
    script = (
        "import sys; from core.reviews import ReviewStore; s = ReviewStore(sys.argv[1]); "
        "print([(r.node, r.comment) for r in s.reviews()]); "
        "s.add(dataset='d', fingerprint='abc123', model='m', node=9, verdict='reject', comment='written there')"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[(2, 'written here')]"
    assert [(r.node, r.comment) for r in ReviewStore(path).reviews()] == [
        (2, "written here"),
        (9, "written there"),
    ]


def test_merge_keeps_times_and_adds_nothing_twice(tmp_path):
    source = ReviewStore(tmp_path / "a.sqlite3")
    source.add(**GRAPH, node=3, verdict="accept", comment="fine", explanation="Predicted A.")
    source.add(**GRAPH, node=4, verdict="reject", explanation="Predicted B.")
    target = ReviewStore(tmp_path / "b.sqlite3")
    assert target.merge(source.reviews()) == 2
    assert target.merge(source.reviews()) == 0  # the same session opened twice
    assert [r[1:] for r in map(astuple, target.reviews())] == [r[1:] for r in map(astuple, source.reviews())]
    with pytest.raises(ValueError):
        target.merge([Review(0, "t", "d", "f", "m", 1, "maybe", "", "")])


def test_reviews_are_signed_and_a_node_keeps_its_history(tmp_path):
    store = ReviewStore(tmp_path / "reviews.sqlite3")
    store.add(**GRAPH, node=3, verdict="accept", reviewer=" Dr. A ", weights_sha256="f" * 64)
    store.add(**GRAPH, node=4, verdict="accept", reviewer="Dr. A")
    store.add(**GRAPH, node=3, verdict="reject", reviewer="Dr. B", comment="not the cue")
    history = store.history(fingerprint="abc123", model=GRAPH["model"], node=3)
    assert [(r.reviewer, r.verdict) for r in history] == [("Dr. A", "accept"), ("Dr. B", "reject")]
    assert history[0].weights_sha256 == "f" * 64
    assert store.latest(fingerprint="abc123", model=GRAPH["model"])[3] == history[-1]
    assert COLUMNS[-2:] == ("reviewer", "weights_sha256")


def test_the_database_refuses_updates_and_deletes(tmp_path):
    store = ReviewStore(tmp_path / "reviews.sqlite3")
    store.add(**GRAPH, node=3, verdict="accept", reviewer="Dr. A")
    with sqlite3.connect(store.path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE reviews SET verdict = 'reject'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM reviews")
    assert [r.verdict for r in store.reviews()] == ["accept"]
    assert not hasattr(store, "update") and not hasattr(store, "delete")


OLD_SCHEMA = """
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, dataset TEXT NOT NULL,
    fingerprint TEXT NOT NULL, model TEXT NOT NULL, node INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')), comment TEXT NOT NULL,
    explanation TEXT NOT NULL
);
INSERT INTO reviews (created, dataset, fingerprint, model, node, verdict, comment, explanation)
VALUES ('2026-01-02T03:04:05Z', 'Karate club', 'abc123', 'xnode-gcn (shipped)', 7, 'reject', 'old', 'Predicted B.');
"""


def test_a_database_from_before_signed_reviews_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(OLD_SCHEMA)
    store = ReviewStore(path)
    (old,) = store.reviews()
    assert (old.node, old.comment, old.reviewer, old.weights_sha256) == (7, "old", "", "")
    new = store.add(**GRAPH, node=7, verdict="accept", reviewer="Dr. C", weights_sha256="0" * 64)
    assert [r.id for r in store.history(fingerprint="abc123", model=GRAPH["model"], node=7)] == [
        old.id,
        new.id,
    ]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM reviews")


def _write_many(path: str, writer: int, count: int) -> None:
    store = ReviewStore(path)
    for k in range(count):
        store.add(**GRAPH, node=k, verdict="accept", reviewer=f"reviewer {writer}", comment=f"{writer}:{k}")


def test_concurrent_writers_lose_nothing(tmp_path):
    """Four processes and four threads write 25 reviews each at once to one file they all migrate first."""
    path = str(tmp_path / "shared.sqlite3")
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(OLD_SCHEMA)  # every writer finds it unmigrated
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(path, w, 25)) for w in range(4)]
    threads = [threading.Thread(target=_write_many, args=(path, w, 25)) for w in range(4, 8)]
    for worker in (*procs, *threads):
        worker.start()
    for worker in (*procs, *threads):
        worker.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    comments = sorted(r.comment for r in ReviewStore(path).reviews())
    assert comments == sorted(["old"] + [f"{w}:{k}" for w in range(8) for k in range(25)])
