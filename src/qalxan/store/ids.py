"""Record ids: random, so that an id tells nothing about how many records exist or when.

The randomness comes from the operating system, as :func:`secrets.token_hex` takes it, but a
few thousand ids' worth at a time: a system call per id was about 4% of the CPU of the process
storing a bulk import (two ids per report: its own, and mostly a new incident's). A forked
process starts with none (it must not hand out the ids its parent will), and threads take from
the buffer under a lock.
"""

from __future__ import annotations

import os
import threading

ID_BYTES = 12
_BATCH = 4096

_lock = threading.Lock()
_ids: list[str] = []


def new_id() -> str:
    with _lock:
        if not _ids:
            raw = os.urandom(ID_BYTES * _BATCH).hex()
            step = 2 * ID_BYTES
            _ids.extend(raw[i : i + step] for i in range(0, len(raw), step))
        return _ids.pop()


def _forget() -> None:
    global _lock
    _lock = threading.Lock()
    _ids.clear()


os.register_at_fork(after_in_child=_forget)
