"""Received CAP alerts, on SQLite and PostgreSQL: stored once as received alerts, hazards in
Azerbaijan made placed incidents through the intake, the rest stored without one, updates and
cancels applied, refusals reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from qalxan.access.tables import AuditRow
from qalxan.alerts import Area, Circle, Polygon, read_document, write_alert
from qalxan.alerts.ingest import ingest
from qalxan.alerts.ingest_draft import cap_ref
from qalxan.alerts.ingest_sources import Received
from qalxan.alerts.rows import history, stored_alert
from qalxan.alerts.tables import AlertRow
from qalxan.errors import Forbidden
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.tables import IncidentRow, ReportRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.alerts.ingest_samples import (
    AGENCY,
    SENDER,
    SENT,
    TBILISI,
    alert,
    cap,
    count,
    geocoded,
    incident_of,
    info,
    receive,
    receiver,
    references,
    rows,
)
from tests.people import load_bundled


def test_an_azerbaijani_flood_becomes_a_placed_hazard_incident(
    engine: Engine, settings: Settings
) -> None:
    done = receive(receiver(engine, settings), cap())
    assert (done.read, done.received, done.incidents, done.rejected) == (1, 1, 1, [])
    row = rows(engine)["AZ-FHN-2025-0001"]
    assert (row.state, row.owner_agency, row.classification, row.tlp) == (
        "received",
        AGENCY,
        0,
        "CLEAR",
    )
    assert (row.origin, row.sender, row.event, row.area_desc) == (
        "file:test.cap",
        SENDER,
        "Daşqın",
        "Qəbələ rayonu",
    )
    assert stored_alert(row) == alert()
    incident = incident_of(engine, f"cap:{SENDER}:AZ-FHN-2025-0001")
    assert incident is not None and row.incident_id == incident.id
    assert (incident.event_type, incident.country, incident.admin1) == ("flood", "AZ", "AZ-QAB")
    assert (incident.classification, incident.tlp, incident.owner_agency) == (0, "CLEAR", AGENCY)
    with session_factory(engine)() as session:
        report = session.scalars(select(ReportRow)).one()
    assert report.source == f"Fövqəladə Hallar Nazirliyi ({SENDER})"
    assert (report.source_reliability, report.info_credibility) == ("A", 2)  # Likely
    assert (report.place_text, report.language, report.event_type) == (
        "Qəbələ rayonu",
        "az",
        "flood",
    )
    assert (report.origin, report.observed_at.replace(tzinfo=UTC)) == (
        f"import:{AGENCY}",
        SENT.astimezone(UTC),
    )
    assert "Typed flood: category Met, event text matched 'dasqin'" in report.narrative
    with session_factory(engine)() as session:
        assert [step.step for step in history(session, row.id)] == ["receive"]


def test_ingesting_again_stores_nothing(engine: Engine, settings: Settings) -> None:
    ctx = receiver(engine, settings)
    receive(ctx, cap())
    again = receive(ctx, cap(), "again.cap")
    assert (again.read, again.received, again.repeated, again.incidents) == (1, 0, 1, 0)
    assert count(engine, AlertRow) == count(engine, ReportRow) == count(engine, IncidentRow) == 1
    assert rows(engine)["AZ-FHN-2025-0001"].origin == "file:test.cap"


def test_an_alert_outside_the_country_is_kept_without_an_incident(
    engine: Engine, settings: Settings
) -> None:
    done = receive(receiver(engine, settings), cap(infos=(info(areas=(TBILISI,)),)))
    assert (done.received, done.outside, done.incidents) == (1, 1, 0)
    assert rows(engine)["AZ-FHN-2025-0001"].incident_id is None
    assert count(engine, ReportRow) == 0


def test_what_is_no_hazard_or_no_real_event_makes_no_incident(
    engine: Engine, settings: Settings
) -> None:
    ctx = receiver(engine, settings)
    wind = receive(ctx, cap("wind", infos=(info(event="Güclü külək"),)))
    drill = receive(ctx, cap("drill", status="Exercise"))
    fire = receive(ctx, cap("house", infos=(info(categories=("Fire",), event="Fire"),)))
    assert (wind.not_hazard, drill.not_actual, fire.not_hazard) == (1, 1, 1)
    assert count(engine, AlertRow) == 3 and count(engine, ReportRow) == 0


def test_an_update_supersedes_and_joins_a_cancel_cancels(
    engine: Engine, settings: Settings
) -> None:
    ctx = receiver(engine, settings)
    first = alert("flood-1")
    update = alert(
        "flood-2",
        sent=SENT + timedelta(hours=3),
        msg_type="Update",
        references=references(first),
        infos=(info(severity="Extreme", certainty="Observed"),),
    )
    receive(ctx, write_alert(first))
    done = receive(ctx, write_alert(update))
    assert (done.received, done.superseded, done.incidents, done.joined) == (1, 1, 0, 1)
    stored = rows(engine)
    assert stored["flood-1"].state == "superseded"
    assert stored["flood-2"].supersedes == stored["flood-1"].id
    assert stored["flood-2"].incident_id == stored["flood-1"].incident_id is not None
    # Another sender cannot touch this sender's alerts.
    stranger = alert(
        "x", sender="someone@else.example", msg_type="Cancel", references=references(update)
    )
    assert receive(ctx, write_alert(stranger)).cancelled == 0
    cancel = alert(
        "flood-3",
        sent=SENT + timedelta(hours=6),
        msg_type="Cancel",
        references=references(first, update),
    )
    done = receive(ctx, write_alert(cancel))
    assert (done.cancelled, done.not_actual, done.incidents) == (2, 1, 0)
    stored = rows(engine)
    assert (stored["flood-1"].state, stored["flood-2"].state) == ("cancelled", "cancelled")
    assert stored["flood-3"].incident_id is None
    with session_factory(engine)() as session:
        steps = [(s.step, s.note) for s in history(session, stored["flood-1"].id)]
    assert steps == [
        ("receive", "file:test.cap"),
        ("supersede", "by flood-2"),
        ("cancel", "by flood-3"),
    ]
    assert count(engine, IncidentRow) == 1


def test_an_update_read_before_its_original_still_supersedes_it(
    engine: Engine, settings: Settings
) -> None:
    first = alert("a-1")
    update = alert(
        "a-2", sent=SENT + timedelta(hours=1), msg_type="Update", references=references(first)
    )
    received = [Received(a, a.identifier, write_alert(a)) for a in (update, first)]
    done = ingest(
        receiver(engine, settings), load_bundled(), RuleClassifier(), received, origin="test"
    )
    assert (done.received, done.superseded) == (2, 1)
    assert rows(engine)["a-1"].state == "superseded"


def test_a_russian_mudflow_warning_for_a_district_geocode(
    engine: Engine, settings: Settings
) -> None:
    russian = info(
        language="ru-RU",
        categories=("Geo",),
        event="Селевой поток",
        headline="Угроза схода селей в Губинском районе",
        description=None,
        areas=(geocoded("AZ-QBA"),),
    )
    receive(receiver(engine, settings), cap("sel", infos=(russian,)))
    incident = incident_of(engine, f"cap:{SENDER}:sel")
    assert incident is not None
    assert (incident.event_type, incident.admin1, incident.location_precision) == (
        "mudflow",
        "AZ-QBA",
        "district",
    )


KAKHETI = Polygon("41.5,44.5 41.5,46.5 42.5,46.5 42.5,44.5 41.5,44.5")


def test_an_area_across_the_border_is_placed_on_the_azerbaijani_side(
    engine: Engine, settings: Settings
) -> None:
    # Mostly Kakheti (Georgia); its centroid lies in Georgia, its part in Azerbaijan in Balakan.
    caucasus = Area("Kakheti, Balakan", polygons=(KAKHETI,))
    quake = info(language="en-US", categories=("Geo",), event="Earthquake", areas=(caucasus,))
    receive(receiver(engine, settings), cap("quake", infos=(quake,)))
    incident = incident_of(engine, f"cap:{SENDER}:quake")
    assert incident is not None
    assert (incident.event_type, incident.country, incident.admin1) == (
        "earthquake",
        "AZ",
        "AZ-BAL",
    )


def test_a_circle_at_sea_in_the_azerbaijani_sector_is_an_offshore_incident(
    engine: Engine, settings: Settings
) -> None:
    surge = info(
        language="en",
        event="Storm surge",
        areas=(Area("Caspian off Absheron", circles=(Circle("40.2,50.6 5"),)),),
    )
    receive(receiver(engine, settings), cap("surge", infos=(surge,)))
    incident = incident_of(engine, f"cap:{SENDER}:surge")
    assert incident is not None
    assert (incident.event_type, incident.admin1) == ("flood", "AZ-BA")
    assert incident.place_facts["offshore"] is True


def test_an_alert_the_intake_refuses_is_rejected_and_not_stored(
    engine: Engine, settings: Settings
) -> None:
    future = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    done = receive(receiver(engine, settings), cap("future", sent=future))
    assert done.received == 0
    assert done.rejected == ["test.cap: the intake refused it: observed_at: in the future"]
    assert count(engine, AlertRow) == 0


def test_a_restricted_alert_is_amber(engine: Engine, settings: Settings) -> None:
    receive(receiver(engine, settings), cap("r", scope="Restricted", restriction="MES staff"))
    incident = incident_of(engine, f"cap:{SENDER}:r")
    assert incident is not None and incident.tlp == "AMBER" and rows(engine)["r"].tlp == "AMBER"


def test_a_long_key_is_referenced_by_its_digest(engine: Engine, settings: Settings) -> None:
    long = alert("x" * 150)
    receive(receiver(engine, settings), write_alert(long))
    ref = cap_ref(long)
    assert ref.startswith("cap:sha256:") and len(ref) == len("cap:sha256:") + 40
    assert incident_of(engine, ref) is not None


def test_an_envelope_and_invalid_alerts(engine: Engine, settings: Settings) -> None:
    ctx = receiver(engine, settings)
    inner = [write_alert(alert(f"e-{n}")).split(b"?>", 1)[1] for n in (1, 2)]
    envelope = (
        b'<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">'
        + b"".join(
            b"<contentObject><xmlContent><embeddedXMLContent>"
            + part
            + b"</embeddedXMLContent></xmlContent></contentObject>"
            for part in inner
        )
        + b"</EDXLDistribution>"
    )
    assert read_document(envelope).ok
    done = receive(ctx, envelope, "env.xml")
    # Two alerts of one flood, in one district, at one time: one incident.
    assert (done.received, done.incidents, done.joined) == (2, 1, 1)
    bad = cap("bad").replace(b"<scope>Public</scope>", b"")
    done = receive(ctx, bad, "bad.cap")
    assert done.rejected == ["bad.cap: alert/scope: required element missing (before info)"]


def test_a_caller_who_may_not_receive_alerts_is_refused_and_audited(
    engine: Engine, settings: Settings
) -> None:
    ctx = receiver(engine, settings, ("duty_officer",))
    with pytest.raises(Forbidden):
        receive(ctx, cap())
    assert count(engine, AlertRow) == count(engine, ReportRow) == 0
    with session_factory(engine)() as session:
        audited = session.scalars(select(AuditRow).where(AuditRow.action == "alert.receive")).one()
    assert audited.outcome == "denied"


def test_the_audit_trail_records_each_batch(engine: Engine, settings: Settings) -> None:
    receive(receiver(engine, settings), cap())
    with session_factory(engine)() as session:
        audited = session.scalars(select(AuditRow).where(AuditRow.action == "alert.receive")).one()
        imported = session.scalars(select(AuditRow).where(AuditRow.action == "report.import")).one()
    assert audited.outcome == imported.outcome == "success"
    assert audited.record_agency == AGENCY
    assert audited.detail["origin"] == "file:test.cap" and len(audited.detail["alerts"]) == 1


def test_observed_alert_is_graded_confirmed(engine: Engine, settings: Settings) -> None:
    receive(receiver(engine, settings), cap(infos=(replace(info(), certainty="Observed"),)))
    with session_factory(engine)() as session:
        report = session.scalars(select(ReportRow)).one()
    assert (report.source_reliability, report.info_credibility) == ("A", 1)
