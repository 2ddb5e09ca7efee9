"""Name text in any script brought to comparable forms: the Latin form, a consonant skeleton
that survives transliteration, and the phonetic key.

Arabic and Persian write long vowels only, so "حسين" transliterates to "hsyn" while the Latin
lists write "Hussein", "Husayn" or "Hossein". Dropping vowels and the semivowels w and y, and
merging the consonants that transliteration systems spell differently (q/k, kh/x, th/t ...),
gives all of them the skeleton "hsn": the skeleton is what lets a name written in Arabic find
its Latin spelling, and one Latin spelling find another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import icu
from rigour._core import metaphone
from rigour.names import replace_org_types_compare, tokenize_name

_TO_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Spellings of one sound across transliteration systems, merged before vowels are dropped.
_DIGRAPHS = (
    ("sch", "s"),
    ("tch", "c"),
    ("dzh", "j"),
    ("kh", "x"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "c"),
    ("zh", "j"),
    ("dj", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
    ("ck", "k"),
    ("ts", "c"),
    ("tz", "c"),
)
_LETTERS = str.maketrans({"q": "k", "c": "k", "z": "s", "v": "f", "p": "b", "x": "k"})
_VOWELS = re.compile(r"[aeiouyw]+")
_REPEAT = re.compile(r"(.)\1+")
# Latin letters outside ASCII that ICU's Latin-ASCII folds differently from how Azerbaijani
# and Turkish names are usually written in other lists ("ə" -> "a", "ı" -> "i").
_AZ_FOLD = str.maketrans({"ə": "a", "Ə": "a", "ı": "i", "İ": "i"})
# The Arabic feminine ending ta marbuta is pronounced as a vowel ("أسامة", Usama).
_ARABIC_FOLD = str.maketrans({"ة": "ا"})
_ARABIC_ARTICLE = "ال"
_ALLAH = "الله"
# The words of Russian legal forms as other romanisations spell them (GOST's "zh/shh/j",
# German "sch", "-oye" for "-oe"), brought to the spelling of rigour's table, which knows only
# those: "OBSCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU TRANSSERVIS" is "OOO TRANSSERVIS".
_LEGAL_FORM_SPELLINGS = {
    variant: spelling
    for spelling, variants in {
        "obshchestvo": ("obschestvo", "obshcestvo", "obschchestvo", "obshhestvo", "obshestvo"),
        "aktsionernoe": ("aktsionernoye", "aktsionernoje", "akcionernoe", "akcionernoye"),
        "ogranichennoi": ("ogranichennoj", "ogranichenoi", "ogranichenoy"),
        "otvetstvennostyu": ("otvetstvennostju", "otvetstvennostiu", "otvetstvenostyu"),
        "otkrytoe": ("otkrytoye", "otkrytoje"),
        "zakrytoe": ("zakrytoye", "zakrytoje"),
        "publichnoe": ("publichnoye", "publichnoje"),
    }.items()
    for variant in variants
}
_LEGAL_FORM_VARIANT = re.compile(r"\b(?:" + "|".join(_LEGAL_FORM_SPELLINGS) + r")\b", re.IGNORECASE)


def tokens(name: str, person: bool = True) -> list[str]:
    """The words of a name, in any script, as written (punctuation and hyphens split; the
    Arabic article written joined to its word split off, as Latin lists write "al-"). The
    legal forms of organisations are brought to one form ("Obshchestvo s ogranichennoi
    otvetstvennostyu", "Limited Liability Company" -> "llc", "ooo")."""
    if not person:
        name = _LEGAL_FORM_VARIANT.sub(_legal_form_spelling, name)
        name = replace_org_types_compare(name)
    found = []
    for token in tokenize_name(name.translate(_AZ_FOLD)):
        if token.startswith(_ARABIC_ARTICLE) and len(token) > 3 and token != _ALLAH:
            found += [_ARABIC_ARTICLE, token[2:]]
        else:
            found.append(token)
    return found


def _legal_form_spelling(match: re.Match[str]) -> str:
    return _LEGAL_FORM_SPELLINGS[match.group().lower()]


@lru_cache(maxsize=500_000)
def latin(token: str) -> str:
    """The token in lower-case ASCII Latin ("Əliyev" -> "aliyev", "Алиев" -> "aliev")."""
    if token.isascii():
        return _NOT_ALNUM.sub("", token.lower())
    text = unicodedata.normalize("NFC", token.translate(_AZ_FOLD).translate(_ARABIC_FOLD))
    text = _TO_LATIN.transliterate(text)
    return _NOT_ALNUM.sub("", text.lower())


@lru_cache(maxsize=500_000)
def skeleton(form: str) -> str:
    """The consonant skeleton of a Latin form ("hussein", "husayn", "hsyn" -> "hsn")."""
    return _skeleton(form)


def skeletons(forms: list[str]) -> list[str]:
    """:func:`skeleton` of many forms in one pass (the compounds of a million names). Forms are
    lower-case ASCII letters and digits (:func:`latin`), so joined by newlines no merge (a
    letter pair, a repeat, a run of vowels) reaches from one form into the next."""
    if not forms:
        return []
    joined = "\n".join(forms)
    if joined.count("\n") != len(forms) - 1:
        return [skeleton(form) for form in forms]
    return _skeleton(joined, _merge_repeats).split("\n")


def _skeleton(form: str, merge_repeats: Callable[[str], str] | None = None) -> str:
    text = form
    for group, merged in _DIGRAPHS:
        text = text.replace(group, merged)
    text = text.translate(_LETTERS)
    # Doubled letters are merged first: "Mammadov" keeps both m's it has across a vowel.
    text = _REPEAT.sub(r"\1", text) if merge_repeats is None else merge_repeats(text)
    return _VOWELS.sub("", text)


def _merge_repeats(text: str) -> str:
    """What ``_REPEAT.sub(r"\\1", text)`` gives, faster on a long text (the expression calls
    back into Python at every repeat): every run of one character but a newline made one."""
    for char in set(text) - {"\n"}:
        double = char * 2
        while double in text:
            text = text.replace(double, char)
    return text


# Spellings of one sound within Latin transliterations, merged for the plain form.
_PLAIN = (("ks", "x"), ("ph", "f"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("kh", "h"))
_PLAIN_LETTERS = str.maketrans({"y": "i", "w": "v", "j": "i", "q": "k", "c": "k"})


@lru_cache(maxsize=500_000)
def plain(form: str) -> str:
    """A Latin form with its spelling variants merged ("Dikiy", "Dykyy" -> "diki"; "Olexiy",
    "Oleksiy" -> "olexi"): vowels stay, unlike in the skeleton."""
    text = form
    for group, merged in _PLAIN:
        text = text.replace(group, merged)
    return _REPEAT.sub(r"\1", text.translate(_PLAIN_LETTERS))


def phonetic(form: str) -> str:
    """The Metaphone key of a Latin form (empty for digits)."""
    if not form.isalpha():
        return ""
    return metaphone(form)


_ABJADS = ("ARABIC", "HEBREW", "SYRIAC")


def is_latin(token: str) -> bool:
    """Whether the token is written in Latin letters (or digits)."""
    return all(
        ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in token if ch.isalpha()
    )


def script_of(token: str) -> str:
    """``latin``; ``abjad`` for the scripts that leave short vowels out (Arabic, Persian,
    Hebrew); ``other`` for the rest (Cyrillic, Chinese, ...)."""
    if is_latin(token):
        return "latin"
    for ch in token:
        if ch.isalpha():
            return "abjad" if unicodedata.name(ch, "").startswith(_ABJADS) else "other"
    return "other"
