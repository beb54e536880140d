"""The progress bar of every long ``nodescope`` command: tqdm on stderr, so stdout stays machine-readable.

A :class:`Bar` opens at its first report, so a command that fails before any work prints only
its one-line error. Its ``on_*`` methods are the progress callbacks of the layers below:

- :meth:`Bar.on_epoch`: :data:`core.training.Progress` (training epochs, validation accuracy);
- :meth:`Bar.on_count`: ``progress(done, total)`` (nodes explained, heads switched off);
- :meth:`Bar.on_fraction`: :data:`core.sweeps.Progress` (fraction done and what is running).

:func:`iterate` wraps a loop instead (one subject after another).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")

#: Resolution of :meth:`Bar.on_fraction` (steps from 0 to 1).
FRACTION_STEPS = 1000
#: The look of a fraction bar: what runs, the bar, percent, time spent and left (no step counts).
FRACTION_FORMAT = "{desc} {bar} {percentage:3.0f}% {elapsed}<{remaining}"


class Bar:
    """One progress bar on stderr, opened at the first report.

    Args:
        desc: what the bar counts, shown before it.
        unit: the unit of a step (``epoch``, ``node``, ``head``).
        leave: keep the finished bar on screen (default: erase it, the command prints its own line).
        bar_format: a tqdm ``bar_format``, or None for tqdm's.
    """

    def __init__(
        self, desc: str = "", *, unit: str = "it", leave: bool = False, bar_format: str | None = None
    ) -> None:
        self.desc, self.unit, self.leave, self.bar_format = desc, unit, leave, bar_format
        self._tqdm: tqdm | None = None

    def update(self, done: float, total: float, *, desc: str | None = None, **postfix: str) -> None:
        """Show ``done`` of ``total`` steps, optionally a new description and ``key=value`` notes."""
        if self._tqdm is None:
            self._tqdm = tqdm(
                total=total,
                desc=self.desc,
                unit=self.unit,
                leave=self.leave,
                bar_format=self.bar_format,
                file=sys.stderr,
                dynamic_ncols=True,
            )
        bar = self._tqdm
        if bar.total != total:
            bar.total = total
        if desc is not None:
            bar.set_description_str(desc, refresh=False)
        if postfix:
            bar.set_postfix(postfix, refresh=False)
        bar.update(done - bar.n)

    def on_epoch(self, epoch: int, total: int, row: dict[str, float]) -> None:
        """A training progress callback: epochs, with the validation accuracy or RSE.

        Serves :data:`core.training.Progress` (``row["val_acc"]``) and
        :data:`core.forecasting.training.Progress` (``row["val_rse"]``).
        """
        if "val_acc" in row:
            self.update(epoch, total, val_acc=f"{row['val_acc']:.1%}")
        elif "val_mpjpe" in row:  # core.models.lifting.training.Progress
            self.update(epoch, total, val_mpjpe=f"{row['val_mpjpe']:.1f} mm")
        else:
            self.update(epoch, total, val_rse=f"{row['val_rse']:.4f}")

    def on_count(self, done: int, total: int) -> None:
        """A ``progress(done, total)`` callback."""
        self.update(done, total)

    def on_fraction(self, fraction: float, message: str) -> None:
        """A :data:`core.sweeps.Progress` callback: ``fraction`` in [0, 1] and what is running."""
        self.update(round(FRACTION_STEPS * fraction), FRACTION_STEPS, desc=message[:40])

    def close(self) -> None:
        """End the bar (nothing to do when it never opened)."""
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def iterate(items: Sequence[T], desc: str, *, unit: str = "it") -> Iterable[T]:
    """``items`` one by one, with a bar on stderr that stays when the loop ends."""
    return tqdm(items, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)
