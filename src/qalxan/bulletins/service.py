"""Writing and reading one bulletin: create, get, update. Every call is audited.

Reads go through :func:`qalxan.access.policy.load`, so a bulletin the caller may not see is
answered exactly like one that does not exist. Classification and TLP arrive as codes of the
marking scheme and are stored as a rank and a TLP code.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.tables import UnitRow
from qalxan.bulletins.tables import BulletinRow
from qalxan.errors import InvalidInput, required_text
from qalxan.store.ids import new_id

RECORD_TYPE = BulletinRow.record_type
MAX_TITLE = 300
MAX_BODY = 20_000


class Keep(enum.Enum):
    """Leave the field as it is (``None`` is a value for ``tlp``: no marking)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    classification: str
    tlp: str | None = None
    owner_unit: str | None = None


@dataclass(frozen=True)
class Changes:
    """What an editor changes; ``None`` (``KEEP`` for ``tlp``) leaves a field as it is."""

    title: str | None = None
    body: str | None = None
    classification: str | None = None
    tlp: str | Literal[Keep.KEEP] | None = KEEP


def create(ctx: audit.Context, draft: Draft) -> BulletinRow:
    principal = ctx.principal
    bulletin_id = new_id()
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE, bulletin_id) as rec:
        policy.require(principal, RECORD_TYPE, "create")
        rank = scheme().classification(draft.classification).rank
        owner = policy.check_create(principal, RECORD_TYPE, None, rank)
        rec.entry.record_agency = owner
        row = BulletinRow(
            id=bulletin_id,
            owner_agency=owner,
            owner_unit=_check_unit(rec, owner, draft.owner_unit),
            classification=rank,
            tlp=scheme().tlp_code(draft.tlp),
            title=check_title(draft.title),
            body=check_body(draft.body),
            author_id=principal.user_id or principal.username[:32],
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
        )
        rec.session.add(row)
        rec.entry.detail = {"classification": draft.classification, "tlp": row.tlp}
    return row


def get(ctx: audit.Context, bulletin_id: str) -> BulletinRow:
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE, bulletin_id) as rec:
        row: BulletinRow = policy.load(rec.session, ctx.principal, BulletinRow, bulletin_id)
        rec.entry.record_agency = row.owner_agency
    return row


def update(ctx: audit.Context, bulletin_id: str, changes: Changes) -> BulletinRow:
    """Change a bulletin of the caller's agency; never above the editor's own clearance."""
    principal = ctx.principal
    with audit.recorded(ctx, f"{RECORD_TYPE}.update", RECORD_TYPE, bulletin_id) as rec:
        row: BulletinRow = policy.load(rec.session, principal, BulletinRow, bulletin_id, "update")
        rec.entry.record_agency = row.owner_agency
        changed: list[str] = []
        if changes.title is not None:
            row.title = check_title(changes.title)
            changed.append("title")
        if changes.body is not None:
            row.body = check_body(changes.body)
            changed.append("body")
        if changes.classification is not None:
            rank = scheme().classification(changes.classification).rank
            if rank > principal.clearance:
                raise InvalidInput(
                    "classification: above your clearance; you could not read the result",
                    field="classification",
                )
            row.classification = rank
            changed.append("classification")
        if changes.tlp is not KEEP:
            row.tlp = scheme().tlp_code(changes.tlp)
            changed.append("tlp")
        if changed:
            row.updated_at = datetime.now(UTC)
        rec.entry.detail = {
            "changed": changed,
            "classification": scheme().by_rank(row.classification).code,
            "tlp": row.tlp,
        }
    return row


def check_title(title: str) -> str:
    return required_text(title, "title", MAX_TITLE)


def check_body(body: str) -> str:
    return required_text(body, "body", MAX_BODY)


def _check_unit(rec: audit.Recording, agency_id: str, unit_id: str | None) -> str | None:
    if unit_id is None:
        return None
    unit = rec.session.get(UnitRow, unit_id)
    if unit is None or unit.agency_id != agency_id or unit.disabled:
        raise InvalidInput(
            f"owner_unit: no active unit of the agency has the id {unit_id!r}", field="owner_unit"
        )
    return unit_id
