"""The alert form: districts as polygons and geocodes, drawn areas, and bad input refused with
the element named; drafts from CAP documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from shapely.geometry import Polygon as Shape
from shapely.ops import unary_union
from sqlalchemy import Engine

from qalxan.alerts import Point, desk, parse_alert
from qalxan.alerts.areas import build_area
from qalxan.alerts.authoring import to_alert
from qalxan.alerts.districts import MAX_POINTS, district_polygons, find_district
from qalxan.alerts.form import AreaForm, CircleForm
from qalxan.errors import InvalidInput
from qalxan.geo import load_gazetteer
from qalxan.settings import Settings
from tests.alerts.desk_shared import BAKU, Cast, audits, form, info, make_cast
from tests.alerts.shared import xml


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def test_every_unit_becomes_closed_polygons_of_at_most_a_hundred_points() -> None:
    gazetteer = load_gazetteer()
    for code in gazetteer.units:
        polygons = district_polygons(code)
        assert polygons, code
        for polygon in polygons:
            points = polygon.points()
            assert 4 <= len(points) <= MAX_POINTS, (code, len(points))
            assert points[0] == points[-1]
        # Simplified, the outline still covers nearly all of the unit, and little more.
        shape = gazetteer.adm2.get(code) or gazetteer.adm1[code]
        outline = unary_union([Shape([(p.lon, p.lat) for p in x.points()]) for x in polygons])
        assert outline.intersection(shape).area / shape.area > 0.97, code
        assert outline.area / shape.area < 1.05, code
    # A district in several parts gives one polygon per part.
    assert len(district_polygons("AZ-BA")) == 3


def test_districts_are_found_by_code_or_name_and_ambiguity_is_refused() -> None:
    assert find_district("az-sak").code == "AZ-SAK"
    assert find_district("Шабранский район").code == find_district("Şabran").code == "AZ-SBN"
    with pytest.raises(InvalidInput, match="several units"):
        find_district("Şəki")  # the city AZ-SA and the district AZ-SAK
    with pytest.raises(InvalidInput, match="no district") as caught:
        find_district("Atlantis", "alert/info[1]/area[1]/district[1]")
    assert caught.value.field == "alert/info[1]/area[1]/district[1]"


def test_an_area_of_districts_has_their_polygons_geocodes_and_names() -> None:
    area = build_area(AreaForm(districts=("AZ-SAK", "AZ-QAB")), "ru", "alert/info[1]/area[1]")
    assert area.desc == "Шекинский район, Габалинский район"
    assert [g.value for g in area.geocodes] == ["AZ-SAK", "AZ-QAB"]
    assert {g.name for g in area.geocodes} == {"ISO3166-2"}
    assert len(area.polygons) == 2


def test_drawn_areas_are_closed_and_checked() -> None:
    square = (Point(40.0, 49.0), Point(40.0, 49.1), Point(40.1, 49.1), Point(40.1, 49.0))
    area = build_area(AreaForm("Drawn", polygons=(square,)), "en", "a")
    points = area.polygons[0].points()
    assert len(points) == 5 and points[0] == points[-1]
    circle = build_area(AreaForm("Ring", circles=(CircleForm(Point(40.4, 49.8), 5),)), "en", "a")
    assert circle.circles[0].text == "40.4,49.8 5"
    bowtie = (Point(40.0, 49.0), Point(40.1, 49.1), Point(40.0, 49.1), Point(40.1, 49.0))
    bad = [
        (AreaForm("x", polygons=(bowtie,)), "a/polygon[1]", "crosses itself"),
        (AreaForm("x", polygons=(square[:2],)), "a/polygon[1]", "three distinct"),
        (AreaForm("x", polygons=((Point(95, 1), *square),)), "a/polygon[1]", "outside"),
        (AreaForm("x", circles=(CircleForm(Point(40, 49), 0),)), "a/circle[1]", "radius"),
        (AreaForm("x", circles=(CircleForm(Point(40, 200), 3),)), "a/circle[1]", "centre"),
        (AreaForm(), "a/areaDesc", "describe the area"),
    ]
    for area_form, field, reason in bad:
        with pytest.raises(InvalidInput, match=reason) as caught:
            build_area(area_form, "en", "a")
        assert caught.value.field == field


def test_bad_forms_are_refused_naming_every_element(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    cases = [
        (form(infos=(info(severity="Terrible"),)), "alert/info[1]/severity"),
        (form(infos=(replace(info("en"), language="de"),)), "alert/info[1]/language"),
        (form(infos=(info(expires=None),)), "alert/info[1]/expires"),
        (form(infos=(info(areas=()),)), "alert/info[1]/area"),
        (form(scope="Restricted"), "alert/restriction"),
        (form(scope="Private"), "alert/addresses"),
        (form(infos=(info(web="not a url"),)), "alert/info[1]/web"),
        (form(infos=()), "alert/info"),
    ]
    for bad, field in cases:
        with pytest.raises(InvalidInput) as caught:
            desk.create(cast.author, settings, bad)
        assert caught.value.field == field, (field, caught.value.message)
        assert field in caught.value.message
    naive = datetime.now() + timedelta(days=1)  # naive: the mistake under test
    with pytest.raises(InvalidInput) as caught:
        desk.create(cast.author, settings, form(infos=(info(expires=naive),)))
    assert caught.value.field == "alert/info[1]/expires"
    # Two mistakes at once: both are named.
    with pytest.raises(desk.NotIssuable) as both:
        desk.create(cast.author, settings, form(infos=(info(severity="X", expires=None),)))
    assert "alert/info[1]/severity" in both.value.message
    assert "alert/info[1]/expires" in both.value.message
    assert {a.outcome for a in audits(engine, "alert.create")} == {"invalid"}


def test_the_form_of_an_alert_gives_the_alert_again() -> None:
    drawn = (Point(40.0, 49.0), Point(40.0, 49.1), Point(40.1, 49.1), Point(40.0, 49.0))
    area = AreaForm(
        "Şəki və ətrafı", districts=("AZ-SAK",), polygons=(drawn,), circles=(), geocodes=()
    )
    full = form(
        infos=(info(areas=(area,), effective=datetime(2030, 1, 1, tzinfo=BAKU)), info("ru")),
        note="Sınaq",
        codes=("profile:AZ-CAP:1.0",),
    )
    sent = datetime(2029, 1, 1, tzinfo=BAKU)
    alert = to_alert(full, identifier="x.1", sender="mes.gov.az", sent=sent)
    again = desk.form_of(alert)
    assert again.infos[0].areas[0].districts == ("AZ-SAK",)
    assert again.infos[0].areas[0].polygons == (drawn,)
    assert to_alert(again, identifier="x.1", sender="mes.gov.az", sent=sent) == alert


def test_a_draft_from_a_cap_document_keeps_its_content(cast: Cast, settings: Settings) -> None:
    expires = (datetime.now(BAKU) + timedelta(days=1)).replace(microsecond=0)
    document = xml("2025-03-02T10:00:00+04:00", expires.isoformat())
    row = desk.create_from_xml(cast.author, settings, document)
    stored = desk.stored_alert(row)
    original = parse_alert(document)
    assert stored.identifier != original.identifier and stored.sender == "mes.gov.az"
    assert stored.infos == original.infos and stored.msg_type == "Alert"
    edited = desk.edit_from_xml(cast.author, settings, row.id, document.replace(b"Bak", b"Gyan"))
    assert desk.stored_alert(edited).infos[0].headline == "Gyanıda güclü külək gözlənilir"
    assert edited.identifier == row.identifier

    with pytest.raises(InvalidInput) as bad:
        desk.create_from_xml(cast.author, settings, xml("<status>Actual", "<status>Real"))
    assert bad.value.field == "alert/status"
    with pytest.raises(InvalidInput) as stale:  # valid CAP, but long expired: not issuable
        desk.create_from_xml(cast.author, settings, xml())
    assert stale.value.field == "alert/info[1]/expires"
    orphan = document.replace(b"<msgType>Alert", b"<msgType>Update").replace(
        b"</scope>", b"</scope><references>x,y,2025-01-01T00:00:00+04:00</references>"
    )
    with pytest.raises(InvalidInput, match="exactly one alert") as caught:
        desk.create_from_xml(cast.author, settings, orphan)
    assert caught.value.field == "alert/references"
