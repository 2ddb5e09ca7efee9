"""Work repeated from a background thread while a block runs (a server's housekeeping)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


@contextmanager
def periodic(
    name: str, every_seconds: float, work: Callable[[], object], failed: str
) -> Iterator[None]:
    """Call ``work`` every ``every_seconds`` on a thread named ``name`` until the block ends.

    A failure is logged with ``failed`` and the work tried again at the next interval: a
    housekeeping hiccup must not end the server.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_seconds):
            try:
                work()
            except Exception:
                log.exception(failed)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
