"""Where Nodescope keeps user data (datasets, caches, reviews) on this machine."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Datasets folder: ``$NODESCOPE_DATA_DIR`` or ``~/.local/share/nodescope/data`` (XDG)."""
    env = os.environ.get("NODESCOPE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return user_dir() / "data"


def user_dir() -> Path:
    """Per-user state: ``$NODESCOPE_HOME`` or ``$XDG_DATA_HOME/nodescope``."""
    env = os.environ.get("NODESCOPE_HOME")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "nodescope"


def reviews_db() -> Path:
    """The SQLite database of explanation reviews: ``$NODESCOPE_REVIEWS_DB`` or ``user_dir()/reviews.sqlite3``."""
    env = os.environ.get("NODESCOPE_REVIEWS_DB")
    return Path(env).expanduser() if env else user_dir() / "reviews.sqlite3"
