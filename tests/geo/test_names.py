"""Name keys: one form for the Azerbaijani, Russian and English spellings of a name."""

from __future__ import annotations

import pytest

from qalxan.geo.names import german_skeleton, key, skeleton, usable_names, variants


@pytest.mark.parametrize(
    "spellings",
    [
        ["Lənkəran", "Ленкорань", "Lenkoran", "Lankaran"],
        ["Qazax", "Gazakh", "Казах"],
        ["Gəncə", "Ganja", "Гянджа"],
        ["Xaçmaz", "Khachmaz", "Хачмаз"],
        ["Hacıqabul", "Аджикабул"],
        ["Kǝngǝrli", "Kangarli"],
        ["Yevlax", "Евлах"],
    ],
)
def test_spellings_share_a_skeleton(spellings: list[str]) -> None:
    assert len({skeleton(key(s)) for s in spellings}) == 1


def test_german_spellings() -> None:
    assert german_skeleton(key("Nachitschewan")) == skeleton(key("Naxçıvan"))
    assert german_skeleton(key("Schemacha")) == skeleton(key("Şamaxı"))


def test_key_folds_script_and_case() -> None:
    assert key("BAKI") == key("Bakı") == "baki"
    assert key("Баку") == "baku"
    assert key("Port-au-Prince") == "port au prince"


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("Bakıda", "baki"),
        ("Bakıya", "baki"),
        ("Gəncədən", "gence"),
        ("Şəkinin", "seki"),
        ("Гянджи", "gyandzha"),
        ("Ленкорани", "lenkoran"),
        ("Иране", "iran"),
        ("Газахском", "gazakhskiy"),
        ("Georgia's", "georgia"),
    ],
)
def test_variants_strip_endings(word: str, stem: str) -> None:
    assert stem in dict(variants(word))
    assert variants(word)[0] == (key(word), "")


def test_usable_names_keep_latin_and_cyrillic_only() -> None:
    names = ["Bakı", "Баку", "バクー", "bakw", "BAK", "Μπακού", "Baku"]
    assert usable_names(names, "Baku") == ["Bakı", "Баку"]
