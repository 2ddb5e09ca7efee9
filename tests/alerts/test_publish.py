"""Publication: the Atom feed of active public alerts, and the channel messages of an issue
(one outbox message per alert and channel, never two)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import Engine, select

from qalxan.alerts import desk, read_feed
from qalxan.alerts.authoring import to_alert
from qalxan.alerts.broadcast import fan_out, fitting_info, sms_text
from qalxan.alerts.desk import ChannelForm
from qalxan.alerts.publish import (
    active_public,
    atom_feed,
    cap_path,
    feed_updated,
    public_alert,
)
from qalxan.alerts.xmldoc import ATOM
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound
from qalxan.outbox.tables import OutboxRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.alerts.desk_shared import Cast, audits, form, info, make_cast

BASE = "https://warnings.example.az"


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def issue(cast: Cast, settings: Settings, draft: desk.AlertForm | None = None) -> str:
    row = desk.create(cast.author, settings, draft or form())
    desk.submit(cast.author, row.id)
    desk.approve(cast.approver, row.id)
    return desk.issue(cast.author, settings, row.id).id


def outbox(engine: Engine) -> list[OutboxRow]:
    with transaction(engine) as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.channel)))


def test_the_feed_lists_only_active_public_alerts(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    public = issue(cast, settings)
    restricted = issue(cast, settings, form(scope="Restricted", restriction="İcra hakimiyyəti"))
    replaced = issue(cast, settings)
    update = desk.update(cast.author, settings, replaced)
    desk.submit(cast.author, update.id)
    desk.approve(cast.approver, update.id)
    desk.issue(cast.author, settings, update.id)
    desk.create(cast.author, settings, form())  # a draft
    rows = active_public(engine)
    assert {r.id for r in rows} == {public, update.id}

    updated = feed_updated(engine)
    data = atom_feed(rows, BASE, "Public warnings", "mes.gov.az", updated)
    root = etree.fromstring(data)
    assert root.tag == f"{{{ATOM}}}feed"
    for name in ("id", "title", "updated", f"author/{{{ATOM}}}name"):
        assert root.find(f"{{{ATOM}}}{name}") is not None, name
    entries = root.findall(f"{{{ATOM}}}entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ("id", "title", "updated", "summary"):
            assert entry.find(f"{{{ATOM}}}{name}").text, name
        link = entry.find(f"{{{ATOM}}}link")
        assert link.get("rel") == "alternate" and link.get("type") == "application/cap+xml"
        assert link.get("href") == entry.find(f"{{{ATOM}}}id").text
        assert link.get("href").startswith(f"{BASE}/alerts/cap/mes.gov.az/mes.gov.az.")
        polygon = entry.find("{http://www.georss.org/georss}polygon").text.split()
        assert len(polygon) % 2 == 0 and polygon[:2] == polygon[-2:]
    assert entries[0].find(f"{{{ATOM}}}title").text == "Şəkidə sel gözlənilir"
    feed = read_feed(data)  # the platform's own feed reader accepts it
    assert {e.link for e in feed.entries} == {
        f"{BASE}{cap_path(r.sender, r.identifier)}" for r in rows
    }

    # Expiry: once every info has expired the alert leaves the feed, and the feed changed then.
    expires = max(r.expires for r in rows if r.expires)
    later = expires.replace(tzinfo=expires.tzinfo or UTC) + timedelta(minutes=1)
    assert active_public(engine, later) == []
    assert feed_updated(engine, later) > updated
    with pytest.raises(NotFound):
        public_alert(engine, "mes.gov.az", desk.get(cast.author, restricted).identifier)
    assert public_alert(engine, "mes.gov.az", desk.get(cast.author, replaced).identifier)


def test_channels_get_one_message_per_alert_and_channel(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    sms = desk.create_channel(
        cast.author, ChannelForm("SMS AZ", "sms", "+994 50 123 45 67", ("az",))
    )
    email = desk.create_channel(
        cast.author, ChannelForm("E-mail RU", "email", "duty@example.az", ("ru",))
    )
    hook = desk.create_channel(
        cast.author,
        ChannelForm("Partner", "webhook", "https://partner.example.az/cap", ("en", "az")),
    )
    desk.create_channel(
        cast.author, ChannelForm("Extreme only", "sms", "+994501111111", (), "Extreme")
    )
    off = desk.create_channel(cast.author, ChannelForm("Off", "email", "off@example.az"))
    desk.deactivate_channel(cast.author, off.id)
    desk.create_channel(cast.outsider, ChannelForm("Theirs", "email", "sbs@example.az"))

    alert_id = issue(cast, settings, form("az", "ru", "en"))
    messages = outbox(engine)
    by_name = {m.meta["channel"]: m for m in messages}
    assert set(by_name) == {sms.id, hook.id, email.id}
    assert len(messages) == 3
    text = by_name[sms.id]
    assert text.channel == "sms" and text.address == "+994501234567"
    assert text.body.startswith("Şəkidə sel gözlənilir (Şəki). Çay kənarından")
    assert len(text.body) <= settings.sms_max_length
    mail = by_name[email.id]
    assert mail.subject == "В Шеки ожидается сель" and mail.meta["language"] == "ru"
    assert mail.body.rstrip().endswith(mail.meta["cap_url"])
    assert "Шекинский район" in mail.body and "Серьёзная" in mail.body
    partner = by_name[hook.id]
    assert partner.content_type == "application/cap+xml"
    assert partner.body == desk.get(cast.author, alert_id).xml
    assert {m.dedup_key for m in messages} == {
        f"alert:{alert_id}:channel:{m.meta['channel']}" for m in messages
    }
    assert all(m.source_id == alert_id and m.tlp == "CLEAR" for m in messages)
    assert sorted(audits(engine, "alert.issue")[0].detail["messages"]) == sorted(
        m.id for m in messages
    )

    # Enqueueing again (a retried issue) stores nothing twice.
    row = desk.get(cast.author, alert_id)
    with transaction(engine) as session:
        again = fan_out(session, row, desk.stored_alert(row), settings)
    assert {m.id for m in again} == {m.id for m in messages}
    assert len(outbox(engine)) == 3


def test_what_channels_do_not_get(cast: Cast, engine: Engine, settings: Settings) -> None:
    desk.create_channel(cast.author, ChannelForm("SMS", "sms", "+994501234567"))
    desk.create_channel(cast.author, ChannelForm("Partner", "webhook", "https://p.example.az/"))
    issue(cast, settings, form(scope="Restricted", restriction="İcra hakimiyyəti"))
    assert outbox(engine) == []
    issue(cast, settings, form(status="Exercise"))
    assert [m.channel for m in outbox(engine)] == ["webhook"]  # people get only Actual alerts


def test_the_sms_text_fits_and_the_language_and_severity_choose_the_info() -> None:
    long = info(instruction="Evdən çıxmayın. " * 40)
    sent = datetime.now(UTC).replace(microsecond=0)
    content = form(infos=(long, info("ru", severity="Minor")))
    alert = to_alert(content, identifier="i", sender="s", sent=sent)
    assert len(sms_text(alert, alert.infos[0], 160)) == 160
    assert sms_text(alert, alert.infos[0], 160).endswith("(shortened)")
    assert fitting_info(alert, ["ru", "az"], "Minor") == alert.infos[1]
    assert fitting_info(alert, ["ru", "az"], "Moderate") == alert.infos[0]
    assert fitting_info(alert, ["ru"], "Severe") is None
    assert fitting_info(alert, [], "Extreme") is None
    cancel = replace(alert, msg_type="Cancel")
    assert sms_text(cancel, cancel.infos[1], 160).startswith("Отмена: В Шеки")


def test_channel_management_is_checked_and_audited(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    bad = [
        (ChannelForm(" ", "sms", "+994501234567"), "name"),
        (ChannelForm("x", "pigeon", "+994501234567"), "adapter"),
        (ChannelForm("x", "sms", "not a number"), "address"),
        (ChannelForm("x", "email", "nobody"), "address"),
        (ChannelForm("x", "webhook", "ftp://x.az"), "address"),
        (ChannelForm("x", "sms", "+994501234567", ("de",)), "languages"),
        (ChannelForm("x", "sms", "+994501234567", (), "Huge"), "min_severity"),
    ]
    for channel, field in bad:
        with pytest.raises(InvalidInput) as caught:
            desk.create_channel(cast.author, channel)
        assert caught.value.field == field
    made = desk.create_channel(cast.author, ChannelForm("SMS", "sms", "+994501234567", ("AZ",)))
    assert made.languages == ["az"] and made.owner_agency == "agency-mes"
    with pytest.raises(Conflict):
        desk.create_channel(cast.author, ChannelForm("SMS", "sms", "+994501234568"))
    with pytest.raises(Forbidden):
        desk.create_channel(cast.officer, ChannelForm("Mine", "sms", "+994501234567"))
    with pytest.raises(NotFound):
        desk.deactivate_channel(cast.outsider, made.id)
    assert desk.list_channels(cast.outsider) == []
    assert not desk.deactivate_channel(cast.approver, made.id).active
    assert desk.list_channels(cast.author) == []
    assert [c.id for c in desk.list_channels(cast.author, include_inactive=True)] == [made.id]
    assert [a.outcome for a in audits(engine, "alert_channel.create")].count("success") == 1
    assert [a.outcome for a in audits(engine, "alert_channel.deactivate")] == [
        "invalid",
        "success",
    ]
