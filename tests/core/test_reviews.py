"""Reviews of node explanations: stored in SQLite, listed, exported, kept across processes."""

import io
import subprocess
import sys
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
