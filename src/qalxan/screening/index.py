"""The in-memory candidate index: every name of every current list entry as word ids, and
posting lists from match keys (a word's Latin form, skeleton, phonetic key and name groups)
to the names holding them.

Arrays, not objects: a million names fit in a few hundred megabytes, and worker processes
forked after the build share them page for page.

The build reads each entry once, keeping its names as ids of their distinct words; the words
are analysed once all are read (while they are read, the name-group tagger loads in a thread),
and the postings are made from the word ids in array passes (:mod:`.postings`).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qalxan import collector
from qalxan.screening import acronyms, facts, postings, text, vocabulary
from qalxan.screening.facts import Facts
from qalxan.screening.keys import KEY_WEIGHTS, MIN_KEY_LENGTH, word_keys
from qalxan.screening.model import ListEntry
from qalxan.screening.vocabulary import Vocabulary

# The keys live in their own module; the matcher imports them from here too.
__all__ = [
    "KEY_WEIGHTS",
    "MIN_KEY_LENGTH",
    "Entity",
    "Index",
    "word_keys",
]

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
        # Words are analysed once all entries are read; the tagger that analysis needs loads
        # on the other core meanwhile (the first build of a process only).
        loading = vocabulary.preload_tagger()
        builder = _Builder()
        for count, entry in enumerate(entries, 1):
            names = facts.names_of(entry.entity)
            if with_names is not None:
                names = with_names(entry, names)
            builder.add(entry, names)
            if progress is not None and count % 1000 == 0:
                progress(1000)
        if loading is not None:
            loading.join()
        index = builder.finish()
        # The index lives as long as the process and holds millions of objects: left in the
        # collector's sight, every full collection would walk them all (a pause of hundreds of
        # milliseconds in the middle of a query). Its objects hold no cycles, so reference
        # counting still frees them when the index is replaced.
        collector.keep_forever()
        return index


class _Builder:
    """Names to word ids as the entries stream in; the words analysed and the postings made
    once all are in (see :mod:`qalxan.screening.postings`)."""

    def __init__(self) -> None:
        self.index = Index()
        self.word_ids: dict[str, int] = {}
        self.tokens: list[str] = []
        self.entity_of = array("i")
        self.starts = array("i", [0])
        self.flat_words = array("i")
        self.weak = array("b")

    def add(self, entry: ListEntry, names: list[tuple[str, bool]]) -> None:
        index = self.index
        entity = entry.entity
        number = len(index.entities)
        index.entities.append(
            Entity(
                entry.id,
                entry.list_code,
                entry.source_id,
                entity.schema.name,
                entity.caption,
                facts.facts_of(entity),
            )
        )
        person = entity.schema.name == "Person"
        word_ids = self.word_ids
        tokens = self.tokens
        flat_words = self.flat_words
        for name, weak in names:
            size = len(flat_words)
            for token in text.tokens(name, person):
                key = token.lower()
                word = word_ids.get(key)
                if word is None:
                    word = word_ids[key] = len(tokens)
                    tokens.append(key)
                flat_words.append(word)
            if len(flat_words) == size:
                continue
            index.name_text.append(name)
            self.entity_of.append(number)
            self.starts.append(len(flat_words))
            self.weak.append(weak)

    def finish(self) -> Index:
        index = self.index
        index.name_entity = np.frombuffer(self.entity_of, np.int32).copy()
        index.name_start = np.frombuffer(self.starts, np.int32).copy()
        index.name_words = np.frombuffer(self.flat_words, np.int32).copy()
        index.name_weak = np.frombuffer(self.weak, np.int8).astype(np.bool_)
        words = self.tokens
        index.vocabulary = Vocabulary.of(words, [vocabulary.analyse(word) for word in words])
        made = postings.postings(index.vocabulary, index.name_words, index.name_start)
        made = postings.with_acronyms(made, self._acronyms(), index.size)
        index.keys = made.keys
        index.key_start = made.key_start
        index.postings = made.postings
        index.key_weight = made.key_weight
        index.word_idf = made.word_idf
        index.max_idf = made.max_idf
        return index

    def _acronyms(self) -> list[tuple[int, list[str]]]:
        """The acronyms of the organisations' names, name by name (persons, most of the
        names, have none and are not visited)."""
        index = self.index
        table = index.vocabulary.words
        organisations = np.array(
            [entity.schema in acronyms.SCHEMATA for entity in index.entities], np.bool_
        )
        starts = index.name_start
        found = []
        for name in np.flatnonzero(organisations[index.name_entity]).tolist():
            own = index.name_words[starts[name] : starts[name + 1]].tolist()
            initials = list(acronyms.acronyms_of([table[w] for w in own]).initials)
            if initials:
                found.append((name, initials))
        return found
