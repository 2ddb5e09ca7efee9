"""Conformance: the error codes of the TAXII server (401, 403, 404, 406, 415, 400 naming the
parameter, 429), each answered with TAXII's error message in the TAXII media type."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import requests
from sqlalchemy import select
from taxii2client.v21 import ApiRoot, Collection, Server

from qalxan.access.tables import AuditRow
from qalxan.cti.taxii import media
from qalxan.store.engine import transaction
from tests.cti.taxii_support import MIA, PASSWORD, ROOT, SBS, Cast, cast, live  # noqa: F401

OBJECT: dict[str, Any] = {
    "type": "malware",
    "spec_version": "2.1",
    "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
    "created": "2016-04-06T20:03:48.000Z",
    "modified": "2016-04-06T20:03:48.000Z",
    "name": "Poison Ivy",
    "is_family": True,
}


def refused(call: Callable[[], Any]) -> requests.Response:
    with pytest.raises(requests.HTTPError) as caught:
        call()
    response = caught.value.response
    assert response is not None
    assert response.headers["Content-Type"] == media.TAXII_21
    message = response.json()
    assert message["http_status"] == str(response.status_code)
    assert message["title"] and message["description"]
    return response


def test_unauthenticated_and_wrong_credentials(live: str, cast: Cast) -> None:  # noqa: F811
    for auth in (None, ("cert", "wrong password!"), ("nobody", PASSWORD)):
        response = requests.get(live, auth=auth, timeout=10)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Basic realm="Qalxan TAXII"'
        assert response.json()["http_status"] == "401"
    response = refused(lambda: Server(live, auth=_bearer("qx_nope_nope")).refresh())
    assert response.status_code == 401
    assert Server(live, user="cert", password=PASSWORD).title == "Qalxan TAXII 2.1"
    with transaction(cast.engine) as session:
        failed = session.scalars(
            select(AuditRow).where(AuditRow.action == "auth.login", AuditRow.outcome == "denied")
        ).all()
    assert {a.actor_name for a in failed} == {"cert", "nobody"}


def _bearer(key: str) -> Any:
    from tests.cti.taxii_support import Bearer

    return Bearer(key)


def test_basic_logins_are_throttled_like_the_ui(live: str, cast: Cast) -> None:  # noqa: F811
    for _ in range(cast.settings.login_max_failures):
        assert requests.get(live, auth=("reader", "not it at all"), timeout=10).status_code == 401
    locked = requests.get(live, auth=("reader", PASSWORD), timeout=10)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert requests.get(live, auth=cast.auth(cast.reader), timeout=10).status_code == 200


def test_forbidden(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Shared", read=(SBS,), write=(MIA,))
    url = f"{live}{ROOT}/collections/{collection_id}/"
    reader = Collection(url, auth=cast.auth(cast.reader), collection_info=_info(collection_id))
    assert refused(lambda: reader.add_objects({"objects": [OBJECT]})).status_code == 403
    assert refused(lambda: reader.delete_object(OBJECT["id"])).status_code == 403
    writer = Collection(url, auth=cast.auth(cast.writer), collection_info=_info(collection_id))
    assert writer.add_objects({"objects": [OBJECT]}).success_count == 1
    for call in (writer.get_objects, writer.get_manifest):
        response = refused(call)
        assert response.status_code == 403
        assert collection_id in response.json()["description"]
    outsider = refused(lambda: Server(live, auth=cast.auth(cast.outsider)).refresh())
    assert outsider.status_code == 403


def _info(collection_id: str) -> dict[str, Any]:
    # Claims every right, so that the client asks the server instead of refusing by itself.
    return {"id": collection_id, "title": "x", "can_read": True, "can_write": True}


def test_not_found(live: str, cast: Cast) -> None:  # noqa: F811
    hidden = cast.collection("Not shared")
    shared = cast.collection("Shared", read=(SBS,))
    for url in (
        f"{live}{ROOT}/collections/{hidden}/",
        f"{live}{ROOT}/collections/00000000-0000-4000-8000-000000000000/",
        f"{live}elsewhere/collections/{shared}/",
    ):
        response = refused(Collection(url, auth=cast.auth(cast.reader)).refresh)
        assert response.status_code == 404
    root = ApiRoot(f"{live}elsewhere/", auth=cast.auth(cast.cert))
    assert refused(root.refresh).status_code == 404
    mine = Collection(f"{live}{ROOT}/collections/{shared}/", auth=cast.auth(cast.cert))
    assert refused(lambda: mine.get_object(OBJECT["id"])).status_code == 404
    assert refused(lambda: mine.delete_object(OBJECT["id"])).status_code == 404
    status = mine.add_objects({"objects": [OBJECT]})
    for other in (cast.reader, cast.writer):
        root = ApiRoot(f"{live}{ROOT}/", auth=cast.auth(other))
        assert refused(partial(root.get_status, status.id)).status_code == 404


def test_not_acceptable_and_unsupported_media_type(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Indicators")
    objects = f"{live}{ROOT}/collections/{collection_id}/objects/"
    auth = cast.auth(cast.cert)
    for accept in ("application/json", f"{media.TAXII};version=2.0", "text/html"):
        response = requests.get(objects, headers={"Accept": accept}, auth=auth, timeout=10)
        assert response.status_code == 406, accept
        assert response.json()["http_status"] == "406"
    for accept in (media.TAXII, "*/*", f"text/html, {media.TAXII_21};q=0.9"):
        response = requests.get(objects, headers={"Accept": accept}, auth=auth, timeout=10)
        assert response.status_code == 200, accept
    for content_type in ("application/json", media.STIX_21, f"{media.TAXII};version=2.0"):
        response = requests.post(
            objects,
            json={"objects": [OBJECT]},
            headers={"Accept": media.TAXII_21, "Content-Type": content_type},
            auth=auth,
            timeout=10,
        )
        assert response.status_code == 415, content_type
        assert response.json()["http_status"] == "415"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"match[version]": "yesterday"}, "match[version]"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"added_after": "2016-01-01"}, "added_after"),
        ({"next": "not-a-token"}, "next"),
        ({"match[colour]": "red"}, "match[colour]"),
        ({"match[type]": "Not A Type"}, "match[type]"),
        ({"match[id]": "indicator--1"}, "match[id]"),
        ({"match[spec_version]": "two"}, "match[spec_version]"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_filters_name_the_parameter(
    live: str,  # noqa: F811
    cast: Cast,  # noqa: F811
    params: dict[str, str],
    named: str,
) -> None:
    collection_id = cast.collection("Indicators")
    response = requests.get(
        f"{live}{ROOT}/collections/{collection_id}/objects/",
        params=params,
        headers={"Accept": media.TAXII_21},
        auth=cast.auth(cast.cert),
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["details"] == {"parameter": named}
    assert response.json()["description"].startswith(named)


def test_a_token_is_bound_to_its_filters(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Indicators")
    url = f"{live}{ROOT}/collections/{collection_id}/"
    collection = Collection(url, auth=cast.auth(cast.cert))
    other = {**OBJECT, "id": "malware--0a0e5e27-3f3d-4b0f-9b43-2f3c35a1e4b5"}
    collection.add_objects({"objects": [OBJECT, other]})
    first = collection.get_objects(limit=1)
    assert first["more"] is True
    response = refused(lambda: collection.get_objects(limit=1, next=first["next"], type="tool"))
    assert response.status_code == 400
    assert response.json()["details"] == {"parameter": "next"}
    assert collection.get_objects(limit=1, next=first["next"])["objects"][0]["id"] == other["id"]
    filtered = refused(lambda: collection.get_object(OBJECT["id"], type="malware"))
    assert filtered.json()["details"] == {"parameter": "match[type]"}


def test_a_body_that_is_not_an_envelope(live: str, cast: Cast) -> None:  # noqa: F811
    collection_id = cast.collection("Indicators")
    collection = Collection(f"{live}{ROOT}/collections/{collection_id}/", auth=cast.auth(cast.cert))
    for body in ("not json", "[1, 2]", '{"objects": {"id": 1}}'):
        response = refused(partial(collection.add_objects, body))
        assert response.status_code == 400
