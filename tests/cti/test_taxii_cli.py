"""``qalxan taxii``: collections, grants and feeds from the console."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from taxii2client.v21 import Collection
from typer.testing import CliRunner

from qalxan.cli.common import console
from qalxan.cli.main import app
from qalxan.cti.tables import CtiFeedRow, CtiRightRow
from qalxan.settings import get_settings
from qalxan.store.engine import get_engine, transaction
from tests.cti.taxii_support import (  # noqa: F401
    CERT,
    ROOT,
    SBS,
    Site,
    partner_site,
)
from tests.cti.test_pull import malware

runner = CliRunner()
KEY_ENV = "QALXAN_TEST_PARTNER_KEY"


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(console, "_width", 240)
    monkeypatch.setenv("QALXAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QALXAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
    get_engine(database_url).dispose()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def created(output: str) -> str:
    found = re.search(r"created collection (\S+)", output)
    assert found is not None, output
    return found.group(1)


def test_collections_and_grants(env: str) -> None:
    collection_id = created(
        run("taxii", "collections", "create", "--title", "Indicators", "--agency", CERT)
    )
    run("taxii", "grant", collection_id, SBS, "--read", "--agency", CERT)
    listed = run("taxii", "collections", "list", "--agency", CERT)
    assert collection_id in listed and f"{SBS} (r)" in listed
    assert collection_id in run("taxii", "collections", "list", "--agency", SBS)
    assert "Indicators" not in run("taxii", "collections", "list", "--agency", "agency-mia")
    refused = runner.invoke(app, ["taxii", "grant", collection_id, "org-nowhere", "--read"])
    assert refused.exit_code == 2 and "grantee" in refused.output
    run("taxii", "grant", collection_id, SBS, "--agency", CERT)
    with transaction(get_engine(env)) as session:
        assert session.scalars(select(CtiRightRow)).all() == []
    bad = runner.invoke(app, ["taxii", "collections", "create", "--title", "x", "--agency", "x"])
    assert bad.exit_code == 2 and "agency" in bad.output


def test_feeds(env: str, partner_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    their = partner_site.cast
    remote_id = their.collection("Partner")
    remote = Collection(
        f"{partner_site.url}{ROOT}/collections/{remote_id}/", auth=their.auth(their.cert)
    )
    remote.add_objects({"objects": [malware(n) for n in range(3)]})
    local = created(run("taxii", "collections", "create", "--title", "Pulled", "--agency", CERT))
    added = run(
        "taxii", "feeds", "add",
        "--title", "Partner CERT",
        "--url", f"{partner_site.url}{ROOT}/",
        "--remote", remote_id,
        "--local", local,
        "--secret-env", KEY_ENV,
        "--agency", CERT,
    )  # fmt: skip
    feed_id = added.split()[-1]
    monkeypatch.setenv(KEY_ENV, their.cert.key or "")
    assert "3 received, 3 new" in run("taxii", "feeds", "pull", feed_id, "--agency", CERT)
    assert "0 received" in run("taxii", "feeds", "pull", "--all")
    assert "Partner CERT" in run("taxii", "feeds", "list", "--agency", CERT)
    monkeypatch.delenv(KEY_ENV)
    failed = runner.invoke(app, ["taxii", "feeds", "pull", "--all"])
    assert failed.exit_code == 1 and f"{KEY_ENV} is not set" in failed.output
    assert runner.invoke(app, ["taxii", "feeds", "pull"]).exit_code == 2
    with transaction(get_engine(env)) as session:
        feed = session.get_one(CtiFeedRow, feed_id)
        assert feed.last_error is not None and feed.added_after is not None
