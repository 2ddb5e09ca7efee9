"""The vocabulary in data/cap.yaml: the schema's codes exactly, labelled in az, ru and en."""

from __future__ import annotations

import pytest

from qalxan.alerts import load_vocabulary
from qalxan.alerts.schema import structure
from qalxan.alerts.vocabulary import LISTS, Vocabulary, is_known_language


@pytest.mark.parametrize("name", LISTS)
def test_codes_are_the_schemas(name: str) -> None:
    assert load_vocabulary().codes(name) == structure().enumerations[name]


def test_labels_in_the_three_languages() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.label("severity", "Extreme", "az") == "Fövqəladə"
    assert vocabulary.label("severity", "Extreme", "ru-RU") == "Чрезвычайная"
    assert vocabulary.label("responseType", "AllClear", "en") == "All clear"
    assert vocabulary.label("responseType", "AllClear", "sv") == "All clear"  # English otherwise
    assert vocabulary.label("status", "Nonsense", "az") == "Nonsense"
    assert list(vocabulary.platform_languages) == ["az", "ru", "en"]
    assert vocabulary.implicit_language == "en-US"


def test_a_bad_file_fails_loudly() -> None:
    raw = load_vocabulary().model_dump(by_alias=True)
    del raw["severity"]["Minor"]["ru"]
    with pytest.raises(ValueError, match=r"severity\.Minor\.ru"):
        Vocabulary.model_validate(raw)


@pytest.mark.parametrize(
    ("tag", "known"),
    [
        ("az", True),
        ("az-Latn-AZ", True),
        ("en-US", True),
        ("zh-tw", True),
        ("ger", True),  # ISO 639-2/B
        ("haw", True),  # ISO 639-3 only
        ("i-klingon", True),
        ("x-private", True),
        ("qq", False),
        ("xyz", False),
        ("x", False),
        ("toolong", False),
    ],
)
def test_known_languages(tag: str, known: bool) -> None:
    assert is_known_language(tag) is known
