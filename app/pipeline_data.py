"""What the Pipeline page runs and keeps: a pipelined GCNII trained here, or a CLI run's results.

A run trains in a :class:`core.pipeline.PipelineJob` (a background thread; one stage in this
process, or one process per stage) held by this session (:func:`active`), so the page reruns
freely while it trains: the page polls the job, shows its progress and a Stop button, and, once
it finished, :func:`collect` keeps its :class:`explain.pipeline_report.PipelineRun`, the latest
one per sample (its fingerprint). Stopping, starting another run or the end of the session (its
state garbage-collected) stops the job's workers and deletes its temporary folder.
"""

from __future__ import annotations

import dataclasses
import weakref
from pathlib import Path

import streamlit as st

from nodescope.core.pipeline import PipelineConfig, PipelineJob
from nodescope.core.recipes import recipe
from nodescope.core.sample import Sample
from nodescope.core.training import with_split
from nodescope.explain.pipeline_report import PipelineRun, pipeline_run, run_from_results

_RUNS = "pipe_runs"  # session: {fingerprint: PipelineRun}
_JOB = "pipe_job"  # session: the _Slot of the run in progress (or just ended, not yet collected)
_ERROR = "pipe_error"  # session: the last run's one-line failure, shown once


class _Slot:
    """The session's hold on one job: when the session's state lets go of it, the job stops."""

    def __init__(self, job: PipelineJob, fp: str, epochs: int) -> None:
        self.job, self.fp, self.epochs = job, fp, epochs
        weakref.finalize(self, job.stop, 0)  # the job does not refer back: a dropped slot stops it


def current(fp: str) -> PipelineRun | None:
    """The latest run on the sample of fingerprint ``fp`` in this session, if any."""
    return st.session_state.get(_RUNS, {}).get(fp)


def active() -> _Slot | None:
    """This session's job in progress (or ended and not yet collected), if any."""
    return st.session_state.get(_JOB)


def start(
    s: Sample, fp: str, *, depth: int, chunks: int, refresh_every: int, epochs: int, stages: int
) -> None:
    """Start training a pipelined GCNII on ``s`` in the background (an earlier job is stopped first).

    Args:
        s: the labeled sample (its own split, else a random one of seed 0).
        fp: its fingerprint.
        depth: GCNII layers.
        chunks: graph chunks.
        refresh_every: staleness bound S (epochs between exact refreshes).
        epochs: epochs to train (early stopping as the GCNII recipe has it).
        stages: 1 (this process) or more (one spawned process per stage).
    """
    stop()
    data = with_split(s.data, seed=0)
    config, train = recipe("gcnii", s, seed=0, max_epochs=epochs)
    config = dataclasses.replace(config, layers=depth)
    settings = PipelineConfig(
        stages=stages, chunks=chunks, refresh_every=refresh_every, max_epochs=epochs,
        patience=train.patience, lr=train.lr, weight_decay=train.weight_decay, seed=train.seed,
        checkpoint_every=0 if stages == 1 else 1,
    )  # fmt: skip

    def finish(model, reports):  # noqa: ANN001, ANN202  runs in the job's thread
        return pipeline_run(s, data, model, settings, reports, "trained here")

    st.session_state.pop(_ERROR, None)
    st.session_state[_JOB] = _Slot(PipelineJob(config, data, settings, finish=finish).start(), fp, epochs)


def stop() -> None:
    """Stop this session's job, if any: its workers end, its folder goes; nothing is kept."""
    slot = st.session_state.pop(_JOB, None)
    if slot is not None:
        slot.job.stop()


def collect() -> None:
    """Keep the session's job's run once it ended (or its one-line failure), and let the job go."""
    slot = active()
    if slot is None or slot.job.running:
        return
    del st.session_state[_JOB]
    if slot.job.error is not None:
        st.session_state[_ERROR] = f"The pipeline run failed: {slot.job.error}"
    elif slot.job.result is not None:
        st.session_state.setdefault(_RUNS, {})[slot.fp] = slot.job.result


def failure() -> str | None:
    """The last run's failure, once (then forgotten)."""
    return st.session_state.pop(_ERROR, None)


def read_results(s: Sample, fp: str, path: Path) -> None:
    """Keep the run of ``nodescope train --stages … --chunks …`` whose results JSON is ``path``.

    Raises:
        LoadError: an unreadable file, not a pipeline run, or a run on another graph
            (:func:`explain.pipeline_report.run_from_results`).
    """
    run = run_from_results(s, path)
    st.session_state.setdefault(_RUNS, {})[fp] = run
