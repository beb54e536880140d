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


def machine() -> dict[str, object]:
    """What a recorded number was measured on: Python, torch, CPU count and threads, GPU, platform."""
    import platform

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "platform": platform.platform(),
    }
