"""The garbage collector around bulk work.

Bulk work (an import, a batch screening) allocates millions of objects that live until it
ends, and forks workers that share what was loaded before the fork. The collector's passes
over those objects cost a fifth of the CPU of an import, and in a worker every object a
collection touches is a page copied. Nothing of that work relies on the collector: reference
counting frees what it drops.

The permanent generation (:func:`gc.freeze`) is shared by the whole process, so what
:func:`keep_forever` put there (the screening index keeps its millions there for good) is
respected: what was frozen for good before a piece of bulk work stays frozen after it. Whether
anything was is remembered here rather than asked of :func:`gc.get_freeze_count`, which counts
the frozen objects one by one (40 ms for an index of 100,000 names).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Whether keep_forever has frozen objects for the rest of the process.
_forever = False


@contextmanager
def paused() -> Iterator[None]:
    """No collections while the block runs.

    Afterwards, what the block allocated and still holds (typing's and placing's caches: about
    a hundred thousand objects) is old: it is moved to the oldest generation, as collections
    would move it, rather than walked by the first collection once the collector is back (a
    tenth of a second at the end of every import). Cycles the block left behind are found by
    the next full collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not _forever:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


@contextmanager
def frozen_for_fork() -> Iterator[None]:
    """The objects alive now out of the collector's sight while the block runs (the workers it
    forks then leave their pages shared). They come back into sight after it, unless the
    process kept objects frozen already: those are left as they were, and these with them."""
    already = _forever
    gc.freeze()
    try:
        yield
    finally:
        if not already:
            gc.unfreeze()


def keep_forever() -> None:
    """The objects alive now (after a collection: no garbage among them) out of the
    collector's sight for the rest of the process: for a large structure that lives as long as
    the process and holds no cycles (reference counting still frees it when it is replaced)."""
    global _forever
    gc.collect()
    gc.freeze()
    _forever = True
