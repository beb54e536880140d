"""Pipelined model-parallel training of deep GCNII after GNNPipe (Chen et al., 2023) on ``torch.distributed``.

Layers cut into stages balanced by measured cost (:mod:`.stages`), the graph cut into chunks
with halos (:mod:`.chunks`), historical embeddings with a staleness bound (:mod:`.historical`),
one stage per process with point-to-point sends (:mod:`.comm`, :mod:`.engine`), launched locally
or by ``torchrun`` (:mod:`.launch`), checkpointed every epoch (:mod:`.checkpoint`); a run in a
background thread that the app polls and can stop (:mod:`.job`); a large planted-partition graph
for the benchmark (:mod:`.synthetic`).
"""

from nodescope.core.pipeline.checkpoint import load_pipeline_model
from nodescope.core.pipeline.chunks import Chunk, metis_available, partition, split_graph
from nodescope.core.pipeline.engine import (
    PipelineConfig,
    RunStopped,
    StageReport,
    Worker,
    WorkerDied,
    keyed_dropout,
    plan,
    reports_summary,
    train_single,
)
from nodescope.core.pipeline.historical import HistoricalCache
from nodescope.core.pipeline.job import PipelineJob
from nodescope.core.pipeline.launch import launch, torchrun_rank
from nodescope.core.pipeline.stages import Stage, balance, unit_costs

__all__ = [
    "Chunk",
    "HistoricalCache",
    "PipelineConfig",
    "PipelineJob",
    "RunStopped",
    "Stage",
    "StageReport",
    "Worker",
    "WorkerDied",
    "balance",
    "keyed_dropout",
    "launch",
    "load_pipeline_model",
    "metis_available",
    "partition",
    "plan",
    "reports_summary",
    "split_graph",
    "torchrun_rank",
    "train_single",
    "unit_costs",
]
