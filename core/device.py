"""The one device choice every model and tensor goes through: CUDA when available, else CPU."""

from __future__ import annotations

import functools
import os

import torch


@functools.cache
def device() -> torch.device:
    """CUDA if a GPU is usable (and ``NODESCOPE_DEVICE`` does not say otherwise), else CPU."""
    wanted = os.environ.get("NODESCOPE_DEVICE")
    if wanted:
        return torch.device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe() -> str:
    """A short human description, e.g. 'CUDA · NVIDIA H100 80GB HBM3' or 'CPU · 2 threads'."""
    dev = device()
    if dev.type == "cuda":
        return f"CUDA · {torch.cuda.get_device_name(dev)}"
    return f"CPU · {torch.get_num_threads()} threads"
