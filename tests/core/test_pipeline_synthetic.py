"""The large planted-partition graph of the pipeline benchmark (core/pipeline/synthetic.py), at a small size."""

import torch

from nodescope.core.pipeline.synthetic import block_model


def test_block_model_is_symmetric_simple_and_mostly_inside_its_communities():
    data = block_model(2_000, 20_000, blocks=4, features=8, seed=1)
    row, col = data.edge_index
    assert data.x.shape == (2_000, 8) and data.y.bincount().tolist() == [500] * 4
    assert 0.95 * 20_000 < row.numel() <= 20_000
    assert not (row == col).any()
    pairs = set(zip(row.tolist(), col.tolist(), strict=True))
    assert len(pairs) == row.numel() and all((b, a) in pairs for a, b in pairs)
    inside = float((data.y[row] == data.y[col]).float().mean())
    assert 0.8 < inside < 0.88  # 80 % drawn inside, plus the random quarter of the rest that lands inside
    assert torch.equal(block_model(2_000, 20_000, blocks=4, features=8, seed=1).edge_index, data.edge_index)
