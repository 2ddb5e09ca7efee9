"""The JSON columns of intake's rows, encoded here as stored, so that the bulk insert passes
them through (see :class:`qalxan.store.rows.Json`).

A bulk import writes a dozen rows per report, most with a JSON column: the values that many
rows share (the grading of an incident with the same facts, the facts of a place, the reasons
of a route) are encoded once each.
"""

from __future__ import annotations

import json
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from qalxan.intake import severity
from qalxan.intake.placing import Placement
from qalxan.store.engine import compact_json
from qalxan.store.rows import Json

NEW_INCIDENT: dict[str, Any] = {"new": True, "why": "no open incident matched"}


def encoded(value: Any) -> Json:
    """``value`` as its stored JSON text."""
    return Json(compact_json(value))


NOTHING = encoded([])
NEW_INCIDENT_REASON = encoded(NEW_INCIDENT)


def decoded(value: Any) -> Any:
    """The value of a JSON column as given to SQLAlchemy, which encodes it itself."""
    return json.loads(value) if type(value) is Json else value


@lru_cache(maxsize=4096)
def graded(facts: severity.Facts) -> tuple[int, Json]:
    """The severity level of an incident with these facts, and its reasons encoded."""
    grade = severity.assess(facts)
    return grade.level, encoded(list(grade.reasons))


def place_facts(placement: Placement) -> Json:
    """What severity and routing looked at of a place, encoded."""
    return _place_facts(
        placement.border_zone,
        placement.offshore,
        placement.nakhchivan,
        placement.pipeline,
        placement.pipeline_km,
    )


@lru_cache(maxsize=4096)
def _place_facts(
    border_zone: bool, offshore: bool, nakhchivan: bool, pipeline: str | None, km: float | None
) -> Json:
    place = Placement(
        border_zone=border_zone,
        offshore=offshore,
        nakhchivan=nakhchivan,
        pipeline=pipeline,
        pipeline_km=km,
    )
    return encoded(place.facts())


@lru_cache(maxsize=1024)
def reasons(found: tuple[str, ...]) -> Json:
    """A route's reasons (the same few lists, over and over), encoded."""
    return encoded(list(found))


def created(report_id: str, roles: Json) -> Json:
    """The detail of an incident's ``created`` event: the report it began with, and the
    agencies it was routed to with their roles (encoded once per kind of incident). Put
    together as :func:`encoded` would write it: keys sorted, no spaces, text as is."""
    return Json(f'{{"report":{encode_basestring(report_id)},"routed":{roles}}}')
