"""Issued alerts out through the channels: one outbox message per (alert, channel).

Called by the issue, in its transaction: the messages exist if and only if the alert was
issued. Which channels: the active channels of the alert's agency, for Public alerts only
(Restricted and Private alerts stay on the platform), where one of the alert's info blocks is
in a language the channel takes (any, when it names none) and at least as severe as the
channel's ``min_severity`` (the order of ``severity`` in ``data/cap.yaml``, Extreme first).
SMS and e-mail carry only ``Actual`` alerts; partner systems (webhooks) get every status and
read ``<status>`` themselves.

What each gets: SMS, a short text in the channel's language (headline, area, instruction)
within ``QALXAN_SMS_MAX_LENGTH``; e-mail, the text and the link to the CAP document; a
webhook, the CAP document itself (``application/cap+xml``). The dedup key
``alert:<id>:channel:<id>`` makes a retried issue, or a second call, send nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from qalxan.access.markings import scheme
from qalxan.alerts.fields import format_timestamp
from qalxan.alerts.model import Alert, Info
from qalxan.alerts.publish import CAP_MEDIA_TYPE, cap_path, public_base
from qalxan.alerts.tables import AlertChannelRow, AlertRow
from qalxan.alerts.vocabulary import load_vocabulary
from qalxan.outbox.service import Message, enqueue
from qalxan.outbox.sms import shorten
from qalxan.outbox.tables import OutboxRow
from qalxan.settings import Settings

PERSONAL_CHANNELS = ("sms", "email")  # reach people: never anything but Actual alerts


def fan_out(session: Session, row: AlertRow, alert: Alert, settings: Settings) -> list[OutboxRow]:
    """Enqueue the issued ``alert`` (stored as ``row``) on every channel it fits."""
    if alert.scope != "Public":
        return []
    query = (
        select(AlertChannelRow)
        .where(AlertChannelRow.active, AlertChannelRow.owner_agency == row.owner_agency)
        .order_by(AlertChannelRow.name)
    )
    messages = []
    for channel in session.scalars(query):
        if channel.adapter in PERSONAL_CHANNELS and alert.status != "Actual":
            continue
        info = fitting_info(alert, channel.languages, channel.min_severity)
        if info is not None:
            messages.append(enqueue(session, _message(channel, row, alert, info, settings)))
    return messages


def fitting_info(alert: Alert, languages: Sequence[str], min_severity: str) -> Info | None:
    """The info block for a channel: in the first of its languages the alert has, severe
    enough; None when there is none."""
    order = load_vocabulary().codes("severity")
    limit = order.index(min_severity) if min_severity in order else len(order) - 1
    severe = [i for i in alert.infos if i.severity in order and order.index(i.severity) <= limit]
    if not languages:
        return severe[0] if severe else None
    for language in languages:
        for info in severe:
            if _primary(info.lang) == _primary(language):
                return info
    return None


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


def _message(
    channel: AlertChannelRow, row: AlertRow, alert: Alert, info: Info, settings: Settings
) -> Message:
    url = f"{public_base(settings)}{cap_path(alert.sender, alert.identifier)}"
    if channel.adapter == "sms":
        body, subject, content_type = sms_text(alert, info, settings.sms_max_length), "", None
    elif channel.adapter == "email":
        body, subject = email_text(alert, info, url), _headline(alert, info)
        content_type = None
    else:
        body, subject, content_type = row.xml, "", CAP_MEDIA_TYPE
    return Message(
        channel=channel.adapter,
        address=channel.address,
        body=body,
        subject=subject[:998],
        content_type=content_type or "text/plain; charset=utf-8",
        source_type=row.record_type,
        source_id=row.id,
        meta={"channel": channel.id, "language": info.lang, "cap_url": url},
        dedup_key=f"alert:{row.id}:channel:{channel.id}",
        classification=scheme().by_rank(row.classification).code,
        tlp=row.tlp,
    )


def _headline(alert: Alert, info: Info) -> str:
    """The headline (else the event), after "Update: " or "Cancel: " in the info's language."""
    text = " ".join((info.headline or info.event).split())
    if alert.msg_type == "Alert":
        return text
    return f"{load_vocabulary().label('msgType', alert.msg_type, info.lang)}: {text}"


def _where(info: Info) -> str:
    return "; ".join(dict.fromkeys(" ".join(area.desc.split()) for area in info.areas))


def sms_text(alert: Alert, info: Info, max_length: int) -> str:
    """``Headline (area). Instruction``, cut to ``max_length`` characters with a note."""
    text = _headline(alert, info)
    where = _where(info)
    if where:
        text = f"{text} ({where})"
    if info.instruction and info.instruction.strip():
        text = f"{text}. {' '.join(info.instruction.split())}"
    return shorten(text, max_length)


def email_text(alert: Alert, info: Info, url: str) -> str:
    """The alert as plain text in the info's language, with the link to its CAP document."""
    vocabulary = load_vocabulary()
    lang = info.lang
    grades = " / ".join(
        vocabulary.label(name, code, lang)
        for name, code in (
            ("severity", info.severity),
            ("urgency", info.urgency),
            ("certainty", info.certainty),
        )
    )
    times = " - ".join(
        format_timestamp(t) for t in (info.onset or info.effective or alert.sent, info.expires) if t
    )
    parts = [
        _headline(alert, info),
        f"{info.event}: {grades}\n{_where(info)}\n{times}",
        info.description,
        info.instruction,
        alert.note if alert.msg_type == "Cancel" else None,
        f"CAP: {url}",
    ]
    return "\n\n".join(part.strip() for part in parts if part and part.strip()) + "\n"
