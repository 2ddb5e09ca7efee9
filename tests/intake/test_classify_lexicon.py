"""The lexicon loads, covers every event type in every language, and refuses a bad file."""

from __future__ import annotations

from typing import Any

import pytest

from qalxan.intake.classify.lexicon import compile_lexicon, lexicon
from qalxan.intake.classify.lexicon_files import Scoring, load_yaml
from qalxan.intake.classify.rules import RuleClassifier
from qalxan.intake.classify.text import keys, sentence_tokens, sentence_words, sentences, word_key
from qalxan.intake.taxonomy import taxonomy

SCORING = Scoring(
    gap=3,
    sentence_weights=(1.0, 0.5),
    context_weight=0.5,
    decay=0.5,
    priors={},
    fallback="agreement",
)


def build(cues: dict[str, Any], language: str = "en", **extra: Any) -> None:
    compile_lexicon([("test.yaml", {"language": language, "cues": cues, **extra})], SCORING)


@pytest.mark.parametrize("language", ["en", "az", "ru"])
def test_every_type_has_cues_in_every_language(language: str) -> None:
    missing = set(taxonomy().codes) - lexicon().covered(language)
    assert not missing


def test_the_lexicon_is_compiled_once() -> None:
    assert lexicon() is lexicon()


@pytest.mark.parametrize(
    ("cues", "message"),
    [
        ({"no-such-type": {"word": 1}}, "unknown event type 'no-such-type'"),
        ({"flood": {"flood": 0}}, "the weight must be non-zero"),
        ({"flood": {"flood": 11}}, "within ±10"),
        ({"flood": {".. flood": 2}}, "misplaced '..'"),
        ({"flood": {"flood ..": 2}}, "misplaced '..'"),
        ({"flood": {"---": 2}}, "has no letters"),
    ],
)
def test_a_bad_cue_fails_loudly(cues: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=r"lexicon test\.yaml") as caught:
        build(cues)
    assert message in str(caught.value)


def test_an_unknown_language_or_field_fails() -> None:
    with pytest.raises(ValueError, match="language"):
        build({}, language="fr")
    with pytest.raises(ValueError, match="weights"):
        build({}, weights={})


def test_a_cue_listed_twice_fails() -> None:
    text = "language: en\ncues:\n  flood:\n    flood: 2\n    flood: 3\n"
    with pytest.raises(ValueError, match="listed twice"):
        load_yaml("test.yaml", text)


def test_words_match_by_stem_in_each_language() -> None:
    assert word_key("shelled", "en") in keys("shelling")
    assert word_key("partlayış", "az") in keys("partlayisda")
    assert word_key("взрыв", "ru") in keys("взрыва")
    assert word_key("обстрел*", "ru") in keys("обстреляли")
    assert word_key("=сель", "ru") not in keys("село")
    assert word_key("sərhəd", "az") in keys("serhedi")


def test_text_is_cut_into_sentences_of_folded_words() -> None:
    assert len(sentences("Police in the U.S. arrested him. He was released.")) == 2
    assert sentence_words("Sərhədi keçən. Второе!") == [["serhedi", "kecen"], ["второе"]]


@pytest.mark.parametrize(
    "text",
    ["Gunmen attacked the Gen.  Aliyev street office.", "Police met Dr.\nSmith. Then left."],
)
def test_a_sentence_runs_on_over_any_space_after_an_abbreviation(text: str) -> None:
    # Each sentence is the text as written: it was once joined with one space, could not be
    # found again in the text, and typing the report failed.
    cut = sentences(text)
    assert all(sentence in text for sentence in cut)
    folded, written = sentence_tokens(text)
    assert folded[0][:4] in (["gunmen", "attacked", "the", "gen"], ["police", "met", "dr", "smith"])
    assert [len(s) for s in folded] == [len(s) for s in written]
    assert RuleClassifier().classify(text).event_type


@pytest.mark.parametrize(
    "token",
    [
        "shelled",
        "shelling",
        "partlayisda",
        "serhedlerinin",
        "взрыва",
        "сель",
        "protesters",
        "a",
        "ab",
        "x1",
        "2024",
        "zzzzqq",
    ],
)
def test_a_token_matches_the_terms_of_its_keys(token: str) -> None:
    # The lexicon finds a token's terms without building its keys: the same terms.
    lex = lexicon()
    assert lex.entry(token).terms == {lex.terms[k] for k in keys(token) if k in lex.terms}


def test_every_lexicon_word_matches_the_terms_of_its_keys() -> None:
    lex = lexicon()
    words = {key.split(":", 1)[-1].lstrip("=") for key in lex.terms}
    found = {word: lex.entry(word).terms for word in words}
    assert found == {w: {lex.terms[k] for k in keys(w) if k in lex.terms} for w in words}
    assert sum(1 for terms in found.values() if terms) > len(words) / 2
