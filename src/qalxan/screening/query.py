"""What is screened (a query: one person, company, vessel or aircraft as the officer or the
client system knows it) and what comes back (matches, each with the features that made its
score)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from qalxan.errors import InvalidInput
from qalxan.screening.model import SCHEMATA

MAX_NAMES = 20
MAX_NAME_LENGTH = 1000


@dataclass(frozen=True)
class Query:
    """``key`` is the client's own id for the subject; names are as written, in any script;
    nationalities are ISO 3166-1 alpha-2 codes; birth dates ISO (``1961``, ``1961-12``,
    ``1961-12-24``)."""

    key: str
    names: tuple[str, ...]
    schema: str = "Person"
    birth_dates: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    gender: str | None = None
    identifiers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.schema not in SCHEMATA:
            raise InvalidInput(
                f"schema: {self.schema!r} is not one of {', '.join(SCHEMATA)}", "schema"
            )
        names = tuple(n.strip() for n in self.names if n.strip())
        if not names:
            raise InvalidInput("name: at least one name is needed", "name")
        if len(names) > MAX_NAMES:
            raise InvalidInput(f"name: at most {MAX_NAMES} names", "name")
        if any(len(n) > MAX_NAME_LENGTH for n in names):
            raise InvalidInput(f"name: at most {MAX_NAME_LENGTH} characters", "name")
        object.__setattr__(self, "names", names)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "schema": self.schema,
            "names": list(self.names),
            "birth_dates": list(self.birth_dates),
            "nationalities": list(self.nationalities),
            "gender": self.gender,
            "identifiers": list(self.identifiers),
        }


@dataclass(frozen=True)
class Match:
    """One listed party found for a query. ``features`` holds what each feature added to (or
    took from) the score; ``explanation`` says it in words, for the officer."""

    entity_id: str
    list_code: str
    source_id: str
    caption: str
    schema: str
    score: float
    matched_name: str
    features: dict[str, float] = field(default_factory=dict)
    # The explanation, or how to word it: only read for the matches a person sees.
    explain: str | Callable[[], str] = field(default="", repr=False, compare=False)

    @cached_property
    def explanation(self) -> str:
        return self.explain if isinstance(self.explain, str) else self.explain()

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "list": self.list_code,
            "source_id": self.source_id,
            "caption": self.caption,
            "schema": self.schema,
            "score": round(self.score, 4),
            "matched_name": self.matched_name,
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "explanation": self.explanation,
        }
