"""A pipeline run's record (explain/pipeline_report.py): chunks, halo reads and energies of a tiny run."""

import torch

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.pipeline import PipelineConfig, partition, split_graph, train_single
from nodescope.core.training import with_split
from nodescope.explain.pipeline_report import pipeline_run


def test_a_run_record_has_every_nodes_chunk_its_halo_reads_and_an_energy_per_layer():
    torch.set_num_threads(1)
    s = load("karate")
    data = with_split(s.data, seed=0)
    config = MODELS["gcnii"].config(s.data.num_features, s.num_classes, layers=4, hidden=8)
    settings = PipelineConfig(stages=1, chunks=2, max_epochs=2, patience=2, checkpoint_every=0)
    worker, report = train_single(config, data, settings)
    run = pipeline_run(s, data, worker.model, settings, [report], "here")
    assert (run.depth, run.stages, run.chunks, run.origin) == (4, 1, 2, "here")
    assert run.part.shape == (34,) and set(run.part.tolist()) == {0, 1}
    halo = sum(c.halo.numel() for c in split_graph(data.edge_index, 34, partition(data.edge_index, 34, 2)))
    assert int((run.reads_before + run.reads_after).sum()) == halo  # each halo row is read once
    assert run.energy.shape == (5,) and (run.energy > 0).all()  # the input and each layer
    assert len(run.history) == 2 and run.summary["epochs"] == 2 and 0 <= run.test_acc <= 1
