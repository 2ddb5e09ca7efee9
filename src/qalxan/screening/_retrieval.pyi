from collections.abc import Collection
from typing import Any

import numpy as np
import numpy.typing as npt

class Tally:
    def __init__(self, size: int) -> None: ...
    def top(
        self,
        ids: list[npt.NDArray[np.integer[Any]]],
        weights: list[npt.NDArray[np.float64]],
        exclude: Collection[int],
        limit: int,
    ) -> list[int]: ...
