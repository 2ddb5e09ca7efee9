"""Operators of information infrastructure subscribed to the CERT's notifications.

Only the CERT keeps the list: every call needs ``cti`` permissions (``update`` to change,
``read`` to list) held by a member of the CERT's agency, and is audited. A subscription names
the operator, its sectors (:mod:`qalxan.cti.sectors`), a channel (``email`` or ``webhook``)
with an address the outbox accepts, and the most restrictive TLP it may receive (never
``RED``: TLP:RED is for named people, and never goes to an outbox). A subscription is
deactivated, never deleted, so that what was sent to whom stays explainable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.access.sessions import aware
from qalxan.cti import sectors
from qalxan.cti.correlation_rules import rules
from qalxan.cti.tables import CtiSubscriptionRow
from qalxan.errors import Forbidden, InvalidInput, NotFound, required_text
from qalxan.outbox.adapters import CHANNELS
from qalxan.store.ids import new_id

RECORD_TYPE = "cti_subscription"
SUBSCRIBER_CHANNELS = ("email", "webhook")


@dataclass(frozen=True)
class Draft:
    operator: str
    sectors: tuple[str, ...]
    channel: str
    address: str
    max_tlp: str = "GREEN"


def _check_cert(principal: Principal, action: str) -> None:
    policy.require(principal, "cti", action)
    if principal.agency_id != rules().cert_agency:
        raise Forbidden("only the CERT keeps the operators' subscriptions")


def create(ctx: audit.Context, draft: Draft) -> CtiSubscriptionRow:
    principal = ctx.principal
    subscription_id = new_id()
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE, subscription_id) as rec:
        _check_cert(principal, "update")
        rec.entry.record_agency = principal.agency_id
        if draft.channel not in SUBSCRIBER_CHANNELS:
            raise InvalidInput(f"channel: one of {', '.join(SUBSCRIBER_CHANNELS)}", "channel")
        max_tlp = scheme().tlp_code(draft.max_tlp, "max_tlp")
        if max_tlp is None or max_tlp == "RED":
            raise InvalidInput("max_tlp: CLEAR, GREEN, AMBER or AMBER+STRICT", "max_tlp")
        row = CtiSubscriptionRow(
            id=subscription_id,
            operator=required_text(draft.operator, "operator", 200),
            sectors=sectors.check(draft.sectors),
            channel=draft.channel,
            address=CHANNELS[draft.channel].check_address(draft.address),
            max_tlp=max_tlp,
            active=True,
            owner_agency=rules().cert_agency,
            created_by=principal.username[:200],
        )
        rec.session.add(row)
        rec.entry.detail = {
            "operator": row.operator,
            "sectors": row.sectors,
            "channel": row.channel,
            "max_tlp": row.max_tlp,
        }
    return row


def listing(ctx: audit.Context, active_only: bool = True) -> list[CtiSubscriptionRow]:
    with audit.recorded(ctx, f"{RECORD_TYPE}.list", RECORD_TYPE) as rec:
        _check_cert(ctx.principal, "read")
        query = select(CtiSubscriptionRow).order_by(
            CtiSubscriptionRow.operator, CtiSubscriptionRow.id
        )
        if active_only:
            query = query.where(CtiSubscriptionRow.active.is_(True))
        rows = list(rec.session.scalars(query))
        rec.entry.detail = {"count": len(rows), "ids": [r.id for r in rows][:200]}
    return rows


def deactivate(ctx: audit.Context, subscription_id: str) -> CtiSubscriptionRow:
    with audit.recorded(ctx, f"{RECORD_TYPE}.deactivate", RECORD_TYPE, subscription_id) as rec:
        _check_cert(ctx.principal, "update")
        row = rec.session.get(CtiSubscriptionRow, subscription_id)
        if row is None:
            raise NotFound(f"no subscription has the id {subscription_id!r}", field="id")
        rec.entry.record_agency = row.owner_agency
        rec.entry.detail = {"was_active": row.active}
        row.active = False
    return row


def out(row: CtiSubscriptionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "operator": row.operator,
        "sectors": row.sectors,
        "channel": row.channel,
        "address": row.address,
        "max_tlp": row.max_tlp,
        "active": row.active,
        "created_by": row.created_by,
        "created_at": aware(row.created_at),
    }
