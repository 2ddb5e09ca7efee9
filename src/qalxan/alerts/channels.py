"""The channels that carry issued alerts out: add, list, deactivate. Every call is audited.

A channel belongs to an agency; managing it needs ``alert:update`` and concerns the caller's
own agency only (another agency's channel answers like a missing one). A channel is never
deleted: deactivated, it takes no more alerts, and its messages stay in the outbox's record.
Its address is checked as the outbox will check it (a number, a mailbox, an http(s) URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from qalxan.access import audit, policy
from qalxan.access.principal import Principal
from qalxan.alerts.rows import RECORD_TYPE, actor_of
from qalxan.alerts.tables import AlertChannelRow
from qalxan.alerts.vocabulary import load_vocabulary
from qalxan.errors import Conflict, InvalidInput, NotFound, required_text
from qalxan.outbox.adapters import CHANNELS
from qalxan.store.ids import new_id

CHANNEL_TYPE = "alert_channel"
MAX_NAME = 200
MAX_ADDRESS = 500


@dataclass(frozen=True)
class ChannelForm:
    """``adapter``: ``sms``, ``email`` or ``webhook`` (a partner system); ``languages``: the
    platform languages it takes, in order of preference (none: any)."""

    name: str
    adapter: str
    address: str
    languages: tuple[str, ...] = ()
    min_severity: str = "Minor"


def create_channel(ctx: audit.Context, form: ChannelForm) -> AlertChannelRow:
    channel_id = new_id()
    with audit.recorded(ctx, f"{CHANNEL_TYPE}.create", CHANNEL_TYPE, channel_id) as rec:
        agency = _agency(ctx.principal)
        rec.entry.record_agency = agency
        name = required_text(form.name, "name", MAX_NAME)
        if form.adapter not in CHANNELS:
            raise InvalidInput(f"adapter: one of {', '.join(CHANNELS)}", field="adapter")
        address = CHANNELS[form.adapter].check_address(form.address)
        if len(address) > MAX_ADDRESS:
            raise InvalidInput(f"address: at most {MAX_ADDRESS} characters", field="address")
        taken = select(AlertChannelRow.id).where(AlertChannelRow.name == name)
        if rec.session.scalars(taken).first() is not None:
            raise Conflict(f"name: a channel is already called {name!r}", field="name")
        row = AlertChannelRow(
            id=channel_id,
            name=name,
            adapter=form.adapter,
            address=address,
            languages=_languages(form.languages),
            min_severity=_severity(form.min_severity),
            active=True,
            owner_agency=agency,
            created_by=actor_of(ctx.principal),
            created_at=datetime.now(UTC),
        )
        rec.session.add(row)
        rec.entry.detail = {
            "name": name,
            "adapter": row.adapter,
            "languages": row.languages,
            "min_severity": row.min_severity,
        }
    return row


def list_channels(ctx: audit.Context, include_inactive: bool = False) -> list[AlertChannelRow]:
    """The channels of the caller's agency, by name."""
    with audit.recorded(ctx, f"{CHANNEL_TYPE}.list", CHANNEL_TYPE) as rec:
        agency = _agency(ctx.principal)
        query = select(AlertChannelRow).where(AlertChannelRow.owner_agency == agency)
        if not include_inactive:
            query = query.where(AlertChannelRow.active)
        rows = list(rec.session.scalars(query.order_by(AlertChannelRow.name)))
        rec.entry.detail = {"ids": [r.id for r in rows]}
    return rows


def deactivate_channel(ctx: audit.Context, channel_id: str) -> AlertChannelRow:
    with audit.recorded(ctx, f"{CHANNEL_TYPE}.deactivate", CHANNEL_TYPE, channel_id) as rec:
        agency = _agency(ctx.principal)
        row = rec.session.get(AlertChannelRow, channel_id)
        if row is None or row.owner_agency != agency:
            raise NotFound(f"no alert channel has the id {channel_id!r}", field="id")
        rec.entry.record_agency = row.owner_agency
        row.active = False
    return row


def _agency(principal: Principal) -> str:
    policy.require(principal, RECORD_TYPE, "update")
    if principal.agency_id is None:
        raise InvalidInput("agency: channels belong to an agency", field="agency")
    return principal.agency_id


def _languages(languages: tuple[str, ...]) -> list[str]:
    vocabulary = load_vocabulary()
    found: list[str] = []
    for language in languages:
        code = language.strip().lower()
        if code not in vocabulary.platform_languages:
            allowed = ", ".join(vocabulary.platform_languages)
            raise InvalidInput(f"languages: {language!r} is not one of {allowed}", "languages")
        if code not in found:
            found.append(code)
    return found


def _severity(severity: str) -> str:
    codes = load_vocabulary().codes("severity")
    if severity not in codes:
        raise InvalidInput(f"min_severity: one of {', '.join(codes)}", field="min_severity")
    return severity
