"""Which of the platform's languages a text is in, from its letters: good enough to pick a
stemmer and to label a report, not a general language identifier."""

from __future__ import annotations

import re

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")
_AZ_ONLY = re.compile("[əƏğĞıİ]")
_AZ_TR = re.compile("[şŞçÇöÖüÜ]")
SAMPLE = 1000


def language_of(text: str) -> str | None:
    """``ru`` for Cyrillic, ``az`` for Azerbaijani Latin, ``en`` for other Latin text."""
    sample = text[:SAMPLE]
    if sample.isascii():
        # No Cyrillic or Azerbaijani letter: the counts below could only say English (or
        # nothing), at a fraction of their cost (most reports imported in bulk are English).
        return "en" if _LATIN.search(sample) else None
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    az = 3 * len(_AZ_ONLY.findall(sample)) + len(_AZ_TR.findall(sample))
    if cyrillic == 0 and latin == 0 and az == 0:
        return None
    if cyrillic > latin + az:
        return "ru"
    # A few Azerbaijani letters in a long Latin text mark it; "ə" alone is decisive.
    return "az" if az >= 3 else "en"
