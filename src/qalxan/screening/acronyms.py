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

Spans = Mapping[str, tuple[tuple[int, int], ...]]
NONE: Spans = MappingProxyType({})
# A pair of spans: first and last query word, first and last listed word, and how alike.
Joined = tuple[int, int, int, int, float]


def spans(words: Sequence[Word]) -> Spans:
    """A name's acronyms and the words that may be one, each with the span it covers
    (``(first, last)``: several words for an acronym of them, one for a word)."""
    found: dict[str, list[tuple[int, int]]] = {}
    counted = [i for i, word in enumerate(words) if _counts(word)]
    initials = ""
    for number, i in enumerate(counted[:MAX_LETTERS], 1):
        initials += words[i].form[0]
        if number >= MIN_LETTERS:
            found.setdefault(initials, []).append((counted[0], i))
    for j, word in enumerate(words):
        if may_be_one(word):
            found.setdefault(word.form, []).append((j, j))
    return {key: tuple(value) for key, value in found.items()}


def initials(words: Sequence[Word]) -> list[str]:
    """The acronyms of a name (what an organisation's name is filed under)."""
    return [key for key, where in spans(words).items() if any(a != b for a, b in where)]


def may_be_one(word: Word) -> bool:
    """Whether ``word`` may be an acronym."""
    return (
        word.role == NAME
        and word.latin
        and MIN_LETTERS <= len(word.form) <= MAX_LETTERS
        and word.form.isalpha()
    )


def acronym_pairs(query: Spans, listed: Spans) -> list[Joined]:
    """The spans an acronym on one side pairs with on the other: a word with the words it
    stands for, never words with words (those pair one by one) or a word with itself."""
    found = []
    for key, asked in query.items():
        typed = TYPED.get(len(key), TYPED_LONGER)
        for i0, i1 in asked:
            for j0, j1 in listed.get(key, ()):
                if (i0 == i1) != (j0 == j1):
                    found.append((i0, i1, j0, j1, typed if i0 == i1 else SPELLED_OUT))
    return found


def _counts(word: Word) -> bool:
    if not word.latin or not word.form[:1].isalpha():
        return False
    return word.role == NAME or (word.role == ORG_WORD and len(word.form) > LONG_ORG_WORD)
