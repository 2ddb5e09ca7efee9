"""The warning desk: the service the API and the pages call (see docs/alerts-desk.md).

Every function takes the caller's :class:`~qalxan.access.audit.Context`, checks the policy,
runs in one audited transaction and returns the stored row::

    create(ctx, settings, AlertForm) -> AlertRow             a draft (msgType Alert)
    create_from_xml(ctx, settings, bytes) -> AlertRow        a draft from a CAP document
    edit(ctx, settings, id, AlertForm) -> AlertRow           back to draft; approval withdrawn
    edit_from_xml(ctx, settings, id, bytes) -> AlertRow
    submit(ctx, id, note=None) -> AlertRow                   draft/rejected -> submitted
    approve(ctx, id, seen=None) -> AlertRow                  submitted -> approved (four eyes;
                                                             seen: digest() of what was read)
    reject(ctx, id, reason) -> AlertRow                      submitted/approved -> rejected
    issue(ctx, settings, id) -> AlertRow                     approved -> issued (+ channels)
    update(ctx, settings, id, AlertForm | None) -> AlertRow  a draft Update of an issued alert
    cancel(ctx, settings, id, note, AlertForm | None)        a draft Cancel of an issued alert
    get(ctx, id) / steps(ctx, id) / listing(ctx, Query)      reading (policy, audited)
    stored_alert(row) -> Alert; form_of(Alert) -> AlertForm  the row's alert; its form to edit
    is_active(row, now=None) -> bool; digest(row) -> str

    create_channel(ctx, ChannelForm) / list_channels(ctx) / deactivate_channel(ctx, id)

Errors: InvalidInput naming the field or CAP element (422; NotIssuable lists every error),
Forbidden (403: roles, or the four-eyes rule), Hidden/NotFound (404), Conflict (409: the
alert's state does not allow the step, or it changed since the approver read it).
"""

from __future__ import annotations

from qalxan.alerts.authoring import NotIssuable, form_of
from qalxan.alerts.channels import (
    ChannelForm,
    create_channel,
    deactivate_channel,
    list_channels,
)
from qalxan.alerts.drafting import cancel, create, create_from_xml, edit, edit_from_xml, update
from qalxan.alerts.form import AlertForm, AreaForm, CircleForm, InfoForm
from qalxan.alerts.issuing import issue
from qalxan.alerts.lookup import ACTIVE, Query, get, listing, steps
from qalxan.alerts.publish import is_active
from qalxan.alerts.rows import STATES, stored_alert
from qalxan.alerts.workflow import approve, digest, reject, submit

__all__ = [
    "ACTIVE",
    "STATES",
    "AlertForm",
    "AreaForm",
    "ChannelForm",
    "CircleForm",
    "InfoForm",
    "NotIssuable",
    "Query",
    "approve",
    "cancel",
    "create",
    "create_channel",
    "create_from_xml",
    "deactivate_channel",
    "digest",
    "edit",
    "edit_from_xml",
    "form_of",
    "get",
    "is_active",
    "issue",
    "list_channels",
    "listing",
    "reject",
    "steps",
    "stored_alert",
    "submit",
    "update",
]
