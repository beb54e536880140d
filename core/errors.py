"""User-facing errors: one line that says what is wrong with the input and what to do."""

from __future__ import annotations


class LoadError(ValueError):
    """An input could not be loaded. ``str(err)`` is a single line fit to show a user.

    The app shows it with ``st.error`` and keeps its previous state; the CLI prints it
    on stderr and exits with status 2.

    Args:
        message: what is wrong and what to do; runs of whitespace (newlines included) become
            one space.
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))
