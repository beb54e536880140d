"""Single-step forecasting data: max-abs scaling, the chronological split, input windows.

The protocol of LSTNet and MTGNN's single-step benchmarks (MTGNN ``util.DataLoaderS``):

- scaling (``normalize=2``): each series divided by its largest absolute value over the
  whole file (a series that is all zeros keeps scale 1); predictions are scaled back before
  they are scored;
- with window ``P`` and horizon ``h``, the sample whose target is row ``t`` reads rows
  ``t - h - P + 1 .. t - h``; targets ``t`` run over ``[P + h - 1, 0.6 T)`` for training,
  ``[0.6 T, 0.8 T)`` for validation and ``[0.8 T, T)`` for the test (fractions rounded down
  with ``int``), so validation and test windows may read rows of the split before them, as in
  the reference code.

Windows are views (:func:`numpy.lib.stride_tricks.sliding_window_view`): a split of many
long series costs no copy until a batch is gathered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nodescope.core.errors import LoadError

#: The split fractions (train, validation); the test is the rest.
SPLIT = (0.6, 0.2)
SPLITS = ("train", "val", "test")


def max_abs_scale(values: np.ndarray) -> np.ndarray:
    """(N,) per-series scale: the largest |value| of each column of a (T, N) array, 1 where it is 0."""
    scale = np.abs(values).max(axis=0)
    return np.where(scale > 0, scale, 1.0)


def split_targets(
    steps: int, window: int, horizon: int, fractions: tuple[float, float] = SPLIT
) -> dict[str, np.ndarray]:
    """Target row indices of the chronological train / validation / test split.

    Args:
        steps: T, the number of rows.
        window: P, input steps per sample.
        horizon: h, steps ahead of the window's last row (1 = the next step).
        fractions: the train and validation fractions of T.

    Returns:
        ``{"train": ..., "val": ..., "test": ...}``, each an int64 array of target rows.

    Raises:
        LoadError: the series is too short for one training, validation and test sample.
    """
    check_length(steps, window, horizon, fractions)
    train_end, val_end = int(fractions[0] * steps), int((fractions[0] + fractions[1]) * steps)
    return {
        "train": np.arange(window + horizon - 1, train_end),
        "val": np.arange(train_end, val_end),
        "test": np.arange(val_end, steps),
    }


def check_length(steps: int, window: int, horizon: int, fractions: tuple[float, float] = SPLIT) -> None:
    """Refuse a window and horizon that leave the training split without a sample.

    Raises:
        LoadError: one line saying how many steps are needed.
    """
    if window < 1 or horizon < 1:
        raise LoadError(f"The window ({window}) and the horizon ({horizon}) must be at least 1 step.")
    train_end = int(fractions[0] * steps)
    if train_end <= window + horizon - 1 or int((fractions[0] + fractions[1]) * steps) >= steps:
        need = int(np.ceil((window + horizon) / fractions[0])) + 1
        raise LoadError(
            f"The series has {steps} steps; a window of {window} and a horizon of {horizon} need at "
            f"least {need} (the first {fractions[0]:.0%} trains): shorten the window or load more steps."
        )


@dataclass
class ForecastData:
    """A scaled (T, N) series with its split, serving (window, target) samples.

    Attributes:
        values: (T, N) float32 scaled values.
        scale: (N,) the per-series scale (:func:`max_abs_scale`); raw = scaled * scale.
        window: P.
        horizon: h.
        targets: target rows per split (:func:`split_targets`).
    """

    values: np.ndarray
    scale: np.ndarray
    window: int
    horizon: int
    targets: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_raw(cls, raw: np.ndarray, window: int, horizon: int) -> ForecastData:
        """Scale a raw (T, N) series and split it (see the module docstring)."""
        raw = np.asarray(raw, dtype=np.float64)
        scale = max_abs_scale(raw)
        return cls(
            values=(raw / scale).astype(np.float32),
            scale=scale,
            window=window,
            horizon=horizon,
            targets=split_targets(raw.shape[0], window, horizon),
        )

    @property
    def num_series(self) -> int:
        """N."""
        return self.values.shape[1]

    def inputs(self, rows: np.ndarray) -> np.ndarray:
        """(B, P, N) scaled input windows of the samples whose targets are ``rows``."""
        views = np.lib.stride_tricks.sliding_window_view(self.values, self.window, axis=0)  # (T-P+1, N, P)
        starts = np.asarray(rows) - self.horizon - self.window + 1
        return views[starts].transpose(0, 2, 1)

    def truth(self, rows: np.ndarray) -> np.ndarray:
        """(B, N) scaled targets at ``rows``."""
        return self.values[np.asarray(rows)]

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """All (inputs (B, P, N), targets (B, N)) of one split, scaled."""
        rows = self.targets[name]
        return self.inputs(rows), self.truth(rows)
