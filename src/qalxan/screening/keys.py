"""Match keys: what a word is filed under in the index, and what a query word looks up.

A key is a kind letter and a value: ``f`` the Latin form, ``l`` the plain form, ``s`` the
skeleton (of a word, or of a compound of words read as one), ``p`` the phonetic key, ``g`` a
name group and ``a`` an organisation name's acronym.
"""

from __future__ import annotations

from qalxan.screening.vocabulary import NAME, Word

# What a shared key says about two words, as a share of a shared rare Latin form.
KEY_WEIGHTS = {"f": 1.0, "l": 0.9, "g": 0.8, "s": 0.6, "p": 0.5, "a": 0.8}
MIN_KEY_LENGTH = 2
# A compound's skeleton is a key only when long enough not to meet other names by chance.
COMPOUND_MIN_SKELETON = 4


def word_keys(word: Word) -> list[str]:
    """The match keys of a word (none for particles and initials: they retrieve nothing)."""
    if word.role != NAME or not word.form:
        return []
    keys = [f"f{word.form}", f"l{word.plain}"]
    if len(word.skeleton) >= MIN_KEY_LENGTH:
        keys.append(f"s{word.skeleton}")
    if len(word.phonetic) >= MIN_KEY_LENGTH:
        keys.append(f"p{word.phonetic}")
    keys += [f"g{group}" for group in word.groups]
    return keys


def compound_key(skeleton: str) -> str | None:
    """The key of a compound with this skeleton, if it has one."""
    return f"s{skeleton}" if len(skeleton) >= COMPOUND_MIN_SKELETON else None


def joined_keys(word: Word) -> list[str]:
    """The match keys a query's words read as one (a compound) look up: the names that write
    them as one word, by its Latin and plain forms, and the listed compounds, by its skeleton
    (:func:`compound_key`)."""
    key = compound_key(word.skeleton)
    return [f"f{word.form}", f"l{word.plain}", *([key] if key is not None else [])]


def acronym_key(initials: str) -> str:
    """The key of an organisation name's acronym."""
    return f"a{initials}"
