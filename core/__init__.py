"""The bottom layer: data loaders, the :class:`~core.sample.Sample` type, geometry, models, training.

Also checkpoints and the device choice. Nothing here imports Streamlit or plotly, or draws.
"""
