"""Download bytes: JSON records with null for NaN, and .npy arrays that load without pickle."""

import io
import json
import math

import numpy as np
import pandas as pd

from nodescope.core.export import json_bytes, npy_bytes


def test_json_export_keeps_rows_and_turns_nan_into_null():
    table = pd.DataFrame(
        {"node": [0, 1], "predicted": ["Théorie", "B"], "agreement": [0.5, math.nan], "text": ["a → b", "c"]}
    )
    rows = json.loads(json_bytes(table))
    assert rows == [
        {"node": 0, "predicted": "Théorie", "agreement": 0.5, "text": "a → b"},
        {"node": 1, "predicted": "B", "agreement": None, "text": "c"},
    ]


def test_npy_export_is_a_float64_array_of_the_columns():
    frame = pd.DataFrame({"vertex": [0, 1, 2], "sulc": [0.5, -1.0, 2.0]})
    back = np.load(io.BytesIO(npy_bytes(frame)), allow_pickle=False)
    assert back.shape == (3, 2) and back.dtype == np.float64
    np.testing.assert_array_equal(back[:, 1], frame["sulc"].to_numpy())
