from collections.abc import Collection
from typing import Any

import numpy as np
import numpy.typing as npt

from qalxan.screening.retrieval import Range

class Tally:
    def __init__(self, size: int) -> None: ...
    def top(
        self,
        postings: npt.NDArray[np.integer[Any]],
        units: list[tuple[Range, ...]],
        exclude: Collection[int],
        limit: int,
    ) -> list[int]: ...
