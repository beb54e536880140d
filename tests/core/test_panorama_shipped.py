"""The shipped spherical U-Net loads and reproduces the check figures recorded beside it."""

from __future__ import annotations

import pytest
import torch

from nodescope.core.models.panorama.checkpoint import load_panorama, shipped_panorama
from nodescope.core.models.panorama.evaluate import check

SHIPPED = shipped_panorama()
#: Room casting and float32 sums differ slightly across machines and library versions.
TOLERANCE = 0.01


@pytest.mark.skipif(SHIPPED is None, reason="no shipped spherical U-Net")
def test_shipped_unet_reproduces_its_check_and_beats_the_band_oracle():
    torch.set_num_threads(1)
    model, record = load_panorama(SHIPPED)
    got = check(model.cpu(), record["recipe"]["antialias"])
    for key, value in record["check"].items():
        assert got[key] == pytest.approx(value, abs=TOLERANCE * max(1.0, abs(value))), key
    # Shipped only when it beats the layout oracle on the test and ood splits (issue 20, section 3).
    for split in ("test", "ood"):
        scores = record["scores"][split]
        assert scores["layout_accuracy"] > scores["oracle_layout_accuracy"], split
