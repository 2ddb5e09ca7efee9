"""Listed names ready to compare (:class:`~qalxan.screening.scoring.Listed`), made for the
candidates of a query all at once and kept: the same names come up query after query. This is
the reference the Cython pairing (``_pairing.pyx``) learns its names by, the path wherever that
is not built, and what an explanation reads."""

from __future__ import annotations

import numpy as np

from qalxan.screening import acronyms, text
from qalxan.screening.index import Index
from qalxan.screening.scoring import ROLE_WEIGHT, Listed, listed
from qalxan.screening.vocabulary import NAME, ORG_WORD, Word, compound_spans, joined_script

KEPT = 200_000


class Prepared:
    def __init__(self, index: Index) -> None:
        self.index = index
        # Ints, strings and tuples only (see :class:`Listed`).
        self._names: dict[int, Listed] = {}
        self._runs: dict[tuple[int, ...], tuple[str, str, str]] = {}

    def names(self, names: list[int]) -> list[Listed]:
        """The listed names ``names`` (ids in the index)."""
        # Read once: another thread may empty the cache meanwhile.
        found = [self._names.get(name) for name in names]
        absent = [name for name, known in zip(names, found, strict=True) if known is None]
        made: dict[int, Listed] = {}
        if absent:
            parties = self.index.entities
            entities = self.index.name_entity[np.array(absent, np.int64)].tolist()
            missing = [
                (name, parties[entity].schema)
                for name, entity in zip(absent, entities, strict=True)
            ]
            made = self._prepare(missing)
        return [known or made[name] for name, known in zip(names, found, strict=True)]

    def _prepare(self, missing: list[tuple[int, str]]) -> dict[int, Listed]:
        """Make (and keep) the listed names ``missing`` (``(name, its party's schema)``): an
        organisation's common words weigh little, a person's are names; an organisation's
        names have acronyms."""
        index = self.index
        at = np.array([name for name, _ in missing], np.int64)
        starts = index.name_start[at]
        lengths = index.name_start[at + 1] - starts
        ends = np.cumsum(lengths)
        flat = index.name_words[
            np.arange(int(ends[-1])) + np.repeat(starts - ends + lengths, lengths)
        ]
        ids = flat.tolist()
        # The word's weight in scoring: its rarity on the lists, as the index keeps it.
        rarity = index.word_idf[flat].tolist()
        table = index.vocabulary.words
        parts = []
        end = 0
        for (name, schema), length in zip(missing, lengths.tolist(), strict=True):
            person = schema == "Person"
            start, end = end, end + length
            own = tuple(ids[start:end])
            words = [table[w] for w in own]
            weights = [
                idf * ROLE_WEIGHT[NAME if person and word.role == ORG_WORD else word.role]
                for idf, word in zip(rarity[start:end], words, strict=True)
            ]
            initials = acronyms.of_party(words, schema)
            parts.append((name, own, words, weights, compound_spans(words), initials))
        runs = self._join([own[i : j + 1] for _, own, _, _, spans, _ in parts for i, j in spans])
        made = {
            name: listed(
                own, words, weights, [(i, j, *runs[own[i : j + 1]]) for i, j in spans], initials
            )
            for name, own, words, weights, spans, initials in parts
        }
        if len(self._names) + len(made) > KEPT:
            self._names.clear()
        self._names.update(made)
        return made

    def _join(self, runs: list[tuple[int, ...]]) -> dict[tuple[int, ...], tuple[str, str, str]]:
        """The compounds of ``runs`` of words (kept: the same runs recur from name to name),
        the skeletons of those not seen yet worked out in one pass."""
        kept = self._runs
        found = {run: kept.get(run) for run in runs}
        new = [run for run, piece in found.items() if piece is None]
        table = self.index.vocabulary.words
        made = dict(zip(new, joined_pieces([[table[w] for w in run] for run in new]), strict=True))
        if len(kept) + len(made) > KEPT:
            kept.clear()
        kept.update(made)
        return {run: piece or made[run] for run, piece in found.items()}


def joined_pieces(runs: list[list[Word]]) -> list[tuple[str, str, str]]:
    """The Latin form, skeleton and script of each run of words read as one, as
    :func:`~qalxan.screening.vocabulary.joined_word` makes them (without the rest of a word,
    which scoring never reads of a listed compound), the skeletons in one pass."""
    forms = ["".join(w.form for w in run) for run in runs]
    scripts = [joined_script(run) for run in runs]
    return list(zip(forms, text.skeletons(forms), scripts, strict=True))
