"""Updates and cancellations: new alerts that reference the original, through the same
draft -> approved -> issued path, which replace the original when issued; and expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from qalxan.alerts import desk, parse_alert, write_alert
from qalxan.errors import Conflict, InvalidInput
from qalxan.settings import Settings
from tests.alerts.desk_shared import Cast, audits, form, history, info, make_cast


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def through(cast: Cast, settings: Settings, alert_id: str) -> str:
    """Submit, approve (a second person) and issue ``alert_id``."""
    desk.submit(cast.author, alert_id)
    desk.approve(cast.approver, alert_id)
    return desk.issue(cast.author, settings, alert_id).id


def issued(cast: Cast, settings: Settings) -> str:
    return through(cast, settings, desk.create(cast.author, settings, form()).id)


def test_an_update_supersedes_the_original_once_issued(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    original_id = issued(cast, settings)
    original = desk.stored_alert(desk.get(cast.author, original_id))
    draft = desk.update(cast.author, settings, original_id)
    assert (draft.state, draft.msg_type, draft.supersedes) == ("draft", "Update", original_id)
    update = desk.stored_alert(draft)
    assert update.reference_list() == (original.key,)
    assert update.infos == original.infos  # the original's content, to edit
    worse = form(infos=(info(severity="Extreme"), info("en", severity="Extreme")))
    edited = desk.edit(cast.author, settings, draft.id, worse)
    assert (edited.msg_type, edited.severity) == ("Update", "Extreme")
    assert desk.get(cast.author, original_id).state == "issued"  # until the update is issued

    through(cast, settings, draft.id)
    assert desk.get(cast.author, original_id).state == "superseded"
    assert not desk.is_active(desk.get(cast.author, original_id))
    new = parse_alert(desk.get(cast.author, draft.id).xml.encode())
    assert new.msg_type == "Update" and new.reference_list() == (original.key,)
    assert history(engine, original_id)[-1] == ("superseded", cast.author.principal.user_id)
    created = audits(engine, "alert.create")[-1].detail
    assert created["msg_type"] == "Update" and created["supersedes"] == original_id

    # A chain: the next update names every earlier message, and only the one in force counts.
    second = desk.update(cast.author, settings, draft.id)
    assert desk.stored_alert(second).reference_list() == (original.key, new.key)
    with pytest.raises(Conflict):
        desk.update(cast.author, settings, original_id)


def test_a_cancel_cancels_and_says_why(cast: Cast, engine: Engine, settings: Settings) -> None:
    original_id = issued(cast, settings)
    with pytest.raises(InvalidInput) as caught:
        desk.cancel(cast.author, settings, original_id, " ")
    assert caught.value.field == "note"
    draft = desk.cancel(cast.author, settings, original_id, "Təhlükə sovuşub")
    cancel = desk.stored_alert(draft)
    assert cancel.msg_type == "Cancel" and cancel.note == "Təhlükə sovuşub"
    through(cast, settings, draft.id)
    original = desk.get(cast.author, original_id)
    assert original.state == "cancelled" and not desk.is_active(original)
    assert desk.is_active(desk.get(cast.author, draft.id))
    assert history(engine, original_id)[-1][0] == "cancelled"


def test_two_updates_of_one_alert_only_the_first_issued_replaces_it(
    cast: Cast, settings: Settings
) -> None:
    original_id = issued(cast, settings)
    first = desk.update(cast.author, settings, original_id)
    second = desk.cancel(cast.author, settings, original_id, "duplicate")
    through(cast, settings, first.id)
    desk.submit(cast.author, second.id)
    desk.approve(cast.approver, second.id)
    with pytest.raises(Conflict) as caught:
        desk.issue(cast.author, settings, second.id)
    assert caught.value.field == "supersedes" and "superseded" in caught.value.message
    assert desk.get(cast.author, second.id).state == "approved"
    assert desk.get(cast.author, original_id).state == "superseded"


def test_a_cap_document_can_update_an_alert_of_the_desk(cast: Cast, settings: Settings) -> None:
    original_id = issued(cast, settings)
    original = desk.stored_alert(desk.get(cast.author, original_id))
    update = replace(original, msg_type="Update", references=original.key.text())
    draft = desk.create_from_xml(cast.author, settings, write_alert(update))
    assert (draft.msg_type, draft.supersedes) == ("Update", original_id)
    through(cast, settings, draft.id)
    assert desk.get(cast.author, original_id).state == "superseded"
    # A chain names the replaced original too: the alert in force is the one updated.
    current = desk.stored_alert(desk.get(cast.author, draft.id))
    chain = f"{original.key.text()} {current.key.text()}"
    second = desk.create_from_xml(
        cast.author, settings, write_alert(replace(original, msg_type="Cancel", references=chain))
    )
    assert (second.msg_type, second.supersedes) == ("Cancel", draft.id)
    stale = replace(original, msg_type="Update", references=original.key.text())
    with pytest.raises(InvalidInput, match="in force") as refused:
        desk.create_from_xml(cast.author, settings, write_alert(stale))
    assert refused.value.field == "alert/references"
    ack = replace(original, msg_type="Ack", references=original.key.text())
    with pytest.raises(InvalidInput) as caught:
        desk.create_from_xml(cast.author, settings, write_alert(ack))
    assert caught.value.field == "alert/msgType"


def test_an_alert_is_active_until_every_info_has_expired(cast: Cast, settings: Settings) -> None:
    soon, late = info(), info("en")
    assert soon.expires is not None
    late = replace(late, expires=soon.expires + timedelta(hours=6))
    draft = desk.create(cast.author, settings, form(infos=(soon, late)))
    alert_id = through(cast, settings, draft.id)
    row = desk.get(cast.author, alert_id)
    assert row.expires is not None
    assert desk.is_active(row, soon.expires + timedelta(hours=1))
    assert not desk.is_active(row, soon.expires + timedelta(hours=7))
    at = soon.expires + timedelta(hours=7)
    assert desk.listing(cast.author, desk.Query(state="active"), now=at) == []
    assert [r.id for r in desk.listing(cast.author, desk.Query(state="issued"))] == [alert_id]
