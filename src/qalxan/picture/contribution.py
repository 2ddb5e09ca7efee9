"""What one incident adds to the picture: its day, region, event type, the threats it bears
on, its classification, and its measures.

The threats of an event type are the Concept threats among its ``bears_on``, and the two
policy directions the picture watches like threats (emergencies, 4.3.10, and cyber security,
4.3.11). A type that bears on none of them, a peaceful demonstration say, is counted under the
threat ``""``, so that the totals per event type still add up.

The classification is a key of every rollup: a reader sees the counts of the incidents up to
their clearance, never a count that gives away incidents they may not know of.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from qalxan.doctrine.loader import load_bundled
from qalxan.intake.tables import IncidentRow
from qalxan.intake.taxonomy import taxonomy

NO_THREAT = ""
# Policy directions the picture watches as threats of their own: the Concept names natural and
# technological hazards and cyber attacks under these directions, not among threats 3.1-3.11.
DIRECTIONS = {"direction-4-3-10": "emergencies", "direction-4-3-11": "cyber"}
NO_REGION = ""
# An incident with this status is counted in another one (merged into it), not on its own.
NOT_COUNTED = frozenset({"merged"})
# The incident columns a contribution is made of.
COLUMNS = (
    "status",
    "first_observed",
    "admin1",
    "country",
    "event_type",
    "severity",
    "killed",
    "injured",
    "classification",
)


@dataclass(frozen=True, slots=True)
class Contribution:
    """An incident as the rollups count it: one incident per threat it bears on."""

    day: date
    region: str
    event_type: str
    threats: tuple[str, ...]
    severity: int
    killed: int
    injured: int
    classification: int = 0


def contribution(incident: IncidentRow | Mapping[str, Any]) -> Contribution | None:
    """What ``incident`` (an ORM row, or its values as the bulk store holds them) adds to the
    picture; None when it does not count."""
    if isinstance(incident, Mapping):
        values = [incident[name] for name in COLUMNS]
    else:
        values = [getattr(incident, name) for name in COLUMNS]
    return counted(*values)


def counted(
    status: str,
    first_observed: datetime,
    admin1: str | None,
    country: str | None,
    event_type: str,
    severity: int | None,
    killed: int | None,
    injured: int | None,
    classification: int | None,
) -> Contribution | None:
    """The contribution of an incident with these column values (see :data:`COLUMNS`)."""
    if status in NOT_COUNTED:
        return None
    return Contribution(
        day=utc_day(first_observed),
        region=admin1 or country or NO_REGION,
        event_type=event_type,
        threats=threats_of(event_type),
        severity=severity or 0,
        killed=killed or 0,
        injured=injured or 0,
        classification=classification or 0,
    )


def utc_day(at: datetime) -> date:
    """The UTC date of ``at``; a naive time is UTC already (as SQLite gives it back)."""
    return (at.astimezone(UTC) if at.tzinfo else at).date()


def threats_of(event_type: str) -> tuple[str, ...]:
    """The threats (doctrine item ids) an event type bears on, or ``("",)`` for none."""
    return _threats().get(event_type, (NO_THREAT,))


@lru_cache(maxsize=1)
def watched() -> tuple[str, ...]:
    """The threats the picture watches (doctrine ids): every threat of the Concept (3.1-3.11,
    whether or not an event type bears on it yet: an analyst's assessment may), then the
    emergencies and cyber directions."""
    items = load_bundled().items.values()
    return tuple(i.id for i in items if i.kind == "threat") + tuple(DIRECTIONS)


@lru_cache(maxsize=1)
def _threats() -> dict[str, tuple[str, ...]]:
    # The taxonomy ships with the package and names the items of the bundled doctrine (a test
    # checks them against it): the kinds of those items decide what is a threat.
    items = load_bundled().items
    found: dict[str, tuple[str, ...]] = {}
    for kind in taxonomy().types:
        threats = tuple(
            ref for ref in kind.bears_on if items[ref].kind == "threat" or ref in DIRECTIONS
        )
        found[kind.code] = threats or (NO_THREAT,)
    return found
