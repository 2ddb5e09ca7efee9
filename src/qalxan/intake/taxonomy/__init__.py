"""The event types (``event_types.yaml``): ACLED's standard and the platform's own extensions,
each tied to the doctrine items it bears on.

Loaded once and validated: an unknown field, a duplicate code, a category or ACLED name that
does not exist, or a doctrine reference that the doctrine in force does not hold fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput, first_problem

ACLED_EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)


class Names(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    az: str
    ru: str


class AcledName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    event_type: str
    sub_event_type: str


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    name: Names
    acled: str | None = None


class EventType(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    category: str
    name: Names
    acled: AcledName | None = None
    acled_equivalent: AcledName | None = None
    bears_on: tuple[str, ...]
    public_event: bool = False
    note: str | None = None

    @property
    def acled_event_type(self) -> str | None:
        """The ACLED event type this type is, or would be coded as."""
        name = self.acled or self.acled_equivalent
        return name.event_type if name else None

    @property
    def is_threat(self) -> bool:
        return bool(self.bears_on)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: list[Category]
    types: list[EventType]


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Category, ...]
    types: tuple[EventType, ...]

    @cached_property
    def by_code(self) -> dict[str, EventType]:
        return {t.code: t for t in self.types}

    @cached_property
    def by_acled_sub_event(self) -> dict[str, EventType]:
        """ACLED's sub-event type name -> the type that is it."""
        return {t.acled.sub_event_type: t for t in self.types if t.acled}

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.types)

    def get(self, code: str, field: str = "event_type") -> EventType:
        """The type ``code``, or an error naming ``field`` and the codes that exist."""
        found = self.by_code.get(code)
        if found is None:
            raise InvalidInput(
                f"{field}: unknown event type {code!r} (see GET /api/v1/event-types)", field
            )
        return found

    def check_against(self, doctrine: Doctrine) -> None:
        """Every ``bears_on`` must name a threat or policy direction of ``doctrine``."""
        for event_type in self.types:
            for ref in event_type.bears_on:
                item = doctrine.items.get(ref)
                if item is None or item.kind not in ("threat", "direction"):
                    raise ValueError(
                        f"event type {event_type.code}: bears_on {ref!r} is not a threat or "
                        f"policy direction of doctrine {doctrine.version}"
                    )


def parse(raw: Any) -> Taxonomy:
    try:
        data = _File.model_validate(raw)
    except ValidationError as exc:
        where, problem = first_problem(exc)
        raise ValueError(f"event_types.yaml: {where}: {problem}") from exc
    categories = {c.code for c in data.categories}
    seen: set[str] = set()
    for t in data.types:
        if t.code in seen:
            raise ValueError(f"event_types.yaml: duplicate event type {t.code}")
        seen.add(t.code)
        if t.category not in categories:
            raise ValueError(f"event_types.yaml: {t.code}: unknown category {t.category}")
        for acled in (t.acled, t.acled_equivalent):
            if acled is not None and acled.event_type not in ACLED_EVENT_TYPES:
                raise ValueError(f"event_types.yaml: {t.code}: not an ACLED event type")
    for c in data.categories:
        if c.acled is not None and c.acled not in ACLED_EVENT_TYPES:
            raise ValueError(f"event_types.yaml: category {c.code}: not an ACLED event type")
    return Taxonomy(tuple(data.categories), tuple(data.types))


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The bundled taxonomy (validated once per process)."""
    text = resources.files(__package__).joinpath("event_types.yaml").read_text("utf-8")
    return parse(yaml.load(text, Loader=yaml.CSafeLoader))
