"""Received alerts for the ingest tests: written with the CAP core, so each is valid CAP 1.2,
and contexts that receive them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, func, select

from qalxan.access.audit import Context
from qalxan.alerts import Alert, Area, Info, Pair, Polygon, write_alert
from qalxan.alerts.ingest import Ingested, ingest_document
from qalxan.alerts.ingest_sources import Linked
from qalxan.alerts.tables import AlertRow
from qalxan.bootstrap import operator_principal, trail
from qalxan.intake.classify import RuleClassifier
from qalxan.intake.tables import IncidentRow, MembershipRow, ReportRow
from qalxan.settings import Settings
from qalxan.store.engine import session_factory
from tests.people import load_bundled

BAKU = timezone(timedelta(hours=4))
SENT = datetime(2025, 3, 1, 10, tzinfo=BAKU)
SENDER = "warnings@fhn.gov.az"
AGENCY = "agency-mes"


def square(lat: float, lon: float, half: float = 0.05) -> Polygon:
    """A closed square ``half`` degrees either side of a point."""
    south, north, west, east = lat - half, lat + half, lon - half, lon + half
    return Polygon(f"{south},{west} {south},{east} {north},{east} {north},{west} {south},{west}")


QABALA = Area("Qəbələ rayonu", polygons=(square(40.9385, 47.811),))
TBILISI = Area("Tbilisi", polygons=(square(41.7151, 44.8271),))


def info(**changes: object) -> Info:
    base = Info(
        language="az",
        categories=("Met",),
        event="Daşqın",
        urgency="Expected",
        severity="Severe",
        certainty="Likely",
        sender_name="Fövqəladə Hallar Nazirliyi",
        headline="Qəbələ rayonunda daşqın gözlənilir",
        description="Güclü yağışlardan sonra çaylarda suyun səviyyəsi qalxır.",
        areas=(QABALA,),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def alert(identifier: str = "AZ-FHN-2025-0001", **changes: object) -> Alert:
    base = Alert(
        identifier=identifier,
        sender=SENDER,
        sent=SENT,
        status="Actual",
        msg_type="Alert",
        scope="Public",
        infos=(info(),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def cap(identifier: str = "AZ-FHN-2025-0001", **changes: object) -> bytes:
    return write_alert(alert(identifier, **changes))


def references(*alerts: Alert) -> str:
    return " ".join(f"{a.sender},{a.identifier},{a.sent.isoformat()}" for a in alerts)


def geocoded(code: str) -> Area:
    return Area(code, geocodes=(Pair("ISO3166-2", code),))


def receiver(
    engine: Engine, settings: Settings, roles: tuple[str, ...] = ("emergency_manager",)
) -> Context:
    principal = replace(operator_principal(settings, "cli:test"), roles=roles, agency_id=AGENCY)
    return Context(principal, trail(settings, engine))


def receive(
    ctx: Context, data: bytes, name: str = "test.cap", linked: Linked | None = None
) -> Ingested:
    return ingest_document(
        ctx, load_bundled(), RuleClassifier(), data, name, origin=f"file:{name}", linked=linked
    )


def rows(engine: Engine) -> dict[str, AlertRow]:
    """The stored alerts by identifier."""
    with session_factory(engine)() as session:
        return {row.identifier: row for row in session.scalars(select(AlertRow))}


def incident_of(engine: Engine, origin_ref: str) -> IncidentRow | None:
    query = (
        select(IncidentRow)
        .join(MembershipRow, MembershipRow.incident_id == IncidentRow.id)
        .join(ReportRow, ReportRow.id == MembershipRow.report_id)
        .where(ReportRow.origin_ref == origin_ref)
    )
    with session_factory(engine)() as session:
        return session.scalars(query).first()


def count(engine: Engine, model: type[object]) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
