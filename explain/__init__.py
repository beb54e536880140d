"""Analyses over core models and samples: attention, explanations, fidelity, over-smoothing, registration.

Pure functions over tensors and samples; no UI, no figures.
"""
