"""Which code pairs a query's names with their candidates: the Cython module
(``_pairing.pyx``) when it is built and fresh, else the Python it stands for
(:meth:`WordFeatures.pairs <qalxan.screening.similarity.WordFeatures.pairs>`, then
:func:`~qalxan.screening.scoring.pair_many`). Both give the same results to the last bit."""

from __future__ import annotations

from types import ModuleType

from qalxan.screening.scoring import Listed, Named, Span, pair_many
from qalxan.screening.similarity import WordFeatures
from qalxan.screening.vocabulary import Vocabulary


def native() -> ModuleType | None:
    """The Cython module, or None when it is not built (or stale, or plain Python asked for:
    see :mod:`qalxan.compiled`)."""
    try:
        from qalxan.screening import _pairing
    except ImportError:
        return None
    return _pairing


class Pairs:
    """The word pairs, pairing and name scores of a query's names against listed names of
    ``vocabulary`` (``fast=False``: the Python code even where the Cython module is built)."""

    def __init__(self, vocabulary: Vocabulary, fast: bool = True) -> None:
        self.vocabulary = vocabulary
        module = native() if fast else None
        self._native = module.Pairing(vocabulary) if module is not None else None
        self._widest = int(module.MAX_WORDS) if module is not None else 0
        self._features: WordFeatures | None = None

    @property
    def fast(self) -> bool:
        return self._native is not None

    def scores(self, asked: Named, names: list[Listed]) -> list[float]:
        """Per listed name: its score against ``asked``."""
        if self._native is not None and 0 < len(asked.words) <= self._widest:
            found: list[float] = self._native.scores(asked, names)
            return found
        return [score for score, _ in self._plain(asked, names)]

    def spans(self, asked: Named, name: Listed) -> tuple[Span, ...]:
        """The pairs of words behind the score of ``asked`` and ``name`` (worked out again
        for the few results explained, not kept for every candidate)."""
        if self._native is not None and 0 < len(asked.words) <= self._widest:
            found: tuple[Span, ...] = self._native.spans(asked, name)
            return found
        return self._plain(asked, [name])[0][1]

    def _plain(self, asked: Named, names: list[Listed]) -> list[tuple[float, tuple[Span, ...]]]:
        if self._features is None:
            self._features = WordFeatures(self.vocabulary)
        return pair_many(asked, names, self._features.pairs(asked, names))
