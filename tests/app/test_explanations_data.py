"""The Explanations page's export: every node's row as JSON, missing values as null."""

import json
import math

import pandas as pd

from nodescope.app.explanations_data import as_json


def test_json_export_keeps_rows_and_turns_nan_into_null():
    table = pd.DataFrame(
        {"node": [0, 1], "predicted": ["Théorie", "B"], "agreement": [0.5, math.nan], "text": ["a → b", "c"]}
    )
    rows = json.loads(as_json(table))
    assert rows == [
        {"node": 0, "predicted": "Théorie", "agreement": 0.5, "text": "a → b"},
        {"node": 1, "predicted": "B", "agreement": None, "text": "c"},
    ]
