"""A face's attention on the dual graph: the faces it reads and their weights, in face order."""

import numpy as np

from nodescope.explain.mesh_segmentation import face_attention


def test_face_attention_keeps_only_the_edges_into_the_face():
    edges = np.array([[3, 1, 2, 2, 2], [2, 2, 2, 1, 3]])
    alpha = np.array([[0.2, 0.6], [0.3, 0.1], [0.5, 0.3], [1.0, 1.0], [1.0, 1.0]])
    a = face_attention(edges, alpha, 2)
    assert a.face == 2 and a.sources.tolist() == [1, 2, 3]
    np.testing.assert_allclose(a.alpha, [[0.3, 0.1], [0.5, 0.3], [0.2, 0.6]])
    np.testing.assert_allclose(a.alpha.sum(axis=0), [1, 1])
