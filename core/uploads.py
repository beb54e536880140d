"""Files a user uploaded, written where the readers can open them.

The readers (nibabel, pyvista) want paths, so uploaded bytes go to a private temporary
folder under cleaned names for as long as they are read. :func:`uploaded_files` is the one
way in for every upload (the app's Load page, the registration page's subject): it cleans
the names, enforces a size limit, removes the folder afterwards, and keeps that folder's
path (a server path) out of every error message.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from nodescope.core.errors import LoadError


def safe_file_name(name: str, default: str = "upload") -> str:
    """A file name safe to write.

    The last path part of ``name``, each character outside ``A-Za-z0-9._-`` turned into ``_``.

    Args:
        name: a name as a user gave it (may hold folders, spaces, ``..``).
        default: returned when nothing usable is left (empty, ``.`` or ``..``).

    Example:
        >>> safe_file_name("../my scans/lh sphere.gii")
        'lh_sphere.gii'
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name)
    return cleaned if cleaned.strip(".") else default


@contextmanager
def uploaded_files(
    files: Sequence[tuple[str, bytes]], *, max_bytes: int | None = None, prefix: str = "nodescope-upload-"
) -> Iterator[list[Path]]:
    """Write uploaded files to a private temporary folder and yield their paths, in order.

    Each file keeps its cleaned name (:func:`safe_file_name`), so readers that go by suffix
    or look for siblings (``lh.pial`` beside ``lh.sulc``) work; a name already taken goes
    into a numbered subfolder instead of replacing the first. The folder is removed when
    the block ends. A :class:`~core.errors.LoadError` raised inside the block leaves it with
    the folder's path removed from its message.

    Args:
        files: ``(name as uploaded, bytes)`` per file.
        max_bytes: refuse any file larger than this (None: no limit).
        prefix: the temporary folder's name prefix.

    Raises:
        LoadError: a file is over ``max_bytes`` (one line naming it), or what the block raised.

    Example:
        >>> with uploaded_files([("a b.txt", b"hi")]) as (path,):
        ...     path.name, path.read_bytes()
        ('a_b.txt', b'hi')
    """
    for name, blob in files:
        if max_bytes is not None and len(blob) > max_bytes:
            raise LoadError(
                f"{name} is {len(blob) / 2**20:,.1f} MB; the upload limit is {max_bytes / 2**20:,.0f} MB."
            )
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        folder, paths, taken = Path(tmp), [], set()
        for i, (name, blob) in enumerate(files):
            safe = safe_file_name(name)
            path = folder / safe if safe not in taken else folder / str(i) / safe
            taken.add(safe)
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(blob)
            paths.append(path)
        try:
            yield paths
        except LoadError as exc:
            message = str(exc)
            for where in (f"{folder.resolve()}/", f"{folder}/", str(folder.resolve()), str(folder)):
                message = message.replace(where, "")
            if message == str(exc):
                raise
            raise LoadError(message) from exc
