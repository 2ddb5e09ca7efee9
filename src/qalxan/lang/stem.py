"""Stemmers for folded tokens: English (Snowball) and Azerbaijani (suffix stripping).

Azerbaijani is agglutinative: "sərhədlərinin" is "sərhəd" + plural + possessive + genitive.
Suffixes are matched in folded form, so one list covers both vowel harmonies. Because a word's
ending can often be split more than one way ("terrorizmə": "terrorizm" + "ə", or "terroriz" +
"mə"), :func:`az_variants` gives every stem reachable by stripping suffixes while at least
``MIN_STEM`` letters remain; two forms of one word share at least one variant.
"""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

MIN_STEM = 4

# Folded Azerbaijani suffixes: case endings, plural, possessive, buffer-consonant forms and the
# derivational suffixes that are common in state and security terminology.
AZ_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "lar",
            "ler",
            "lari",
            "leri",
            "larin",
            "lerin",
            "larinin",
            "lerinin",
            "nin",
            "nun",
            "in",
            "un",
            "nda",
            "nde",
            "ndan",
            "nden",
            "da",
            "de",
            "ta",
            "te",
            "dan",
            "den",
            "tan",
            "ten",
            "na",
            "ne",
            "ni",
            "nu",
            "ya",
            "ye",
            "yi",
            "yu",
            "la",
            "le",
            "yla",
            "yle",
            "si",
            "su",
            "sini",
            "sinin",
            "sinde",
            "sina",
            "sine",
            "liq",
            "lik",
            "luq",
            "luk",
            "ci",
            "cu",
            "siz",
            "suz",
            "li",
            "lu",
            "dir",
            "dur",
            "mis",
            "mus",
            "masi",
            "mesi",
            "ma",
            "me",
            "miz",
            "niz",
            "imiz",
            "iniz",
            "i",
            "u",
            "a",
            "e",
        },
        key=len,
        reverse=True,
    )
)

_english = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem_en(token: str) -> str:
    if not token.isalpha():
        return token
    result: str = _english.stemWord(token)
    return result


@lru_cache(maxsize=65536)
def az_variants(token: str) -> frozenset[str]:
    """The token and every stem reachable from it by stripping Azerbaijani suffixes."""
    if not token.isalpha():
        return frozenset((token,))
    found = {token}
    pending = [token]
    while pending:
        word = pending.pop()
        for stem in strip_suffixes(word, MIN_STEM):
            if stem not in found:
                found.add(stem)
                pending.append(stem)
    return frozenset(found)


_SUFFIX_SET = frozenset(AZ_SUFFIXES)
_SUFFIX_LENGTHS = tuple(sorted({len(s) for s in AZ_SUFFIXES}))


def strip_suffixes(word: str, min_stem: int) -> list[str]:
    """``word`` without each Azerbaijani suffix it ends with, keeping ``min_stem`` letters.

    Looks up the word's last 1, 2, ... letters in a set: a handful of lookups instead of a
    test per suffix, which matters for every new word of a bulk import.
    """
    return [
        word[:-n] for n in _SUFFIX_LENGTHS if len(word) - n >= min_stem and word[-n:] in _SUFFIX_SET
    ]


def variants(token: str, lang: str) -> frozenset[str]:
    """Index keys of a folded token in ``lang``: the token itself and its stems.

    The unstemmed form is kept so that fuzzy matching compares a misspelt query word with the
    word as written ("terorrism" is closer to "terrorism" than to its stem "terror").
    """
    if lang == "az":
        return az_variants(token)
    return frozenset((token, stem_en(token)))
