"""Finding place-name mentions in a text: word n-grams looked up in the name index.

The longest name wins at each position ("Naxçıvan Muxtar Respublikası" before "Naxçıvan").
The last word of a name may carry an Azerbaijani or Russian ending; a single word that no
spelling matches exactly may match an Azerbaijani name by skeleton, checked by similarity.
A capitalised first word is required for names abroad, for multi-word names and for any match
that is not exact, so that ordinary words ("bike", "van") are not read as places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from qalxan.geo.index import NameIndex, Target
from qalxan.geo.names import german_skeleton, key, similarity, skeleton, variants

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_JOINER = re.compile(r"[\s\-'’.]{1,3}")
FUZZY_MIN_SIMILARITY = 0.8
FUZZY_MIN_SKELETON = 3
MAX_ACRONYM = 4
INFLECTED_QUALITY = 0.95
LOWERCASE_QUALITY = 0.8
# Azerbaijani endings that say "in" or "from" a place: the text locates something there.
AZ_LOCATIVE_ENDINGS = frozenset({"da", "de", "ta", "te", "dan", "den", "tan", "ten", "nda", "nde"})


@dataclass(frozen=True, slots=True)
class Reading:
    target: Target
    quality: float
    how: str  # "exact", "ending -da", "spelling of 'lenkeran' (0.88)"


@dataclass(slots=True)
class Mention:
    first: int  # index of its first and last word
    last: int
    surface: str
    ending: str
    readings: list[Reading]
    cues: set[str] = field(default_factory=set)


class Words:
    """The words of a text, with their spans for the few that turn out to be names."""

    __slots__ = ("matches", "text", "texts")

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(_WORD.finditer(text))
        self.texts = [match.group() for match in self.matches]

    def joined(self, i: int) -> bool:
        """Whether words i and i+1 are written as parts of one name ("Port-au-Prince")."""
        between = self.text[self.matches[i].end() : self.matches[i + 1].start()]
        return _JOINER.fullmatch(between) is not None


@lru_cache(maxsize=200_000)
def _word_key(word: str) -> str:
    return key(word)


def find_mentions(words: Words, index: NameIndex) -> list[Mention]:
    found = []
    texts = words.texts
    cache = index.word_cache
    count = len(texts)
    i = 0
    while i < count:
        word = texts[i]
        info = cache.get(word) or _learn(index, word)
        mention = _multi_word(words, i, index) if info[0] else None
        if mention is None and info[1]:
            mention = _mention(words, i, i, info[2], list(info[1]))
        if mention is None:
            i += 1
            continue
        found.append(mention)
        i = mention.last + 1
    covered = {i for mention in found for i in range(mention.first, mention.last + 1)}
    for mention in found:
        _read_cues(mention, words, index)
        if _in_phrase(mention, words, covered, index):
            mention.cues.add("in phrase")
    return found


def _in_phrase(mention: Mention, words: Words, covered: set[int], index: NameIndex) -> bool:
    """Whether the name is glued to a capitalised word that is no name and no cue: part of a
    longer proper name ("Boko Haram", "Vladimir Putin", "Ministry of Economy" is not caught)."""
    neutral = index.vocabulary.neutral
    for i, gap in (
        (mention.last + 1, (mention.last, mention.last + 1)),
        (mention.first - 1, (mention.first - 1, mention.first)),
    ):
        if i < 0 or i >= len(words.texts) or i in covered:
            continue
        word = words.texts[i]
        between = words.text[words.matches[gap[0]].end() : words.matches[gap[1]].start()]
        if between == " " and word[0].isupper() and not (_forms(word) & neutral):
            return True
    return False


WORD_CACHE_SIZE = 200_000


def _learn(index: NameIndex, word: str) -> tuple[bool, tuple[Reading, ...], str]:
    """Whether ``word`` may start a multi-word name, and its readings as a one-word name."""
    if len(index.word_cache) >= WORD_CACHE_SIZE:
        index.word_cache.clear()
    starts = word[0].isupper() and _word_key(word) in index.prefixes
    readings, ending = _single(index, word)
    info = (starts, readings, ending)
    index.word_cache[word] = info
    return info


def _multi_word(words: Words, i: int, index: NameIndex) -> Mention | None:
    """The longest multi-word name starting at word ``i``, if any."""
    texts = words.texts
    keys = [_word_key(texts[i])]
    last = i
    # extend while the words so far begin some multi-word name
    while last + 1 < len(texts) and " ".join(keys) in index.prefixes and words.joined(last):
        keys.append(_word_key(texts[last + 1]))
        last += 1
    for end in range(last, i, -1):
        head = " ".join(keys[: end - i])
        readings, ending = _readings(head, texts[end], True, index)
        if readings:
            return _mention(words, i, end, ending, list(readings))
    return None


def _mention(words: Words, first: int, last: int, ending: str, readings: list[Reading]) -> Mention:
    surface = words.text[words.matches[first].start() : words.matches[last].end()]
    return Mention(first, last, surface, ending, readings)


def _single(index: NameIndex, word: str) -> tuple[tuple[Reading, ...], str]:
    """Readings of a one-word name (cached: the same words recur from text to text)."""
    name_key = _word_key(word)
    if name_key in index.vocabulary.stop:
        return (), ""
    capital = word[0].isupper()
    readings, ending = _readings("", word, capital, index)
    if readings or not capital or len(name_key) < 4:
        return readings, ending
    return _fuzzy(word, index)


def _readings(
    head: str, word: str, capital: bool, index: NameIndex
) -> tuple[tuple[Reading, ...], str]:
    """Readings of ``head`` + ``word`` (the last word may be inflected), and the ending."""
    for variant, ending in variants(word):
        name_key = f"{head} {variant}" if head else variant
        targets = index.exact.get(name_key)
        if not targets:
            continue
        quality = 1.0 if not ending else INFLECTED_QUALITY
        how = "exact" if not ending else f"ending -{ending.lstrip('-')}"
        acronym = word.isupper() and len(word) <= MAX_ACRONYM  # "SOR", "PAS": parties, not Tyre
        readings = tuple(
            Reading(t, (quality if capital else quality * LOWERCASE_QUALITY) * own, how)
            for t, own in targets
            if (capital or (t.country == "AZ" and t.kind != "demonym" and len(variant) >= 4))
            and not (acronym and t.kind in ("town", "region") and not head)
        )
        if readings:
            return readings, ending
    return (), ""


def _fuzzy(word: str, index: NameIndex) -> tuple[tuple[Reading, ...], str]:
    best: dict[tuple[str, str], Reading] = {}
    best_ending = ""
    for variant, ending in variants(word):
        bones = {
            b for b in (skeleton(variant), german_skeleton(variant)) if len(b) >= FUZZY_MIN_SKELETON
        }
        for name_key, target in [pair for b in bones for pair in index.fuzzy.get(b, ())]:
            score = similarity(variant, name_key)
            if score < FUZZY_MIN_SIMILARITY:
                continue
            quality = score * (1.0 if not ending else INFLECTED_QUALITY)
            ref = (target.kind, target.ref)
            if ref not in best or best[ref].quality < quality:
                best[ref] = Reading(target, quality, f"spelling of {name_key!r} ({score:.2f})")
                best_ending = ending
    return tuple(best.values()), best_ending


def _read_cues(mention: Mention, words: Words, index: NameIndex) -> None:
    vocab = index.vocabulary
    after = [_forms(w) for w in words.texts[mention.last + 1 : mention.last + 3]]
    before = [_forms(w) for w in words.texts[max(0, mention.first - 2) : mention.first]]
    if mention.ending == "-ский" or (after and after[0] & vocab.district):
        mention.cues.add("district")
    if (after and after[0] & vocab.city) or (before and before[-1] & vocab.city):
        mention.cues.add("city")
    if any(forms & vocab.republic for forms in after):
        mention.cues.add("republic")
    locative_before = before and before[-1] & vocab.locative
    city_then_locative = len(before) == 2 and before[-1] & vocab.city and before[0] & vocab.locative
    if locative_before or city_then_locative or mention.ending in AZ_LOCATIVE_ENDINGS:
        mention.cues.add("locative")


@lru_cache(maxsize=100_000)
def _forms(word: str) -> frozenset[str]:
    return frozenset(variant for variant, _ in variants(word))
