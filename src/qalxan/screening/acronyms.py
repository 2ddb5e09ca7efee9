"""Acronyms of organisation names: "PKK" for "Partiya Karkeran Kurdistan", "IRGC Air Force" for
"Islamic Revolutionary Guard Corps Air Force", "GIA" for "Groupement Islamique Armé".

Lists give an organisation's acronym as one alias and its full name as another, and an officer
types either. No spelling, skeleton or sound joins the two; the initials of the name's first
words do. An acronym here is the initials of a name's first three to eight words that count
(not particles, initials, or the short joining words and legal forms: "of", "the", "LLC",
"S.A."), met by a word of three to eight letters on the other side. Only organisations have
them: a person's initials already pair as initials, and "JRR" is no list's way of writing
"John Ronald Reuel".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from qalxan.screening.vocabulary import NAME, ORG_WORD, Word

MIN_LETTERS = 3
MAX_LETTERS = 8
# How alike an acronym and the words it stands for are. Initials agree by chance far more
# often than words do, the more so the shorter they are: a query's acronym of three letters
# ranks the organisations it may stand for first without alerting on them, a longer one
# alerts. A query's words read as the initials of a listed acronym never alert on their own:
# "Bank Markazi Iran" is not "BMI" (Bank Melli Iran) because their initials agree.
TYPED = {3: 0.7, 4: 0.85}
TYPED_LONGER = 0.9
SPELLED_OUT = 0.7
# The schemata of organisations (an unspecified legal entity may be one).
SCHEMATA = frozenset({"Organization", "Company", "LegalEntity"})
# Organisation words longer than this count ("Group", "Trading"); shorter ones are joining
# words and legal forms ("of", "and", "LLC", "JSC").
LONG_ORG_WORD = 4


class Acronyms(NamedTuple):
    """A name's acronyms (the initials of its first words, each with the span of words it
    reads) and its words that may be acronyms (each with its position)."""

    initials: Mapping[str, tuple[tuple[int, int], ...]]
    words: Mapping[str, tuple[int, ...]]


# What persons, vessels and aircraft have.
NONE = Acronyms(MappingProxyType({}), MappingProxyType({}))
# A pair of spans: first and last query word, first and last listed word, and how alike.
Joined = tuple[int, int, int, int, float]


def acronyms_of(words: Sequence[Word]) -> Acronyms:
    """The acronyms of an organisation's name, and its words that may be one."""
    initials: dict[str, list[tuple[int, int]]] = {}
    counted = [i for i, word in enumerate(words) if _counts(word)]
    letters = ""
    for number, i in enumerate(counted[:MAX_LETTERS], 1):
        letters += words[i].form[0]
        if number >= MIN_LETTERS:
            initials.setdefault(letters, []).append((counted[0], i))
    alone: dict[str, list[int]] = {}
    for j, word in enumerate(words):
        if may_be_one(word):
            alone.setdefault(word.form, []).append(j)
    return Acronyms(
        {key: tuple(value) for key, value in initials.items()},
        {key: tuple(value) for key, value in alone.items()},
    )


def of_party(words: Sequence[Word], schema: str) -> Acronyms:
    """The acronyms of a name of a party of ``schema``: an organisation's, or none."""
    return acronyms_of(words) if schema in SCHEMATA else NONE


def may_be_one(word: Word) -> bool:
    """Whether ``word`` may be an acronym."""
    return (
        word.role == NAME
        and word.latin
        and MIN_LETTERS <= len(word.form) <= MAX_LETTERS
        and word.form.isalpha()
    )


def may_pair(query: Acronyms, listed: Acronyms) -> bool:
    """Whether an acronym on one side may stand for words on the other."""
    if query is NONE or listed is NONE:
        return False
    return not (
        query.words.keys().isdisjoint(listed.initials)
        and query.initials.keys().isdisjoint(listed.words)
    )


def acronym_pairs(query: Acronyms, listed: Acronyms) -> list[Joined]:
    """The pairs of an acronym on one side and the words it stands for on the other."""
    found = []
    for key, positions in query.words.items():
        typed = TYPED.get(len(key), TYPED_LONGER)
        for j0, j1 in listed.initials.get(key, ()):
            found += [(i, i, j0, j1, typed) for i in positions]
    for key, spans in query.initials.items():
        for j in listed.words.get(key, ()):
            found += [(i0, i1, j, j, SPELLED_OUT) for i0, i1 in spans]
    return found


def _counts(word: Word) -> bool:
    if not word.latin or not word.form[:1].isalpha():
        return False
    return word.role == NAME or (word.role == ORG_WORD and len(word.form) > LONG_ORG_WORD)
