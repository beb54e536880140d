"""The dual-graph segmenters: shapes, attention only on dual-graph neighbors, scores, resumable training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nodescope.core.models.segmentation import Segmenter, SegmenterConfig, segment_mesh, shape_iou
from nodescope.core.models.segmentation.recipe import DEFAULT_CONFIGS
from nodescope.core.models.segmentation.training import SegmentTrainSettings, scores, train
from nodescope.core.segmentation import PART_NAMES, SegmentationSample, face_features, part_mesh
from nodescope.explain.mesh_segmentation import face_attention


@pytest.fixture(scope="module")
def samples() -> list[SegmentationSample]:
    torch.set_num_threads(1)
    meshes = [part_mesh("mug", 0, 1200), part_mesh("humanoid", 1, 1200)]
    return [SegmentationSample(m, face_features(m.pos, m.faces)) for m in meshes]


def test_shapes_and_attention_stay_on_the_dual_graph(samples):
    torch.manual_seed(0)
    model = Segmenter(DEFAULT_CONFIGS["dual-gat"])
    g = samples[0].graph
    out = model(g.x, g.edge_index, g.edge_attr, attention=True)
    t = g.num_faces
    assert out.logits.shape == (t, len(PART_NAMES))
    assert len(out.hidden) == 5 and out.hidden[-1].shape == (t, 64)
    assert len(out.attention) == 4
    allowed = {tuple(e) for e in g.edge_index.T.tolist()} | {(f, f) for f in range(t)}
    for edges, alpha in out.attention:
        assert alpha.shape == (edges.shape[1], 4)
        assert {tuple(e) for e in edges.T.tolist()} <= allowed  # no attention outside the neighbors
        sums = torch.zeros(t, 4).index_add_(0, edges[1], alpha)
        torch.testing.assert_close(sums, torch.ones(t, 4))
    # each face reads itself and its (up to) three neighbors across its sides
    reads = face_attention(*[a.numpy() for a in out.attention[0]], 5)
    assert 5 in reads.sources and len(reads.sources) <= 4


def test_the_gcn_has_no_attention_and_about_the_same_size():
    gat, gcn = Segmenter(DEFAULT_CONFIGS["dual-gat"]), Segmenter(DEFAULT_CONFIGS["dual-gcn"])
    assert abs(gcn.num_parameters() / gat.num_parameters() - 1) < 0.05
    x = torch.randn(4, DEFAULT_CONFIGS["dual-gcn"].features)
    edges = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    out = gcn(x, edges, torch.zeros(6, 1), attention=True)
    assert out.logits.shape == (4, len(PART_NAMES)) and out.attention == []


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="unknown segmenter"):
        Segmenter(SegmenterConfig("pointnet"))
    with pytest.raises(ValueError, match="multiple of heads"):
        Segmenter(SegmenterConfig("dual-gat", hidden=30, heads=4))
    with pytest.raises(ValueError, match="unknown segmenter config keys"):
        SegmenterConfig.from_dict({"model": "dual-gat", "depth": 3})


def test_shape_iou_and_scores():
    assert shape_iou(np.array([0, 1, 1]), np.array([0, 1, 1])) == 1.0
    assert shape_iou(np.array([0, 0]), np.array([1, 1])) == 0.0


def test_training_resumes_where_it_stopped(samples, tmp_path):
    def run(epochs: int, path) -> Segmenter:
        torch.manual_seed(0)
        model = Segmenter(DEFAULT_CONFIGS["dual-gcn"])
        settings = SegmentTrainSettings(epochs=epochs, batch=1, seed=0)
        train(model, samples, samples[:1], settings, state_path=path)
        return model

    straight = run(2, tmp_path / "a")
    run(1, tmp_path / "b")
    resumed = run(2, tmp_path / "b")
    for (k, v), w in zip(straight.state_dict().items(), resumed.state_dict().values(), strict=True):
        torch.testing.assert_close(v, w, msg=k)
    assert 0 <= scores(resumed, samples)["miou"] <= 1


def test_segment_mesh_labels_every_face_in_any_pose(samples):
    torch.manual_seed(0)
    model = Segmenter(DEFAULT_CONFIGS["dual-gat"]).eval()
    m = samples[1].mesh
    a = segment_mesh(model, m.pos, m.faces)
    b = segment_mesh(model, 3 * m.pos[:, [1, 2, 0]] + 1, m.faces)  # a rotation (cyclic axes), scaled, moved
    assert a.part.shape == (len(m.faces),) and a.confidence.shape == (len(m.faces),)
    assert (a.part == b.part).mean() > 0.99
    assert len(a.attention) == 4
