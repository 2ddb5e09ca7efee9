"""Complaints: routing, references, deadlines in working days, handling, the policy, the audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from qalxan.access import complaints, policy, records, units
from qalxan.access.audit import Context
from qalxan.access.complaint_routing import Subject
from qalxan.access.complaint_rules import complaint_rules
from qalxan.access.principal import Principal
from qalxan.access.sessions import aware
from qalxan.access.tables import ComplaintEventRow, ComplaintRow, Protected, UserRow
from qalxan.bootstrap import trail
from qalxan.bulletins.tables import BulletinRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.store.tables import Base
from tests.access.synthetic import BAKU, actions, actor, baku
from tests.people import operator

MONDAY = baku(2026, 3, 2, 10)  # received on a Monday morning, Baku time
CLERK = actor("clerk", "agency-sss", ("reporter",))
MIA_ADMIN = actor("mia.admin", "agency-mia", ("agency_admin",))
SBS_ADMIN = actor("sbs.admin", "agency-sbs", ("agency_admin",))
OVERSEER = actor("overseer", "agency-ssscis", ("oversight",))


def as_(engine: Engine, settings: Settings, who: Principal) -> Context:
    return Context(who, trail(settings, engine), "127.0.0.1", "pytest")


def file(
    engine: Engine,
    settings: Settings,
    doctrine: Doctrine,
    kind: str = "record",
    subject: Subject | None = None,
    now: datetime = MONDAY,
    who: Principal = CLERK,
) -> complaints.Filed:
    filing = complaints.Filing(
        kind,
        "Aysel Məmmədova",
        "The record about me is wrong.",
        "+994 12 000 00 00",
        subject or Subject(agency_id="agency-mia"),
    )
    return complaints.file(as_(engine, settings, who), doctrine, filing, BAKU, now=now)


def test_deadlines_count_working_days_from_the_day_after_receipt() -> None:
    rules = complaint_rules()
    ack = rules.deadline(MONDAY, 3, BAKU)
    assert ack == datetime(2026, 3, 6, tzinfo=BAKU)  # the end of Thursday
    respond = rules.deadline(MONDAY, 15, BAKU)
    assert respond == datetime(2026, 3, 24, tzinfo=BAKU)  # three weeks on: the end of Monday
    friday_night = baku(2026, 3, 6, 23)
    assert rules.deadline(friday_night, 1, BAKU) == datetime(2026, 3, 10, tzinfo=BAKU)
    with_holiday = rules.model_copy(update={"holidays": (date(2026, 3, 3),)})
    assert with_holiday.deadline(MONDAY, 3, BAKU) == datetime(2026, 3, 7, tzinfo=BAKU)
    kind = rules.kind("record")
    assert (kind.respond_days, kind.extended_respond_days) == (15, 30)


def test_filing_routes_references_and_sets_deadlines(
    engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    first = file(engine, settings, doctrine)
    second = file(engine, settings, doctrine, now=MONDAY + timedelta(days=1))
    assert (first.complaint.reference, second.complaint.reference) == (
        "C-2026-000001",
        "C-2026-000002",
    )
    row = first.complaint
    assert (row.owner_agency, row.status, row.tlp) == ("agency-mia", "received", None)
    assert row.classification == 1  # restricted
    assert row.acknowledge_by == datetime(2026, 3, 6, tzinfo=BAKU)
    assert row.respond_by == datetime(2026, 3, 24, tzinfo=BAKU)
    assert "named by the filer" in first.routing.rule
    stored, _ = complaints.get(as_(engine, settings, MIA_ADMIN), row.id)
    assert aware(stored.acknowledge_by) == datetime(2026, 3, 6, tzinfo=BAKU)
    assert aware(stored.respond_by) == datetime(2026, 3, 24, tzinfo=BAKU)
    assert aware(stored.received_at) == MONDAY
    next_year = file(engine, settings, doctrine, now=baku(2027, 1, 4, 10))
    assert next_year.complaint.reference == "C-2027-000001"

    [created, *_] = actions(engine, "complaint.create")
    assert created.record_agency == "agency-mia" and created.record_id == row.id
    assert created.detail["reference"] == "C-2026-000001"
    assert "Aysel" not in str(created.detail)  # the trail is kept for ever: no personal data


def test_a_contested_record_goes_to_its_owner(
    engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    with transaction(engine) as session:
        session.add(
            BulletinRow(
                id="b" * 24,
                owner_agency="agency-sbs",
                classification=1,
                title="Lookout",
                body="…",
                author_id="x",
            )
        )
    filed = file(
        engine,
        settings,
        doctrine,
        "screening_match",
        Subject("bulletin", "b" * 24, agency_id="agency-mia"),
    )
    assert filed.complaint.owner_agency == "agency-sbs"
    assert filed.routing.rule == "the agency that owns the contested record"
    with pytest.raises(InvalidInput, match="agency_id"):
        file(engine, settings, doctrine, subject=Subject("bulletin", "missing"))
    with pytest.raises(InvalidInput, match="subject_type"):
        file(engine, settings, doctrine, subject=Subject("ufo", "x", agency_id="agency-mia"))
    with pytest.raises(InvalidInput, match="agency_id"):
        file(engine, settings, doctrine, subject=Subject(agency_id="agency-atlantis"))
    with pytest.raises(InvalidInput, match="kind"):
        file(engine, settings, doctrine, "gripe")
    assert [r.outcome for r in actions(engine, "complaint.create")] == ["success", *["invalid"] * 4]


def test_conduct_complaints_go_to_internal_investigations(
    engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    unit = units.create(
        operator(engine, settings),
        doctrine,
        "agency-mia",
        "Internal Security Department",
        functions=["internal_investigations"],
    )
    with transaction(engine) as session:
        for user_id, agency in (("officer-mia", "agency-mia"), ("officer-sbs", "agency-sbs")):
            session.add(
                UserRow(
                    id=user_id,
                    username=user_id,
                    display_name=user_id,
                    agency_id=agency,
                    roles=["duty_officer"],
                    created_by="pytest",
                )
            )
    filed = file(engine, settings, doctrine, "officer_conduct", Subject(officer_id="officer-mia"))
    assert (filed.complaint.owner_agency, filed.complaint.owner_unit) == ("agency-mia", unit.id)
    assert filed.routing.warning is None and "internal investigations unit" in filed.routing.rule

    without = file(engine, settings, doctrine, "officer_conduct", Subject(officer_id="officer-sbs"))
    assert (without.complaint.owner_agency, without.complaint.owner_unit) == ("agency-sbs", None)
    assert "no unit with the internal_investigations function" in (without.routing.warning or "")
    with transaction(engine) as session:
        [note] = session.scalars(
            select(ComplaintEventRow.note).where(
                ComplaintEventRow.complaint_id == without.complaint.id
            )
        )
    assert "routed to agency-sbs" in (note or "") and "no unit" in (note or "")
    with pytest.raises(InvalidInput, match="officer_id"):
        file(engine, settings, doctrine, "officer_conduct", Subject(officer_id="nobody"))


def test_reads_follow_the_policy(engine: Engine, settings: Settings, doctrine: Doctrine) -> None:
    mia = file(engine, settings, doctrine).complaint
    sbs = file(engine, settings, doctrine, subject=Subject(agency_id="agency-sbs")).complaint
    row, events = complaints.get(as_(engine, settings, MIA_ADMIN), mia.id)
    assert row.reference == mia.reference and [e.status for e in events] == ["received"]
    with pytest.raises(NotFound) as hidden:
        complaints.get(as_(engine, settings, MIA_ADMIN), sbs.id)
    assert isinstance(hidden.value, policy.Hidden)
    with pytest.raises(NotFound):
        complaints.get(as_(engine, settings, MIA_ADMIN), "no-such-id")
    listed = complaints.listing(as_(engine, settings, MIA_ADMIN))
    assert [c.id for c in listed] == [mia.id]
    everything = complaints.listing(as_(engine, settings, OVERSEER))
    assert {c.id for c in everything} == {mia.id, sbs.id}
    with pytest.raises(Forbidden):
        complaints.listing(as_(engine, settings, CLERK))
    with pytest.raises(Forbidden, match="complaint:create"):
        file(engine, settings, doctrine, who=actor("analyst", "agency-mia"))
    reads = actions(engine, "complaint.read")
    assert [r.outcome for r in reads] == ["success", "denied", "denied"]
    assert reads[1].detail["reason"] == "outside the caller's reach"


def test_handling_to_resolution(engine: Engine, settings: Settings, doctrine: Doctrine) -> None:
    complaint = file(engine, settings, doctrine).complaint
    admin = as_(engine, settings, MIA_ADMIN)

    def step(
        status: str, note: str | None = None, extend: bool = False
    ) -> tuple[ComplaintRow, ComplaintEventRow]:
        return complaints.add_event(admin, complaint.id, status, note, BAKU, extend)

    with pytest.raises(NotFound):
        complaints.add_event(
            as_(engine, settings, SBS_ADMIN), complaint.id, "acknowledged", None, BAKU
        )
    step("acknowledged")
    with pytest.raises(Conflict, match="can become"):
        step("received")
    with pytest.raises(InvalidInput, match="note"):
        step("acknowledged", extend=True)
    row, _ = step("acknowledged", "Needs the border service's files", extend=True)
    assert row.respond_by == datetime(2026, 4, 14, tzinfo=BAKU)  # 30 working days
    with pytest.raises(Conflict, match="extended already"):
        step("acknowledged", "again", extend=True)
    step("under_review", "Files requested")
    with pytest.raises(InvalidInput, match="note"):
        step("resolved")
    row, event = step("resolved", "The record was corrected")
    assert (row.status, row.outcome) == ("resolved", "resolved") and row.closed_at is not None
    assert (event.actor, event.note) == ("mia.admin", "The record was corrected")
    with pytest.raises(Conflict, match="closed"):
        step("under_review")
    _, events = complaints.get(admin, complaint.id)
    assert [e.status for e in events] == [
        "received",
        "acknowledged",
        "acknowledged",
        "under_review",
        "resolved",
    ]
    assert [a.action for a in actions(engine, "complaint.") if a.outcome == "success"][-3:] == [
        "complaint.update",
        "complaint.decide",
        "complaint.read",
    ]


def test_deciding_needs_complaint_decide(
    engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    complaint = file(engine, settings, doctrine).complaint
    handler = actor("handler", "agency-mia", ("agency_admin",))
    limited = Principal(
        handler.user_id,
        "handler",
        "agency-mia",
        None,
        ("agency_admin",),
        3,
        "api_key",
        scopes=frozenset({"complaint:read", "complaint:update"}),
    )
    ctx = as_(engine, settings, limited)
    complaints.add_event(ctx, complaint.id, "acknowledged", None, BAKU)
    with pytest.raises(Forbidden, match="complaint:decide"):
        complaints.add_event(ctx, complaint.id, "rejected", "Unfounded", BAKU)
    decided = complaints.add_event(
        as_(engine, settings, OVERSEER), complaint.id, "rejected", "Unfounded", BAKU
    )
    assert decided[0].status == "rejected"


def test_overdue_complaints(engine: Engine, settings: Settings, doctrine: Doctrine) -> None:
    late = file(engine, settings, doctrine).complaint
    acknowledged = file(engine, settings, doctrine).complaint
    fresh = file(engine, settings, doctrine, now=datetime.now(UTC)).complaint
    admin = as_(engine, settings, MIA_ADMIN)
    acknowledged, _ = complaints.add_event(admin, acknowledged.id, "acknowledged", None, BAKU)
    mid_march = baku(2026, 3, 10, 12)
    at_mid_march = complaints.overdue(admin, mid_march)
    assert [c.id for c in at_mid_march] == [late.id]
    assert complaints.missed(late, mid_march) == ["acknowledge"]
    assert complaints.missed(acknowledged, mid_march) == []
    later = baku(2026, 3, 25, 12)
    assert {c.id for c in complaints.overdue(admin, later)} == {late.id, acknowledged.id}
    assert complaints.missed(late, later) == ["acknowledge", "respond"]
    assert fresh.id not in {c.id for c in complaints.overdue(admin)}
    complaints.add_event(admin, late.id, "withdrawn", "The complainant withdrew", BAKU)
    assert [c.id for c in complaints.overdue(admin, later)] == [acknowledged.id]
    assert complaints.overdue(as_(engine, settings, SBS_ADMIN), later) == []


def test_every_protected_table_is_in_the_record_registry() -> None:
    mapped = {
        m.class_.record_type for m in Base.registry.mappers if issubclass(m.class_, Protected)
    }
    assert mapped == set(records.MODELS) | set(records.FAMILIES)


def test_a_record_type_of_several_tables_is_looked_up_in_each() -> None:
    from qalxan.bulletins.tables import BulletinRow
    from qalxan.picture.tables import NarrativeRow, RiskRow, WarningRow

    assert records.models_of("assessment") == (RiskRow, WarningRow, NarrativeRow)
    assert records.models_of("bulletin") == (BulletinRow,)
    assert records.models_of("no-such-type") == ()
