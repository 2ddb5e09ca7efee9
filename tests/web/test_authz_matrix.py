"""The authorisation matrix: no bulletin route leaks a record.

Callers: every role x agency (the owner, an agency records are shared to, another one) x
clearance (unclassified, confidential, top secret). Records: every classification and every
TLP marking (and none), shared to an agency, to named users, or not at all, some opened to
oversight users by inquiry grants. For each caller, the bulletins seen through list, search,
count, export and detail must be exactly the ones :func:`sees` (an oracle written out plainly
here, not the policy) says; a bulletin out of reach answers 404 with the body of a bulletin that
does not exist; its title and id appear in no answer; roles without a permission get 403; an
anonymous caller gets 401 everywhere.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import Person, make_person

OWNER, SHARED, OTHER = "agency-mia", "agency-sbs", "agency-mes"
AGENCIES = {"owner": OWNER, "shared": SHARED, "other": OTHER}
CLEARANCES = {0: "unclassified", 2: "confidential", 4: "top_secret"}
LEVELS = ["unclassified", "restricted", "confidential", "secret", "top_secret"]

# What each role may do with bulletins, copied by hand from roles.yaml on purpose: a change to
# the roles must be a deliberate change to this test too.
ROLES = [
    "reporter",
    "duty_officer",
    "analyst",
    "screening_officer",
    "cert_analyst",
    "emergency_manager",
    "agency_admin",
    "platform_admin",
    "oversight",
]
READERS = {
    "reporter",
    "duty_officer",
    "analyst",
    "screening_officer",
    "cert_analyst",
    "emergency_manager",
}
LISTERS = READERS | {"oversight"}  # oversight reads what an inquiry grant opens to it
CREATORS = {"reporter", "duty_officer", "analyst", "cert_analyst", "emergency_manager"}
UPDATERS = {"duty_officer", "analyst"}
SHARERS = {"duty_officer", "analyst", "cert_analyst", "emergency_manager"}
EXPORTERS = {"duty_officer", "analyst"}

# The records: (classification rank, TLP, how it is shared). Every rank and every marking.
LAYOUT: list[tuple[int, str | None, str]] = [
    (0, None, "none"),
    (3, None, "none"),
    (4, "CLEAR", "none"),
    (2, "GREEN", "none"),
    (1, "AMBER", "agency"),
    (1, "AMBER", "named"),
    (1, "AMBER", "none"),
    (2, "AMBER+STRICT", "agency"),
    (0, "RED", "named"),
    (2, "RED", "named"),
]
# Named shares go to these (agency, clearance) callers, of every role.
NAMED = {(SHARED, 4), (OTHER, 2), (OTHER, 4)}
# Oversight users of the shared-to agency get grants on these records; those of the other
# agency get a grant on every bulletin of the owner; those of the owner get none.
GRANTED_RECORDS = (0, 6, 9)
MISSING = "0" * 24


@dataclass
class Caller:
    role: str
    agency: str
    clearance: int
    person: Person
    granted: set[str] = field(default_factory=set)

    @property
    def user_id(self) -> str:
        return self.person.user.id


@dataclass
class Record:
    index: int
    classification: int
    tlp: str | None
    marker: str
    id: str = ""
    agencies: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()

    @property
    def title(self) -> str:
        return f"{self.marker} matrix bulletin"


def sees(caller: Caller, record: Record) -> bool:
    """The expected visibility, written plainly from the rules in markings.yaml."""
    if caller.clearance < record.classification:
        return False
    if caller.role == "oversight":
        return record.id in caller.granted
    if caller.role not in READERS:
        return False
    if caller.agency == OWNER or record.tlp in ("CLEAR", "GREEN"):
        return True
    if record.tlp in ("AMBER", "AMBER+STRICT"):
        return caller.agency in record.agencies or caller.user_id in record.users
    if record.tlp == "RED":
        return caller.user_id in record.users
    return False


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def setup_world(
    api: TestClient, engine: Engine, settings: Settings
) -> tuple[list[Caller], list[Record], Person]:
    callers = [
        Caller(
            role,
            agency,
            rank,
            make_person(engine, settings, f"{role}-{key}-{rank}", agency, [role], CLEARANCES[rank]),
        )
        for role, (key, agency), rank in product(ROLES, AGENCIES.items(), CLEARANCES)
    ]
    author = make_person(engine, settings, "author", OWNER, ["duty_officer"], "top_secret")
    grantor = make_person(engine, settings, "grantor", OWNER, ["platform_admin"], "top_secret")
    named = sorted(c.user_id for c in callers if (c.agency, c.clearance) in NAMED)
    records = []
    for index, (rank, tlp, shared) in enumerate(LAYOUT):
        record = Record(index, rank, tlp, f"MX-{index:02d}-{secrets.token_hex(4)}")
        body = {
            "title": record.title,
            "body": f"Body of a matrix bulletin ({LEVELS[rank]}, {tlp}).",
            "classification": LEVELS[rank],
            "tlp": tlp,
        }
        record.id = ok(api.post("/api/v1/bulletins", json=body, headers=author.headers), 201)["id"]
        share: dict[str, Any] = {"reason": "matrix"}
        if shared == "agency":
            share["agency_ids"] = [SHARED]
            record.agencies = frozenset({SHARED})
        if shared == "named":
            share["user_ids"] = named
            record.users = frozenset(named)
        if shared != "none":
            url = f"/api/v1/bulletins/{record.id}/shares"
            ok(api.post(url, json=share, headers=author.headers))
        records.append(record)
    until = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    for caller in callers:
        if caller.role != "oversight" or caller.agency == OWNER:
            continue
        grant: dict[str, Any] = {
            "user_id": caller.user_id,
            "record_type": "bulletin",
            "inquiry": "Matrix inquiry",
            "expires_at": until,
        }
        targets = (
            [{"record_id": records[i].id} for i in GRANTED_RECORDS]
            if caller.agency == SHARED
            else [{"agency_id": OWNER}]
        )
        for target in targets:
            ok(
                api.post(
                    "/api/v1/oversight/grants", json={**grant, **target}, headers=grantor.headers
                ),
                201,
            )
        caller.granted = (
            {records[i].id for i in GRANTED_RECORDS}
            if caller.agency == SHARED
            else {r.id for r in records}
        )
    return callers, records, author


def share_body(record: Record) -> dict[str, Any]:
    """A share request that changes nothing: to a target the record has already, or refused."""
    if record.agencies:
        return {"agency_ids": sorted(record.agencies), "reason": "again"}
    if record.users:
        return {"user_ids": [min(record.users)], "reason": "again"}
    if record.tlp in ("AMBER", "AMBER+STRICT", "RED"):
        return {"agency_ids": [OWNER], "reason": "again"}
    return {"agency_ids": [SHARED], "reason": "again"}


def share_status(record: Record) -> int:
    """What the owning agency gets for :func:`share_body`."""
    if record.agencies or record.users:
        return 200
    return 409 if record.tlp is None else 422


class Probe:
    """One caller's requests, each answer kept for the leak check."""

    def __init__(self, api: TestClient, caller: Caller, missing: dict[str, str]) -> None:
        self.api, self.caller, self.missing = api, caller, missing
        self.answers: list[tuple[str, str]] = []

    def send(self, action: str, method: str, url: str, **kwargs: Any) -> Response:
        response = self.api.request(method, url, headers=self.caller.person.headers, **kwargs)
        self.answers.append((url, response.text))
        return response

    def expect(self, action: str, record: Record, response: Response, status: int) -> None:
        where = (self.caller.role, self.caller.agency, self.caller.clearance, action, record)
        assert response.status_code == status, (where, response.text)
        if status == 404 and not sees(self.caller, record):
            # Out of reach reads exactly like missing; only the id asked for differs.
            assert response.text.replace(record.id, MISSING) == self.missing[action], where


def check_lists(probe: Probe, expected: set[str]) -> None:
    caller = probe.caller
    where = (caller.role, caller.agency, caller.clearance)
    lists = caller.role in LISTERS
    for params in ({"limit": 200}, {"q": "mx-", "limit": 200}):
        response = probe.send("list", "GET", "/api/v1/bulletins", params=params)
        if not lists:
            assert response.status_code == 403, where
            continue
        found = {r["id"] for r in ok(response)["results"]}
        assert found == expected, (where, params)
    response = probe.send("count", "GET", "/api/v1/bulletins/count", params={"q": "MATRIX"})
    if lists:
        assert ok(response)["count"] == len(expected), where
    else:
        assert response.status_code == 403, where
    response = probe.send("export", "GET", "/api/v1/bulletins/export")
    if caller.role in EXPORTERS:
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/csv"
        )
        exported = {row["id"] for row in csv.DictReader(io.StringIO(response.text))}
        assert exported == expected, where
    else:
        assert response.status_code == 403, where


def check_details(probe: Probe, records: list[Record], expected: set[str]) -> None:
    caller = probe.caller
    missing = probe.send("read", "GET", f"/api/v1/bulletins/{MISSING}")
    assert missing.status_code == (404 if caller.role in LISTERS else 403)
    probe.missing["read"] = missing.text
    # A role that cannot read bulletins is refused alike for every id; a few show it.
    for record in records if caller.role in LISTERS else records[::5]:
        response = probe.send("read", "GET", f"/api/v1/bulletins/{record.id}")
        if caller.role not in LISTERS:
            probe.expect("read", record, response, 403)
            assert response.text == missing.text
        elif record.id in expected:
            assert ok(response)["title"] == record.title
        else:
            probe.expect("read", record, response, 404)


def change_status(caller: Caller, record: Record, roles: set[str], owner_status: int) -> int:
    if caller.role not in roles:
        return 403
    if not sees(caller, record):
        return 404
    return owner_status if caller.agency == OWNER else 403


def targets(caller: Caller, records: list[Record], turn: int) -> list[Record]:
    """A few records to try changes on: owned, visible but not owned, and out of reach."""
    owned = [r for r in records if sees(caller, r) and caller.agency == OWNER]
    theirs = [r for r in records if sees(caller, r) and caller.agency != OWNER]
    hidden = [r for r in records if not sees(caller, r)]
    return [group[turn % len(group)] for group in (owned, theirs, hidden) if group]


def check_changes(probe: Probe, records: list[Record], turn: int) -> None:
    caller = probe.caller
    for n, record in enumerate(targets(caller, records, turn)):
        base = f"/api/v1/bulletins/{record.id}"
        # A role without the permission is refused alike everywhere: one record shows it.
        if caller.role in UPDATERS or n == 0:
            text = f"Body of a matrix bulletin ({LEVELS[record.classification]}, {record.tlp})."
            response = probe.send("update", "PATCH", base, json={"body": text})
            status = change_status(caller, record, UPDATERS, 200)
            probe.expect("update", record, response, status)
        if caller.role not in SHARERS and n > 0:
            continue
        response = probe.send("share", "POST", f"{base}/shares", json=share_body(record))
        status = change_status(caller, record, SHARERS, share_status(record))
        probe.expect("share", record, response, status)
        response = probe.send("shares", "GET", f"{base}/shares")
        probe.expect("shares", record, response, change_status(caller, record, SHARERS, 200))
        response = probe.send("unshare", "DELETE", f"{base}/shares/999999")
        status = change_status(caller, record, SHARERS, 404)
        probe.expect("unshare", record, response, status)
        if status == 404 and sees(caller, record):
            assert response.json()["error"]["field"] == "share_id"


def check_no_leak(probe: Probe, records: list[Record]) -> None:
    caller = probe.caller
    for record in records:
        if sees(caller, record):
            continue
        for url, text in probe.answers:
            assert record.marker not in text, (caller.role, caller.agency, url)
            if record.id not in url:
                assert record.id not in text, (caller.role, caller.agency, url)


def missing_answers(api: TestClient, author: Person) -> dict[str, str]:
    """The answers about a bulletin that does not exist, for each change."""
    base = f"/api/v1/bulletins/{MISSING}"
    calls = {
        "update": ("PATCH", base, {"json": {"body": "x"}}),
        "share": ("POST", f"{base}/shares", {"json": {"agency_ids": [SHARED], "reason": "x"}}),
        "shares": ("GET", f"{base}/shares", {}),
        "unshare": ("DELETE", f"{base}/shares/999999", {}),
    }
    found = {}
    for action, (method, url, kwargs) in calls.items():
        response = api.request(method, url, headers=author.headers, **kwargs)
        assert response.status_code == 404, response.text
        found[action] = response.text
    return found


def test_no_route_leaks_a_bulletin(engine: Engine, settings: Settings) -> None:
    with TestClient(create_app(settings)) as api:
        callers, records, author = setup_world(api, engine, settings)
        missing = missing_answers(api, author)
        assert len(callers) == 81 and len({r.id for r in records}) == len(LAYOUT)
        seen_by: dict[str, int] = {}
        for turn, caller in enumerate(callers):
            expected = {r.id for r in records if sees(caller, r)}
            seen_by[caller.role] = seen_by.get(caller.role, 0) + len(expected)
            probe = Probe(api, caller, dict(missing))
            check_lists(probe, expected)
            check_details(probe, records, expected)
            check_changes(probe, records, turn)
            check_no_leak(probe, records)
        # The oracle is not vacuous: readers and oversight see something, the others nothing.
        assert all(seen_by[role] > 0 for role in LISTERS)
        assert seen_by["agency_admin"] == seen_by["platform_admin"] == 0

        for role in ROLES:
            person = next(c for c in callers if c.role == role and c.agency == OWNER).person
            body = {"title": "New", "body": "New.", "classification": "unclassified"}
            response = api.post("/api/v1/bulletins", json=body, headers=person.headers)
            assert response.status_code == (201 if role in CREATORS else 403), role


def test_anonymous_callers_get_401_everywhere(engine: Engine, settings: Settings) -> None:
    some = "a" * 24
    routes = [
        ("GET", "/api/v1/bulletins", None),
        ("GET", "/api/v1/bulletins/count", None),
        ("GET", "/api/v1/bulletins/export", None),
        ("POST", "/api/v1/bulletins", {"title": "t", "body": "b", "classification": "x"}),
        ("GET", f"/api/v1/bulletins/{some}", None),
        ("PATCH", f"/api/v1/bulletins/{some}", {"title": "t"}),
        ("GET", f"/api/v1/bulletins/{some}/shares", None),
        ("POST", f"/api/v1/bulletins/{some}/shares", {"agency_ids": [SHARED], "reason": "r"}),
        ("DELETE", f"/api/v1/bulletins/{some}/shares/1", None),
        ("GET", "/api/v1/oversight/grants", None),
        ("POST", "/api/v1/oversight/grants", {}),
        ("DELETE", "/api/v1/oversight/grants/x", None),
        ("GET", "/api/v1/risks", None),
        ("GET", "/api/v1/risks/threat-3-4/history", None),
        ("POST", "/api/v1/risks", {"threat": "threat-3-4", "likelihood": 1, "impact": 1}),
    ]
    with TestClient(create_app(settings)) as api:
        for headers in ({}, {"Authorization": "Bearer qx_nope_nope"}):
            for method, url, body in routes:
                response = api.request(method, url, json=body, headers=headers)
                assert response.status_code == 401, (method, url, response.text)
                assert response.json()["error"]["code"] == "unauthorized"


def test_the_owner_works_a_bulletin_through_the_api(engine: Engine, settings: Settings) -> None:
    owner = make_person(engine, settings, "owner", OWNER, ["analyst"], "secret")
    border = make_person(engine, settings, "border", SHARED, ["analyst"], "secret")
    body = {"title": "Van", "body": "White van.", "classification": "restricted", "tlp": "amber"}
    with TestClient(create_app(settings)) as api:
        made = ok(api.post("/api/v1/bulletins", json=body, headers=owner.headers), 201)
        assert (made["classification"], made["tlp"]) == ("restricted", "AMBER")
        assert made["created_at"].endswith("Z") or made["created_at"].endswith("+00:00")
        url = f"/api/v1/bulletins/{made['id']}"
        assert api.get(url, headers=border.headers).status_code == 404
        shared = ok(
            api.post(
                f"{url}/shares",
                json={"agency_ids": [SHARED], "reason": "joint patrol"},
                headers=owner.headers,
            )
        )
        (share,) = shared["shares"]
        assert ok(api.get(url, headers=border.headers))["title"] == "Van"
        listed = ok(api.get(f"{url}/shares", headers=owner.headers))["shares"]
        assert [s["agency_id"] for s in listed] == [SHARED]
        ended = ok(api.delete(f"{url}/shares/{share['id']}", headers=owner.headers))
        assert ended["revoked_at"] is not None
        assert api.get(url, headers=border.headers).status_code == 404

        kept = ok(api.patch(url, json={"title": "Grey van"}, headers=owner.headers))
        assert (kept["title"], kept["tlp"]) == ("Grey van", "AMBER")
        cleared = ok(api.patch(url, json={"tlp": None}, headers=owner.headers))
        assert cleared["tlp"] is None
        refused = api.post(
            f"{url}/shares", json={"agency_ids": [SHARED], "reason": "r"}, headers=owner.headers
        )
        assert refused.status_code == 409 and refused.json()["error"]["field"] == "tlp"
        bad = api.patch(url, json={"classification": "top_secret"}, headers=owner.headers)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "classification"
        bad = api.post("/api/v1/bulletins", json={**body, "title": ""}, headers=owner.headers)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "title"
        bad = api.get("/api/v1/bulletins", params={"limit": 0}, headers=owner.headers)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "limit"
        page = ok(api.get("/api/v1/bulletins", params={"q": "GREY"}, headers=owner.headers))
        assert [r["id"] for r in page["results"]] == [made["id"]]
