"""explain/pipeline.py: every node's chunk, and which chunks read its embedding before or after it."""

import numpy as np
import torch

from nodescope.core.loaders import load
from nodescope.core.pipeline import partition, split_graph
from nodescope.explain.pipeline import chunk_of, halo_reads


def test_a_path_in_three_chunks_is_read_before_and_after_its_own_chunk():
    edges = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    chunks = split_graph(edges, 3, torch.tensor([0, 1, 2]))
    before, after = halo_reads(chunks, 3)
    assert before.tolist() == [0, 1, 1]  # node 1 is read by chunk 0 before chunk 1 runs
    assert after.tolist() == [1, 1, 0]


def test_on_karate_reads_count_every_halo_membership_once():
    s = load("karate")
    part = partition(s.data.edge_index, s.num_nodes, 4, method="rcm")
    chunks = split_graph(s.data.edge_index, s.num_nodes, part)
    assert np.array_equal(chunk_of(chunks, s.num_nodes), part.numpy())
    before, after = halo_reads(chunks, s.num_nodes)
    assert int((before + after).sum()) == sum(c.halo.numel() for c in chunks)
    # the first chunk's nodes are never read before it runs, the last chunk's never after
    assert before[part.numpy() == 0].sum() == 0
    assert after[part.numpy() == 3].sum() == 0
