"""Single-step forecasting of multivariate time series: data, metrics, baselines, training.

- :mod:`~core.forecasting.synthetic`: seeded series whose true graph is known;
- :mod:`~core.forecasting.windows`: MTGNN's scaling, chronological split and input windows;
- :mod:`~core.forecasting.metrics`: RSE and CORR;
- :mod:`~core.forecasting.baselines`: persistence, per-series AR and VAR (ridge);
- :mod:`~core.forecasting.training`: training MTGNN (:mod:`core.models.mtgnn`), resumable;
- :mod:`~core.forecasting.recipe`: a time series sample to a trained forecaster (CLI and app);
- :mod:`~core.forecasting.checkpoint`: forecaster checkpoints, shipped ones included.
"""

from nodescope.core.forecasting.baselines import baseline_scores, persistence, tuned_linear
from nodescope.core.forecasting.checkpoint import (
    forecaster_record,
    load_forecaster,
    matching_shipped,
    save_forecaster,
    shipped_forecaster,
)
from nodescope.core.forecasting.metrics import corr, rse
from nodescope.core.forecasting.recipe import fit_forecaster, forecast_data, forecaster_config, train_settings
from nodescope.core.forecasting.synthetic import KnownGraphSeries, graph_var, road_diffusion
from nodescope.core.forecasting.training import (
    ForecastResult,
    ForecastTrainConfig,
    evaluate,
    predict,
    train_forecaster,
)
from nodescope.core.forecasting.windows import ForecastData, split_targets

__all__ = [
    "ForecastData",
    "ForecastResult",
    "ForecastTrainConfig",
    "KnownGraphSeries",
    "baseline_scores",
    "corr",
    "evaluate",
    "fit_forecaster",
    "forecast_data",
    "forecaster_config",
    "forecaster_record",
    "graph_var",
    "load_forecaster",
    "matching_shipped",
    "persistence",
    "predict",
    "road_diffusion",
    "rse",
    "save_forecaster",
    "shipped_forecaster",
    "split_targets",
    "train_forecaster",
    "train_settings",
    "tuned_linear",
]
