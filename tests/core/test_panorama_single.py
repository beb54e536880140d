"""One panorama through the shipped spherical U-Net: inputs at the vertices, truth, errors, scores."""

import numpy as np
import pytest

from nodescope.core.loaders.panorama import panorama_to_sample, sample_at_directions
from nodescope.core.models.panorama.checkpoint import load_panorama, shipped_panorama
from nodescope.core.models.panorama.evaluate import score
from nodescope.core.models.panorama.single import error_maps, predict_image, predict_room


@pytest.fixture(scope="module")
def model():
    path = shipped_panorama()
    if path is None:
        pytest.skip("no shipped spherical U-Net")
    return load_panorama(path)[0]


def test_sampling_at_directions_is_the_loaders_sampling():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (32, 64, 3), dtype=np.uint8)
    s = panorama_to_sample(image, name="noise", source="test", level=2)
    colors = sample_at_directions(image, s.data.pos.numpy().astype(np.float64)) / 255.0
    np.testing.assert_allclose(colors, s.data.x[:, :3].numpy(), atol=1e-5)


def test_a_generated_room_has_truth_errors_and_the_split_scores_of_one_room(model):
    out = predict_room(model, 1, "test", width=256)
    v = len(out.directions)
    assert out.image.shape == (128, 256, 3) and out.image.dtype == np.uint8
    assert out.rgb.shape == (v, 3) and out.pred["depth"].shape == (v,)
    assert out.truth["class"].shape == (v,) and out.truth["normal"].shape == (v, 3)
    np.testing.assert_allclose(out.errors["depth"], out.pred["depth"] - out.truth["depth"], rtol=1e-6)
    assert out.errors["class"].dtype == bool
    assert out.scores["rooms"] == 1
    assert 0 < out.scores["oracle_layout_accuracy"] <= 1 and out.scores["depth_abs_rel"] > 0


def test_error_maps_vanish_on_a_perfect_prediction(model):
    out = predict_room(model, 2, "ood", width=256)
    perfect = error_maps(out.truth, out.truth)
    assert not perfect["depth"].any() and not perfect["class"].any() and not perfect["layout"].any()
    assert perfect["normal"].max() < 0.1
    data = {
        "depth": out.truth["depth"][None], "label": out.truth["class"][None], "layout": out.truth["layout"][None],
        "layout_depth": out.truth["depth"][None], "normal": out.truth["normal"][None],
    }  # fmt: skip
    pred = {k: v[None] for k, v in out.truth.items()} | {"layout_depth": out.truth["depth"][None]}
    assert score(pred, data, model.config.level)["layout_accuracy"] == 1.0


def test_an_image_gets_predictions_only(model):
    image = np.full((64, 128, 3), 128, np.uint8)
    out = predict_image(model, image)
    assert out.truth is None and out.errors is None and out.scores is None
    np.testing.assert_allclose(out.rgb, 128 / 255, atol=1e-6)
    assert np.isfinite(out.pred["depth"]).all() and (out.pred["depth"] > 0).all()
