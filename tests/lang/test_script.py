"""Which language a text is in, from its letters."""

from __future__ import annotations

import pytest

from qalxan.lang.script import language_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Armed clash near Tovuz", "en"),
        ("Tovuz rayonunda atışma baş verib", "az"),
        ("Bakıda yanğın", "az"),
        ("Столкновение в Газахском районе", "ru"),
        ("2022-01-04 12:00 -- 3.4", None),
        ("", None),
        ("Café near Baku", "en"),
        ("Explosion at the Şəmkir station: two injured", "az"),
    ],
)
def test_language_of(text: str, expected: str | None) -> None:
    assert language_of(text) == expected
