"""Tables as the bytes of a file to download: JSON records and ``.npy`` arrays (never pickled)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd


def json_bytes(table: pd.DataFrame) -> bytes:
    r"""The table as a UTF-8 JSON list of objects, one per row (NaN -> null).

    Example:
        >>> json_bytes(pd.DataFrame({"node": [0], "score": [float("nan")]}))
        b'[\n {\n  "node": 0,\n  "score": null\n }\n]'
    """
    records = json.loads(table.to_json(orient="records"))
    return json.dumps(records, indent=1, ensure_ascii=False).encode()


def npy_bytes(frame: pd.DataFrame) -> bytes:
    """A frame's columns as one (rows, columns) float64 array in ``.npy`` format (no pickle)."""
    buf = io.BytesIO()
    np.save(buf, frame.to_numpy(dtype=np.float64), allow_pickle=False)
    return buf.getvalue()
