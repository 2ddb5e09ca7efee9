"""Which of a batch's queries a worker screens next.

The queries come ordered by their words, and each worker has a stretch of them of its own, so
that it meets fewer different words and listed names than a share drawn from the whole file
(its caches answer more). A worker takes its next chunk from the front of its stretch, a
quarter of what is left there (guided self-scheduling): large chunks while much is left, few
round trips; small ones at the end, so that the workers finish together instead of one
waiting out the other's last large chunk (a tenth of the batch's time at 500 queries a
chunk). A worker done with its own stretch takes over the back half of what is left of the
fullest one, which stays in one piece and keeps its locality.
"""

from __future__ import annotations

import math

LARGEST = 500
SMALLEST = 16
# A chunk is this share of what is left of its stretch.
SHARE = 4


class Stretches:
    """The positions ``0 .. total - 1`` split into one stretch per worker."""

    def __init__(
        self, total: int, workers: int, *, largest: int = LARGEST, smallest: int = SMALLEST
    ) -> None:
        if workers < 1 or largest < 1 or smallest < 1:
            raise ValueError("workers and chunk sizes must be at least 1")
        step = max(1, math.ceil(total / workers))
        self.largest = largest
        self.smallest = min(smallest, largest)
        # Each stretch as [first position not yet taken, end].
        self._bounds = [[low, min(low + step, total)] for low in range(0, total, step)]

    def __len__(self) -> int:
        """The number of stretches (one per worker, fewer for a short batch)."""
        return len(self._bounds)

    def left(self, stretch: int) -> int:
        low, high = self._bounds[stretch]
        return high - low

    def take(self, stretch: int) -> range | None:
        """The next chunk of ``stretch``, after taking over half the fullest other stretch
        when it is done; None when nothing is left anywhere."""
        if not self._bounds:
            return None
        if not self.left(stretch) and not self._take_over(stretch):
            return None
        bounds = self._bounds[stretch]
        low, high = bounds
        size = min(self.largest, max(self.smallest, math.ceil((high - low) / SHARE)))
        bounds[0] = min(high, low + size)
        return range(low, bounds[0])

    def _take_over(self, stretch: int) -> bool:
        fullest = max(range(len(self._bounds)), key=self.left)
        left = self.left(fullest)
        if not left:
            return False
        other = self._bounds[fullest]
        # The back half; the last one whole.
        middle = other[1] - max(1, left // 2)
        self._bounds[stretch] = [middle, other[1]]
        other[1] = middle
        return True
