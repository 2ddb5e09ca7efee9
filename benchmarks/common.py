"""Timing helpers and a server started as users start it (``qalxan serve``)."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

QALXAN = str(Path(sys.executable).with_name("qalxan"))


@dataclass
class Row:
    name: str
    value: str
    target: str
    ok: bool | None
    note: str = ""


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[tuple[str, float]]:
    """Start ``qalxan serve`` on ``data_dir``; yield its URL and seconds to the first answer."""
    port = free_port()
    env = {
        **os.environ,
        "QALXAN_DATA_DIR": str(data_dir),
        "QALXAN_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [QALXAN, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client() as client:
            while True:
                if process.poll() is not None:
                    err = process.stderr.read() if process.stderr else b""
                    raise RuntimeError(f"qalxan serve exited: {err!r}")
                try:
                    if client.get(f"{url}/api/v1/doctrine", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.01)
        yield url, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=20)
