"""Parse Biovision Hierarchy (BVH) motion capture files: any hierarchy, any channel order.

A BVH file holds a ``HIERARCHY`` (``ROOT``/``JOINT`` blocks, each with an ``OFFSET`` from its
parent and ``CHANNELS`` naming its per-frame values, and ``End Site`` leaves) and a ``MOTION``
section (``Frames: n``, ``Frame Time: seconds``, then one row per frame holding every joint's
channels in hierarchy order). Channels are ``Xposition``/``Yposition``/``Zposition`` and
``Xrotation``/``Yrotation``/``Zrotation`` (degrees) in any order and any subset.

Bad input raises :class:`~core.errors.LoadError` with one line naming the file and, for the
hierarchy, the line: a malformed block, an unknown channel, a channel count that does not
match the ``MOTION`` rows, a ``Frames:`` count that does not match the rows, non-numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nodescope.core.errors import LoadError

#: Channel names a BVH file may use.
CHANNELS = ("Xposition", "Yposition", "Zposition", "Xrotation", "Yrotation", "Zrotation")


@dataclass(frozen=True)
class BvhMotion:
    """A parsed BVH file.

    Attributes:
        names: (J,) joint names in file order (``ROOT`` first; End Sites are not joints).
        parents: (J,) int64 index of each joint's parent, -1 for the root.
        offsets: (J, 3) float64 offset from the parent, in file units.
        channels: per joint, its channel names in file order.
        motion: (F, C) float64 every frame's channel values, C = total channel count.
        frame_time: seconds per frame.
        end_sites: (J, 3) float64 offset of each joint's End Site (NaN where it has none).
    """

    names: tuple[str, ...]
    parents: np.ndarray
    offsets: np.ndarray
    channels: tuple[tuple[str, ...], ...]
    motion: np.ndarray
    frame_time: float
    end_sites: np.ndarray

    @property
    def num_frames(self) -> int:
        """F."""
        return int(self.motion.shape[0])

    @property
    def frame_rate(self) -> float:
        """Frames per second (1 / ``frame_time``)."""
        return 1.0 / self.frame_time

    def channel_slices(self) -> list[slice]:
        """Where each joint's channels sit in a row of ``motion``."""
        starts = np.cumsum([0] + [len(c) for c in self.channels])
        return [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:], strict=True)]


class _Tokens:
    """Whitespace-separated tokens with their 1-based line numbers, read one at a time."""

    def __init__(self, lines: list[str], file: str) -> None:
        self.items = [(tok, n) for n, line in enumerate(lines, start=1) for tok in line.split()]
        self.pos = 0
        self.file = file

    def line(self) -> int:
        if self.pos < len(self.items):
            return self.items[self.pos][1]
        return self.items[-1][1] if self.items else 1

    def fail(self, what: str) -> LoadError:
        return LoadError(f"{self.file}, line {self.line()}: {what}")

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def next(self, expected: str) -> str:
        tok = self.peek()
        if tok is None:
            raise self.fail(f"the hierarchy ends early; expected {expected}.")
        self.pos += 1
        return tok

    def expect(self, word: str) -> None:
        tok = self.next(f"'{word}'")
        if tok != word:
            self.pos -= 1
            raise self.fail(f"expected '{word}', found '{tok}'.")

    def number(self, what: str) -> float:
        tok = self.next(what)
        try:
            value = float(tok)
        except ValueError:
            self.pos -= 1
            raise self.fail(f"expected {what}, found '{tok}'.") from None
        if not np.isfinite(value):
            self.pos -= 1
            raise self.fail(f"{what} is '{tok}'; it must be a finite number.")
        return value


def parse_bvh(text: str, file: str = "the BVH file") -> BvhMotion:
    """Parse the text of a BVH file.

    Args:
        text: the whole file (any line endings).
        file: the name used in error messages.

    Returns:
        The hierarchy and the motion, in file units (angles in degrees).

    Raises:
        LoadError: one line naming what is wrong (see the module docstring).
    """
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise LoadError(f"{file} is empty (expected a BVH HIERARCHY and MOTION).")
    motion_at = next((i for i, line in enumerate(lines) if line.strip().upper().startswith("MOTION")), None)
    if motion_at is None:
        raise LoadError(f"{file} has no MOTION section; a BVH file needs HIERARCHY, then MOTION.")
    tokens = _Tokens(lines[:motion_at], file)
    if tokens.peek() != "HIERARCHY":
        raise tokens.fail(f"expected 'HIERARCHY', found '{tokens.peek()}'.")
    tokens.pos += 1
    names: list[str] = []
    parents: list[int] = []
    offsets: list[tuple[float, float, float]] = []
    channels: list[tuple[str, ...]] = []
    end_sites: dict[int, tuple[float, float, float]] = {}

    def offset() -> tuple[float, float, float]:
        tokens.expect("OFFSET")
        return (tokens.number("an OFFSET x"), tokens.number("an OFFSET y"), tokens.number("an OFFSET z"))

    def block(parent: int) -> None:
        """Read ``name { OFFSET .. CHANNELS .. children }`` after ROOT/JOINT."""
        name = tokens.next("a joint name")
        if name == "{":
            tokens.pos -= 1
            raise tokens.fail("a ROOT or JOINT needs a name before '{'.")
        if name in names:
            raise tokens.fail(f"the joint name '{name}' appears twice.")
        tokens.expect("{")
        me = len(names)
        names.append(name)
        parents.append(parent)
        offsets.append(offset())
        if tokens.peek() == "CHANNELS":
            tokens.pos += 1
            count = tokens.number("the channel count")
            if count != int(count) or not 0 <= count <= 6:
                raise tokens.fail(f"the channel count must be 0 to 6, not {count:g}.")
            chans = tuple(tokens.next("a channel name") for _ in range(int(count)))
            bad = [c for c in chans if c not in CHANNELS]
            if bad or len(set(chans)) < len(chans):
                tokens.pos -= 1
                what = f"unknown channel '{bad[0]}'" if bad else f"a repeated channel in {' '.join(chans)}"
                raise tokens.fail(f"{what} of joint '{name}'; channels are {', '.join(CHANNELS)}.")
            channels.append(chans)
        else:
            channels.append(())
        while True:
            tok = tokens.next("'}' closing joint " + repr(name))
            if tok == "}":
                return
            if tok == "JOINT":
                block(me)
            elif tok == "End":
                tokens.expect("Site")
                tokens.expect("{")
                end_sites[me] = offset()
                tokens.expect("}")
            else:
                tokens.pos -= 1
                raise tokens.fail(f"expected JOINT, End Site or '}}' in joint '{name}', found '{tok}'.")

    tokens.expect("ROOT")
    block(-1)
    if tokens.peek() is not None:
        raise tokens.fail(f"unexpected '{tokens.peek()}' after the ROOT joint's closing '}}'.")
    frames, frame_time, rows_at = _motion_header(lines, motion_at, file)
    motion = _motion_rows(lines, rows_at, sum(len(c) for c in channels), frames, file)
    ends = np.full((len(names), 3), np.nan)
    for j, site in end_sites.items():
        ends[j] = site
    return BvhMotion(
        names=tuple(names),
        parents=np.array(parents, dtype=np.int64),
        offsets=np.array(offsets, dtype=np.float64),
        channels=tuple(channels),
        motion=motion,
        frame_time=frame_time,
        end_sites=ends,
    )


def _motion_header(lines: list[str], motion_at: int, file: str) -> tuple[int, float, int]:
    """``Frames:`` and ``Frame Time:`` after MOTION; returns (frames, seconds, first row's index)."""
    header: list[tuple[int, str]] = [
        (i, line.strip())
        for i, line in enumerate(lines[motion_at + 1 :], start=motion_at + 1)
        if line.strip()
    ][:2]
    if (
        len(header) < 2
        or not header[0][1].startswith("Frames:")
        or not header[1][1].startswith("Frame Time:")
    ):
        line = header[0][0] + 1 if header else motion_at + 1
        raise LoadError(
            f"{file}, line {line}: MOTION must be followed by 'Frames: n' and 'Frame Time: seconds'."
        )
    try:
        frames = int(header[0][1].removeprefix("Frames:"))
    except ValueError:
        raise LoadError(f"{file}, line {header[0][0] + 1}: 'Frames:' needs a whole number.") from None
    try:
        frame_time = float(header[1][1].removeprefix("Frame Time:"))
    except ValueError:
        frame_time = float("nan")
    if not frame_time > 0 or not np.isfinite(frame_time):
        raise LoadError(f"{file}, line {header[1][0] + 1}: 'Frame Time:' needs a positive number of seconds.")
    if frames < 1:
        raise LoadError(
            f"{file}, line {header[0][0] + 1}: 'Frames: {frames}'; a clip needs at least one frame."
        )
    return frames, frame_time, header[1][0] + 1


def _motion_rows(lines: list[str], start: int, num_channels: int, frames: int, file: str) -> np.ndarray:
    """(F, C) values of the motion rows; refuse a row of the wrong length or a non-number."""
    if num_channels == 0:
        raise LoadError(f"{file}: the hierarchy declares no CHANNELS, so it has no motion.")
    rows = [(i + 1, line.split()) for i, line in enumerate(lines[start:], start=start) if line.strip()]
    for n, (line_no, cells) in enumerate(rows):
        if len(cells) != num_channels:
            raise LoadError(
                f"{file}, line {line_no} (frame {n}): {len(cells)} values but the hierarchy has "
                f"{num_channels} channels."
            )
    if len(rows) != frames:
        raise LoadError(f"{file}: the header says Frames: {frames} but {len(rows)} rows of motion follow.")
    try:
        motion = np.array([cells for _, cells in rows], dtype=np.float64).reshape(frames, num_channels)
    except ValueError:
        for line_no, cells in rows:
            for cell in cells:
                try:
                    float(cell)
                except ValueError:
                    raise LoadError(f"{file}, line {line_no}: '{cell}' is not a number.") from None
        raise
    if not np.isfinite(motion).all():
        k = int(np.argmax(~np.isfinite(motion).all(1)))
        raise LoadError(f"{file}, line {rows[k][0]} (frame {k}): NaN or infinite channel values.")
    return motion
