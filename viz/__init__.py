"""Figures from arrays and samples: plotly figures that work in a notebook as well as in the app.

No Streamlit, and no measures computed here (they belong in :mod:`explain`).
"""
