"""What the TAXII tests share: the platform served on loopback by uvicorn, the people who call
it, their collections, and the OASIS data in ``../shared/data/cti``."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from requests.auth import AuthBase
from sqlalchemy import Engine

from qalxan.access.audit import Context
from qalxan.bootstrap import bootstrap
from qalxan.cti import collections
from qalxan.doctrine.loader import load_bundled
from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.conftest import SHARED
from tests.people import Person, make_person

CTI_DATA = SHARED / "data" / "cti"
EXAMPLES = CTI_DATA / "stix" / "examples"
MEDALLION_DATA = CTI_DATA / "taxii" / "medallion_default_data.json"
PASSWORD = "correct horse battery staple"
ROOT = "cert"
CERT, SBS, MIA = "agency-ess", "agency-sbs", "agency-mia"


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"the shared CTI data is not at {path}")
    return path


def bundle(name: str) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = json.loads(shared(EXAMPLES / name).read_text("utf-8"))[
        "objects"
    ]
    return objects


class Bearer(AuthBase):
    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.key}"
        return request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The platform of ``settings`` served by uvicorn on a free loopback port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/taxii2/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live(engine: Engine, settings: Settings) -> Iterator[str]:
    """The platform under test on loopback; yields the TAXII base URL."""
    with serving(settings) as url:
        yield url


@dataclass
class Cast:
    """The CERT (owner of the collections), a reading agency, a writing agency, a reader with a
    low clearance, and someone whose roles know nothing of CTI."""

    cert: Person
    reader: Person
    writer: Person
    low: Person
    outsider: Person
    engine: Engine
    settings: Settings

    def ctx(self, person: Person) -> Context:
        return person.ctx(self.engine, self.settings)

    def auth(self, person: Person) -> Bearer:
        assert person.key is not None
        return Bearer(person.key)

    def collection(
        self, title: str, *, read: tuple[str, ...] = (), write: tuple[str, ...] = ()
    ) -> str:
        """A new collection of the CERT's, shared as asked."""
        row = collections.create(self.ctx(self.cert), api_root=ROOT, title=title)
        for grantee in sorted(set(read) | set(write)):
            collections.grant(
                self.ctx(self.cert),
                load_bundled(),
                row.id,
                grantee,
                read=grantee in read,
                write=grantee in write,
            )
        return row.id


def make_cast(engine: Engine, settings: Settings) -> Cast:
    def person(name: str, agency: str, role: str, clearance: str = "secret") -> Person:
        return make_person(engine, settings, name, agency, [role], clearance, password=PASSWORD)

    return Cast(
        cert=person("cert", CERT, "cert_analyst"),
        reader=person("reader", SBS, "analyst"),
        writer=person("writer", MIA, "cert_analyst"),
        low=person("low", SBS, "analyst", "unclassified"),
        outsider=person("outsider", SBS, "reporter"),
        engine=engine,
        settings=settings,
    )


@pytest.fixture
def cast(engine: Engine, settings: Settings) -> Cast:
    return make_cast(engine, settings)


@dataclass
class Site:
    """Another installation (a partner's), with its own database, served on loopback."""

    url: str
    cast: Cast


@pytest.fixture
def partner_site(tmp_path: Path) -> Iterator[Site]:
    where = tmp_path / "partner"
    # Named outright: the environment may name the database under test.
    url = f"sqlite:///{where / 'qalxan.db'}"
    settings = Settings(data_dir=where, database_url=url, doctrine_refresh_seconds=0)
    engine = bootstrap(settings)
    try:
        with serving(settings) as url:
            yield Site(url, make_cast(engine, settings))
    finally:
        engine.dispose()
