"""Forecasting multivariate time series: synthetic series with known graphs (more to come: splits, metrics, baselines)."""

from nodescope.core.forecasting.synthetic import KnownGraphSeries, graph_var, road_diffusion

__all__ = ["KnownGraphSeries", "graph_var", "road_diffusion"]
