"""A report's text as the rules see it: sentences of folded word tokens, and each token's keys.

A token is matched against the lexicon through keys, one namespace per way of matching:

- ``en:<stem>``: the English Snowball stem ("shelled", "shelling" -> ``en:shell``);
- ``az:<stem>``: every Azerbaijani stem left by stripping suffixes ("partlayışda" ->
  ``az:partlayis``; see :mod:`qalxan.lang.stem`), down to three letters for short roots;
- ``ru:<stem>``: the Russian Snowball stem ("взрыва" -> ``ru:взрыв``);
- ``=<token>``: the folded token as written, for words whose stem is ambiguous ("сель");
- ``p:<prefix>``: every prefix of two letters or more, for cues written as ``word*``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from qalxan.lang.fold import fold
from qalxan.lang.stem import az_variants, stem_en, strip_suffixes

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(«]?[^\W\d_])|\n+", re.UNICODE)
_ABBREVIATION = re.compile(
    r"(?:\b[a-z]\.|\b(?:st|mt|dr|mr|mrs|ms|no|gen|col|lt|sgt|capt|gov|sen|rep)\.)$", re.IGNORECASE
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_russian = snowballstemmer.stemmer("russian")
SHORT_AZ_STEM = 3


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences; abbreviations such as "U.S." or "St." do not end one.

    Each sentence is a slice of ``text`` as written (an abbreviation's sentence runs on over
    the spaces or line break after it), so that it can be found again in the text."""
    parts: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        piece = text[start : end.start()]
        if _ABBREVIATION.search(piece[-8:]):
            continue  # not an end: the sentence goes on
        if piece.strip():
            parts.append(piece)
        start = end.end()
    if text[start:].strip():
        parts.append(text[start:])
    return parts


def folded(text: str) -> str:
    """:func:`qalxan.lang.fold.fold`, with a shortcut for plain ASCII text (most reports in
    English), where folding is lowering."""
    return text.lower() if text.isascii() else fold(text)


def words(text: str) -> list[str]:
    """Folded word tokens of ``text`` ("Sərhədi" -> "serhedi"; "U.S." -> "u", "s")."""
    return _WORD.findall(folded(text))


def sentence_words(text: str) -> list[list[str]]:
    """The folded word tokens of each sentence of ``text`` (folding the text once)."""
    return [_WORD.findall(sentence) for sentence in sentences(folded(text))]


def sentence_tokens(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """:func:`sentence_words`, and the same words as written in ``text`` (for explanations;
    the folded words again where folding changed the text's length)."""
    lowered = folded(text)
    if len(lowered) != len(text):
        words_of = sentence_words(text)
        return words_of, words_of
    folded_words: list[list[str]] = []
    written: list[list[str]] = []
    offset = 0
    plain = text.isascii()
    for sentence in sentences(lowered):
        start = lowered.index(sentence, offset)
        offset = start + len(sentence)
        if plain:
            # Lowering ASCII moves no word boundary: the same words, found twice, cost less
            # than cutting both texts at the spans of one.
            folded_words.append(_WORD.findall(sentence))
            written.append(_WORD.findall(text, start, offset))
            continue
        spans = [m.span() for m in _WORD.finditer(sentence)]
        folded_words.append([sentence[a:b] for a, b in spans])
        written.append([text[start + a : start + b] for a, b in spans])
    return folded_words, written


def stem_ru(token: str) -> str:
    result: str = _russian.stemWord(token)
    return result


@lru_cache(maxsize=131072)
def keys(token: str) -> frozenset[str]:
    """Every key under which the folded ``token`` can match a lexicon word (see the module)."""
    found = {f"={token}"}
    found.update(f"p:{token[:end]}" for end in range(2, len(token) + 1))
    if _CYRILLIC.search(token):
        found.add(f"ru:{stem_ru(token)}")
        return frozenset(found)
    found.add(f"en:{stem_en(token)}")
    found.update(f"az:{variant}" for variant in az_variants(token))
    found.update(f"az:{stem}" for stem in strip_suffixes(token, SHORT_AZ_STEM))
    return frozenset(found)


class Terms:
    """The lexicon's terms (keys to ids) split by namespace, to find the terms a token matches
    (what :func:`keys` finds) without building its keys: a bulk import meets thousands of new
    tokens, nine in ten matching nothing, and building every key of each cost more than the
    rest of typing them."""

    def __init__(self, terms: dict[str, int]) -> None:
        self.exact: dict[str, int] = {}
        self.prefix: dict[str, int] = {}
        self.en: dict[str, int] = {}
        self.az: dict[str, int] = {}
        self.ru: dict[str, int] = {}
        spaces = {"p": self.prefix, "en": self.en, "az": self.az, "ru": self.ru}
        for key, term in terms.items():
            if key.startswith("="):
                self.exact[key[1:]] = term
            else:
                space, _, rest = key.partition(":")
                spaces[space][rest] = term
        # keys() has prefixes of two letters or more only.
        self.prefix_lengths = sorted({len(p) for p in self.prefix if len(p) >= 2})
        # Every Azerbaijani stem of a token is a prefix of it: a token none of whose prefixes
        # is an Azerbaijani term matches none, without stripping its suffixes (which cost
        # more than the rest of its lookups).
        self.az_lengths = sorted({len(a) for a in self.az})

    def ids(self, token: str) -> frozenset[int]:
        """The ids of the terms among :func:`keys` of ``token``."""
        found = [self.exact.get(token)]
        prefix = self.prefix
        for end in self.prefix_lengths:
            if end > len(token):
                break
            found.append(prefix.get(token[:end]))
        if _CYRILLIC.search(token):
            found.append(self.ru.get(stem_ru(token)))
        else:
            found.append(self.en.get(stem_en(token)))
            az = self.az
            if any(token[:end] in az for end in self.az_lengths if end <= len(token)):
                found.extend(az.get(variant) for variant in az_variants(token))
                found.extend(az.get(stem) for stem in strip_suffixes(token, SHORT_AZ_STEM))
        return frozenset(term for term in found if term is not None)


def word_key(word: str, language: str) -> str:
    """The key a lexicon word written in ``language`` matches (see the module docstring)."""
    folded = fold(word)
    if folded.startswith("="):
        return folded
    if folded.endswith("*"):
        return f"p:{folded[:-1]}"
    if _CYRILLIC.search(folded):
        return f"ru:{stem_ru(folded)}"
    if language == "az":
        return f"az:{folded}"
    return f"en:{stem_en(folded)}"
