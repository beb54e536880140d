"""A pipeline run in a background thread: its progress, a stop that ends its workers, its result.

The app starts a :class:`PipelineJob` and polls it; the job outlives the script run that started
it (a widget click reruns the page, not the training). One stage trains in the job's thread
(:class:`~core.pipeline.engine.Worker`, asked to stop before every epoch); more stages run as
processes (:func:`~core.pipeline.launch.launch`, whose workers are terminated on a stop), in a
temporary run folder that the job deletes when it ends, however it ends.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch_geometric.data import Data

from nodescope.core.models import ModelConfig, NodeModel
from nodescope.core.pipeline.checkpoint import load_pipeline_model, read_latest
from nodescope.core.pipeline.engine import PipelineConfig, RunStopped, StageReport, Worker, plan
from nodescope.core.pipeline.launch import launch

#: ``finish(model, reports)``: what the job keeps as its result (run in the job's thread).
Finish = Callable[[NodeModel, list[StageReport]], Any]


class PipelineJob:
    """Train a pipelined GCNII in a daemon thread; poll :attr:`epochs_done`, :attr:`running`, :attr:`result`.

    Args:
        config: the GCNII's config.
        data: the graph with ``y`` and masks.
        settings: the run's settings (``settings.stages`` 1: in this process; more: processes).
        finish: turns the trained model (best weights, CPU or the device) and the workers'
            reports into :attr:`result`; None keeps ``(model, reports)``.

    Attributes:
        folder: the temporary run folder (checkpoints of a multi-stage run); gone once the job ended.
        result: ``finish``'s value once the run succeeded, else None.
        error: one line when the run failed, else None.
        stopped: True when :meth:`stop` ended the run before it finished.
    """

    def __init__(
        self, config: ModelConfig, data: Data, settings: PipelineConfig, *, finish: Finish | None = None
    ) -> None:
        self.config, self.data, self.settings, self.finish = config, data, settings, finish
        self.folder = Path(tempfile.mkdtemp(prefix="nodescope-pipeline-"))
        self.result: Any = None
        self.error: str | None = None
        self.stopped = False
        self._stop = threading.Event()
        self._worker: Worker | None = None
        self._epochs = 0
        self._thread = threading.Thread(target=self._run, name="nodescope-pipeline", daemon=True)

    def start(self) -> PipelineJob:
        """Start the thread; returns the job."""
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """True while the thread trains (or cleans up)."""
        return self._thread.is_alive()

    @property
    def epochs_done(self) -> int:
        """Epochs finished so far (a multi-stage run: the last complete checkpoint's)."""
        if self._worker is not None:
            self._epochs = len(self._worker.report.history)
        elif self.settings.stages > 1 and self.folder.exists():
            latest = read_latest(self.folder / "checkpoint")
            self._epochs = latest["epoch"] if latest else self._epochs
        return self._epochs

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the run to stop, wait up to ``timeout`` s for its workers and thread, delete its folder."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self) -> None:
        settings = self.settings
        try:
            if settings.stages == 1:
                units = [(0, self.config.layers + 2)]
                self._worker = Worker(0, 1, self.config, self.data, settings, units, None, None)
                self._worker.should_stop = self._stop.is_set
                reports = [self._worker.run()]
                model = self._worker.model
            else:
                bounds = plan(self.config, self.data, settings.stages, seed=settings.seed)
                if self._stop.is_set():
                    raise RunStopped("Stopped before the workers started.")
                reports = launch(self.config, self.data, settings, bounds, self.folder, stop=self._stop)
                model = load_pipeline_model(self.folder / "checkpoint")[0]
            self._epochs = reports[-1].epochs
            self.result = (model, reports) if self.finish is None else self.finish(model, reports)
        except RunStopped:
            self.stopped = True
        except Exception as exc:  # noqa: BLE001  reported as one line by whoever polls
            self.error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
