"""Point-to-point links between neighboring pipeline stages on ``torch.distributed``.

gloo on the CPU; NCCL when every rank has its own GPU (several ranks sharing one GPU, which
NCCL refuses, fall back to gloo with the tensors staged through host memory). Shapes are
never sent: every worker computes the same chunks, so a receiver knows what it will get.
Sends are asynchronous (``isend``); :meth:`Link.flush` waits for them at the end of a phase.
"""

from __future__ import annotations

import os
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import Tensor


def init(rank: int, world: int, *, timeout_s: float, dev: torch.device) -> str:
    """Join the process group (env ``MASTER_ADDR``/``MASTER_PORT``, as torchrun sets); returns the backend."""
    nccl = dev.type == "cuda" and dist.is_nccl_available() and torch.cuda.device_count() >= world
    backend = "nccl" if nccl else "gloo"
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    dist.init_process_group(backend, rank=rank, world_size=world, timeout=timedelta(seconds=timeout_s))
    return backend


class Link:
    """Sends to and receives from neighbor ranks, counting the bytes sent.

    Args:
        backend: ``gloo`` or ``nccl`` (see :func:`init`).
        dev: the worker's device (tensors come back there).
    """

    def __init__(self, backend: str, dev: torch.device) -> None:
        self.dev = dev
        self.host = backend == "gloo" and dev.type != "cpu"  # gloo moves host tensors only
        self.bytes_sent = 0
        self._pending: list = []

    def send(self, tensors: list[Tensor], to: int) -> None:
        """Send ``tensors`` (in order) to rank ``to`` without waiting."""
        for t in tensors:
            t = t.detach().contiguous()
            if self.host:
                t = t.cpu()
            self.bytes_sent += t.numel() * t.element_size()
            self._pending.append((dist.isend(t, to), t))

    def recv(self, shapes: list[tuple[int, ...]], source: int) -> list[Tensor]:
        """Float tensors of ``shapes`` from rank ``source``, on the worker's device."""
        out = []
        for shape in shapes:
            buf = torch.empty(shape, device="cpu" if self.host else self.dev)
            dist.recv(buf, source)
            out.append(buf.to(self.dev))
        return out

    def flush(self) -> None:
        """Wait until every send so far has left."""
        for work, _ in self._pending:
            work.wait()
        self._pending.clear()
