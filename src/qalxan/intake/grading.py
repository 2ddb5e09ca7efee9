"""Source grading with the Admiralty code (NATO AJP-2.1): how reliable the source is (A-F) and
how credible the information (1-6), judged separately, so that a good source's hearsay and a
doubtful source's confirmed fact are not confused."""

from __future__ import annotations

from qalxan.errors import InvalidInput

RELIABILITY = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
CREDIBILITY = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}


def check_reliability(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    grade = value.strip().upper()
    if grade not in RELIABILITY:
        raise InvalidInput(
            "source_reliability: a letter from A (completely reliable) to F (cannot be judged)",
            "source_reliability",
        )
    return grade


def check_credibility(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in CREDIBILITY:
        raise InvalidInput(
            "info_credibility: a number from 1 (confirmed) to 6 (cannot be judged)",
            "info_credibility",
        )
    return value


def grade(reliability: str | None, credibility: int | None) -> str | None:
    """The combined grade, e.g. ``B2``; ``None`` when the report gave neither."""
    if reliability is None and credibility is None:
        return None
    return f"{reliability or 'F'}{credibility or 6}"


def weight(reliability: str | None, credibility: int | None) -> float:
    """How much a report's content should count, from 1.0 (A1) down to 0.25 (E5); ungraded
    reports count as F6, "cannot be judged", which is neutral (0.6)."""
    r = "ABCDEF".index(reliability or "F")
    c = (credibility or 6) - 1
    if r == 5 or c == 5:
        return 0.6
    return round(1.0 - 0.075 * r - 0.075 * c, 3)
