"""``nodescope forecast DATA [--graph ADJ] --model mtgnn --out DIR``: train a forecaster, write its files.

Trains MTGNN (:mod:`core.models.mtgnn`) for single-step forecasting on the chronological
60/20/20 split (:mod:`core.forecasting.windows`) and writes into ``DIR``:

- ``forecast.csv``: one row per test target and series — ``target_step`` (row index in the
  file), ``time`` (its time stamp, empty without one), ``series``, ``truth``, ``forecast``
  (unscaled values);
- ``adjacency.npy``: the (N, N) learned graph, row ``i`` holding series ``i``'s incoming edge
  weights (:meth:`core.models.mtgnn.MTGNN.adjacency`), with ``series.txt`` naming the order (one
  name per line);
- ``metrics.json``: ``{"rse", "corr", "horizon", "window", "val": {"rse", "corr"},
  "baselines": {"persistence": {"rse", "corr"}, "ar": {...}, "var": {...}}, ...}`` — test
  scores on unscaled values (:mod:`core.forecasting.metrics`), the baselines on the same split;
- ``mtgnn.safetensors`` + ``mtgnn.json``: the checkpoint (config, scale, series names, settings;
  :mod:`core.forecasting.checkpoint`).

Training follows :func:`core.forecasting.recipe.fit_forecaster` (the app's recipe too). For a
built-in with shipped weights made with the same window, horizon and layers
(``assets/models/<built-in>/mtgnn-h<H>``) those are used instead, unless ``--retrain`` is given;
the output line and ``metrics.json`` (``"weights": "shipped"`` or ``"trained"``) say which.

``--graph`` gives a known graph for the file (scored against the learned one in
``metrics.json`` as ``graph_auroc``; built-ins carry theirs). The defaults (window 48, 3 layers,
8 epochs, batch 32) are sized for a CPU; MTGNN's paper used window 168, 5 layers, 30 epochs.
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from nodescope.core.errors import LoadError

if TYPE_CHECKING:
    import numpy as np

    from nodescope.core.forecasting import ForecastData

MODELS = ("mtgnn",)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``forecast`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    p = sub.add_parser(
        "forecast", help="train MTGNN on a multivariate time series and write forecasts and its graph"
    )
    p.add_argument("data", help="a time series built-in (graph-var, road-diffusion) or a text/CSV/NPZ file")
    p.add_argument(
        "--graph", type=Path, help="a known graph: an (N, N) .npy (row = incoming) or an edge-list CSV"
    )
    p.add_argument("--model", choices=MODELS, default="mtgnn", help="the forecaster (default mtgnn)")
    p.add_argument("--horizon", type=int, default=1, help="steps ahead (default 1)")
    p.add_argument("--window", type=int, default=48, help="input steps (default 48)")
    p.add_argument("--layers", type=int, default=3, help="MTGNN layers (default 3)")
    p.add_argument("--epochs", type=int, default=8, help="training epochs (default 8)")
    p.add_argument("--batch-size", type=int, default=32, help="windows per step (default 32)")
    p.add_argument("--seed", type=int, default=0, help="initialization and shuffling seed (default 0)")
    p.add_argument(
        "--retrain",
        action="store_true",
        help="train even when a built-in has shipped weights for these settings",
    )
    p.add_argument(
        "--out", type=Path, required=True, help="folder for forecast.csv, adjacency.npy, metrics.json"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train (or load the shipped weights), score against the baselines and write the files.

    Args:
        args: the parsed ``nodescope forecast`` options.

    Returns:
        0.

    Raises:
        LoadError: unreadable data or graph, a window or horizon the series is too short for,
            numbers below 1, or an output folder that cannot be created.
    """
    import numpy as np

    from nodescope.cli.progress import Bar
    from nodescope.core.forecasting import (
        baseline_scores,
        corr,
        fit_forecaster,
        forecast_data,
        forecaster_record,
        load_forecaster,
        matching_shipped,
        predict,
        rse,
        save_forecaster,
        train_settings,
    )
    from nodescope.core.loaders import load_series
    from nodescope.core.loaders.timeseries import known_adjacency
    from nodescope.explain.graph_agreement import graph_agreement

    if min(args.epochs, args.batch_size, args.layers) < 1:
        raise LoadError("--epochs, --batch-size and --layers must be at least 1.")
    sample = load_series(args.data, graph=args.graph)
    data = forecast_data(sample, args.window, args.horizon)  # refuses a too-short series before training
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoadError(f"Cannot create the output folder {args.out} ({exc.strerror}).") from exc
    shipped = (
        None
        if args.retrain
        else matching_shipped(sample, window=args.window, horizon=args.horizon, layers=args.layers)
    )
    if shipped is not None:
        model, shipped_record = load_forecaster(shipped)
        settings = shipped_record.get("settings", {})
        trained = {"epochs": shipped_record.get("epochs"), "best_epoch": shipped_record.get("best_epoch")}
        val_forecast, val_truth = predict(model, data, "val"), data.truth(data.targets["val"]) * data.scale
        val = {"rse": rse(val_forecast, val_truth), "corr": corr(val_forecast, val_truth)}
    else:
        with Bar(f"mtgnn {sample.name}", unit="epoch") as bar:
            result, data = fit_forecaster(
                sample,
                window=args.window,
                horizon=args.horizon,
                layers=args.layers,
                epochs=args.epochs,
                batch_size=args.batch_size,
                seed=args.seed,
                progress=bar.on_epoch,
            )
        model, val = result.model, result.scores["val"]
        settings = asdict(train_settings(args.epochs, args.batch_size, args.seed))
        trained = {"epochs": result.epochs, "best_epoch": result.best_epoch, "seconds": result.seconds}
    n = data.num_series
    names = sample.node_names or [f"series {j}" for j in range(n)]
    adjacency = model.adjacency().cpu().numpy()
    np.save(args.out / "adjacency.npy", adjacency)
    (args.out / "series.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    forecast = predict(model, data, "test")  # once: the scores below and forecast.csv both use it
    truth = data.truth(data.targets["test"]) * data.scale
    _write_forecasts(args.out / "forecast.csv", data, forecast, truth, names, sample.time)
    metrics = {
        "model": args.model,
        "rse": rse(forecast, truth),
        "corr": corr(forecast, truth),
        "horizon": args.horizon,
        "window": args.window,
        "val": val,
        "baselines": baseline_scores(data),
        "weights": "shipped" if shipped is not None else "trained",
        **trained,
    }
    known = known_adjacency(sample)
    if known is not None:
        metrics["graph_auroc"] = graph_agreement(adjacency, known)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    save_forecaster(
        model,
        args.out / "mtgnn",
        forecaster_record(
            sample=sample,
            data=data,
            settings=settings,
            scores={"val": val, "test": {"rse": metrics["rse"], "corr": metrics["corr"]}},
            weights=metrics["weights"],
            **trained,
        ),
    )
    base = metrics["baselines"]
    print(
        f"{sample.name}, horizon {args.horizon}, {metrics['weights']} weights"
        + (f" ({shipped.parent.name}/{shipped.stem})" if shipped is not None else "")
        + f": test RSE {metrics['rse']:.4f}, CORR {metrics['corr']:.4f} "
        f"(persistence {base['persistence']['rse']:.4f}, AR {base['ar']['rse']:.4f}, VAR {base['var']['rse']:.4f})"
    )
    return 0


def _write_forecasts(
    path: Path,
    data: ForecastData,
    forecast: np.ndarray,
    truth: np.ndarray,
    names: list[str],
    time: np.ndarray | None,
) -> None:
    """``forecast.csv``: one row per (test target, series) with the truth and the forecast, unscaled."""
    rows = data.targets["test"]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["target_step", "time", "series", "truth", "forecast"])
        for k, row in enumerate(rows):
            stamp = str(time[row]) if time is not None else ""
            for j, name in enumerate(names):
                out.writerow([int(row), stamp, name, f"{truth[k, j]:.6g}", f"{forecast[k, j]:.6g}"])
