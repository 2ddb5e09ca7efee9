"""Writing drafts: a new alert, an edit, an update or a cancellation of an issued alert.

A draft is made from the alert form or from a CAP document (its content is kept; its
``identifier``, ``sender`` and ``sent`` are the desk's). Each draft gets its final identifier
when it is created, so that the approver reads the very document that will be issued: only
``sent`` is set again at issue. An edit in any state before issue returns the alert to
``draft`` and withdraws its approval; its editor becomes one of its authors, who may not
approve it. Every call is audited (``alert.create``, ``alert.update``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.alerts.authoring import checked, form_of, to_alert
from qalxan.alerts.fields import format_references
from qalxan.alerts.form import AlertForm
from qalxan.alerts.model import Alert
from qalxan.alerts.parse import parse_alert
from qalxan.alerts.rows import (
    APPROVED,
    AUTHORED,
    DRAFT,
    EDITABLE,
    ISSUED,
    RECORD_TYPE,
    actor_of,
    add_step,
    cap_now,
    new_identifier,
    require_state,
    stored_alert,
    summarise,
)
from qalxan.alerts.tables import AlertRow
from qalxan.alerts.write import write_alert
from qalxan.errors import InvalidInput
from qalxan.settings import Settings
from qalxan.store.ids import new_id

# Drafts are for official use until issued (issuing a Public alert makes it public).
DRAFT_CLASSIFICATION = "restricted"
AUTHORED_TYPES = ("Alert", "Update", "Cancel")


Key = dict[str, Any]  # identifier, sender, sent, msg_type, references: the desk's part
Build = Callable[[Key, Alert | None], Alert]  # (the desk's part, the alert followed up)


def create(ctx: audit.Context, settings: Settings, form: AlertForm) -> AlertRow:
    """A new draft (``msgType`` Alert) from the form."""
    return _create(ctx, settings, "Alert", lambda key, _: to_alert(form, **key))


def create_from_xml(ctx: audit.Context, settings: Settings, data: bytes) -> AlertRow:
    """A new draft with the content of the CAP document ``data``. An Update or Cancel must
    reference exactly one issued alert of this desk, which it will supersede."""
    document = parse_alert(data)
    if document.msg_type not in AUTHORED_TYPES:
        raise InvalidInput(
            f"alert/msgType: the desk issues {', '.join(AUTHORED_TYPES)}, not {document.msg_type}",
            field="alert/msgType",
        )
    return _create(
        ctx,
        settings,
        document.msg_type,
        lambda key, _: replace(document, signatures=(), **key),
        document=document,
    )


def update(
    ctx: audit.Context, settings: Settings, original_id: str, form: AlertForm | None = None
) -> AlertRow:
    """A draft that updates the issued alert ``original_id``: the form given, or the
    original's content to edit."""

    def build(key: Key, earlier: Alert | None) -> Alert:
        assert earlier is not None
        return to_alert(form or form_of(earlier), **key)

    return _create(ctx, settings, "Update", build, original_id=original_id)


def cancel(
    ctx: audit.Context,
    settings: Settings,
    original_id: str,
    note: str,
    form: AlertForm | None = None,
) -> AlertRow:
    """A draft that cancels the issued alert ``original_id``; ``note`` says why (CAP note).
    Its content is the form given, or the original's (so that channels can say what ends)."""
    if not note.strip():
        raise InvalidInput("note: say why the alert is cancelled", field="note")

    def build(key: Key, earlier: Alert | None) -> Alert:
        assert earlier is not None
        content = replace(form or form_of(earlier), note=note.strip())
        return to_alert(content, **key)

    return _create(ctx, settings, "Cancel", build, original_id=original_id)


def edit(ctx: audit.Context, settings: Settings, alert_id: str, form: AlertForm) -> AlertRow:
    """Replace the content of a draft (or of a submitted, approved or rejected alert, which
    returns to draft) with the form's."""
    return _edit(ctx, settings, alert_id, lambda key: to_alert(form, **key))


def edit_from_xml(ctx: audit.Context, settings: Settings, alert_id: str, data: bytes) -> AlertRow:
    """:func:`edit` with the content of a CAP document (identity and type stay the row's)."""
    document = parse_alert(data)
    return _edit(ctx, settings, alert_id, lambda key: replace(document, signatures=(), **key))


def _create(
    ctx: audit.Context,
    settings: Settings,
    msg_type: str,
    build: Build,
    *,
    original_id: str | None = None,
    document: Alert | None = None,
) -> AlertRow:
    principal = ctx.principal
    alert_id = new_id()
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE, alert_id) as rec:
        rank = scheme().classification(DRAFT_CLASSIFICATION).rank
        owner = policy.check_create(principal, RECORD_TYPE, None, rank)
        rec.entry.record_agency = owner
        original, earlier, references = None, None, None
        if original_id is not None:
            original = _current(rec, principal, original_id)
            earlier = stored_alert(original)
            references = format_references((*earlier.reference_list(), earlier.key))
        elif document is not None and msg_type != "Alert":
            original = _referenced(rec, principal, document)
            references = document.references
        sent = cap_now(settings.timezone)
        key: Key = {
            "identifier": new_identifier(settings.alerts_sender, sent),
            "sender": settings.alerts_sender,
            "sent": sent,
            "msg_type": msg_type,
            "references": references,
        }
        alert = checked(build(key, earlier))
        actor = actor_of(principal)
        row = AlertRow(
            id=alert_id,
            owner_agency=owner,
            classification=rank,
            tlp=None,
            state=DRAFT,
            supersedes=original.id if original else None,
            origin=AUTHORED,
            created_by=actor,
            created_at=datetime.now(UTC),
        )
        summarise(row, alert, write_alert(alert))
        rec.session.add(row)
        rec.session.flush()
        add_step(rec.session, alert_id, "create", actor, f"msgType {msg_type}")
        rec.entry.detail = {
            "msg_type": msg_type,
            "identifier": alert.identifier,
            "supersedes": row.supersedes,
            "from": "xml" if document is not None else "form",
        }
    return row


def _current(rec: audit.Recording, principal: Principal, original_id: str) -> AlertRow:
    """The issued alert of this desk ``original_id``, if the caller may change it."""
    original: AlertRow = policy.load(rec.session, principal, AlertRow, original_id, "update")
    if original.origin != AUTHORED:
        raise InvalidInput(
            f"id: alert {original.id} was received from {original.origin}; only alerts of this "
            "desk can be updated or cancelled here",
            field="id",
        )
    require_state(original, "an update or a cancellation", ISSUED)
    return original


def _referenced(rec: audit.Recording, principal: Principal, document: Alert) -> AlertRow:
    """The one alert of this desk in force that ``document`` (an Update or Cancel) names (it
    may name earlier ones too: a chain of updates names every message before it)."""
    ours: list[str] = []
    for reference in document.reference_list():
        query = select(AlertRow.id).where(
            AlertRow.sender == reference.sender,
            AlertRow.identifier == reference.identifier,
            AlertRow.origin == AUTHORED,
            AlertRow.state == ISSUED,
        )
        ours.extend(rec.session.scalars(query))
    if len(ours) != 1:
        raise InvalidInput(
            f"alert/references: an {document.msg_type} must name exactly one alert of this "
            f"desk in force (it names {len(ours)})",
            field="alert/references",
        )
    return _current(rec, principal, ours[0])


def _edit(
    ctx: audit.Context, settings: Settings, alert_id: str, build: Callable[[Key], Alert]
) -> AlertRow:
    with audit.recorded(ctx, f"{RECORD_TYPE}.update", RECORD_TYPE, alert_id) as rec:
        row: AlertRow = policy.load(rec.session, ctx.principal, AlertRow, alert_id, "update")
        rec.entry.record_agency = row.owner_agency
        require_state(row, "an edit", *EDITABLE)
        before = stored_alert(row)
        key: Key = {
            "identifier": before.identifier,
            "sender": before.sender,
            "sent": cap_now(settings.timezone),
            "msg_type": before.msg_type,
            "references": before.references,
        }
        alert = checked(build(key))
        previous = row.state
        summarise(row, alert, write_alert(alert))
        row.state = DRAFT
        row.approved_by = row.approved_at = None
        note = "approval withdrawn by the edit" if previous == APPROVED else None
        add_step(rec.session, row.id, "edit", actor_of(ctx.principal), note)
        rec.entry.detail = {"from_state": previous, "state": DRAFT}
    return row
