"""Which code pairs a query's names with their candidates: the Cython module
(``_pairing.pyx``) when it is built and fresh, else the Python it stands for
(:class:`~qalxan.screening.prepared.Prepared`, then
:meth:`WordFeatures.pairs <qalxan.screening.similarity.WordFeatures.pairs>`, then
:func:`~qalxan.screening.scoring.pair_many`). Both give the same results to the last bit."""

from __future__ import annotations

from types import ModuleType

from qalxan.screening.index import Index
from qalxan.screening.prepared import Prepared
from qalxan.screening.scoring import Listed, Named, Span, pair_many
from qalxan.screening.similarity import WordFeatures


def native() -> ModuleType | None:
    """The Cython module, or None when it is not built (or stale, or plain Python asked for:
    see :mod:`qalxan.compiled`)."""
    try:
        from qalxan.screening import _pairing
    except ImportError:
        return None
    return _pairing


class Pairs:
    """The word pairs, pairing and name scores of a query's names against the names of
    ``index`` (``fast=False``: the Python code even where the Cython module is built)."""

    def __init__(self, index: Index, fast: bool = True) -> None:
        self.index = index
        self._prepared = Prepared(index)
        module = native() if fast else None
        self._native = module.Pairing(index, self.listed) if module is not None else None
        self._widest = int(module.MAX_WORDS) if module is not None else 0
        self._features: WordFeatures | None = None

    @property
    def fast(self) -> bool:
        return self._native is not None

    def scores(self, asked: Named, names: list[int]) -> list[float]:
        """Per listed name (id in the index): its score against ``asked``."""
        if self._native is not None and 0 < len(asked.words) <= self._widest:
            found: list[float] = self._native.scores(asked, names)
            return found
        return [score for score, _ in self._plain(asked, names)]

    def spans(self, asked: Named, name: int) -> tuple[Span, ...]:
        """The pairs of words behind the score of ``asked`` and the listed name ``name``
        (worked out again for the few results explained, not kept for every candidate)."""
        if self._native is not None and 0 < len(asked.words) <= self._widest:
            found: tuple[Span, ...] = self._native.spans(asked, name)
            return found
        return self._plain(asked, [name])[0][1]

    def listed(self, name: int) -> Listed:
        """The listed name ``name`` as :class:`~qalxan.screening.scoring.Listed` (what an
        explanation reads)."""
        return self._prepared.names([name])[0]

    def _plain(self, asked: Named, names: list[int]) -> list[tuple[float, tuple[Span, ...]]]:
        if self._features is None:
            self._features = WordFeatures(self.index.vocabulary)
        listed = self._prepared.names(names)
        return pair_many(asked, listed, self._features.pairs(asked, listed))
