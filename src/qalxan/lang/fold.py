"""Folding text to a comparison form, so that "Sərhəd", "SƏRHƏD" and "Serhed" meet.

Azerbaijani letters fold to their plain Latin look-alikes (ə->e, ı->i, ş->s, ç->c, ğ->g, ö->o,
ü->u) and any other diacritic is dropped. Azerbaijani and Turkish dotted/dotless I are lowered
the Azerbaijani way before folding, because str.lower() turns "İ" into "i" plus a combining dot.
"""

from __future__ import annotations

import re
import unicodedata

_AZ_LETTERS = str.maketrans(
    {
        "İ": "i",
        "I": "i",
        "ı": "i",
        "Ə": "e",
        "ə": "e",
        "Ş": "s",
        "ş": "s",
        "Ç": "c",
        "ç": "c",
        "Ğ": "g",
        "ğ": "g",
        "Ö": "o",
        "ö": "o",
        "Ü": "u",
        "ü": "u",
        "’": "'",
        "‘": "'",
    }
)
_TOKEN = re.compile(r"\d+(?:\.\d+)+|[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without diacritics, Azerbaijani letters mapped to plain Latin."""
    text = text.translate(_AZ_LETTERS).lower()
    if text.isascii():
        return text  # nothing to strip; the common case for English reports
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed == text:
        return text  # no combining marks to drop (e.g. Cyrillic)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Folded word tokens; section codes such as ``3.4`` or ``4.3.11`` stay whole."""
    return _TOKEN.findall(fold(text))
