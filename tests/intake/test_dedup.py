"""De-duplication: a report's distinctive words, and the best incident it matches (scored
for each candidate, explained for the winner)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest

from qalxan.intake import dedup
from qalxan.lang.fold import tokens

AT = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def reference_words(text: str) -> frozenset[str]:
    """The definition: folded tokens (section codes whole) of three letters or more, not all
    digits, the first sixty distinct ones."""
    kept = [t for t in tokens(text) if len(t) >= dedup.MIN_WORD and not t.isdigit()]
    return frozenset(islice(dict.fromkeys(kept), dedup.FINGERPRINT_WORDS))


@pytest.mark.parametrize(
    "text",
    [
        "Armed men attacked a checkpoint near Tovuz; 2 soldiers were killed in 2024.",
        "Sərhəd pozuntusu: Şəki rayonunda İstanbul yolunda ab abc a1b2 x_yz",
        "Bölmə 3.4 və 4.3.11 üzrə tədbirlər; 12.5 km cənubda",
        "Взрыв в Баку, 3.4 пункт",
        " ".join(f"word{n:03d}x" for n in range(100)),
        "",
    ],
)
def test_a_reports_words_are_its_distinctive_tokens(text: str) -> None:
    assert dedup.words(text) == reference_words(text)


def sighting(hours: float, lat: float | None, words: str) -> dedup.Sighting:
    at = AT + timedelta(hours=hours)
    lon = None if lat is None else 45.6
    return dedup.Sighting("armed-clash", at, at, lat, lon, "AZ-TOV", "AZ", frozenset(words.split()))


def test_the_best_incident_is_explained_as_compared() -> None:
    rules = dedup.Rules()
    report = sighting(0, 40.99, "armed clash tovuz border soldiers")
    incidents = {
        "far": sighting(1, 41.9, "armed clash tovuz border soldiers"),
        "close": sighting(2, 40.98, "armed clash tovuz"),
        "closer": sighting(1, 40.99, "armed clash tovuz border"),
        "unplaced": sighting(1, None, "armed clash"),
    }
    found = dedup.best(report, incidents, rules)
    assert found is not None
    incident_id, match = found
    assert incident_id == "closer"
    compared = dedup.compare(report, incidents["closer"], rules)
    assert compared is not None
    assert match.score == compared.score
    assert match.reason == {**compared.reason, "incident": "closer"}
    assert match.reason["parts"]["time"] == round(1 - 1 / rules.window_hours, 2)
    assert dedup.compare(report, incidents["far"], rules) is None
    assert dedup.best(report, {"far": incidents["far"]}, rules) is None
