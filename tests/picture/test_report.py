"""The National Threat Assessment: its periods, the analysts' narratives, and the report as HTML
and PDF holding what the reader may read (and nothing above their clearance), marked on every
page."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.errors import Forbidden, InvalidInput
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.draft import Draft
from qalxan.intake.submit import submit
from qalxan.picture import charts, narratives, periods, register, report
from qalxan.picture.contribution import watched
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import load_bundled, make_person

TOVUZ = (40.99, 45.63)
ASTARA = (38.456, 48.875)
BAKU = (40.4093, 49.8671)
AGENCY = "agency-police"


def last_month() -> periods.Period:
    """The month before this one: over, so that its incidents may be reported now."""
    return periods.of_day(date.today().replace(day=1) - timedelta(days=1), "month")


# --- periods ------------------------------------------------------------------------------


def test_a_month_and_its_previous() -> None:
    october = periods.parse("2026-10")
    assert (october.label, october.kind) == ("2026-10", "month")
    assert (october.first, october.last, october.days) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        31,
    )
    assert october.previous().label == "2026-09"
    assert october.previous().last == date(2026, 9, 30)
    assert periods.parse("2026-01").previous().label == "2025-12"
    assert periods.parse(" 2024-02 ").last == date(2024, 2, 29)
    assert october.title == "October 2026" and october.span == "1–31 October 2026"


def test_an_iso_week_and_its_previous() -> None:
    week = periods.parse("2026-W44")
    assert (week.label, week.kind) == ("2026-W44", "week")
    assert (week.first, week.last) == (date(2026, 10, 26), date(2026, 11, 1))
    assert week.first.weekday() == 0 and week.days == 7
    assert week.previous().label == "2026-W43"
    first = periods.parse("2026-w01")  # ISO week 1 of 2026 starts in 2025
    assert (first.label, first.first) == ("2026-W01", date(2025, 12, 29))
    assert first.previous().label == "2025-W52"
    assert periods.parse("2026-W53").last == date(2027, 1, 3)  # 2026 has 53 ISO weeks


@pytest.mark.parametrize(
    "bad",
    ["2026-13", "2026-00", "2025-W53", "2026-W00", "26-10", "2026/10", "", "October", "1800-01"],
)
def test_a_bad_period_names_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        periods.parse(bad)
    assert caught.value.field == "period"
    assert "period" in caught.value.message


# --- charts -------------------------------------------------------------------------------


def test_chart_classes_and_text_are_escaped() -> None:
    assert charts.breaks([]) == () and charts.breaks([0, 0]) == ()
    assert charts.breaks([100, 3]) == (1, 3, 7, 16, 40)
    assert charts.legend_labels((1, 3, 7, 16, 40), 100) == [
        "0",
        "1-2",
        "3-6",
        "7-15",
        "16-39",
        "40-100",
    ]
    assert [charts.shade(n, (1, 3, 7)) for n in (0, 1, 2, 3, 50)] == [0, 1, 1, 2, 3]
    drawn = charts.trend(
        "<script>x</script>", [(date(2026, 10, 5), 2)], (date(2026, 10, 1), date(2026, 10, 31))
    )
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn and "<title>" in drawn
    assert str(report.css_string('A"B</style>')) == '"A\\000022B\\00003c\\00002fstyle\\00003e"'


# --- narratives ---------------------------------------------------------------------------


@dataclass
class Cast:
    analyst: Context
    low: Context
    duty: Context
    reporter: Context


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    def ctx(name: str, role: str, clearance: str) -> Context:
        person = make_person(engine, settings, name, AGENCY, [role], clearance, with_key=False)
        return person.ctx(engine, settings)

    return Cast(
        analyst=ctx("analyst", "analyst", "confidential"),
        low=ctx("low", "analyst", "restricted"),
        duty=ctx("duty", "duty_officer", "secret"),
        reporter=ctx("reporter", "duty_officer", "top_secret"),
    )


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))


def test_narratives_are_versioned_read_through_the_policy_and_append_only(
    cast: Cast, engine: Engine
) -> None:
    first = narratives.write(cast.analyst, "2026-10", "  Quiet month.  ", "restricted")
    second = narratives.write(cast.analyst, "2026-10", "Busier than we said.", "confidential")
    other = narratives.write(cast.analyst, "2026-w44", "A week.", "restricted", tlp="GREEN")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert (first.narrative, other.period, other.tlp) == ("Quiet month.", "2026-W44", "GREEN")
    assert (second.written_by, second.owner_agency) == ("analyst", AGENCY)
    newest = narratives.latest(cast.analyst, "2026-10")
    assert newest is not None and newest.version == 2
    # A reader cleared lower sees the version they may read; another period has none.
    readable = narratives.latest(cast.low, "2026-10")
    assert readable is not None and readable.version == 1
    assert narratives.latest(cast.analyst, "2026-09") is None
    created = audits(engine, "assessment.create")
    assert [e.record_id for e in created] == [first.id, second.id, other.id]
    assert created[1].detail == {
        "narrative": "2026-10",
        "version": 2,
        "classification": "confidential",
        "tlp": None,
    }
    assert "Busier" not in str(created[1].detail)  # what it says stays out of the trail
    read = audits(engine, "assessment.read")
    assert [e.record_id for e in read] == [second.id, first.id, None]
    with engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE picture_narratives SET narrative = 'forged'"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"narrative": "   "}, "narrative"),
        ({"narrative": "x" * (narratives.MAX_NARRATIVE + 1)}, "narrative"),
        ({"classification": "cosmic"}, "classification"),
        ({"classification": "top_secret"}, "classification"),  # above the writer's clearance
        ({"tlp": "PURPLE"}, "tlp"),
    ],
)
def test_a_bad_narrative_names_the_field(
    cast: Cast, engine: Engine, changes: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "period": "2026-10",
        "narrative": "Text.",
        "classification": "restricted",
        "tlp": None,
    }
    values.update(changes)
    with pytest.raises(InvalidInput) as caught:
        narratives.write(cast.analyst, **values)
    assert caught.value.field == field
    assert audits(engine, "assessment.create")[-1].outcome == "invalid"


def test_writing_a_narrative_needs_assessment_create(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        narratives.write(cast.duty, "2026-10", "Text.", "restricted")


# --- the report ---------------------------------------------------------------------------


@dataclass
class Stored:
    period: periods.Period
    clash: str
    secret: str


def send(cast: Cast, day: date, text: str, point: tuple[float, float], **fields: Any) -> None:
    at = datetime.combine(day, time(10), UTC)
    draft = Draft(text, at, lat=point[0], lon=point[1], tlp="GREEN", **fields)
    submit(cast.reporter, load_bundled(), RuleClassifier(), draft)


@pytest.fixture
def stored(cast: Cast) -> Stored:
    """Last month: two clashes in Tovuz (one confidential, with casualties), a drug seizure in
    Astara, a cyber attack in Baku and a secret terrorist attack (above the analyst's
    clearance); the month before: one clash. A risk assessment and a narrative."""
    month = last_month()
    before = month.previous()
    clash = "Armed clash at the border post near Tovuz, two soldiers killed"
    send(
        cast,
        month.first + timedelta(days=2),
        clash,
        TOVUZ,
        event_type="armed-clash",
        killed=2,
        classification="confidential",
    )
    send(
        cast,
        month.first + timedelta(days=20),
        "Exchange of fire on the Tovuz border section",
        (40.95, 45.70),
        event_type="armed-clash",
        classification="restricted",
    )
    send(
        cast,
        month.first + timedelta(days=5),
        "Police seized 20 kg of heroin in Astara",
        ASTARA,
        event_type="drug-trafficking",
        classification="restricted",
    )
    send(
        cast,
        month.first + timedelta(days=9),
        "Denial of service attack on government portals",
        BAKU,
        event_type="cyber-incident",
        classification="restricted",
    )
    secret = "Bomb attack at a metro station in Baku, SECRET-PLOT"
    send(
        cast,
        month.first + timedelta(days=12),
        secret,
        BAKU,
        event_type="terrorist-attack",
        killed=3,
        classification="secret",
    )
    send(
        cast,
        before.first + timedelta(days=3),
        "Armed clash near Tovuz, shots exchanged",
        TOVUZ,
        event_type="armed-clash",
        classification="restricted",
    )
    register.assess(
        cast.analyst, "threat-3-1", "", 4, 5, "Border positions reinforced.", "restricted"
    )
    narratives.write(
        cast.analyst,
        month.label,
        "Our judgement: the border heated up.\n\nOutlook: more of the same.",
        "restricted",
    )
    return Stored(month, clash, secret)


def lines(found: report.Report) -> dict[str, report.ThreatLine]:
    return {t.threat: t for t in found.threats}


def test_the_html_holds_every_part_for_the_reader(
    cast: Cast, stored: Stored, engine: Engine
) -> None:
    found = report.assessment(cast.analyst, stored.period.label)
    html = report.render_html(found)
    # Every watched threat, each with its trend chart.
    assert [t.threat for t in found.threats] == list(watched())
    for threat in watched():
        assert f'id="trend-{threat}"' in html
    assert html.count('<svg class="trend"') == len(watched())
    # The choropleth of the districts, Tovuz shaded with its two clashes (counted once).
    assert html.count("<path ") >= 70 and 'data-code="AZ-TOV"' in html
    assert found.districts["AZ-TOV"] == 2 and found.districts["AZ-AST"] == 1
    assert "Tovuz District: 2 incidents" in html
    # The risk matrix and the register.
    assert '<svg class="matrix"' in html and "likelihood 4 x impact 5 = 20" in html
    assert "Border positions reinforced." in html
    # Notable incidents: the most severe the analyst may read; nothing above their clearance.
    titles = [i.title for i in found.incidents]
    assert stored.clash in titles and stored.clash in html
    assert not any("SECRET-PLOT" in t for t in titles) and "SECRET-PLOT" not in html
    assert found.incidents[0].severity == max(i.severity for i in found.incidents)
    # The counts leave the secret attack out too (terrorism: threat 3.4).
    by_threat = lines(found)
    assert by_threat["threat-3-4"].incidents == 0
    # The narrative, and the changes since the previous period.
    assert "Our judgement: the border heated up." in html and "Outlook: more of the same." in html
    clashes = by_threat["threat-3-1"]
    assert (clashes.previous_incidents, clashes.incidents) == (1, 2)
    assert clashes.count_direction == "rising" and clashes in found.changes
    assert clashes.level.from_judgement == 5  # 4 x 5 = 20
    # The previous period's levels take the register as it stood then: not assessed yet.
    assert clashes.previous_level.from_judgement is None
    changes = html[html.index('id="changes"') : html.index('id="trends"')]
    assert "1 → 2 (+1)" in changes and "rising" in changes
    assert "3.7" not in changes  # unchanged threats are not listed
    # The marking: the confidential clash is the highest the analyst may read.
    assert found.marking == "CONFIDENTIAL"
    assert html.count('<div class="banner" role="note">CONFIDENTIAL</div>') == 2
    assert "@top-center { content: " in html and "counter(pages)" in html
    (entry,) = audits(engine, "assessment.report")
    assert entry.outcome == "success" and entry.detail["period"] == stored.period.label
    assert entry.detail["marking"] == "CONFIDENTIAL"
    assert sorted(entry.detail["incidents"]) == sorted(i.id for i in found.incidents)
    assert len(entry.detail["assessments"]) == 1 and entry.detail["narrative"]


def test_a_reader_cleared_lower_gets_a_lower_marking(cast: Cast, stored: Stored) -> None:
    found = report.assessment(cast.low, stored.period.label)
    assert found.marking == "RESTRICTED - FOR OFFICIAL USE"
    assert stored.clash not in [i.title for i in found.incidents]
    assert lines(found)["threat-3-1"].incidents == 1


def test_the_report_needs_assessment_read_and_a_period_that_has_begun(
    cast: Cast, engine: Engine
) -> None:
    with pytest.raises(Forbidden):
        report.assessment(cast.duty, "2026-10")
    future = periods.of_day(date.today() + timedelta(days=40), "month")
    with pytest.raises(InvalidInput) as caught:
        report.assessment(cast.analyst, future.label)
    assert caught.value.field == "period"
    with pytest.raises(InvalidInput):
        report.assessment(cast.analyst, "2026-W60")
    outcomes = [e.outcome for e in audits(engine, "assessment.report")]
    assert outcomes == ["denied", "invalid", "invalid"]


def page_texts(pdf: Path) -> list[str] | None:
    """The text of each page, or None when no PDF text extractor is installed."""
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found]
    except ImportError:
        if shutil.which("pdftotext") is None:
            return None
        out = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        return [page for page in out.split("\f") if page.strip()]
    return [page.extract_text() for page in PdfReader(str(pdf)).pages]


def test_the_pdf_carries_the_marking_on_every_page(
    cast: Cast, stored: Stored, tmp_path: Path
) -> None:
    found = report.assessment(cast.analyst, stored.period.label)
    pdf = report.render_pdf(found)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "assessment.pdf"
    path.write_bytes(pdf)
    pages = page_texts(path)
    if pages is None:
        pytest.skip("neither pypdf nor pdftotext (poppler-utils) is installed to read the PDF")
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert page.count("CONFIDENTIAL") >= 2, f"page {number} lacks the marking"
        assert re.search(rf"page {number} of {len(pages)}", page), f"page {number}"
