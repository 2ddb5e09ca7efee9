"""The desk's workflow: draft -> submitted -> approved (by a second person) -> issued; every step
audited and in the alert's history; what is issued validates and reads back unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from qalxan.access.policy import Hidden
from qalxan.alerts import desk, parse_alert, validate_alert, write_alert
from qalxan.alerts.schema import cap_schema
from qalxan.alerts.xmldoc import parse_xml
from qalxan.errors import Conflict, Forbidden, InvalidInput
from qalxan.settings import Settings
from tests.alerts.desk_shared import Cast, audits, form, history, make_cast


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


def approved(cast: Cast, settings: Settings, draft_form: desk.AlertForm | None = None) -> str:
    row = desk.create(cast.author, settings, draft_form or form())
    desk.submit(cast.author, row.id)
    desk.approve(cast.approver, row.id, desk.digest(desk.get(cast.approver, row.id)))
    return row.id


def test_the_whole_path_is_audited_and_kept_in_the_history(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    row = desk.create(cast.author, settings, form())
    assert row.state == "draft" and row.msg_type == "Alert" and row.origin == "authored"
    assert row.identifier.startswith("mes.gov.az.") and row.sender == "mes.gov.az"
    assert row.severity == "Severe" and row.area_desc == "Şəki" and row.min_lat is not None
    assert desk.submit(cast.author, row.id).state == "submitted"
    seen = desk.digest(desk.get(cast.approver, row.id))
    approved_row = desk.approve(cast.approver, row.id, seen)
    assert approved_row.state == "approved"
    assert approved_row.approved_by == cast.approver.principal.user_id
    issued = desk.issue(cast.author, settings, row.id)
    assert issued.state == "issued" and issued.issued_by == cast.author.principal.user_id
    assert issued.identifier == row.identifier  # given once, when the draft was made
    assert issued.classification == 0 and issued.tlp == "CLEAR"
    assert desk.is_active(issued)

    author, approver = cast.author.principal.user_id, cast.approver.principal.user_id
    assert history(engine, row.id) == [
        ("create", author),
        ("submit", author),
        ("approve", approver),
        ("issue", author),
    ]
    for action in ("create", "submit", "approve", "issue"):
        (entry,) = audits(engine, f"alert.{action}")
        assert (entry.outcome, entry.record_id, entry.record_agency) == (
            "success",
            row.id,
            "agency-mes",
        )
    assert audits(engine, "alert.approve")[0].detail["sha256"] == seen
    assert audits(engine, "alert.issue")[0].detail["messages"] == []


def test_what_is_issued_is_what_was_approved_with_its_sent_time(
    cast: Cast, settings: Settings
) -> None:
    alert_id = approved(cast, settings)
    approved_alert = desk.stored_alert(desk.get(cast.author, alert_id))
    row = desk.issue(cast.author, settings, alert_id)
    data = row.xml.encode("utf-8")
    assert cap_schema().validate(parse_xml(data))
    issued = parse_alert(data)
    assert validate_alert(issued, issuing=True).ok
    assert issued == replace(approved_alert, sent=issued.sent)
    assert issued.sent.utcoffset() is not None and issued.sent.microsecond == 0
    assert parse_alert(write_alert(issued)) == issued
    assert write_alert(issued) == data  # the stored bytes are exactly what the writer gives
    assert issued.infos[0].areas[0].geocodes[0].value == "AZ-SAK"
    assert {i.language for i in issued.infos} == {"az", "en"}


def test_the_author_cannot_approve_and_an_approver_who_edits_is_an_author(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    row = desk.create(cast.author, settings, form())
    desk.submit(cast.author, row.id)
    with pytest.raises(Forbidden, match="four eyes"):
        desk.approve(cast.author, row.id)
    assert desk.get(cast.author, row.id).state == "submitted"
    desk.approve(cast.approver, row.id)

    # The approver changes what they approved: the approval is gone, and they may not give it.
    edited = desk.edit(cast.approver, settings, row.id, form(note="Yenilənmiş mətn"))
    assert (edited.state, edited.approved_by) == ("draft", None)
    with pytest.raises(Conflict):
        desk.issue(cast.author, settings, row.id)
    desk.submit(cast.approver, row.id)
    for writer in (cast.approver, cast.author):
        with pytest.raises(Forbidden, match="four eyes"):
            desk.approve(writer, row.id)
    assert desk.approve(cast.third, row.id).approved_by == cast.third.principal.user_id
    assert desk.issue(cast.approver, settings, row.id).state == "issued"
    assert [a.outcome for a in audits(engine, "alert.approve")] == [
        "denied",
        "success",
        "denied",
        "denied",
        "success",
    ]
    steps = [step for step, _ in history(engine, row.id)]
    assert steps == ["create", "submit", "approve", "edit", "submit", "approve", "issue"]


def test_approval_is_of_the_document_the_approver_read(cast: Cast, settings: Settings) -> None:
    row = desk.create(cast.author, settings, form())
    desk.submit(cast.author, row.id)
    seen = desk.digest(desk.get(cast.approver, row.id))
    desk.edit(cast.author, settings, row.id, form(note="changed"))
    desk.submit(cast.author, row.id)
    with pytest.raises(Conflict) as caught:
        desk.approve(cast.approver, row.id, seen)
    assert caught.value.field == "seen"
    assert desk.approve(cast.approver, row.id, desk.digest(desk.get(cast.approver, row.id)))


def test_reject_needs_a_reason_and_returns_the_alert_to_its_authors(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    row = desk.create(cast.author, settings, form())
    with pytest.raises(Conflict):
        desk.reject(cast.approver, row.id, "not yet submitted")
    desk.submit(cast.author, row.id)
    with pytest.raises(InvalidInput) as caught:
        desk.reject(cast.approver, row.id, "  ")
    assert caught.value.field == "reason"
    rejected = desk.reject(cast.approver, row.id, "Ərazi səhvdir")
    assert (rejected.state, rejected.approved_by) == ("rejected", None)
    _, steps = desk.steps(cast.author, row.id)
    assert (steps[-1].step, steps[-1].note) == ("reject", "Ərazi səhvdir")
    with pytest.raises(Conflict):
        desk.approve(cast.approver, row.id)
    assert desk.submit(cast.author, row.id).state == "submitted"
    assert [a.outcome for a in audits(engine, "alert.reject")] == ["invalid", "invalid", "success"]


def test_steps_out_of_order_are_conflicts(cast: Cast, settings: Settings) -> None:
    row = desk.create(cast.author, settings, form())
    with pytest.raises(Conflict, match="needs it approved"):
        desk.issue(cast.author, settings, row.id)
    with pytest.raises(Conflict):
        desk.approve(cast.approver, row.id)
    alert_id = approved(cast, settings)
    desk.issue(cast.author, settings, alert_id)
    steps: list[Callable[[], object]] = [
        lambda: desk.issue(cast.author, settings, alert_id),
        lambda: desk.edit(cast.author, settings, alert_id, form()),
        lambda: desk.submit(cast.author, alert_id),
        lambda: desk.reject(cast.approver, alert_id, "too late"),
    ]
    for step in steps:
        with pytest.raises(Conflict) as caught:
            step()
        assert caught.value.field == "state"


def test_drafts_are_protected_and_issued_public_alerts_are_open_to_readers(
    cast: Cast, settings: Settings
) -> None:
    draft = desk.create(cast.author, settings, form())
    for reader in (cast.officer, cast.outsider):
        with pytest.raises(Hidden):
            desk.get(reader, draft.id)
        assert draft.id not in {r.id for r in desk.listing(reader)}
    with pytest.raises(Forbidden):
        desk.create(cast.officer, settings, form())
    with pytest.raises(Hidden):
        desk.submit(cast.outsider, draft.id)

    alert_id = approved(cast, settings)
    desk.issue(cast.author, settings, alert_id)
    assert desk.get(cast.officer, alert_id).state == "issued"
    with pytest.raises(Forbidden, match="owning agency"):
        desk.update(cast.outsider, settings, alert_id)
    listed = desk.listing(cast.officer, desk.Query(state="active"))
    assert [r.id for r in listed] == [alert_id]
    mine = desk.listing(cast.author, desk.Query(state="draft"))
    assert {r.id for r in mine} == {draft.id}
    with pytest.raises(InvalidInput) as caught:
        desk.listing(cast.author, desk.Query(state="pending"))
    assert caught.value.field == "state"


def test_restricted_and_private_alerts_keep_their_marking(cast: Cast, settings: Settings) -> None:
    restricted = form(scope="Restricted", restriction="Rayon icra hakimiyyətləri üçün")
    alert_id = approved(cast, settings, restricted)
    row = desk.issue(cast.author, settings, alert_id)
    assert (row.scope, row.classification, row.tlp) == ("Restricted", 1, None)
    with pytest.raises(Hidden):
        desk.get(cast.officer, alert_id)


def test_an_issue_refused_names_every_element_and_changes_nothing(
    cast: Cast, engine: Engine, settings: Settings
) -> None:
    alert_id = approved(cast, settings)
    expires = desk.stored_alert(desk.get(cast.author, alert_id)).infos[0].expires
    assert expires is not None
    with pytest.raises(InvalidInput) as caught:
        desk.issue(cast.author, settings, alert_id, now=expires + timedelta(hours=1))
    assert "alert/info[1]/expires" in caught.value.message
    assert "alert/info[2]/expires" in caught.value.message
    assert desk.get(cast.author, alert_id).state == "approved"
    assert [a.outcome for a in audits(engine, "alert.issue")] == ["invalid"]
