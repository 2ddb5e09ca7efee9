"""Property tests over the OpenAPI document (schemathesis): no input makes any route fail with
a 5xx, whoever calls, and every non-public route refuses anonymous callers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine

from qalxan.settings import Settings
from qalxan.web.app import create_app
from tests.people import make_person

EXAMPLES = 10
PUBLIC = re.compile(r"^/api/v1/(health|doctrine|auth/login$)")


def exercise(operation: object, call: Callable[[object], None]) -> None:
    strategy = operation.as_strategy()  # type: ignore[attr-defined]

    @given(strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: object) -> None:
        call(case)

    run()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_no_route_fails_whatever_the_input_and_caller(engine: Engine, settings: Settings) -> None:
    callers = {
        "anonymous": {},
        "platform_admin": make_person(
            engine, settings, "root", "agency-ssscis", ["platform_admin"], "top_secret"
        ).headers,
        "oversight": make_person(
            engine, settings, "ombudsman", "agency-ombudsman", ["oversight"], "secret"
        ).headers,
        "analyst": make_person(
            engine, settings, "analyst", "agency-mia", ["analyst"], "confidential"
        ).headers,
    }
    app = create_app(settings)
    # Built before the calls: the first build loads the name tagger, longer than a call may take.
    app.state.screening.current()
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        public = bool(PUBLIC.match(operation.path))
        for name, headers in callers.items():

            def call(
                case: object,
                name: str = name,
                headers: dict[str, str] = headers,
                public: bool = public,
            ) -> None:
                _short_stream(case)
                response = case.call(headers=headers)  # type: ignore[attr-defined]
                where = f"{case.method} {case.formatted_path} as {name}"  # type: ignore[attr-defined]
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code} {response.text[:200]}")
                # Anonymous: 401, or 422 for a request malformed before anyone could be asked
                # for credentials (unreadable JSON, NUL characters); never data, 403 or 404.
                if name == "anonymous" and not public and response.status_code not in (401, 422):
                    failures.append(f"{where}: anonymous got {response.status_code}")
                if response.status_code >= 400:
                    body = response.json()
                    if "error" not in body or "message" not in body["error"]:
                        failures.append(f"{where}: error without a message: {body}")

            exercise(operation, call)
    assert not failures, "\n".join(failures[:20])


def _short_stream(case: object) -> None:
    """The event stream answers for as many seconds as asked (up to an hour): a valid length
    becomes one second, so that the property run never waits on it (invalid ones stay)."""
    query = getattr(case, "query", None)
    if getattr(case, "path", "").endswith("/stream") and isinstance(query, dict):
        seconds = str(query.get("seconds", "1")).strip()
        if seconds.isdigit() and 1 <= int(seconds) <= 3600:
            query["seconds"] = 1
