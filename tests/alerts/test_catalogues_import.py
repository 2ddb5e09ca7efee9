"""Catalogues into the incident stream, on SQLite and PostgreSQL: placed by the intake, the
same quake from two catalogues one incident, aftershocks incidents of their own, re-imports
storing nothing, bad rows reported without stopping the good ones."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, func, select

from qalxan.access.audit import Context
from qalxan.alerts import catalogues
from qalxan.alerts.catalogues import Imported
from qalxan.bootstrap import operator_principal, trail
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.tables import IncidentRow, MembershipRow, ReportRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.alerts.catalogue_samples import SERVICE_HEADER, service_row, write, write_all
from tests.people import load_bundled

AGENCY = "agency-mes"


def importer(engine: Engine, settings: Settings) -> Context:
    principal = replace(
        operator_principal(settings, "cli:test"), roles=("duty_officer",), agency_id=AGENCY
    )
    return Context(principal, trail(settings, engine))


def load(ctx: Context, path: Path) -> Imported:
    return catalogues.import_file(ctx, load_bundled(), RuleClassifier(), path)


def incident_of(engine: Engine, origin_ref: str) -> IncidentRow:
    query = (
        select(IncidentRow)
        .join(MembershipRow, MembershipRow.incident_id == IncidentRow.id)
        .join(ReportRow, ReportRow.id == MembershipRow.report_id)
        .where(ReportRow.origin_ref == origin_ref)
    )
    with session_factory(engine)() as session:
        return session.scalars(query).one()


def count(engine: Engine, model: type[ReportRow] | type[IncidentRow]) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_catalogues_become_placed_hazard_incidents_once(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    ctx = importer(engine, settings)
    service, extract, ncei = write_all(tmp_path)
    first = [load(ctx, path) for path in (service, extract, ncei)]
    assert [(i.rows, i.stored, i.outside, len(i.rejected)) for i in first] == [
        (8, 4, 1, 3),
        (3, 1, 1, 1),
        (9, 3, 1, 5),
    ]
    # Baku 2000 from ComCat and from NCEI: one quake, one incident with both reports.
    assert first[2].joined == 1
    baku = incident_of(engine, "usgs:ustest0001")
    assert incident_of(engine, "ncei:2000-11-25T18:09:11.4@40.245,49.946").id == baku.id
    assert (baku.event_type, baku.admin1, baku.country) == ("earthquake", "AZ-BA", "AZ")
    assert (baku.report_count, baku.killed, baku.injured) == (2, 31, 430)
    assert (baku.classification, baku.tlp) == (0, "CLEAR")
    # Its aftershock three minutes later is a quake of its own, as is the next day's.
    assert incident_of(engine, "usgs:ustest0002").id != baku.id
    assert incident_of(engine, "usgs:2000-11-26T06:36:36.28@40.048,50.188").admin1 == "AZ-BA"
    zaqatala = incident_of(engine, "ncei:2012-05-07T04:40:27.7@41.549,46.789")
    assert zaqatala.admin1 == "AZ-ZAQ"
    assert count(engine, ReportRow) == 8 and count(engine, IncidentRow) == 7

    again = [load(ctx, path) for path in (service, extract, ncei)]
    assert [(i.stored, i.repeated) for i in again] == [(0, 4), (0, 1), (0, 3)]
    assert [i.rejected for i in again] == [i.rejected for i in first]
    assert count(engine, ReportRow) == 8


def test_reports_keep_the_grading_and_the_source(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    load(importer(engine, settings), write_all(tmp_path)[0])
    with session_factory(engine)() as session:
        graded = {
            r.origin_ref: (r.source, r.source_reliability, r.info_credibility, r.owner_agency)
            for r in session.scalars(select(ReportRow))
        }
    assert graded["usgs:ustest0001"] == ("USGS ComCat", "A", 1, AGENCY)
    assert graded["usgs:ustest0004"] == ("USGS ComCat", "A", 2, AGENCY)


def test_rows_the_intake_refuses_are_reported_and_the_rest_stored(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    lines = [
        SERVICE_HEADER,
        service_row("2099-01-01T00:00:00.000Z", "40.4", "49.9", "4.5", "ustest0101", "Baku"),
        service_row("2001-01-01T00:00:00.000Z", "40.4", "49.9", "4.5", "ustest0102", "Baku"),
        service_row("2001-01-02T00:00:00.000Z", "40.4", "49.9", "x", "ustest0103", "Baku"),
        service_row("2001-01-03T00:00:00.000Z", "40.4", "49.9", "4.5", "ustest0104", "Baku"),
    ]
    done = load(importer(engine, settings), write(tmp_path / "c.csv", lines))
    assert done.stored == 2
    assert done.rejected == [
        "line 2: observed_at: in the future",
        "line 4: mag: 'x' is not a number",
    ]
