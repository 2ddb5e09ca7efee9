"""``qalxan alerts import FEED`` and ``qalxan alerts feeds`` through the main application, on
SQLite and PostgreSQL; web addresses answered by an httpx.MockTransport."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from qalxan.alerts import feeds_pull
from qalxan.alerts.tables import AlertRow
from qalxan.bootstrap import bootstrap
from qalxan.cli import alerts_cap
from qalxan.cli.common import errors
from qalxan.cli.main import app
from qalxan.settings import Settings, get_settings
from qalxan.store.engine import get_engine, session_factory
from tests.alerts.catalogue_samples import write_all
from tests.alerts.ingest_samples import TBILISI, cap, info
from tests.people import make_person

runner = CliRunner()
SITE = "https://feeds.example"
FEED = (
    b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>FHN</title>'
    b"<updated>2025-03-01T10:00:00Z</updated><entry><id>urn:x:1</id><title>1</title>"
    b'<updated>2025-03-01T10:00:00Z</updated><link rel="alternate" href="alerts/1.cap"/></entry>'
    b"</feed>"
)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def figure(out: str, label: str) -> str:
    """The value in the summary table's row ``label``."""
    found = re.search(rf"{re.escape(label)}\s*│\s*([\d,]+(?: / \d+)?)", out)
    assert found is not None, out
    return found.group(1)


@pytest.fixture(autouse=True)
def wide_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "_width", 240)  # one line per rejected alert


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Callable[[], httpx.Client]:
    pages = {
        f"{SITE}/az.atom": FEED,
        f"{SITE}/alerts/1.cap": cap("web-1"),
        f"{SITE}/single.cap": cap("web-2", infos=(info(areas=(TBILISI,)),)),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        found = pages.get(str(request.url))
        return httpx.Response(200, content=found) if found else httpx.Response(404)

    def client() -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(answer))

    monkeypatch.setattr(alerts_cap, "new_client", client)
    monkeypatch.setattr(feeds_pull, "new_client", client)
    return client


def stored(database_url: str) -> dict[str, AlertRow]:
    with session_factory(get_engine(database_url))() as session:
        return {row.identifier: row for row in session.scalars(select(AlertRow))}


def test_a_cap_file_once_then_already_there(env: Path, database_url: str) -> None:
    path = env / "flood.cap"
    path.write_bytes(cap())
    code, out = run("alerts", "import", str(path))
    assert code == 0, out
    assert "flood.cap (CAP alert)" in out
    assert figure(out, "received (stored now)") == "1" and figure(out, "incidents made") == "1"
    assert figure(out, "rejected") == "0"
    code, out = run("alerts", "import", str(path))
    assert code == 0 and figure(out, "already there") == "1"
    assert figure(out, "received (stored now)") == "0"
    row = stored(database_url)["AZ-FHN-2025-0001"]
    assert (row.owner_agency, row.origin) == (get_settings().operator_agency, "file:flood.cap")


def test_outside_the_country_and_rejected_alerts(env: Path) -> None:
    outside = env / "tbilisi.cap"
    outside.write_bytes(cap("t", infos=(info(areas=(TBILISI,)),)))
    code, out = run("alerts", "import", str(outside))
    assert code == 0 and figure(out, "outside the country (stored, no incident)") == "1"
    assert figure(out, "incidents made") == "0"
    bad = env / "bad.cap"
    bad.write_bytes(cap("bad").replace(b"<scope>Public</scope>", b""))
    code, out = run("alerts", "import", str(bad))
    assert code == 1, out
    assert figure(out, "rejected") == "1"
    assert "rejected bad.cap: alert/scope: required element missing (before info)" in out


def test_a_feed_file_and_its_links(env: Path) -> None:
    (env / "alerts").mkdir()
    (env / "alerts" / "1.cap").write_bytes(cap("beside"))
    path = env / "az.atom"
    path.write_bytes(FEED.replace(b"alerts/1.cap", b"https://elsewhere.example/alerts/1.cap"))
    code, out = run("alerts", "import", str(path))
    assert code == 0, out
    assert "az.atom (feed, 1 entry)" in out and figure(out, "received (stored now)") == "1"
    path.write_bytes(FEED.replace(b"alerts/1.cap", b"alerts/none.cap"))
    code, out = run("alerts", "import", str(path))
    assert code == 0 and figure(out, "linked documents not fetched") == "1"
    assert "-> alerts/none.cap: not fetched (no such file beside the feed)" in out


def test_web_addresses(env: Path, web: Callable[[], httpx.Client]) -> None:
    code, out = run("alerts", "import", f"{SITE}/az.atom")
    assert code == 0, out
    assert figure(out, "received (stored now)") == "1" and figure(out, "incidents made") == "1"
    code, out = run("alerts", "import", f"{SITE}/single.cap")
    assert code == 0 and figure(out, "outside the country (stored, no incident)") == "1"
    code, out = run("alerts", "import", f"{SITE}/gone.cap")
    assert code == 2 and f"url: {SITE}/gone.cap: HTTP 404 Not Found" in out


def test_catalogues_and_other_files(env: Path) -> None:
    service = write_all(env)[0]
    code, out = run("alerts", "import", str(service), "--workers", "0")
    assert code == 0, out
    assert "8 quakes read; 4 stored" in out and "3 rejected" in out
    code, out = run("alerts", "import", str(env / "nothing.cap"))
    assert code == 2 and "neither a file nor an http(s) address" in out
    other = env / "reports.csv"
    other.write_text("id,text,date\na,b,2026-01-01\n")
    code, out = run("alerts", "import", str(other))
    assert code == 2 and "not an earthquake catalogue" in out


def test_acting_as_an_account(env: Path, database_url: str) -> None:
    settings = Settings(data_dir=env / "data", database_url=database_url)
    engine = bootstrap(settings)
    make_person(engine, settings, "mes", "agency-mes", ["emergency_manager"], with_key=False)
    make_person(engine, settings, "duty", "agency-mes", ["duty_officer"], with_key=False)
    path = env / "flood.cap"
    path.write_bytes(cap())
    code, out = run("alerts", "import", str(path), "--as", "duty")
    assert code == 2 and "alert" in out  # a duty officer may not receive alerts
    code, out = run("alerts", "import", str(path), "--as", "mes")
    assert code == 0, out
    assert stored(database_url)["AZ-FHN-2025-0001"].owner_agency == "agency-mes"


def test_feeds_add_list_pull_deactivate(env: Path, web: Callable[[], httpx.Client]) -> None:
    code, out = run("alerts", "feeds", "add", f"{SITE}/az.atom", "--kind", "cap-atom")
    assert code == 0, out
    feed_id = re.search(r"feed (\w+): feeds\.example", out)
    assert feed_id is not None, out
    code, out = run("alerts", "feeds", "add", f"{SITE}/x", "--kind", "geojson")
    assert code == 2 and "kind: one of cap-atom, rss, usgs-csv" in out
    code, out = run("alerts", "feeds", "list")
    assert code == 0 and feed_id.group(1) in out and "never" in out
    code, out = run("alerts", "feeds", "pull")
    assert code == 0, out
    assert figure(out, "received (stored now)") == "1"
    code, out = run("alerts", "feeds", "pull")
    assert code == 0 and "no feed was due" in out
    code, out = run("alerts", "feeds", "pull", "--all")
    assert code == 0 and figure(out, "already there") == "1"
    code, out = run("alerts", "feeds", "deactivate", feed_id.group(1))
    assert code == 0 and "deactivated" in out
    code, out = run("alerts", "feeds", "pull", "--all")
    assert code == 0 and "no active feed" in out
