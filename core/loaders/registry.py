"""Registry of built-in samples and of file readers, filled by each loader module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nodescope.core.sample import Kind, Sample


@dataclass(frozen=True)
class Builtin:
    """A sample that needs no user file and no network.

    Attributes:
        key: the name users type (``nodescope info karate``); unique across kinds.
        kind: graph / mesh / cortex / panorama.
        title: what the app's picker shows.
        description: one sentence on what it is and why it is interesting.
        load: builds the sample (may take a second; callers cache it).
    """

    key: str
    kind: Kind
    title: str
    description: str
    load: Callable[[], Sample]


@dataclass(frozen=True)
class FileReader:
    """Reads one family of file formats into a :class:`Sample`.

    Attributes:
        kind: what the files hold.
        extensions: lower-case suffixes including the dot (``.ply``); compound
            suffixes such as ``.surf.gii`` are matched on the name's end.
        read: ``read(path, companions)`` where ``companions`` are further files the
            user gave with it (overlays for a cortical surface, features and labels
            for an edge list); raises :class:`~core.errors.LoadError` on bad input.
        sniff: optional test on the first bytes, for formats without an extension
            (FreeSurfer's ``lh.sphere``).
    """

    kind: Kind
    extensions: tuple[str, ...]
    read: Callable[[Path, list[Path]], Sample]
    sniff: Callable[[bytes], bool] | None = None
