"""Domain experts' reviews of node explanations, kept in a local SQLite database.

A review accepts or rejects one node's explanation by one model on one graph, with a
comment, signed by its reviewer and the SHA-256 of the weights that explained. Reviews are
append-only: the store has no update or delete, and the database refuses both (triggers), so a
new verdict supersedes an old one without erasing it (:meth:`ReviewStore.history` lists a
node's verdicts, :meth:`ReviewStore.latest` gives the newest per node). Each keeps the
explanation text as it was reviewed, so a verdict stays readable after the model changes.

The database lives at :func:`core.paths.reviews_db` (``$NODESCOPE_REVIEWS_DB`` overrides it)
and is opened per call, in WAL mode with a busy timeout, so it survives restarts and several
reviewers (app sessions, processes) can write at once without losing a review. A database
written before reviews were signed gains the ``reviewer`` and ``weights_sha256`` columns (empty
for its old rows) when it is first opened. :mod:`core.review_export` writes the signed CSV and
printable HTML exports and verifies them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, astuple, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from nodescope.core.paths import reviews_db

Verdict = Literal["accept", "reject"]
VERDICTS: tuple[str, ...] = ("accept", "reject")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    dataset TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    model TEXT NOT NULL,
    node INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')),
    comment TEXT NOT NULL,
    explanation TEXT NOT NULL,
    reviewer TEXT NOT NULL DEFAULT '',
    weights_sha256 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS reviews_graph ON reviews (fingerprint, model, node);
"""
#: Columns added since the first schema, with their definitions (an old database gains them).
_ADDED = {"reviewer": "TEXT NOT NULL DEFAULT ''", "weights_sha256": "TEXT NOT NULL DEFAULT ''"}
_APPEND_ONLY = """
CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only: add a new review instead'); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only: add a new review instead'); END;
"""
#: Seconds a writer waits for another one's lock before giving up.
BUSY_SECONDS = 30.0
_TRIGGERS = {"reviews_no_update", "reviews_no_delete"}


@dataclass(frozen=True)
class Review:
    """One stored review.

    Attributes:
        id: row id (increasing in the order reviews were made).
        created: UTC time, ISO 8601 to the second.
        dataset: the graph's name; ``fingerprint`` its content hash (:attr:`core.sample.Sample.fingerprint`).
        model: which model explained (registry key and where its weights came from).
        node: the node id.
        verdict: ``accept`` or ``reject``.
        comment: the reviewer's words (may be empty).
        explanation: the explanation text that was reviewed.
        reviewer: who made it (the name given in the app, or the signed-in user); empty for
            reviews made before reviews were signed.
        weights_sha256: SHA-256 of the model's weights (:func:`core.checkpoint.weights_sha256`);
            empty when unknown.
    """

    id: int
    created: str
    dataset: str
    fingerprint: str
    model: str
    node: int
    verdict: str
    comment: str
    explanation: str
    reviewer: str = ""
    weights_sha256: str = ""


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Review))
#: The columns that sign a review (absent from databases and session files made before them).
SIGNED: tuple[str, ...] = ("reviewer", "weights_sha256")


def _prepare(conn: sqlite3.Connection) -> None:
    """Create the table, or add the columns and append-only triggers an older database lacks.

    One writer does it (``BEGIN IMMEDIATE``) while others wait, so concurrent first opens of
    the same file do not race.
    """
    if _current(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _current(conn):  # another writer may have done it while this one waited
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            have = {row[1] for row in conn.execute("PRAGMA table_info(reviews)")}
            for name, definition in _ADDED.items():
                if name not in have:
                    conn.execute(f"ALTER TABLE reviews ADD COLUMN {name} {definition}")
            for statement in _APPEND_ONLY.split("END;"):
                if statement.strip():
                    conn.execute(statement + "END;")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _current(conn: sqlite3.Connection) -> bool:
    """Whether the database has every column of :data:`COLUMNS` and the append-only triggers."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(reviews)")}
    triggers = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return set(COLUMNS) <= columns and triggers >= _TRIGGERS


class ReviewStore:
    """Reviews in the SQLite file ``path`` (default :func:`core.paths.reviews_db`), created on first use.

    Args:
        path: the database file, or None for :func:`core.paths.reviews_db`.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else reviews_db()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=BUSY_SECONDS)) as conn:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
            _prepare(conn)
            with conn:  # commits on success, rolls back on error
                yield conn

    def add(
        self,
        *,
        dataset: str,
        fingerprint: str,
        model: str,
        node: int,
        verdict: str,
        comment: str = "",
        explanation: str = "",
        reviewer: str = "",
        weights_sha256: str = "",
    ) -> Review:
        """Store a review and return it with its id and time (UTC, to the second).

        ``reviewer`` names who made it; ``weights_sha256`` is the hash of the model's weights.

        Raises:
            ValueError: for a verdict other than :data:`VERDICTS` or a negative node id.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        if int(node) < 0:
            raise ValueError(f"node ids are non-negative, not {node}")
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        values = (
            created, dataset, fingerprint, model, int(node), verdict, comment.strip(), explanation,
            reviewer.strip(), weights_sha256,
        )  # fmt: skip
        with self._connect() as conn:
            cursor = conn.execute(
                f"INSERT INTO reviews ({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * len(values))})",
                values,
            )
            return Review(int(cursor.lastrowid), *values)

    def merge(self, reviews: Iterable[Review]) -> int:
        """Store reviews made elsewhere (a saved session's), keeping their times; returns how many were new.

        A review already stored (every field but ``id`` equal) is not stored again, so opening
        the same session twice adds nothing.

        Raises:
            ValueError: for a verdict other than :data:`VERDICTS` or a negative node id.
        """
        rows = []
        for r in reviews:
            if r.verdict not in VERDICTS or int(r.node) < 0:
                raise ValueError(f"not a review: verdict {r.verdict!r}, node {r.node}")
            rows.append(astuple(r)[1:])
        added = 0
        with self._connect() as conn:
            for row in rows:
                where = " AND ".join(f"{c} = ?" for c in COLUMNS[1:])
                if conn.execute(f"SELECT 1 FROM reviews WHERE {where} LIMIT 1", row).fetchone() is None:
                    conn.execute(
                        f"INSERT INTO reviews ({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * len(row))})",
                        row,
                    )
                    added += 1
        return added

    def reviews(self, *, fingerprint: str | None = None, model: str | None = None) -> list[Review]:
        """Every review, oldest first; only those of one graph and/or one model when given."""
        where, args = [], []
        for column, value in (("fingerprint", fingerprint), ("model", model)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = f"SELECT {', '.join(COLUMNS)} FROM reviews"
        sql += f" WHERE {' AND '.join(where)}" if where else ""
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        return [Review(*row) for row in rows]

    def latest(self, *, fingerprint: str, model: str) -> dict[int, Review]:
        """Node id → its newest review, for one graph and model."""
        return {r.node: r for r in self.reviews(fingerprint=fingerprint, model=model)}

    def history(self, *, fingerprint: str, model: str, node: int) -> list[Review]:
        """Every verdict on one node's explanation by one model, oldest first (the last one stands)."""
        return [r for r in self.reviews(fingerprint=fingerprint, model=model) if r.node == int(node)]

    def frame(self, *, fingerprint: str | None = None, model: str | None = None) -> pd.DataFrame:
        """:meth:`reviews` as a table with columns :data:`COLUMNS`."""
        return pd.DataFrame(
            [asdict(r) for r in self.reviews(fingerprint=fingerprint, model=model)], columns=list(COLUMNS)
        )

    def to_csv(self, *, fingerprint: str | None = None, model: str | None = None) -> str:
        """:meth:`frame` as CSV text (a header row even when there are no reviews)."""
        return self.frame(fingerprint=fingerprint, model=model).to_csv(index=False)
