"""The in-memory candidate index: every name of every current list entry as word ids, and
posting lists from match keys (a word's Latin form, skeleton, phonetic key and name groups)
to the names holding them.

Arrays, not objects: a million names fit in a few hundred megabytes, and worker processes
forked after the build share them page for page.
"""

from __future__ import annotations

import gc
import math
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qalxan.screening import facts, text
from qalxan.screening.facts import Facts
from qalxan.screening.model import ListEntry
from qalxan.screening.vocabulary import NAME, Vocabulary, Word, compound_spans

# What a shared key says about two words, as a share of a shared rare Latin form.
KEY_WEIGHTS = {"f": 1.0, "l": 0.9, "g": 0.8, "s": 0.6, "p": 0.5}
MIN_KEY_LENGTH = 2
# A compound's skeleton is a key only when long enough not to meet other names by chance.
COMPOUND_MIN_SKELETON = 4

IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class Entity:
    """What a match shows and what scoring compares, for one list entry."""

    id: str
    list_code: str
    source_id: str
    schema: str
    caption: str
    facts: Facts | None


def word_keys(word: Word) -> list[str]:
    """The match keys of a word (none for particles and initials: they retrieve nothing)."""
    if word.role != NAME or not word.form:
        return []
    keys = [f"f{word.form}", f"l{word.plain}"]
    if len(word.skeleton) >= MIN_KEY_LENGTH:
        keys.append(f"s{word.skeleton}")
    if len(word.phonetic) >= MIN_KEY_LENGTH:
        keys.append(f"p{word.phonetic}")
    keys += [f"g{group}" for group in word.groups]
    return keys


class Index:
    """Build with :meth:`build`; read by :class:`qalxan.screening.matcher.Matcher`."""

    def __init__(self) -> None:
        self.vocabulary = Vocabulary()
        self.entities: list[Entity] = []
        self.name_entity: IntArray = np.zeros(0, np.int32)
        self.name_start: IntArray = np.zeros(1, np.int32)
        self.name_words: IntArray = np.zeros(0, np.int32)
        self.name_weak: npt.NDArray[np.bool_] = np.zeros(0, np.bool_)
        self.name_text: list[str] = []
        self.keys: dict[str, int] = {}
        self.key_start: IntArray = np.zeros(1, np.int32)
        self.postings: IntArray = np.zeros(0, np.int32)
        self.key_weight: npt.NDArray[np.float32] = np.zeros(0, np.float32)
        self.word_idf: npt.NDArray[np.float32] = np.zeros(0, np.float32)
        self.max_idf = 1.0

    @property
    def size(self) -> int:
        """The number of indexed names."""
        return len(self.name_text)

    def words_of(self, name: int) -> IntArray:
        return self.name_words[self.name_start[name] : self.name_start[name + 1]]

    def key_postings(self, key: int) -> IntArray:
        return self.postings[self.key_start[key] : self.key_start[key + 1]]

    @classmethod
    def build(
        cls,
        entries: Iterable[ListEntry],
        progress: Callable[[int], None] | None = None,
        *,
        with_names: Callable[[ListEntry, list[tuple[str, bool]]], list[tuple[str, bool]]]
        | None = None,
    ) -> Index:
        """Index the entries (``with_names`` may change the names of an entry: benchmarks
        hold some out)."""
        builder = _Builder()
        for count, entry in enumerate(entries, 1):
            names = facts.names_of(entry.entity)
            if with_names is not None:
                names = with_names(entry, names)
            builder.add(entry, names)
            if progress is not None and count % 1000 == 0:
                progress(1000)
        index = builder.finish()
        # The index lives as long as the process and holds millions of objects: left in the
        # collector's sight, every full collection would walk them all (a pause of hundreds of
        # milliseconds in the middle of a query). Its objects hold no cycles, so reference
        # counting still frees them when the index is replaced.
        gc.collect()
        gc.freeze()
        return index


class _Builder:
    def __init__(self) -> None:
        self.index = Index()
        self.word_keys: list[list[int]] = []
        self.pair_keys = array("i")
        self.pair_names = array("i")
        self.entity_of = array("i")
        self.starts = array("i", [0])
        self.flat_words = array("i")
        self.weak = array("b")
        self.compound_keys: dict[tuple[int, ...], int] = {}

    def add(self, entry: ListEntry, names: list[tuple[str, bool]]) -> None:
        index = self.index
        number = len(index.entities)
        index.entities.append(
            Entity(
                entry.id,
                entry.list_code,
                entry.source_id,
                entry.schema,
                entry.caption,
                facts.facts_of(entry.entity),
            )
        )
        person = entry.schema == "Person"
        for name, weak in names:
            word_ids = [self._word(token) for token in text.tokens(name, person)]
            if not word_ids:
                continue
            name_id = len(index.name_text)
            index.name_text.append(name)
            self.entity_of.append(number)
            self.flat_words.extend(word_ids)
            self.starts.append(len(self.flat_words))
            self.weak.append(weak)
            seen: set[int] = set()
            for word in word_ids:
                for key in self.word_keys[word]:
                    if key not in seen:
                        seen.add(key)
                        self.pair_keys.append(key)
                        self.pair_names.append(name_id)
            if len(word_ids) > 1:
                for key in self._compound_keys(word_ids):
                    if key not in seen:
                        seen.add(key)
                        self.pair_keys.append(key)
                        self.pair_names.append(name_id)

    def _compound_keys(self, word_ids: list[int]) -> list[int]:
        """The skeleton keys of a name's compounds, worked out once per run of words: the same
        pairs recur from name to name."""
        found = []
        words = self.index.vocabulary.words
        for first, last in compound_spans([words[w] for w in word_ids]):
            run = tuple(word_ids[first : last + 1])
            key = self.compound_keys.get(run)
            if key is None:
                # The skeleton of the joined forms, as vocabulary.compounds gives the query's.
                bones = text.skeleton("".join(words[w].form for w in run))
                key = -1
                if len(bones) >= COMPOUND_MIN_SKELETON:
                    keys = self.index.keys
                    key = keys.setdefault(f"s{bones}", len(keys))
                self.compound_keys[run] = key
            if key >= 0:
                found.append(key)
        return found

    def _word(self, token: str) -> int:
        vocabulary = self.index.vocabulary
        word_id = vocabulary.word_id(token)
        if word_id == len(self.word_keys):
            keys = self.index.keys
            self.word_keys.append(
                [keys.setdefault(k, len(keys)) for k in word_keys(vocabulary.words[word_id])]
            )
        return word_id

    def finish(self) -> Index:
        index = self.index
        index.name_entity = np.frombuffer(self.entity_of, np.int32).copy()
        index.name_start = np.frombuffer(self.starts, np.int32).copy()
        index.name_words = np.frombuffer(self.flat_words, np.int32).copy()
        index.name_weak = np.frombuffer(self.weak, np.int8).astype(np.bool_)
        keys = np.frombuffer(self.pair_keys, np.int32)
        names = np.frombuffer(self.pair_names, np.int32)
        order = np.argsort(keys, kind="stable")
        index.postings = names[order].copy()
        counts = np.bincount(keys, minlength=len(index.keys)).astype(np.int32)
        index.key_start = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        total = max(index.size, 1)
        idf = np.log1p(total / np.maximum(counts, 1)).astype(np.float32)
        kinds = np.array([KEY_WEIGHTS[k[0]] for k in index.keys], np.float32)
        index.key_weight = idf * kinds if len(kinds) else np.zeros(0, np.float32)
        # A word's weight in scoring: how rare it is among the indexed names.
        word_counts = np.bincount(index.name_words, minlength=len(index.vocabulary))
        index.word_idf = np.log1p(total / np.maximum(word_counts, 1)).astype(np.float32)
        index.max_idf = float(math.log1p(total))
        return index
