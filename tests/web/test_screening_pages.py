"""The screening pages through a TestClient: the console's alert and its explanation for a
listed name written in another script, a batch checked whole (a bad line runs nothing) then run
and downloaded, a hit decided from the review queue, and the callers turned away."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from qalxan.access.tables import AuditRow
from qalxan.doctrine.registry import Doctrine
from qalxan.screening import lists, service
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from qalxan.web.app import create_app
from tests.people import make_person
from tests.web.test_account_pages import HTML, sign_in
from tests.web.test_intake_pages import text_of

LIST = """id,name,birth_date,nationality
AZ-1,Aram Synthetic,1970-01-01,am
AZ-2,Bora Example,1965-03-03,tr
AZ-3,Leyla Quliyeva,1980-05-05,az
AZ-4,Orkhan Testov,1990,az
"""
OFFICER = "sbs.screening"
LEYLA = {
    "name": "Лейла Кулиева",
    "schema": "Person",
    "birth_date": "1980-05-05",
    "nationality": "Azerbaijan",
    "gender": "female",
    "identifier": "",
    "use": "border",
}
BAD_BATCH = "id,name,birth_date\nq1,Aram Synthetic,1970\nq2,Someone Else,not a date\n"
BATCH = "id,name,birth_date,nationality\nq1,Aram Sintetik,1970-01-01,am\nq2,Ivan Petrenko,,ua\n"


@pytest.fixture
def web(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def officer(
    engine: Engine,
    settings: Settings,
    doctrine: Doctrine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """A border screening officer, and a national test list imported by them."""
    monkeypatch.setattr("tests.people.load_bundled", lambda: doctrine)
    person = make_person(
        engine, settings, OFFICER, "agency-sbs", ["screening_officer"], with_key=False
    )
    ctx = person.ctx(engine, settings)
    lists.declare(ctx, lists.ListSpec("az-test", "Test list", "Authority", "Law", ("border",)))
    path = tmp_path / "national.csv"
    path.write_text(LIST, "utf-8")
    service.import_list(ctx, path, "csv", "az-test")
    return OFFICER


def audited(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == action)))


def upload(web: TestClient, csrf: str, content: str, **data: str) -> Any:
    files = {"file": ("manifest.csv", content.encode("utf-8"), "text/csv")}
    fields = {"csrf_token": csrf, "use": "border", "top": "3", **data}
    return web.post("/screening/batch", data=fields, files=files, headers=HTML)


def finished(web: TestClient, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        state: dict[str, Any] = web.get(f"/screening/batch/{job}").json()
        if state["state"] != "running" or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def test_an_officer_screens_runs_a_batch_and_decides_a_hit(
    web: TestClient, officer: str, engine: Engine, settings: Settings
) -> None:
    csrf = sign_in(web, officer)
    empty = web.get("/screening", headers=HTML).text
    assert 'href="/screening" aria-current="page"' in empty
    assert "A match is a lead for your decision, never an automatic refusal." in empty

    # The listed Leyla Quliyeva, written in Cyrillic: an alert, explained feature by feature.
    screened = web.post("/screening", data={"csrf_token": csrf, **LEYLA}, headers=HTML)
    assert screened.status_code == 200, screened.text
    row = re.search(r'<tr data-source-id="AZ-3" class="alerting">(.*?)</tr>', screened.text, re.S)
    assert row is not None, text_of(screened.text)
    cells = text_of(row.group(1))
    assert "Leyla Quliyeva" in cells and "alert" in cells and "az-test" in cells
    assert "кулиева~quliyeva" in cells and "birth date matches" in cells
    assert "birth date +0.08" in cells and "nationality +0.03" in cells
    found = re.search(r'href="/screening/hits/(\w+)"', row.group(1))
    assert found is not None
    hit_id = found.group(1)
    wrong = web.post(
        "/screening", data={"csrf_token": csrf, **LEYLA, "birth_date": "soon"}, headers=HTML
    )
    assert wrong.status_code == 422 and 'id="birth_date-error"' in wrong.text

    # A bad line is named, and nothing runs.
    refused = upload(web, csrf, BAD_BATCH)
    assert refused.status_code == 422
    assert "line 3: birth_date: &#39;not a date&#39; is not a date" in refused.text
    assert 'id="file-error"' in refused.text and "data-batch-poll" not in refused.text
    assert audited(engine, "screening.batch") == []
    started = upload(web, csrf, BATCH)
    assert started.status_code == 303, started.text
    job = started.headers["location"].removeprefix("/screening/batch?job=")
    assert "<progress" in web.get(started.headers["location"], headers=HTML).text
    state = finished(web, job)
    assert (state["state"], state["done"], state["total"]) == ("done", 2, 2), state
    rows = list(csv.DictReader(io.StringIO(web.get(state["results"]).text)))
    assert [(r["query_id"], r["source_id"], r["rank"]) for r in rows] == [("q1", "AZ-1", "1")]
    assert len(audited(engine, "screening.batch")) == 1

    queue = web.get("/screening/hits", headers=HTML).text
    assert f'data-hit="{hit_id}"' in queue and "Лейла Кулиева" in queue
    hit = text_of(web.get(f"/screening/hits/{hit_id}", headers=HTML).text)
    assert "Source id AZ-3" in hit and "кулиева~quliyeva" in hit and "Not decided yet." in hit
    decision = f"/screening/hits/{hit_id}"
    no_reason = {"csrf_token": csrf, "disposition": "false_match", "reason": " "}
    missing = web.post(decision, data=no_reason, headers=HTML)
    assert missing.status_code == 422 and 'id="reason-error"' in missing.text
    reason = "Another Leyla: her father's name differs"
    decided = web.post(decision, data={**no_reason, "reason": reason}, headers=HTML)
    assert decided.headers["location"] == "/screening/hits?done=false_match"
    after = web.get(decided.headers["location"], headers=HTML).text
    assert "Recorded as a false match" in after and f'data-hit="{hit_id}"' not in after
    assert reason.replace("'", "&#39;") in web.get(decision, headers=HTML).text

    assert "Yoxlama konsolu" in web.get("/screening?lang=az", headers=HTML).text

    # The batch is its starter's only.
    web.cookies.clear()
    make_person(engine, settings, "sbs.other", "agency-sbs", ["screening_officer"], with_key=False)
    sign_in(web, "sbs.other")
    assert web.get(f"/screening/batch/{job}").status_code == 404
    assert web.get(f"/screening/batch/{job}/results.csv").status_code == 404


def test_callers_without_a_session_token_or_the_permission_are_turned_away(
    web: TestClient, engine: Engine, settings: Settings, doctrine: Doctrine
) -> None:
    pages = ("/screening", "/screening/batch", "/screening/hits", "/screening/hits/abc")
    for path in pages:
        answer = web.get(path, headers=HTML)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=")
    assert web.post("/screening", data=LEYLA, headers=HTML).headers["location"] == "/login"

    make_person(engine, settings, OFFICER, "agency-sbs", ["screening_officer"], with_key=False)
    sign_in(web, OFFICER)
    assert web.post("/screening", data=LEYLA, headers=HTML).status_code == 403
    no_token = {"disposition": "true_match", "reason": "r"}
    assert web.post("/screening/hits/abc", data=no_token, headers=HTML).status_code == 403
    files = {"file": ("m.csv", BATCH.encode(), "text/csv")}
    batch = web.post("/screening/batch", data={"use": "border"}, files=files, headers=HTML)
    assert batch.status_code == 403

    web.cookies.clear()
    make_person(engine, settings, "sbs.reporter", "agency-sbs", ["reporter"], with_key=False)
    sign_in(web, "sbs.reporter")
    for path in pages:
        assert web.get(path, headers=HTML).status_code in (403, 404), path
    assert 'href="/screening"' not in web.get("/reports/new", headers=HTML).text
