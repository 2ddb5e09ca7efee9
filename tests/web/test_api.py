"""The doctrine API on every backend: summaries, kinds, items, graph, search, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qalxan.doctrine.registry import KIND_PLURALS, Doctrine


def test_health(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_summary(client: TestClient, doctrine: Doctrine) -> None:
    body = client.get("/api/v1/doctrine").json()
    assert body["version"] == doctrine.version
    assert body["counts"]["threats"] == 11
    assert body["counts"] == doctrine.counts()
    assert "lead_agency" in body["relation_types"]


def test_every_kind_lists_its_items(client: TestClient, doctrine: Doctrine) -> None:
    for kind, plural in KIND_PLURALS.items():
        for name in (kind, plural):
            body = client.get(f"/api/v1/doctrine/{name}").json()
            assert body["count"] == len(doctrine.of_kind(kind))


def test_item_with_relations_and_provenance(client: TestClient) -> None:
    body = client.get("/api/v1/doctrine/threats/threat-3-4").json()
    assert body["code"] == "3.4" and body["name"]["az"]
    assert body["provenance"][0]["source"] == "concept"
    types = {r["type"] for r in body["relations"]}
    assert {"endangers", "countered_by", "lead_agency"} <= types
    lead = next(r for r in body["relations"] if r["type"] == "lead_agency")
    assert lead["direction"] == "out" and lead["justification"]


def test_unknown_id_is_a_clear_404(client: TestClient) -> None:
    response = client.get("/api/v1/doctrine/threats/threat-9-9")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "no doctrine item has the id 'threat-9-9'",
        "field": "id",
    }


def test_item_of_another_kind_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/doctrine/agencies/threat-3-4").status_code == 404


def test_unknown_kind_is_a_clear_404(client: TestClient) -> None:
    response = client.get("/api/v1/doctrine/villains")
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "kind"


def test_graph_has_no_dangling_edge(client: TestClient, doctrine: Doctrine) -> None:
    body = client.get("/api/v1/doctrine/graph").json()
    ids = {n["id"] for n in body["nodes"]}
    assert len(ids) == len(doctrine.items)
    assert len(body["edges"]) == len(doctrine.relations)
    assert all(e["source"] in ids and e["target"] in ids for e in body["edges"])


def test_graph_filters(client: TestClient) -> None:
    body = client.get(
        "/api/v1/doctrine/graph", params={"kind": ["threat", "agency"], "relation": "lead_agency"}
    ).json()
    assert {n["kind"] for n in body["nodes"]} == {"threat", "agency"}
    assert len(body["edges"]) == 11


def test_search(client: TestClient) -> None:
    body = client.get("/api/v1/doctrine/search", params={"q": "Sərhəd", "kind": "agency"}).json()
    assert body["results"][0]["id"] == "agency-sbs"
    assert body["results"][0]["matches"][0]["how"] == "exact"


def test_search_bad_input_names_the_field(client: TestClient) -> None:
    missing = client.get("/api/v1/doctrine/search")
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "q"
    too_many = client.get("/api/v1/doctrine/search", params={"q": "x", "limit": 1000})
    assert too_many.json()["error"]["field"] == "limit"
    assert "less than or equal to 100" in too_many.json()["error"]["message"]


def test_versions_and_diff(client: TestClient, doctrine: Doctrine) -> None:
    (version,) = client.get("/api/v1/doctrine/versions").json()["versions"]
    assert version["active"] and version["version"] == doctrine.version
    body = client.get(
        "/api/v1/doctrine/diff", params={"old": doctrine.version, "new": version["id"]}
    ).json()
    assert body["items"] == {"added": [], "removed": [], "changed": []}
    unknown = client.get("/api/v1/doctrine/diff", params={"old": "1999", "new": "2007.1"})
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "version"


def test_an_older_version_can_be_read(client: TestClient, doctrine: Doctrine) -> None:
    body = client.get("/api/v1/doctrine", params={"version": doctrine.version}).json()
    assert body["digest"] == doctrine.digest


def test_openapi_document(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/doctrine/search" in spec["paths"]
    assert "/api/v1/doctrine/{kind}/{item_id}" in spec["paths"]


def test_unknown_route_is_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_pages_render_in_both_languages(client: TestClient) -> None:
    for path in (
        "/",
        "/doctrine",
        "/doctrine/threats",
        "/doctrine/threats/threat-3-4",
        "/doctrine/search?q=terror",
        "/doctrine/versions",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get("/doctrine/threats?lang=az").text
    assert "Təhdidlər" in page
    assert client.cookies.get("qalxan_lang") == "az"
    assert "Təhdidlər" in client.get("/doctrine/threats").text


def test_page_errors_are_html_for_browsers(client: TestClient) -> None:
    response = client.get("/doctrine/threats/nope", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "no doctrine item has the id" in response.text


def test_workers_sharing_a_database_switch_versions_together(
    client: TestClient, settings: object, doctrine: Doctrine
) -> None:
    from qalxan.doctrine.demo import review_draft
    from qalxan.doctrine.versions import activate, store_version
    from qalxan.store.engine import transaction
    from qalxan.web.app import create_app

    other = TestClient(create_app(settings))  # type: ignore[arg-type]
    assert other.get("/api/v1/doctrine").json()["version"] == doctrine.version
    with transaction(client.app.state.engine) as session:  # type: ignore[attr-defined]
        version_id, _ = store_version(session, review_draft(doctrine), "review", "tester")
        activate(session, version_id, "tester")
    for worker in (client, other):
        assert worker.get("/api/v1/doctrine").json()["version"].endswith("-demo-review")
