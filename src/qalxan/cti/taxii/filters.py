"""The URL parameters of the TAXII endpoints: ``added_after``, ``limit``, ``next`` and the
``match[...]`` filters, checked and parsed.

A parameter an endpoint does not know, or a value it cannot use, is refused with
:class:`InvalidInput` naming the parameter (400): a filter silently ignored would hand the
client more than it asked for. Values of one filter are alternatives (``match[type]=a,b``);
different filters must all hold.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from qalxan.cti.store import STIX_ID, parse_timestamp
from qalxan.errors import InvalidInput

# Page sizes: the default suits a partner's scheduled pull; the maximum bounds one response
# (10,000 ATT&CK-sized objects are about 14 MB of JSON).
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
MAX_VALUES = 500
VERSION_WORDS = ("last", "first", "all")
SPEC_VERSION = re.compile(r"^\d\.\d$")
STIX_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

# The parameters of each kind of endpoint (TAXII 2.1 sections 5.3-5.8).
OBJECTS = frozenset({"added_after", "limit", "next", "id", "type", "version", "spec_version"})
OBJECT = frozenset({"added_after", "limit", "next", "version", "spec_version"})
DELETE = frozenset({"version", "spec_version"})
VERSIONS = frozenset({"added_after", "limit", "next", "spec_version"})


@dataclass(frozen=True)
class Filters:
    added_after: datetime | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    next: str | None = None

    @property
    def digest(self) -> str:
        """What a ``next`` token is bound to: every filter but the page size and position."""
        text = repr((self.added_after, self.ids, self.types, self.versions, self.spec_versions))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def timestamps(self) -> tuple[datetime, ...]:
        return tuple(t for v in self.versions if (t := parse_timestamp(v)) is not None)


def _name(param: str) -> str | None:
    if param.startswith("match[") and param.endswith("]"):
        return param[6:-1]
    return param if param in ("added_after", "limit", "next") else None


def parse(
    params: Iterable[tuple[str, str]], allowed: frozenset[str], default_version: str = "last"
) -> Filters:
    """The filters of a request's query parameters, for an endpoint taking ``allowed``."""
    values: dict[str, list[str]] = {}
    for param, value in params:
        name = _name(param)
        if name is None or name not in allowed:
            raise InvalidInput(f"{param}: not a parameter of this endpoint", field=param)
        values.setdefault(name, []).extend(v.strip() for v in value.split(","))
    for name, given in values.items():
        if len(given) > MAX_VALUES or not all(given):
            raise InvalidInput(f"{_param(name)}: 1 to {MAX_VALUES} non-empty values", _param(name))
    return Filters(
        added_after=_added_after(values.get("added_after")),
        ids=_checked("id", values.get("id", []), lambda v: STIX_ID.match(v) is not None),
        types=_checked("type", values.get("type", []), lambda v: STIX_TYPE.match(v) is not None),
        versions=_versions(values.get("version", [default_version])),
        spec_versions=_checked(
            "spec_version",
            values.get("spec_version", []),
            lambda v: SPEC_VERSION.match(v) is not None,
        ),
        limit=_limit(values.get("limit")),
        next=_single("next", values.get("next")),
    )


def _param(name: str) -> str:
    return name if name in ("added_after", "limit", "next") else f"match[{name}]"


def _single(name: str, given: list[str] | None) -> str | None:
    if given is None:
        return None
    if len(given) != 1:
        raise InvalidInput(f"{name}: one value only", field=name)
    return given[0]


def _added_after(given: list[str] | None) -> datetime | None:
    text = _single("added_after", given)
    if text is None:
        return None
    at = parse_timestamp(text)
    if at is None:
        raise InvalidInput(
            f"added_after: {text!r} is not a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)", "added_after"
        )
    return at


def _limit(given: list[str] | None) -> int:
    text = _single("limit", given)
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(f"limit: {text!r} is not a positive whole number", field="limit")
    return min(int(text), MAX_LIMIT)


def _checked(name: str, given: list[str], valid: Callable[[str], bool]) -> tuple[str, ...]:
    for value in given:
        if not valid(value):
            raise InvalidInput(f"match[{name}]: {value!r} is not valid", field=f"match[{name}]")
    return tuple(dict.fromkeys(given))


def _versions(given: list[str]) -> tuple[str, ...]:
    for value in given:
        if value not in VERSION_WORDS and parse_timestamp(value) is None:
            raise InvalidInput(
                f"match[version]: {value!r} is not last, first, all or a timestamp",
                field="match[version]",
            )
    return tuple(dict.fromkeys(given))
