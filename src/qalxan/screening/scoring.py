"""How alike two names are, word by word, and why.

Words are paired regardless of order (lists write "HANIYA, Ismail", travellers "Ismail
Haniya"), each pair scored by the strongest reason it has: the same word, the same name in
another script or spelling (a shared name group), the same consonant skeleton or sound, or a
close spelling. A name's score weighs each word by its rarity, so that two rare words agreeing
count for more than "Mohammed" and "al-" agreeing, and words left unpaired on either side
lower it: the query's more than the list's, because lists give fuller names than travellers.
Words left unpaired on both sides lower it further: "Ayman Sabawi Ibrahim Hasan al-Dulaimi"
and "Ayman Sabawi Ibrahim Hasan al-Tikriti" are two people, where a name missing a word may
well be one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz.distance import OSA

from qalxan.screening.acronyms import NONE, Acronyms, acronym_pairs, may_pair
from qalxan.screening.vocabulary import ABJAD, INITIAL, NAME, ORG_WORD, PARTICLE, Word

MIN_WORD_SIMILARITY = 0.7
MIN_RELATED_SPELLING = 0.5
SAME_GROUP = 0.95
# The same word but for the spelling variants of one sound ("Dikiy", "Dykyy").
SAME_PLAIN = 0.95
SAME_SKELETON = 0.88
SAME_SOUND = 0.85
INITIAL_MATCH = 0.8
ROLE_WEIGHT = {NAME: 1.0, PARTICLE: 0.15, INITIAL: 0.3, ORG_WORD: 0.1}
# Exponents of the query's and the listed name's covered share in the name score.
QUERY_EXPONENT = 0.65
LISTED_EXPONENT = 0.35
CACHE_SIZE = 500_000
# Compounds pair on the same skeleton, and then only when long (across scripts) or alike in
# spelling too (in Latin): short skeletons meet by chance ("Max Rose", "Emma Akhras").
COMPOUND_ABJAD_SKELETON = 4
# A compound whose skeleton is shorter than this pairs only with the same spelling ("Mae Sai",
# "Maesai"); shorter still, not at all.
COMPOUND_SHORT_SKELETON = 3
MIN_PIECE_SKELETON = 2
COMPOUND_SPELLING = 0.8
# How much words unpaired on both sides lower a name's score: the score is multiplied by
# 1 - CONFLICT * sqrt(query's unpaired share * listed name's unpaired share).
CONFLICT = 1.0
# Shares below this are rounding, not words.
LEFT_EPSILON = 1e-9

_cache: dict[tuple[str, str], tuple[float, str]] = {}


def word_similarity(a: Word, b: Word) -> tuple[float, str]:
    """Similarity of two words (0 below :data:`MIN_WORD_SIMILARITY`) and its reason."""
    if a.written == b.written:
        return 1.0, "same"
    key = (a.written, b.written)
    found = _cache.get(key)
    if found is None:
        found = _similarity(a, b)
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[key] = found
    return found


# The likenesses that say two words may be one name written two ways, not that they are
# written alike.
_KINDRED = frozenset({"same consonants", "sounds alike", "same name", "spelling"})


def counted(query: Named, a: Word, b: Word, similar: tuple[float, str]) -> tuple[float, str]:
    """How much ``similar`` (:func:`word_similarity` of the query's word ``a`` and a listed
    word ``b``) counts in ``query``'s name.

    A name that rests on one word has nothing else to tell it from others: "Steris" shares
    its consonants with "Stars", "Nissan" with "Unsan", "Denso" with "Denise" (0.88 each);
    of 97 alerts on 1,837 real company names screened by name, 52 came that way. There a
    Latin word counts no more alike than its spelling ("Gasprom" and "Gazprom" 0.86,
    "Steris" and "Stars" 0.67); across scripts the consonants still count (spellings there
    are not comparable)."""
    similarity, reason = similar
    if reason == "initial" and not query.initials:
        return 0.0, ""
    if query.lone and reason in _KINDRED and b.script != ABJAD:
        similarity = min(similarity, spelling_similarity(a.form, b.form))
        if similarity < MIN_WORD_SIMILARITY:
            return 0.0, ""
    return similarity, reason


def spelling_similarity(a: str, b: str) -> float:
    """How alike two spellings are: 1 less the edits between them per letter of the longer,
    a swap of two neighbouring letters one edit ("Marcon", "Macron"), not two."""
    return OSA.normalized_similarity(a, b)


def conflict(q_left: float, l_left: float) -> float:
    """The factor on a name's score when the query leaves ``q_left`` and the listed name
    ``l_left`` of their weight unpaired: 1 unless both leave some."""
    if q_left <= LEFT_EPSILON or l_left <= LEFT_EPSILON:
        return 1.0
    return max(0.0, 1.0 - CONFLICT * math.sqrt(q_left * l_left))


def _similarity(a: Word, b: Word) -> tuple[float, str]:
    if a.role == INITIAL or b.role == INITIAL:
        longer = b if a.role == INITIAL else a
        initial = a if a.role == INITIAL else b
        if longer.form[:1] == initial.form:
            return INITIAL_MATCH, "initial"
        return 0.0, ""
    if a.form == b.form and a.form:
        return 1.0, "same"
    spelling = spelling_similarity(a.form, b.form)
    if a.plain == b.plain:
        spelling = max(spelling, SAME_PLAIN)
    abjad = ABJAD in (a.script, b.script)
    # Two Latin spellings of one name still look alike; a name group or a shared skeleton
    # alone would pair "John" with "San" and "Rulli" with "Arreola".
    related = abjad or spelling >= MIN_RELATED_SPELLING
    best, why = spelling, "spelling"
    if a.groups & b.groups and related and best < SAME_GROUP:
        best, why = SAME_GROUP, "same name"
    bones = min(len(a.skeleton), len(b.skeleton))
    # Arabic script writes a short name's consonants only ("عبد", Abd): two are enough there.
    enough = 2 if abjad else 3
    if bones >= enough and a.skeleton == b.skeleton and related and best < SAME_SKELETON:
        best, why = SAME_SKELETON, "same consonants"
    if len(a.phonetic) >= 3 and a.phonetic == b.phonetic and related and best < SAME_SOUND:
        best, why = SAME_SOUND, "sounds alike"
    if abjad and bones >= 3:
        # Arabic script leaves short vowels out: compare the consonants.
        similar = 0.9 * spelling_similarity(a.skeleton, b.skeleton)
        if similar > best:
            best, why = similar, "consonants across scripts"
    if best < MIN_WORD_SIMILARITY:
        return 0.0, ""
    return best, why


Unit = tuple[int, int, Word]
# A listed name's word or compound: first and last word, Latin form, skeleton, script.
Piece = tuple[int, int, str, str, str]


@dataclass(frozen=True)
class Named:
    """A name ready to compare: its words, their weights, and its compounds (adjacent words
    read as one: "Abd al-Rahman" as "Abdalrahman", "Hamd Allah" as "Hamdullah")."""

    words: list[Word]
    weights: list[float]
    compounds: list[tuple[int, int, Word]]
    total: float
    acronyms: Acronyms = NONE
    # The name rests on one word in Latin script ("Steris", "Nissan Group"): see counted().
    lone: bool = False
    # Its single letters may be initials (a person's name); in an organisation's ("S&P",
    # "M&T") they abbreviate words no one can guess.
    initials: bool = True
    _skeleton_sets: list[frozenset[str]] = field(default_factory=list)
    _units: list[Unit] = field(default_factory=list)

    def units(self) -> list[Unit]:
        """Every word and every compound, as ``(first, last, word)`` (not to be changed: kept
        for the next listed name)."""
        if not self._units:
            self._units.extend((i, i, w) for i, w in enumerate(self.words))
            self._units.extend(self.compounds)
        return self._units

    def skeletons(self) -> tuple[frozenset[str], frozenset[str]]:
        """The skeletons of the words and of the compounds (what a listed name's pieces must
        share before any compound pairs)."""
        if not self._skeleton_sets:
            self._skeleton_sets.append(frozenset(w.skeleton for w in self.words))
            self._skeleton_sets.append(frozenset(w.skeleton for _, _, w in self.compounds))
        return self._skeleton_sets[0], self._skeleton_sets[1]


class Listed(NamedTuple):
    """A listed name ready to compare, again and again: its words as ids into a table of
    words, their weights, and its words and compounds by skeleton (all of them, and the
    compounds only).

    Ints, floats, strings and tuples only: the collector stops tracking such tuples and dicts,
    so that a cache of a hundred thousand of them adds nothing to its full collections (which
    otherwise walk every cached name, a pause of hundreds of milliseconds mid-query)."""

    ids: tuple[int, ...]
    weights: tuple[float, ...]
    total: float
    every: dict[str, tuple[Piece, ...]]
    joined: dict[str, tuple[Piece, ...]]
    acronyms: Acronyms = NONE


def listed(
    ids: tuple[int, ...],
    words: list[Word],
    weights: list[float],
    joined: list[Piece],
    acronyms: Acronyms = NONE,
) -> Listed:
    """A :class:`Listed` of ``words`` (their ``ids`` in the table compared against), of its
    compounds ``joined`` and its ``acronyms`` (an organisation's)."""
    every: dict[str, list[Piece]] = {}
    compounds: dict[str, list[Piece]] = {}
    pieces = [(i, i, w.form, w.skeleton, w.script) for i, w in enumerate(words)] + joined
    for piece in pieces:
        if len(piece[3]) >= MIN_PIECE_SKELETON:
            every.setdefault(piece[3], []).append(piece)
            if piece[0] != piece[1]:
                compounds.setdefault(piece[3], []).append(piece)
    return Listed(
        ids,
        tuple(weights),
        sum(weights),
        {k: tuple(v) for k, v in every.items()},
        {k: tuple(v) for k, v in compounds.items()},
        acronyms,
    )


def as_listed(name: Named) -> tuple[Listed, list[Word]]:
    """``name`` as a listed name, with the table of its own words."""
    joined = [(i, j, w.form, w.skeleton, w.script) for i, j, w in name.compounds]
    ids = tuple(range(len(name.words)))
    return listed(ids, name.words, name.weights, joined, name.acronyms), name.words


# A paired span: similarity, the query's first and last word, the listed name's, the reason.
Span = tuple[float, int, int, int, int, str]


@dataclass(frozen=True)
class NameScore:
    score: float
    query: Named
    listed: Listed
    table: Sequence[Word]
    pairs: tuple[Span, ...]

    def explain(self) -> str:
        """The pairs in words ("usama=usama; ladin~laden (spelling 0.83); not in the query:
        muhammed awad")."""
        q_words = self.query.words
        l_words = [self.table[i] for i in self.listed.ids]
        parts = []
        used_q: set[int] = set()
        used_l: set[int] = set()
        for similarity, i0, i1, j0, j1, reason in self.pairs:
            asked = " ".join(w.written for w in q_words[i0 : i1 + 1])
            written = " ".join(w.written for w in l_words[j0 : j1 + 1])
            used_q.update(range(i0, i1 + 1))
            used_l.update(range(j0, j1 + 1))
            if reason == "same":
                parts.append(f"{asked}={written}")
            else:
                parts.append(f"{asked}~{written} ({reason} {similarity:.2f})")
        left_q = [w.written for i, w in enumerate(q_words) if i not in used_q]
        left_l = [w.written for j, w in enumerate(l_words) if j not in used_l]
        if left_q:
            parts.append("not in the listed name: " + " ".join(left_q))
        if left_l:
            parts.append("not in the query: " + " ".join(left_l))
        factor = conflict(
            _left(self.query.weights, self.query.total, used_q),
            _left(self.listed.weights, self.listed.total, used_l),
        )
        if factor < 1.0:
            parts.append(f"words unpaired on both sides (x{factor:.2f})")
        return "; ".join(parts)


def _left(weights: Sequence[float], total: float, used: set[int]) -> float:
    """The share of ``total`` the words not in ``used`` weigh (worked out as the score does)."""
    return 1.0 - sum(weights[i] for i in used) / (total or 1.0)


Memo = list[dict[int, tuple[float, str]]]


def memo_for(query: Named) -> Memo:
    """A memo of one query's word similarities, by listed word id, for :func:`compare` against
    one table of words (a query meets the same listed words name after name)."""
    return [{} for _ in query.words]


# A pair before the pairing: similarity, its order among equals (single words first), the
# query's first and last word, the listed name's, the reason.
Candidate = tuple[float, int, int, int, int, int, str]


def compare(
    query: Named, name: Listed, table: Sequence[Word], memo: Memo | None = None
) -> NameScore:
    """Pair the words of two names, best pairs first, and score the names (``table``: the
    words ``name``'s ids are of; ``memo``: from :func:`memo_for` on the same query and table)."""
    found: list[Candidate] = []
    rows = memo if memo is not None else memo_for(query)
    for i, a in enumerate(query.words):
        row = rows[i]
        for j, word_id in enumerate(name.ids):
            similar = row.get(word_id)
            if similar is None:
                b = table[word_id]
                similar = row[word_id] = counted(query, a, b, word_similarity(a, b))
            if similar[0] > 0:
                found.append((similar[0], 1, i, i, j, j, similar[1]))
    score, pairs = pair_up(query, name, found)
    return NameScore(score, query, name, table, pairs)


def pair_up(query: Named, name: Listed, found: list[Candidate]) -> tuple[float, tuple[Span, ...]]:
    """The score of two names and their pairs, from ``found``: the pairs of single words with
    a similarity above 0, in any order (the list is extended and sorted in place)."""
    if may_compound(query, name):
        found += compound_pairs(query, name)
    return _paired(query, name, found)


def may_compound(query: Named, name: Listed) -> bool:
    """Whether any compound (or acronym) of either name may pair (compounds pair on the same
    skeleton only: most names have none in common)."""
    words, spans = query.skeletons()
    if not (words.isdisjoint(name.joined) and spans.isdisjoint(name.every)):
        return True
    return may_pair(query.acronyms, name.acronyms)


def pair_many(
    query: Named, names: Sequence[Listed], found: Sequence[list[Candidate]]
) -> list[tuple[float, tuple[Span, ...]]]:
    """:func:`pair_up` of ``query`` with each of ``names`` (``found``: the pairs of single
    words of each), the usual case (one pair of words, no compound) worked out in line."""
    named = [word.role == NAME for word in query.words]
    q_weights = query.weights
    scored: list[tuple[float, tuple[Span, ...]]] = []
    for name, pairs in zip(names, found, strict=True):
        if may_compound(query, name):
            pairs += compound_pairs(query, name)
        elif len(pairs) == 1:
            # What _paired works out for one pair, to the last bit (its sums start at 0).
            similarity, _, i, _, j, _, reason = pairs[0]
            span = (similarity, i, i, j, j, reason)
            if named[i]:
                q_weight, l_weight = q_weights[i], name.weights[j]
                score = _name_score(
                    query, name, q_weight * similarity, q_weight, l_weight * similarity, l_weight
                )
                scored.append((score, (span,)))
            else:
                scored.append((0.0, (span,)))
            continue
        scored.append(_paired(query, name, pairs))
    return scored


def _paired(query: Named, name: Listed, found: list[Candidate]) -> tuple[float, tuple[Span, ...]]:
    """Pair greedily, best pairs first, each word at most once."""
    found.sort(reverse=True)
    used_q = 0  # bit sets of the words already paired
    used_l = 0
    pairs = []
    q_got = l_got = 0.0
    q_paired = l_paired = 0.0  # the weight of the words paired, however alike
    names_matched = False
    q_words = query.words
    q_weights = query.weights
    l_weights = name.weights
    for similarity, _, i0, i1, j0, j1, reason in found:
        q_bits = ((1 << (i1 - i0 + 1)) - 1) << i0
        l_bits = ((1 << (j1 - j0 + 1)) - 1) << j0
        if used_q & q_bits or used_l & l_bits:
            continue
        used_q |= q_bits
        used_l |= l_bits
        pairs.append((similarity, i0, i1, j0, j1, reason))
        if i0 == i1:
            weight = q_weights[i0]
            names_matched = names_matched or q_words[i0].role == NAME
        else:
            weight = sum(q_weights[i0 : i1 + 1])
            names_matched = True
        q_got += weight * similarity
        q_paired += weight
        weight = l_weights[j0] if j0 == j1 else sum(l_weights[j0 : j1 + 1])
        l_got += weight * similarity
        l_paired += weight
    score = _name_score(query, name, q_got, q_paired, l_got, l_paired) if names_matched else 0.0
    return score, tuple(pairs)


def _name_score(
    query: Named, name: Listed, q_got: float, q_paired: float, l_got: float, l_paired: float
) -> float:
    """The score of two names from what their pairs cover of each (``*_got``: the paired
    words' weight times their similarity; ``*_paired``: their weight alone)."""
    q_total = query.total or 1.0
    l_total = name.total or 1.0
    score: float = min(
        (q_got / q_total) ** QUERY_EXPONENT * (l_got / l_total) ** LISTED_EXPONENT, 1.0
    )
    return score * conflict(1.0 - q_paired / q_total, 1.0 - l_paired / l_total)


def compound_pairs(query: Named, name: Listed) -> list[Candidate]:
    """Pairs where one side or both are compounds: only on the same skeleton, the one
    comparison that tells "Abdulhamid" from "Abd al-Hamid" apart from chance; and an acronym
    with the words it stands for."""
    found: list[Candidate] = []
    every, joined = name.every, name.joined
    for i0, i1, a in query.units():
        # A query word meets the listed compounds; a query compound meets everything.
        for j0, j1, form, _, script in (every if i0 != i1 else joined).get(a.skeleton, ()):
            if i1 - i0 == j1 - j0 and a.form == form:
                continue  # word for word: the single pairs say it better
            if len(a.skeleton) < COMPOUND_SHORT_SKELETON and a.form != form:
                continue
            if a.form == form:
                similarity = 1.0
            elif ABJAD in (a.script, script):
                if len(a.skeleton) < COMPOUND_ABJAD_SKELETON:
                    continue
                similarity = SAME_SKELETON
            else:
                similarity = spelling_similarity(a.form, form)
                if similarity < COMPOUND_SPELLING:
                    continue
            found.append((similarity, i1 - i0 + j1 - j0 + 2, i0, i1, j0, j1, "compound"))
    for i0, i1, j0, j1, similarity in acronym_pairs(query.acronyms, name.acronyms):
        found.append((similarity, i1 - i0 + j1 - j0 + 2, i0, i1, j0, j1, "acronym"))
    return found
