"""Submitting one report: checked, typed, placed, joined to an incident or starting one,
graded, routed and audited, all in one transaction (nothing is half-stored).

A client may send its own reference (``origin_ref``): sending the same report again, after a
timeout say, answers with what was stored the first time instead of storing it twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.tables import UnitRow
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput
from qalxan.intake import dedup
from qalxan.intake.classify import Classifier
from qalxan.intake.draft import Draft, check
from qalxan.intake.prepare import prepare_many
from qalxan.intake.store import Author, Stored, Writer
from qalxan.intake.tables import ReportRow

RECORD_TYPE = ReportRow.record_type


def submit(
    ctx: audit.Context,
    doctrine: Doctrine,
    classifier: Classifier,
    draft: Draft,
    rules: dedup.Rules | None = None,
) -> Stored:
    principal = ctx.principal
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE) as rec:
        now = datetime.now(UTC)
        draft = check(draft, now)
        rank = scheme().classification(draft.classification).rank
        agency = policy.check_create(principal, RECORD_TYPE, None, rank)
        rec.entry.record_agency = agency
        _check_unit(rec.session, agency, draft.owner_unit)
        check_objects(doctrine, draft)
        author = Author(
            agency_id=agency,
            unit_id=draft.owner_unit,
            user_id=principal.user_id,
            actor=principal.username,
            origin=f"api:{agency}",
        )
        writer = Writer(rec.session, doctrine, rules or dedup.Rules(), now)
        if draft.origin_ref is not None:
            seen = writer.existing(author.origin, [draft.origin_ref]).get(draft.origin_ref)
            if seen is not None:
                rec.entry.record_id = seen[0]
                rec.entry.detail = {"repeated": True, "incident": seen[1]}
                return Stored(seen[0], seen[1], False, True, {"repeated": True})
        (prepared,) = prepare_many([draft], classifier)
        writer.prefetch([prepared])
        stored = writer.add(prepared, author)
        writer.flush()
        rec.entry.record_id = stored.report_id
        rec.entry.detail = {
            "incident": stored.incident_id,
            "joined": stored.joined,
            "event_type": prepared.event_type,
            "typed_by": prepared.typed_by,
            "classification": draft.classification,
            "tlp": draft.tlp,
        }
    return stored


def check_objects(doctrine: Doctrine, draft: Draft) -> None:
    """An involved object may name a piece of the doctrine's critical infrastructure."""
    for index, obj in enumerate(draft.objects):
        ref = obj.infrastructure_id
        if ref is not None:
            item = doctrine.items.get(ref)
            if item is None or item.kind != "infrastructure":
                field = f"objects[{index}].infrastructure_id"
                raise InvalidInput(f"{field}: no infrastructure of the doctrine is {ref!r}", field)


def _check_unit(session: Session, agency_id: str, unit_id: str | None) -> None:
    if unit_id is None:
        return
    unit = session.get(UnitRow, unit_id)
    if unit is None or unit.agency_id != agency_id or unit.disabled:
        raise InvalidInput(
            f"owner_unit: no active unit of your agency has the id {unit_id!r}", "owner_unit"
        )
