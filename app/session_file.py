"""Saved sessions: the whole view state in one small, versioned JSON file (no pickle).

A session file names what it needs and what it holds::

    {"format": "nodescope-session", "version": 1, "saved": "2026-12-07T18:00:00Z",
     "page": "explanations",
     "data": {"source": "builtin:karate", "name": "Karate club", "kind": "graph",
              "nodes": 34, "fingerprint": "<sha256 of the sample>"},
     "model": {"key": "xnode-gcn", "origin": "shipped", "sha256": "<sha256 of the weights>"},
     "view": {"f": "33", "s": "0-4.33", "m": "xnode-gcn", "c": "degree"},
     "selection": {"focus": {"id": 33, "name": "..."}, "nodes": [{"id": 0, "name": "..."}, ...]},
     "reviews": [{"created": "...", "node": 33, "verdict": "accept", ...}, ...]}

``view`` holds exactly the permalink's parameters (:func:`app.permalink.encode`), and is read back
through :func:`app.permalink.decode`, so a file and a link restore the same state; ``selection``
lists the selected nodes with their names for people and other tools. :func:`dumps` and
:func:`loads` are the one pair that writes and reads the file; they need no Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from nodescope.core.reviews import COLUMNS, SIGNED, Review

FORMAT = "nodescope-session"
VERSION = 1
#: The largest session file read, in bytes (a selection of every node of a level-7 sphere, with
#: names, and thousands of reviews stay well under it).
MAX_BYTES = 16 << 20


class SessionFileError(ValueError):
    """A file that is not a session this Nodescope reads; the message is one line for the user."""


@dataclass(frozen=True)
class DataRef:
    """The sample a session was saved on: where it came from and its content hash."""

    source: str
    name: str
    kind: str
    nodes: int
    fingerprint: str


@dataclass(frozen=True)
class ModelRef:
    """The model a session used: registry key, where its weights came from, their sha256 (None: unknown)."""

    key: str
    origin: str
    sha256: str | None


@dataclass(frozen=True)
class SessionFile:
    """A saved session (see the module docstring for the JSON layout).

    Attributes:
        data: the sample it was saved on.
        model: the model in use, or None (no page with a model was open).
        view: the permalink parameters (``f``, ``s``, ``m``, ``l``, ``h``, ``c``), strings.
        named: the selected nodes as ``(id, name)`` pairs, sorted by id.
        focus: the focus node's id, or None.
        reviews: the review notes on this sample (:class:`core.reviews.Review`, any model).
        page: the page's URL path (``explanations``), or None for Home.
        saved: UTC time, ISO 8601 to the second.
    """

    data: DataRef
    model: ModelRef | None = None
    view: dict[str, str] = field(default_factory=dict)
    named: tuple[tuple[int, str], ...] = ()
    focus: int | None = None
    reviews: tuple[Review, ...] = ()
    page: str | None = None
    saved: str = ""


def now() -> str:
    """The current UTC time as the file writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(session: SessionFile) -> bytes:
    """The session as UTF-8 JSON (compact, one node per list item)."""
    names = dict(session.named)
    record: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "saved": session.saved or now(),
        "page": session.page,
        "data": asdict(session.data),
        "model": asdict(session.model) if session.model is not None else None,
        "view": dict(session.view),
        "selection": {
            "focus": None
            if session.focus is None
            else {"id": session.focus, "name": names.get(session.focus)},
            "nodes": [{"id": i, "name": name} for i, name in session.named],
        },
        "reviews": [{k: v for k, v in asdict(r).items() if k != "id"} for r in session.reviews],
    }
    return (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode()


def loads(blob: bytes) -> SessionFile:
    """A session file's bytes as a :class:`SessionFile`.

    Raises:
        SessionFileError: too large, not UTF-8 JSON, not a Nodescope session, a newer version, or
            a field of the wrong type; its message is one line.
    """
    if len(blob) > MAX_BYTES:
        raise SessionFileError(
            f"too large for a session file ({len(blob) / 2**20:.0f} MB; at most {MAX_BYTES >> 20} MB)"
        )
    try:
        record = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SessionFileError(f"not a JSON file ({type(exc).__name__})") from exc
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise SessionFileError(f'not a Nodescope session (no "format": "{FORMAT}")')
    version = record.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionFileError(f"session version {version!r} is not a version")
    if version > VERSION:
        raise SessionFileError(
            f"session version {version}; this Nodescope reads up to {VERSION}. Update Nodescope"
        )
    try:
        return _parse(record)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SessionFileError(f"a damaged session file ({type(exc).__name__}: {str(exc)[:80]})") from exc


def _parse(record: dict[str, Any]) -> SessionFile:
    d = record["data"]
    data = DataRef(
        _str(d["source"]), _str(d["name"]), _str(d["kind"]), _int(d["nodes"]), _str(d["fingerprint"])
    )
    m = record.get("model")
    model = None if m is None else ModelRef(_str(m["key"]), _str(m["origin"]), _opt_str(m.get("sha256")))
    view = record.get("view") or {}
    if not isinstance(view, dict):
        raise TypeError("view is not an object")
    selection = record.get("selection") or {}
    named = tuple(
        sorted((_int(n["id"]), _opt_str(n.get("name")) or "") for n in selection.get("nodes") or [])
    )
    focus = selection.get("focus")
    reviews = tuple(_review(r) for r in record.get("reviews") or [])
    return SessionFile(
        data=data,
        model=model,
        view={_str(k): _str(v) for k, v in view.items()},
        named=named,
        focus=None if focus is None else _int(focus["id"]),
        reviews=reviews,
        page=_opt_str(record.get("page")),
        saved=_opt_str(record.get("saved")) or "",
    )


def _review(r: dict[str, Any]) -> Review:
    # reviewer and weights_sha256 came later: a session saved before them has neither
    values = {k: r[k] if k in r or k not in SIGNED else "" for k in COLUMNS if k != "id"}
    for k, v in values.items():
        (_int if k == "node" else _str)(v)
    return Review(id=0, **values)


def _str(v: object) -> str:
    if not isinstance(v, str):
        raise TypeError(f"{v!r} is not text")
    return v


def _opt_str(v: object) -> str | None:
    return None if v is None else _str(v)


def _int(v: object) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise TypeError(f"{v!r} is not a node id or count")
    return v


def named_nodes(nodes: Sequence[int], names: Sequence[str] | None) -> tuple[tuple[int, str], ...]:
    """``(id, name)`` pairs of ``nodes`` (the name is the id as text where the sample names none)."""
    return tuple((int(i), names[int(i)] if names is not None else str(int(i))) for i in sorted(set(nodes)))
