"""Exporting STIX objects: a STIX 2.1 bundle (or a MISP event) of what the caller may read.

The objects go out exactly as they were stored (the bundle is written from the stored JSON
text), with the marking definitions they reference, so that the receiver knows what each
marking means (:mod:`qalxan.cti.definitions`). The selection (types, collection, added
since, a TLP ceiling, all versions or the newest) filters in SQL together with the access
policy; the ``cti.export`` audit record names every object that went out.

A TLP ceiling keeps objects marked at most that TLP; objects without a TLP marking are left
out under a ceiling, since nothing says they may be passed on.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.cti import definitions
from qalxan.cti.collection_rights import resolve
from qalxan.cti.markings import TLP_ORDER
from qalxan.cti.objects import TYPE_NAME
from qalxan.cti.tables import CtiEntryRow, CtiObjectRow
from qalxan.errors import InvalidInput

RECORD_TYPE = CtiObjectRow.record_type
EXPORT_LIMIT = 200_000
Format = Literal["stix", "misp"]


@dataclass(frozen=True)
class Selection:
    types: tuple[str, ...] = ()
    collection: str | None = None  # id or alias
    since: datetime | None = None  # added at or after
    tlp: str | None = None  # ceiling
    all_versions: bool = False


@dataclass(frozen=True)
class Exported:
    """The export's JSON text, the objects selected and the definitions added for them."""

    text: str
    objects: int
    definitions: int


def export(ctx: audit.Context, selection: Selection, fmt: Format = "stix") -> Exported:
    """The export as JSON text: a STIX bundle, or one MISP event."""
    texts, extra = _export(ctx, selection, fmt)
    if fmt == "misp":
        from qalxan.cti import misp  # see sources._misp: slow to import, rarely used

        event = misp.to_misp([json.loads(text) for text in [*extra, *texts]])
        return Exported(json.dumps(event, ensure_ascii=False, indent=1), len(texts), len(extra))
    return Exported(bundle_text([*extra, *texts]), len(texts), len(extra))


def export_objects(ctx: audit.Context, selection: Selection) -> list[dict[str, Any]]:
    """The exported objects (with the marking definitions they reference), parsed."""
    texts, extra = _export(ctx, selection, "stix")
    return [json.loads(text) for text in [*extra, *texts]]


def bundle_text(texts: list[str]) -> str:
    """A STIX 2.1 bundle around objects given as JSON text, which goes in unchanged."""
    head = json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}"})[:-1]
    return f'{head}, "objects": [{",".join(texts)}]}}'


def _export(ctx: audit.Context, selection: Selection, fmt: Format) -> tuple[list[str], list[str]]:
    """The selected objects' stored JSON and the definitions they need, as JSON text."""
    principal = ctx.principal
    with audit.recorded(ctx, f"{RECORD_TYPE}.export", RECORD_TYPE) as rec:
        policy.require(principal, RECORD_TYPE, "export")
        query = _query(rec.session, principal, selection)
        rows = list(rec.session.execute(query.limit(EXPORT_LIMIT + 1)))
        if len(rows) > EXPORT_LIMIT:
            # Refused rather than cut short: a silently partial export misleads.
            raise InvalidInput(
                f"selection: more than {EXPORT_LIMIT} objects; narrow it (type, since, ...)",
                "selection",
            )
        ids = {row.stix_id for row in rows}
        texts = [row.body for row in rows]
        extra = definitions.referenced(rec.session, principal, texts, ids)
        rec.entry.detail = {
            "format": fmt,
            "types": list(selection.types),
            "collection": selection.collection,
            "since": selection.since.isoformat() if selection.since else None,
            "tlp": selection.tlp,
            "all_versions": selection.all_versions,
            "count": len(rows),
            "ids": [f"{row.stix_id}@{row.version}" for row in rows],
            "definitions": sorted(json.loads(text)["id"] for text in extra),
        }
    return texts, extra


def _query(session: Session, principal: Principal, selection: Selection) -> Select[str, str, str]:
    condition: ColumnElement[bool] = policy.visible(principal, CtiObjectRow)
    if not selection.all_versions:
        condition &= CtiObjectRow.latest.is_(True)
    bad = [t for t in selection.types if not TYPE_NAME.match(t)]
    if bad:
        raise InvalidInput(f"type: {bad[0]!r} is not a STIX type name", field="type")
    if selection.types:
        condition &= or_(*(CtiObjectRow.stix_type == t for t in selection.types))
    if selection.tlp is not None:
        ceiling = scheme().tlp_code(selection.tlp)
        allowed = TLP_ORDER[: TLP_ORDER.index(str(ceiling)) + 1]
        condition &= or_(*(CtiObjectRow.tlp == code for code in allowed))
    query = select(CtiObjectRow.stix_id, CtiObjectRow.version, CtiObjectRow.body)
    added = CtiObjectRow.date_added
    if selection.collection is not None:
        target = resolve(session, principal, selection.collection, "read")
        query = query.join(CtiEntryRow, CtiEntryRow.object_id == CtiObjectRow.id).where(
            CtiEntryRow.collection_id == target.id
        )
        added = CtiEntryRow.date_added
    if selection.since is not None:
        since = selection.since
        condition &= added >= (since if since.tzinfo else since.replace(tzinfo=UTC)).astimezone(UTC)
    order = (CtiObjectRow.stix_id, CtiObjectRow.version_at, CtiObjectRow.version)
    return query.where(condition).order_by(*order)
