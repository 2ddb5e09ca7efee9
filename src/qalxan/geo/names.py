"""Place-name keys: one Latin form for names written in Azerbaijani, Russian or English.

A name is reduced in three steps. :func:`key` transliterates Cyrillic to Latin and folds
Azerbaijani letters and case (``qalxan.lang.fold``), so "Баку", "Bakı" and "BAKI" become
"baku", "baki", "baki". :func:`skeleton` then keeps only the consonants after merging the
letters that the three spelling traditions write differently (x/kh, q/g/k, c/j/dzh, ş/sh,
ç/ch; vowels and y dropped), so "Lənkəran", "Ленкорань" and "Lenkoran" all become "lnkrn".
Skeletons collide ("Beyləqan" and "Balakən" are both "blkn"), so a skeleton only proposes a
candidate; :func:`similarity` decides.

Inflected forms are reduced by :func:`variants`: Azerbaijani case and possessive endings
("Bakıda", "Gəncədən", "Şəkinin"), Russian noun endings ("из Гянджи", "в Ленкорани") and
Russian adjectives ("Газахского", "Шекинском" -> one "-sk" form, as in "Шекинский район").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import Indel

from qalxan.lang.fold import fold

_CYRILLIC = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        # Ukrainian, and the Azerbaijani Cyrillic alphabet of 1939-1991
        "і": "i",
        "ї": "yi",
        "є": "ye",
        "ґ": "g",
        "ә": "e",
        "ғ": "gh",
        "ҝ": "g",
        "һ": "h",
        "ҹ": "c",
        "ө": "o",
        "ү": "u",
        "ј": "y",
        "ҡ": "q",
        "ң": "n",
        # "ǝ" (U+01DD) stands for "ə" in some ISO 3166-2 names, e.g. "Kǝngǝrli"
        "ǝ": "e",
        "Ǝ": "e",
    }
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z]+")
# A letter outside the Latin (with its extensions) and Cyrillic blocks.
_FOREIGN_LETTER = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff\u0400-\u052f]")
_CYRILLIC_WORD = re.compile(r"[а-яёіїєґәғҝһҹөүј]")

# Letter groups written differently by the Azerbaijani, Russian and English traditions, merged
# before the vowels go. Order matters: "shch" before "sh", "dzh" before "zh".
_GROUPS = (
    ("shch", "s"),
    ("dzh", "c"),
    ("dj", "c"),
    ("kh", "x"),
    ("gh", "g"),
    ("zh", "c"),
    ("ch", "c"),
    ("sh", "s"),
    ("ts", "s"),
    ("j", "c"),
    ("q", "k"),
    ("g", "k"),
    ("w", "v"),
)
_GERMAN = (("tsch", "c"), ("dsch", "c"), ("sch", "s"), ("ch", "x"), ("j", "y"), ("w", "v"))
_DROP = re.compile(r"[aeiouyh' -]+")
_REPEAT = re.compile(r"(.)\1+")

# Folded Azerbaijani endings that follow a place name: case (locative, ablative, dative,
# genitive, accusative, instrumental), "-dakı" (the one in), "-lı" (from). Longest first.
AZ_ENDINGS: tuple[str, ...] = (
    "dakilar",
    "dekiler",
    "daki",
    "deki",
    "taki",
    "teki",
    "ndan",
    "nden",
    "nin",
    "nun",
    "dan",
    "den",
    "tan",
    "ten",
    "nda",
    "nde",
    "yla",
    "yle",
    "da",
    "de",
    "ta",
    "te",
    "ya",
    "ye",
    "yi",
    "yu",
    "in",
    "un",
    "la",
    "le",
    "li",
    "lu",
    "na",
    "ne",
    "ni",
    "nu",
    "a",
    "e",
    "i",
    "u",
)
# Russian noun endings of the oblique cases (Гянджи, Гяндже, Ленкорани, Тегераном).
_AZ_ENDING_SET = frozenset(AZ_ENDINGS)
# Each length has at most one ending a word can end with: looking its last n letters up, from
# the longest n, finds the endings in the order above without testing all forty.
_AZ_ENDING_LENGTHS = tuple(sorted({len(e) for e in AZ_ENDINGS}, reverse=True))
RU_ENDINGS: tuple[str, ...] = ("ами", "ями", "ой", "ей", "ом", "ем", "ью", "ах", "ях")
RU_VOWEL_ENDINGS = "аяыиеуюоь"
_RU_ADJECTIVE = re.compile(r"^(.{3,}?(?:с|ц))к(?:ий|ого|ому|им|ом|ая|ой|ую|ое|ие|их|ими|ым)$")
MIN_STEM = 3


def translit(text: str) -> str:
    """Cyrillic letters replaced by a plain Latin transliteration; other text unchanged."""
    return text.lower().translate(_CYRILLIC)


def key(text: str) -> str:
    """The exact matching form of a name: Latin, folded, words joined by single spaces."""
    if text.isascii():
        return " ".join(_ASCII_WORD.findall(text.lower()))
    return " ".join(_WORD.findall(fold(translit(text))))


def skeleton(name_key: str) -> str:
    """Consonant skeleton of a :func:`key`, shared by the spellings of one name."""
    text = name_key
    for group, merged in _GROUPS:
        text = text.replace(group, merged)
    return _REPEAT.sub(r"\1", _DROP.sub("", text))


def german_skeleton(name_key: str) -> str:
    """The skeleton of a name written the German way ("Schemacha", "Nachitschewan", "Jewlach"),
    as found in older maps and seismological catalogues: sch = ş, ch = x, j = y."""
    text = name_key
    for group, merged in _GERMAN:
        text = text.replace(group, merged)
    return skeleton(text)


def similarity(a: str, b: str) -> float:
    """Normalised similarity of two keys, 0..1 (edit distance with insertions and deletions)."""
    return 1.0 - Indel.normalized_distance(a, b)


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC_WORD.search(word.lower()) is not None


@lru_cache(maxsize=200_000)
def variants(word: str) -> tuple[tuple[str, str], ...]:
    """Keys a single word may stand for, with the ending stripped: ``((key, ending), ...)``.

    The word itself comes first with an empty ending. Azerbaijani endings are stripped from the
    folded Latin form, Russian ones from the Cyrillic form; a stem keeps >= 3 letters.
    """
    lowered = word.lower()
    base = key(word)
    found: dict[str, str] = {base: ""}
    for mark in "'’":
        head, cut, tail = word.partition(mark)
        if cut and len(head) >= MIN_STEM:  # "Georgia's", "Bakü'de"
            found.setdefault(key(head), f"{mark}{tail}")
    if is_cyrillic(lowered):
        adjective = _RU_ADJECTIVE.match(lowered)
        if adjective:
            found.setdefault(key(adjective.group(1) + "кий"), "-ский")
        for ending in RU_ENDINGS:
            if lowered.endswith(ending) and len(lowered) - len(ending) >= MIN_STEM:
                stem = lowered[: -len(ending)]
                found.setdefault(key(stem), ending)
                found.setdefault(key(stem + "а"), ending)
                found.setdefault(key(stem + "ь"), ending)
        if lowered[-1] in RU_VOWEL_ENDINGS and len(lowered) > MIN_STEM:
            stem = lowered[:-1]
            found.setdefault(key(stem), lowered[-1])
            for restored in ("а", "я", "ь"):
                found.setdefault(key(stem + restored), lowered[-1])
    else:
        for n in _AZ_ENDING_LENGTHS:
            if len(base) - n >= MIN_STEM and base[-n:] in _AZ_ENDING_SET:
                found.setdefault(base[:-n], base[-n:])
    return tuple(found.items())


def adjective_key(name: str) -> str | None:
    """The key of a Russian adjectival district name ("Шекинский район" -> "shekinskiy")."""
    for word in name.split():
        match = _RU_ADJECTIVE.match(word.lower())
        if match:
            return key(match.group(1) + "кий")
    return None


def usable_names(names: Iterable[str], main: str) -> list[str]:
    """Alternate names worth matching: Latin or Cyrillic script, not codes, not romanisations.

    GeoNames' all-lower-case alternates are machine romanisations of other scripts ("bakw"),
    and short all-capital ones are codes ("BAK"); both would only add false matches.
    """
    kept = set()
    for name in names:
        if name == main or name.islower() or _FOREIGN_LETTER.search(name):
            continue
        if name.isupper() and len(name) <= 4:
            continue
        if any(c.isalpha() for c in name):
            kept.add(name)
    return sorted(kept)
