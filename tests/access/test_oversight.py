"""What oversight sees: access statistics, the summary, and the audit trail itself.

Screening and case work arrive in later capabilities: their figures are tested with synthetic
records under the action names of ``oversight.yaml``.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from qalxan.access import anomalies, audit, complaints, oversight, retention, trail_query
from qalxan.access.audit import Context
from qalxan.access.complaint_routing import Subject
from qalxan.access.complaint_rules import complaint_rules
from qalxan.access.periods import Period
from qalxan.access.trail_query import TrailFilter
from qalxan.bootstrap import trail
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Forbidden, InvalidInput
from qalxan.settings import Settings
from tests.access.synthetic import BAKU, Event, actions, actor, append, baku, event, read

MARCH = Period.of(datetime(2026, 3, 1), datetime(2026, 4, 1), BAKU)
OVERSEER = actor("overseer", "agency-ssscis", ("oversight",))


def ctx(engine: Engine, settings: Settings, who: object = OVERSEER) -> Context:
    return Context(who, trail(settings, engine), "10.0.0.9", "pytest")  # type: ignore[arg-type]


def test_access_per_agency_user_and_record_type(engine: Engine, settings: Settings) -> None:
    alice, bob = actor("alice", "agency-mia"), actor("bob", "agency-sbs")
    at = baku(2026, 3, 10, 10)
    append(
        engine,
        settings,
        [
            read(at, alice),
            read(at, alice),
            read(at, alice, "agency-sbs"),
            event(at, alice, "bulletin.update", record_type="bulletin", record_agency="agency-mia"),
            event(at, alice, "auth.login"),
            read(at, bob),
            read(baku(2026, 2, 27, 10), bob),  # before the period
            read(baku(2026, 4, 1, 0), bob),  # the end is exclusive
        ],
    )
    append(
        engine,
        settings,
        [Event(at, bob, audit.Entry("bulletin.read", "bulletin", "x", "agency-mia"), "denied")],
    )
    stats = oversight.access(ctx(engine, settings), MARCH)
    agencies = {a.agency: a for a in stats.by_agency}
    assert (agencies["agency-mia"].reads, agencies["agency-mia"].changes) == (3, 1)
    assert (agencies["agency-mia"].other_agency, agencies["agency-mia"].total) == (1, 5)
    assert (agencies["agency-sbs"].reads, agencies["agency-sbs"].denied) == (1, 1)
    users = {u.username: u for u in stats.by_user}
    assert users["alice"].user_id == "id-alice" and users["alice"].total == 5
    assert users["bob"].last_at.startswith("2026-03-10T06:00:00")
    types = {(t.agency, t.record_type): t.reads for t in stats.by_record_type}
    assert types[("agency-mia", "bulletin")] == 3

    rows = list(csv.DictReader(io.StringIO(oversight.access_csv(stats))))
    assert {r["level"] for r in rows} == {"agency", "record_type", "user"}
    alice_row = next(r for r in rows if r["username"] == "alice")
    assert (alice_row["reads"], alice_row["changes"], alice_row["other_agency"]) == ("3", "1", "1")

    [seen] = [r for r in actions(engine, "oversight.read") if r.outcome == "success"]
    assert seen.detail["view"] == "access" and seen.detail["since"].startswith("2026-02-28T20:00")


def test_summary_counts_dispositions_cases_and_complaints(
    engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    officer, detective = actor("screener", "agency-sbs"), actor("detective", "agency-mia")
    at = baku(2026, 3, 12, 11)

    def decide(disposition: str) -> object:
        return event(
            at,
            officer,
            "screening.decide",
            record_type="screening",
            record_agency="agency-sbs",
            detail={"disposition": disposition},
        )

    append(
        engine,
        settings,
        [
            decide("false_positive"),
            decide("false_positive"),
            decide("confirmed"),
            event(at, detective, "case.open", record_type="case", record_agency="agency-mia"),
            event(at, detective, "case.open", record_type="case", record_agency="agency-mia"),
            event(at, detective, "case.close", record_type="case", record_agency="agency-mia"),
            event(baku(2026, 4, 2), detective, "case.close", record_type="case"),
        ],
    )
    filer = Context(actor("clerk", "agency-mia", ("reporter",)), trail(settings, engine))
    for received in (datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 30, 9, tzinfo=UTC)):
        complaints.file(
            filer,
            doctrine,
            complaints.Filing(
                "record",
                "A. Person",
                "The record is wrong",
                subject=Subject(agency_id="agency-mia"),
            ),
            BAKU,
            now=received,
        )
    figures = oversight.summary(ctx(engine, settings), MARCH, now=datetime(2026, 3, 31, tzinfo=UTC))
    assert figures["screening_dispositions"] == [
        {"agency": "agency-sbs", "confirmed": 1, "false_positive": 2}
    ]
    assert figures["cases"] == [{"agency": "agency-mia", "opened": 2, "closed": 1}]
    [mia] = figures["complaints"]
    assert mia == {"agency": "agency-mia", "open": 2, "overdue": 1, "received": 2, "closed": 0}


def test_oversight_views_need_oversight_read(engine: Engine, settings: Settings) -> None:
    analyst = ctx(engine, settings, actor("analyst", "agency-mia"))
    with pytest.raises(Forbidden, match="oversight:read"):
        oversight.access(analyst, MARCH)
    with pytest.raises(Forbidden):
        oversight.summary(analyst, MARCH)
    refused = actions(engine, "oversight.read")
    assert [(r.outcome, r.detail["view"]) for r in refused] == [
        ("denied", "access"),
        ("denied", "summary"),
    ]
    assert (refused[0].actor_name, refused[0].ip) == ("analyst", "10.0.0.9")


def test_trail_filters_pages_and_audits_its_readers(engine: Engine, settings: Settings) -> None:
    alice, bob = actor("alice", "agency-mia"), actor("bob", "agency-sbs")
    start = baku(2026, 3, 10, 9)
    append(
        engine,
        settings,
        [read(start + timedelta(minutes=i), alice if i % 2 else bob) for i in range(9)]
        + [event(start, alice, "user.create", record_type="user", record_agency="agency-mia")],
    )
    reader = ctx(engine, settings)
    seen: list[int] = []
    after = 0
    while True:
        page = trail_query.page(reader, TrailFilter(action="bulletin."), after, limit=4)
        seen += [r["seq"] for r in page.records]
        if page.next_after_seq is None:
            break
        after = page.next_after_seq
    assert len(seen) == len(set(seen)) == 9 and seen == sorted(seen)

    only = trail_query.page(reader, TrailFilter(actor_id="id-alice", action="bulletin.read"))
    assert {r["actor_name"] for r in only.records} == {"alice"} and len(only.records) == 4
    assert len(trail_query.page(reader, TrailFilter(actor_agency="agency-sbs")).records) == 5
    assert len(trail_query.page(reader, TrailFilter(action="user.*")).records) == 1
    window = TrailFilter(since=start + timedelta(minutes=2), until=start + timedelta(minutes=4))
    assert len(trail_query.page(reader, window).records) == 2
    record = only.records[0]
    assert record["at"].endswith("Z") and len(record["hash"]) == 64

    reads = actions(engine, "audit.read")
    assert reads[-1].detail["filters"]["since"].startswith("2026-03-10")
    assert reads[0].detail == {
        "filters": {"action": "bulletin."},
        "after_seq": 0,
        "limit": 4,
        "returned": 4,
    }
    seen_by_oversight = trail_query.page(reader, TrailFilter(action="audit.read"))
    assert len(seen_by_oversight.records) == len(reads)

    with pytest.raises(InvalidInput, match="outcome"):
        trail_query.page(reader, TrailFilter(outcome="maybe"))
    with pytest.raises(Forbidden, match="audit:read"):
        trail_query.page(ctx(engine, settings, alice), TrailFilter())
    assert actions(engine, "audit.read")[-1].outcome == "denied"


def test_csv_export_is_audited_and_defuses_formulas(engine: Engine, settings: Settings) -> None:
    tricky = actor("=cmd()", "agency-mia")
    append(engine, settings, [read(baku(2026, 3, 10, 9, i), tricky) for i in range(3)])
    chunks = trail_query.export_csv(ctx(engine, settings), TrailFilter(action="bulletin.read"))
    [export] = actions(engine, "audit.export")
    assert export.detail == {"filters": {"action": "bulletin.read"}, "format": "csv", "rows": 3}
    append(engine, settings, [read(baku(2026, 3, 10, 9, 5), tricky)])  # after the export began
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == 3
    assert rows[0]["actor_name"] == "'=cmd()"
    assert rows[0]["detail"] == "{}" and len(rows[0]["prev_hash"]) == 64
    with pytest.raises(Forbidden):
        trail_query.export_csv(ctx(engine, settings, tricky), TrailFilter())


def test_chain_verification_is_audited(engine: Engine, settings: Settings) -> None:
    append(engine, settings, [read(baku(2026, 3, 10, 9), actor("a", "agency-mia"))])
    report = trail_query.verify_chain(ctx(engine, settings))
    assert report.intact and report.records == 1
    [verified] = actions(engine, "audit.verify")
    assert verified.detail["intact"] is True and verified.detail["records"] == 1


def test_the_oversight_page_names_every_rule_kind_status_and_type() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "oversight.md").read_text("utf-8")
    rules = complaint_rules()
    names = [*anomalies.ORDER, *rules.kinds, *rules.statuses, *retention.schedule().types]
    assert [name for name in names if f"`{name}`" not in text and f"**{name}**" not in text] == []
