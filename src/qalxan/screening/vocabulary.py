"""Every distinct word of the indexed names, analysed once: its Latin form, skeleton, phonetic
key, the name groups it belongs to, and its role (a name, a particle or title, an initial).

Names repeat their words (there are far fewer distinct words than names), so the costly work
(transliteration, the name-group tagger) is done per word, not per name.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import yaml
from rigour.names import NameTypeTag, SymbolCategory, analyze_names

from qalxan.screening import text

NAME = 0
PARTICLE = 1
INITIAL = 2
# A common word of organisation names ("company", "trading"): little weight in those, a full
# name in a person's ("George Holding").
ORG_WORD = 3

LATIN = "latin"
# Arabic, Persian, Urdu, Hebrew, Syriac: scripts that write long vowels only.
ABJAD = "abjad"
OTHER = "other"

# By package, not by __file__: a compiled module does not sit where its source does.
_WORDS = resources.files("qalxan.screening").joinpath("data", "words.yaml")


@lru_cache(maxsize=1)
def roles() -> dict[str, int]:
    """The words of ``data/words.yaml`` and their roles."""
    groups = yaml.safe_load(_WORDS.read_text(encoding="utf-8"))
    found = {str(word): ORG_WORD for word in groups["organisation"]}
    found.update({str(word): PARTICLE for word in groups["particles"] + groups["titles"]})
    return found


_SYMBOL_CATEGORIES = (SymbolCategory.NAME, SymbolCategory.NICK)


@dataclass(frozen=True, slots=True)
class Word:
    """One distinct word. ``groups`` are ids of the name groups (Wikidata given and family
    names across scripts, as rigour tags them) the word belongs to."""

    written: str
    form: str
    plain: str
    skeleton: str
    phonetic: str
    groups: frozenset[int]
    script: str
    role: int

    @property
    def latin(self) -> bool:
        return self.script == LATIN


def compound_spans(words: list[Word]) -> list[tuple[int, int]]:
    """The runs of words read as one, as ``(first, last)``: every pair, and three words around
    a particle ("abd al rahman", "nasr ud din")."""
    found = []
    for i in range(len(words) - 1):
        found.append((i, i + 1))
        if i + 2 < len(words) and words[i + 1].role == PARTICLE:
            found.append((i, i + 2))
    return found


def compounds(words: list[Word]) -> list[tuple[int, int, Word]]:
    """The compounds of :func:`compound_spans` as words, ``(first, last, word)``."""
    return [(i, j, joined_word(words[i : j + 1])) for i, j in compound_spans(words)]


def joined_word(words: list[Word]) -> Word:
    """Words read as one ("abd al rahman" as "abdalrahman")."""
    form = "".join(w.form for w in words)
    return Word(
        written="".join(w.written for w in words),
        form=form,
        plain=text.plain(form),
        skeleton=text.skeleton(form),
        phonetic="",
        groups=frozenset(),
        script=joined_script(words),
        role=NAME,
    )


def joined_script(words: list[Word]) -> str:
    """The script of words read as one: Latin when all are, else the first word's."""
    return LATIN if all(w.latin for w in words) else words[0].script


class Analysis(NamedTuple):
    """What a word is, worked out from its text alone: its name groups as rigour's symbol ids,
    numbered only when the word joins a vocabulary."""

    form: str
    plain: str
    skeleton: str
    phonetic: str
    symbols: tuple[str, ...]
    script: str
    role: int


def analyse(token: str) -> Analysis:
    """The analysis of a lower-case token (the costly part: transliteration and the name-group
    tagger)."""
    form = text.latin(token)
    role = INITIAL if len(form) == 1 and form.isalpha() else roles().get(form, NAME)
    return Analysis(
        form=form,
        plain=text.plain(form),
        skeleton=text.skeleton(form),
        phonetic=text.phonetic(form),
        symbols=_symbols(token) if role in (NAME, ORG_WORD) else (),
        script=text.script_of(token),
        role=role,
    )


_TAGGER_LOADED = threading.Event()


def tagger_loaded() -> bool:
    """Whether this process has loaded rigour's name-group tagger (its first use builds it
    from rigour's data: ten to fifteen seconds of one core)."""
    return _TAGGER_LOADED.is_set()


def load_tagger() -> None:
    """Load the tagger now rather than on the first word it meets."""
    _symbols("a")


def preload_tagger() -> threading.Thread | None:
    """Start loading the tagger in a thread, if not loaded yet: rigour builds it without
    holding the interpreter lock, so a build reads its entries on one core meanwhile."""
    if tagger_loaded():
        return None
    thread = threading.Thread(target=load_tagger, name="rigour-tagger", daemon=True)
    thread.start()
    return thread


def _symbols(token: str) -> tuple[str, ...]:
    found = []
    for name in analyze_names(NameTypeTag.PER, [token], consolidate=False, phonetics=False):
        for span in name.spans:
            if span.symbol.category in _SYMBOL_CATEGORIES:
                found.append(span.symbol.id)
    _TAGGER_LOADED.set()
    return tuple(found)


class Vocabulary:
    """Words by id; ids are dense from 0 so per-word figures can live in arrays."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[Word] = []
        self._groups: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.words)

    def word_id(self, token: str) -> int:
        """The id of ``token`` (as :func:`text.tokens` gives it), adding it if new."""
        key = token.lower()
        found = self.ids.get(key)
        return found if found is not None else self.add(key, analyse(key))

    @classmethod
    def of(cls, tokens: list[str], analyses: list[Analysis]) -> Vocabulary:
        """The vocabulary of lower-case ``tokens``, in order, from their analyses."""
        vocabulary = cls()
        for token, analysis in zip(tokens, analyses, strict=True):
            vocabulary.add(token, analysis)
        return vocabulary

    def add(self, token: str, analysis: Analysis) -> int:
        """Add a new lower-case ``token`` analysed by :func:`analyse`; its id."""
        found = len(self.words)
        self.words.append(self._word(token, analysis, grow=True))
        self.ids[token] = found
        return found

    def lookup(self, token: str) -> Word:
        """The analysis of ``token`` without adding it (for query words)."""
        key = token.lower()
        found = self.ids.get(key)
        if found is not None:
            return self.words[found]
        return self._word(key, analyse(key), grow=False)

    def _word(self, token: str, analysis: Analysis, grow: bool) -> Word:
        return Word(
            written=token,
            form=analysis.form,
            plain=analysis.plain,
            skeleton=analysis.skeleton,
            phonetic=analysis.phonetic,
            groups=self._group_ids(analysis.symbols, grow),
            script=analysis.script,
            role=analysis.role,
        )

    def _group_ids(self, symbols: tuple[str, ...], grow: bool) -> frozenset[int]:
        found = set()
        for key in symbols:
            number = self._groups.get(key)
            if number is None:
                if not grow:
                    # A group no indexed word has cannot join the query to anything.
                    continue
                number = len(self._groups)
                self._groups[key] = number
            found.add(number)
        return frozenset(found)
