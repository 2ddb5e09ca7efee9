"""``qalxan alerts import FEED`` for catalogue files, through a small Typer app holding the
command function (the ``alerts`` group itself is registered elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from qalxan.bootstrap import bootstrap
from qalxan.cli.alerts_import import import_feed
from qalxan.cli.common import console
from qalxan.intake.tables import ReportRow
from qalxan.settings import Settings, get_settings
from qalxan.store.engine import get_engine, session_factory
from tests.alerts.catalogue_samples import write, write_all
from tests.people import make_person

app = typer.Typer()
app.command("import")(import_feed)


@app.callback()
def alerts() -> None:
    """The group the command is registered in."""


runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", *args])
    return result.exit_code, result.output


@pytest.fixture
def installed(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installation configured through the environment, as the console finds it."""
    monkeypatch.setattr(console, "_width", 400)  # one line per message
    monkeypatch.setenv("QALXAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QALXAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    get_engine(database_url).dispose()


def owners(database_url: str) -> dict[str, str]:
    with session_factory(get_engine(database_url))() as session:
        return {r.origin_ref: r.owner_agency for r in session.scalars(select(ReportRow))}


def test_import_reports_what_it_stored_and_rejected(installed: Path, database_url: str) -> None:
    service, _, ncei = write_all(installed)
    code, out = run(str(service), "--workers", "0")
    assert code == 0, out
    assert "8 quakes read; 4 stored (4 new incidents, 0 joined existing ones)" in out
    assert "0 already there, 1 beyond the reach" in out and "3 rejected" in out
    assert "rejected, by column: type 1, latitude 1, id 1" in out
    assert "rejected line 8: latitude: 'north' is not a number" in out
    code, out = run(str(ncei), "--workers", "0")
    assert code == 0, out
    assert "3 stored (2 new incidents, 1 joined existing ones)" in out
    assert "rejected line 3: Year: 2150 BC is before 1900" in out
    code, out = run(str(service), "--workers", "0")
    assert code == 0 and "0 stored" in out and "4 already there" in out
    settings = get_settings()
    assert set(owners(database_url).values()) == {settings.operator_agency}


def test_the_reach_options(installed: Path) -> None:
    service = write_all(installed)[0]
    code, out = run(str(service), "--within", "350", "--workers", "0")
    assert code == 0 and "5 stored" in out and "0 beyond the reach" in out  # Tehran, 320 km
    assert "quakes within 350 km of Azerbaijan" in out
    code, out = run(str(service), "--all", "--workers", "0")
    assert code == 0 and "0 stored" in out and "5 already there" in out


def test_import_acts_as_the_named_account(installed: Path, database_url: str) -> None:
    settings = Settings(data_dir=installed / "data", database_url=database_url)
    engine = bootstrap(settings)
    make_person(engine, settings, "seismo", "agency-mes", ["duty_officer"], with_key=False)
    code, out = run(str(write_all(installed)[1]), "--as", "seismo", "--workers", "0")
    assert code == 0, out
    assert set(owners(database_url).values()) == {"agency-mes"}
    code, out = run(str(write_all(installed)[1]), "--as", "nobody")
    assert code == 2 and "no active account is named 'nobody'" in out


def test_files_that_are_no_catalogue_are_refused(installed: Path) -> None:
    other = write(installed / "reports.csv", ["id,text,date", "a,b,2026-01-01"])
    code, out = run(str(other))
    assert code == 2 and "not an earthquake catalogue" in out
    code, out = run(str(write_all(installed)[0]), "--format", "quakeml")
    assert code == 2 and "format: one of usgs-comcat, ncei-significant" in out
