"""The observable index: the values indicator patterns look for, so that a report's
observables find their indicators by lookup instead of by evaluating every pattern.

:func:`add` is called by :func:`qalxan.cti.store.put` for the versions it has just stored:
each indicator version (pattern type ``stix``; a pattern that does not parse is not indexed)
gets one row per positive term (:attr:`qalxan.cti.patterns.Pattern.keys`). Rows are never
removed: :func:`candidates` reads only the newest, unrevoked version of an indicator, so a new
version or a revocation takes effect as soon as it is stored. An indicator whose
``valid_until`` is not after the report's observed time does not match (:func:`in_force`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, false, insert, or_, select
from sqlalchemy.orm import Session

from qalxan.cti import normalise as n
from qalxan.cti.observables import Observable
from qalxan.cti.patterns import Pattern, compile_pattern
from qalxan.cti.tables import CtiObjectRow, CtiObservableRow
from qalxan.errors import InvalidInput

CHUNK = 500
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """An indicator found through the index, to be evaluated against a report."""

    row_id: str
    stix_id: str
    obj: dict[str, Any]
    pattern: Pattern


def pattern_of(obj: Mapping[str, Any]) -> Pattern | None:
    """The compiled pattern of an indicator, or None when correlation cannot use it."""
    text = obj.get("pattern")
    if obj.get("type") != "indicator" or not isinstance(text, str):
        return None
    if obj.get("pattern_type", "stix") != "stix":
        return None
    try:
        return compile_pattern(text)
    except InvalidInput as exc:
        log.info("indicator %s not indexed: %s", obj.get("id"), exc.message)
        return None


def add(session: Session, stored: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Index the indicator versions among ``stored`` ((row id, object) just inserted)."""
    rows: list[dict[str, str]] = []
    for row_id, obj in stored:
        pattern = pattern_of(obj) if obj.get("revoked") is not True else None
        if pattern is None:
            continue
        stix_id = str(obj["id"])
        rows += [
            {"object_id": row_id, "kind": kind, "value": value, "stix_id": stix_id}
            for kind, value in pattern.keys
        ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(CtiObservableRow), rows[start : start + CHUNK])
    return len(rows)


def lookup_keys(observables: Iterable[Observable]) -> dict[str, set[str]]:
    """kind -> values to look up: each value, the networks around each address, and the
    rule rows (``~kind``) of every kind present."""
    keys: dict[str, set[str]] = {}
    for o in observables:
        keys.setdefault(o.kind, set()).add(o.value)
        keys.setdefault(f"~{o.kind}", set())
        if o.kind in n.NETWORK:
            keys.setdefault(n.NETWORK[o.kind], set()).update(n.covering(o.kind, o.value))
    return keys


def candidates(session: Session, observables: Sequence[Observable]) -> list[Candidate]:
    """The newest unrevoked indicator versions that some observable may match."""
    keys = lookup_keys(observables)
    if not keys:
        return []
    exact = [
        and_(CtiObservableRow.kind == kind, CtiObservableRow.value.in_(sorted(values)))
        for kind, values in keys.items()
        if values
    ]
    rules = sorted(kind for kind, values in keys.items() if not values)
    query = (
        select(CtiObjectRow.id, CtiObjectRow.stix_id, CtiObjectRow.body)
        .join(CtiObservableRow, CtiObservableRow.object_id == CtiObjectRow.id)
        .where(
            CtiObjectRow.latest.is_(True),
            CtiObjectRow.revoked.is_(False),
            or_(false(), *exact, CtiObservableRow.kind.in_(rules)),
        )
        .distinct()
    )
    found = []
    for row_id, stix_id, body in session.execute(query):
        obj = json.loads(body)
        pattern = pattern_of(obj)
        if pattern is not None:
            found.append(Candidate(row_id, stix_id, obj, pattern))
    return sorted(found, key=lambda c: c.stix_id)


def in_force(obj: Mapping[str, Any], at: datetime) -> bool:
    """Whether the indicator was still valid when the report's activity was observed: a
    ``valid_until`` at or before then means the value no longer indicated anything."""
    until = obj.get("valid_until")
    if not isinstance(until, str):
        return True
    try:
        end = datetime.fromisoformat(until).astimezone(UTC)
    except ValueError:
        return True
    return at < end
