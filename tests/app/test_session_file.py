"""Saved sessions (issue 18 §3): the file's format, written and read by one pair of functions."""

from __future__ import annotations

import json

import pytest

from nodescope.app.session_file import (
    MAX_BYTES,
    DataRef,
    ModelRef,
    SessionFile,
    SessionFileError,
    dumps,
    loads,
    named_nodes,
)
from nodescope.core.reviews import Review

DATA = DataRef("builtin:karate", "Karate club", "graph", 34, "f" * 64)
REVIEW = Review(
    0, "2026-01-02T03:04:05Z", "Karate club", "f" * 64, "gat (shipped)", 5, "reject", "odd", "Predicted 1."
)


def test_round_trip_keeps_everything():
    names = [f"member {i}" for i in range(34)]
    session = SessionFile(
        data=DATA,
        model=ModelRef("gatv2", "shipped", "a" * 64),
        view={"f": "5", "s": "0-2.5", "m": "gatv2", "l": "2", "h": "1"},
        named=named_nodes([5, 0, 1, 2, 2], names),
        focus=5,
        reviews=(REVIEW,),
        page="attention",
        saved="2026-12-07T18:00:00Z",
    )
    blob = dumps(session)
    assert loads(blob) == session
    record = json.loads(blob)
    assert (record["format"], record["version"]) == ("nodescope-session", 1)
    # the selection is listed with names and ids, for people and other tools
    assert record["selection"]["focus"] == {"id": 5, "name": "member 5"}
    assert [n["id"] for n in record["selection"]["nodes"]] == [0, 1, 2, 5]
    assert len(blob) < 4000  # small


def test_unnamed_nodes_are_named_by_their_id_and_no_model_is_fine():
    session = SessionFile(data=DATA, named=named_nodes([3], None), focus=3)
    back = loads(dumps(session))
    assert back.model is None and back.named == ((3, "3"),) and back.saved  # the time is filled in


@pytest.mark.parametrize(
    ("blob", "words"),
    [
        (b"\x89PNG\r\n", "not a JSON file"),
        (b"{not json", "not a JSON file"),
        (b"[1, 2]", "not a Nodescope session"),
        (b'{"format": "plotly", "version": 1}', "not a Nodescope session"),
        (b'{"format": "nodescope-session", "version": 99}', "reads up to 1"),
        (b'{"format": "nodescope-session", "version": "1"}', "is not a version"),
        (b'{"format": "nodescope-session", "version": 1}', "damaged"),
        (b'{"format": "nodescope-session", "version": 1, "data": {"source": 3}}', "damaged"),
        (b" " * (MAX_BYTES + 1), "too large"),
    ],
)
def test_bad_files_are_one_line_errors(blob, words):
    with pytest.raises(SessionFileError) as info:
        loads(blob)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_a_damaged_review_is_refused():
    record = json.loads(dumps(SessionFile(data=DATA, reviews=(REVIEW,))))
    record["reviews"][0]["node"] = "five"
    with pytest.raises(SessionFileError, match="damaged"):
        loads(json.dumps(record).encode())


def test_reviews_keep_their_signature_and_older_files_without_one_still_open():
    signed = Review(*[getattr(REVIEW, f) for f in ("id", "created", "dataset", "fingerprint", "model", "node",
                    "verdict", "comment", "explanation")], reviewer="Dr. A", weights_sha256="e" * 64)  # fmt: skip
    (back,) = loads(dumps(SessionFile(data=DATA, reviews=(signed,)))).reviews
    assert (back.reviewer, back.weights_sha256) == ("Dr. A", "e" * 64)
    record = json.loads(dumps(SessionFile(data=DATA, reviews=(REVIEW,))))
    for key in ("reviewer", "weights_sha256"):
        del record["reviews"][0][key]  # saved before reviews were signed
    (old,) = loads(json.dumps(record).encode()).reviews
    assert (old.reviewer, old.weights_sha256, old.verdict) == ("", "", "reject")
