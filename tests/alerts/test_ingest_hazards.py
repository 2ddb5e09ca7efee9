"""Which received alerts are hazards (data/hazards.yaml), and where their areas put them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command

from qalxan.alerts import Area, Circle, Info, Pair, Polygon
from qalxan.alerts.ingest_area import place_in_country
from qalxan.alerts.ingest_draft import HAZARD, NOT_ACTUAL, NOT_HAZARD, OUTSIDE, verdict
from qalxan.alerts.ingest_hazards import load_hazards, term_pattern
from qalxan.alerts.vocabulary import load_vocabulary
from qalxan.cli.main import app
from qalxan.geo import locate_point
from qalxan.intake.taxonomy import taxonomy
from tests.alerts.ingest_samples import QABALA, TBILISI, alert, info, square

ROOT = Path(__file__).resolve().parents[2]


def hazard(event: str, *categories: str, codes: tuple[Pair, ...] = ()) -> str | None:
    found = load_hazards().match(
        Info(categories, event, "Expected", "Severe", "Likely", event_codes=codes)
    )
    return found.event_type if found else None


@pytest.mark.parametrize(
    ("event", "categories", "expected"),
    [
        ("Daşqın", ("Met",), "flood"),
        ("DAŞQIN TƏHLÜKƏSİ", ("Met",), "flood"),
        ("Flash Flood Warning", ("Met",), "flood"),
        ("Наводнение", ("Met",), "flood"),
        ("Tsunami Warning", ("Geo",), "flood"),
        ("Sel", ("Met",), "mudflow"),
        ("Селевые потоки", ("Geo",), "mudflow"),
        ("Zəlzələ", ("Geo",), "earthquake"),
        ("Землетрясение", ("Geo",), "earthquake"),
        ("Earthquake", ("Geo",), "earthquake"),
        ("Palçıq vulkanının püskürməsi", ("Geo",), "mud-volcano"),
        ("Sürüşmə", ("Geo",), "landslide"),
        ("Оползень", ("Geo",), "landslide"),
        ("Qar uçqunu", ("Met",), "avalanche"),
        ("Лавинная опасность", ("Safety",), "avalanche"),
        ("Meşə yanğını", ("Fire",), "wildfire"),
        ("Bushfire", ("Fire", "Met"), "wildfire"),
        ("Лесной пожар", ("Fire",), "wildfire"),
        ("Chemical release", ("CBRNE",), "chemical-accident"),
        ("Radiasiya təhlükəsi", ("CBRNE",), "radiological-accident"),
        ("Epidemiya", ("Health",), "epidemic"),
        ("Neft dağılması", ("Env",), "pollution"),
    ],
)
def test_hazards_in_three_languages(event: str, categories: tuple[str, ...], expected: str) -> None:
    assert hazard(event, *categories) == expected


@pytest.mark.parametrize(
    ("event", "categories"),
    [
        ("Güclü külək", ("Met",)),  # storms: no event type in the taxonomy yet
        ("Hurricane Warning", ("Met",)),
        ("Fire", ("Fire",)),  # a building on fire is no wildfire
        ("Daşqın", ("Security",)),  # the category must fit the hazard
        ("Earthquake", ("Met",)),
        ("Сельское хозяйство", ("Geo",)),  # "сель" is a whole word, not a prefix
        ("Selection of routes", ("Geo",)),
        ("Air Quality Alert", ("Met",)),
    ],
)
def test_what_is_not_a_watched_hazard(event: str, categories: tuple[str, ...]) -> None:
    assert hazard(event, *categories) is None


def test_same_codes_and_the_evidence() -> None:
    assert hazard("Warning", "Met", codes=(Pair("SAME", "FFW"),)) == "flood"
    assert hazard("Warning", "Geo", codes=(Pair("SAME", "EQW"),)) == "earthquake"
    assert hazard("Warning", "Met", codes=(Pair("SAME", "HUW"),)) is None
    # A profile's event code in words (CAP-CP, CAP-AU) is matched like the event text.
    assert hazard("Warning", "Fire", codes=(Pair("CAP-AU", "bushfire"),)) == "wildfire"
    found = load_hazards().match(Info(("Geo",), "Zəlzələ", "Past", "Minor", "Observed"))
    assert found is not None and found.evidence == "event text matched 'zelzele'"


def test_the_hazards_file_names_known_types_and_categories_and_grades_every_certainty() -> None:
    hazards = load_hazards()
    types = taxonomy().by_code
    vocabulary = load_vocabulary()
    for found, _, _ in hazards.rules:
        assert found.event_type in types and found.why
        assert set(found.categories) <= set(vocabulary.category)
    assert set(hazards.credibility) == set(vocabulary.certainty)
    assert hazards.reliability == "A"
    assert hazards.credibility["Observed"] == 1 and hazards.credibility["Unknown"] == 6


def test_term_patterns() -> None:
    assert term_pattern("sel") == r"(?<!\w)sel(?!\w)"
    assert term_pattern("Qar uçqun*") == r"(?<!\w)qar[\s\-]+ucqun\w*(?!\w)"


def test_verdicts() -> None:
    assert verdict(alert()).outcome == HAZARD
    assert verdict(alert(status="Test")).outcome == NOT_ACTUAL
    assert verdict(alert(msg_type="Ack", references="a,b,2025-03-01T10:00:00+04:00")).outcome == (
        NOT_ACTUAL
    )
    assert verdict(alert(infos=(info(event="Güclü külək"),))).outcome == NOT_HAZARD
    outside = verdict(alert(infos=(info(areas=(TBILISI,)),)))
    assert (outside.outcome, outside.draft) == (OUTSIDE, None)
    assert outside.reason == "flood: the area does not touch Azerbaijan"
    # The Azerbaijani info block is preferred over the others for the report's language.
    english = info(language="en-US", event="Flood", headline="Flood expected")
    found = verdict(alert(infos=(english, info())))
    assert found.draft is not None and found.draft.language == "az"


def in_country(*areas: Area) -> tuple[str | None, str | None]:
    placed = place_in_country([info(areas=areas)])
    if placed is None:
        return None, None
    if placed.lat is None or placed.lon is None:
        return placed.admin1, placed.how
    return locate_point(placed.lat, placed.lon).admin1, placed.how


def test_areas_in_and_out_of_the_country() -> None:
    assert in_country(QABALA) == ("AZ-QAB", "centre of its part in Azerbaijan")
    assert in_country(TBILISI) == (None, None)
    assert in_country(Area("x", circles=(Circle("41.7151,44.8271 30"),))) == (None, None)
    # 200 km around Tbilisi reaches into western Azerbaijan.
    assert in_country(Area("x", circles=(Circle("41.7151,44.8271 200"),)))[0] == "AZ-SKR"
    assert in_country(Area("x", geocodes=(Pair("ISO3166-2", "AZ-QAB"),))) == (
        "AZ-QAB",
        "geocode AZ-QAB",
    )
    assert in_country(Area("x", geocodes=(Pair("iso3166-1", "AZ"),))) == (
        None,
        "the whole country (geocode)",
    )
    # Geocodes of other systems say nothing here; nor does a code of no district.
    assert in_country(Area("x", geocodes=(Pair("SAME", "006109"), Pair("ISO3166-2", "GE-KA")))) == (
        None,
        None,
    )
    # A polygon that crosses itself (a bow tie) is repaired, not refused.
    bow = Polygon("40.9,47.7 41.0,47.9 40.9,47.9 41.0,47.7 40.9,47.7")
    assert in_country(Area("x", polygons=(bow,)))[0] == "AZ-QAB"


def test_an_area_without_geometry_is_read_from_its_description() -> None:
    assert in_country(Area("Şəki rayonu")) == ("AZ-SAK", "area description (Şəki)")
    assert in_country(Area("Tbilisi")) == (None, None)
    # Geometry, when given, is what counts: a square in Georgia described as Shaki is outside.
    assert in_country(Area("Şəki rayonu", polygons=(square(41.7151, 44.8271),))) == (None, None)


def test_the_docs_name_every_hazard_and_feeds_command() -> None:
    text = (ROOT / "docs" / "hazard-feeds.md").read_text("utf-8")
    section = text[text.index("# CAP and Atom feeds") :]
    types = [found.event_type for found, _, _ in load_hazards().rules]
    assert [t for t in types if f"| `{t}` |" not in section] == []
    group = get_command(app).commands["alerts"].commands["feeds"]  # type: ignore[attr-defined]
    assert [n for n in group.commands if f"qalxan alerts feeds {n}" not in section] == []
