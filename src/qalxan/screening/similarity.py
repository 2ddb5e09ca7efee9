"""Which words of a query's candidate names are alike at all, sorted out in arrays.

A query meets a hundred or so listed words, and most pairs of words share nothing: scoring
each in Python was most of a query's time. Spellings are compared all at once by rapidfuzz's
``cdist`` (in C); a pair only goes on to :func:`~qalxan.screening.scoring.word_similarity`
(the one place that says how alike two words are) when it can be alike at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from qalxan.screening.scoring import (
    MIN_RELATED_SPELLING,
    Candidate,
    Listed,
    Named,
    counted,
    word_similarity,
)
from qalxan.screening.vocabulary import ABJAD, INITIAL, Vocabulary, Word

_ABSENT = -1

Ints = npt.NDArray[np.int64]


class WordFeatures:
    """Per listed word id (of one vocabulary): its Latin form, the code of its plain form,
    whether it is in an Arabic-like script, whether an initial. Filled on first sight of a
    word, not up front: a million names hold hundreds of thousands of words, and a process
    meets a share of them."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._words = vocabulary.words
        self._ids = vocabulary.ids
        size = len(self._words)
        self._plains: dict[str, int] = {}
        self._known = np.zeros(size, np.bool_)
        # A row per word, its figures side by side (read together): plain form, Arabic-like
        # script, initial.
        self._table = np.zeros((size, 3), np.int32)
        self._forms = np.empty(size, np.object_)

    def pairs(self, asked: Named, names: Sequence[Listed]) -> list[list[Candidate]]:
        """Per listed name: the pairs of a word of ``asked`` and one of the name's words with
        a similarity above 0, as it counts in ``asked``
        (:func:`~qalxan.screening.scoring.counted`; as
        :func:`~qalxan.screening.scoring.pair_up` takes them)."""
        query = asked.words
        found: list[list[Candidate]] = [[] for _ in names]
        if not names or not query:
            return found
        # Every word of every name, repeats and all: cheaper than sorting out the repeats.
        ids = np.fromiter(chain.from_iterable([n.ids for n in names]), np.int64)
        lengths = np.array([len(n.ids) for n in names], np.int64)
        ends = np.cumsum(lengths)
        alike, same = self._alike(query, ids)
        rows, columns = np.nonzero(alike)
        owners = np.searchsorted(ends, columns, side="right")
        words = self._words
        # Most queries are neither one word nor an organisation's: their pairs count as they are.
        adjusted = asked.lone or not asked.initials
        listed = ids[columns].tolist()
        places = (columns - (ends - lengths)[owners]).tolist()
        for i, owner, j, w, itself in zip(
            rows.tolist(),
            owners.tolist(),
            places,
            listed,
            same[rows, columns].tolist(),
            strict=True,
        ):
            # Half the pairs are of a word and itself: no need to ask.
            if itself:
                similarity, reason = 1.0, "same"
            elif adjusted:
                a, b = query[i], words[w]
                similarity, reason = counted(asked, a, b, word_similarity(a, b))
            else:
                similarity, reason = word_similarity(query[i], words[w])
            if similarity > 0:
                found[owner].append((similarity, 1, i, i, j, j, reason))
        return found

    def alike(self, query: Sequence[Word], ids: Ints) -> npt.NDArray[np.bool_]:
        """Whether each ``query`` word (rows) may be like each listed word of ``ids``
        (columns): :func:`~qalxan.screening.scoring.word_similarity` is 0 for every other
        pair."""
        return self._alike(query, ids)[0]

    def _alike(
        self, query: Sequence[Word], ids: Ints
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """:meth:`alike`, and whether each pair is of a word and itself. Two words may be
        alike only when one word, an initial and a word, of one plain form, of related
        spelling, or one of them in Arabic-like script (compared by consonants): without any
        of these no group, skeleton or sound counts, and the spelling itself is below
        :data:`~qalxan.screening.scoring.MIN_WORD_SIMILARITY`."""
        self._learn(ids)
        plain, abjad, initial = self._table.take(ids, axis=0).T
        get = self._plains.get
        q_plain, q_abjad, q_initial, q_id = np.array(
            [
                (
                    get(a.plain, _ABSENT),
                    a.script == ABJAD,
                    a.role == INITIAL,
                    self._ids.get(a.written, _ABSENT),
                )
                for a in query
            ],
            np.int64,
        ).T[:, :, None]
        spelling = cdist(
            [a.form for a in query],
            self._forms.take(ids).tolist(),
            # scoring.spelling_similarity's measure, given as rapidfuzz's own so that cdist
            # runs it in C.
            scorer=OSA.normalized_similarity,
            score_cutoff=MIN_RELATED_SPELLING,
            dtype=np.float64,
        )
        same: npt.NDArray[np.bool_] = q_id == ids
        alike: npt.NDArray[np.bool_] = (spelling > 0) | (q_plain == plain) | same
        if q_abjad.any() or abjad.any():
            alike |= (q_abjad | abjad) > 0
        if q_initial.any() or initial.any():
            alike |= (q_initial | initial) > 0
        return alike, same

    def _learn(self, ids: Ints) -> None:
        new = ids[~self._known[ids]]
        if not len(new):
            return
        # Equal plain forms always share a code; were two threads to give two forms one
        # code, that would only add pairs to look at.
        code = self._plains.setdefault
        words = self._words
        rows = [
            (code(word.plain, len(self._plains)), word.script == ABJAD, word.role == INITIAL)
            for word in [words[w] for w in new.tolist()]
        ]
        self._table[new] = np.array(rows, np.int32)
        self._forms[new] = [words[w].form for w in new.tolist()]
        self._known[new] = True
