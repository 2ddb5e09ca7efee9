"""Sectors of information infrastructure (``cti/data/sectors.yaml``), and which sectors an
indicator or a report concerns.

The vocabulary is data, loaded once and refused when bad: an infrastructure type that the
doctrine's model does not know, a type claimed by two sectors or a label by two sectors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field

from qalxan.doctrine.model import Infrastructure
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import InvalidInput

LABEL_PREFIXES = ("sector:", "sector=", "industry:")


class Name(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    az: str


class Sector(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$")
    name: Name
    infrastructure_types: tuple[str, ...]
    labels: tuple[str, ...]


class Sectors(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sectors: tuple[Sector, ...]

    def ids(self) -> list[str]:
        return [s.id for s in self.sectors]


@cache
def sectors() -> Sectors:
    text = resources.files("qalxan.cti").joinpath("data/sectors.yaml").read_text("utf-8")
    loaded = Sectors.model_validate(yaml.safe_load(text))
    known = set(get_args(Infrastructure.model_fields["type"].annotation))
    claimed: dict[str, str] = {}
    for sector in loaded.sectors:
        for kind in sector.infrastructure_types:
            if kind not in known:
                raise ValueError(f"sectors.yaml: {sector.id}: no infrastructure type {kind!r}")
            _claim(claimed, f"type {kind}", sector.id)
        for label in (sector.id, *sector.labels):
            _claim(claimed, f"label {label}", sector.id)
    return loaded


def _claim(claimed: dict[str, str], what: str, sector: str) -> None:
    other = claimed.setdefault(what, sector)
    if other != sector:
        raise ValueError(f"sectors.yaml: {what} is in both {other} and {sector}")


@cache
def _by_label() -> dict[str, str]:
    return {label: s.id for s in sectors().sectors for label in (s.id, *s.labels)}


@cache
def _by_type() -> dict[str, str]:
    return {kind: s.id for s in sectors().sectors for kind in s.infrastructure_types}


def of_labels(labels: Iterable[object]) -> set[str]:
    """The sectors named by an object's labels (``energy``, ``sector:financial-services``)."""
    found = set()
    for label in labels:
        if not isinstance(label, str):
            continue
        text = label.strip().strip("\"'").lower()
        for prefix in LABEL_PREFIXES:
            text = text.removeprefix(prefix)
        sector = _by_label().get(text.strip())
        if sector:
            found.add(sector)
    return found


def of_object(obj: dict[str, Any]) -> set[str]:
    """The sectors a STIX object concerns: its labels, and an identity's ``sectors``."""
    return of_labels([*(obj.get("labels") or []), *(obj.get("sectors") or [])])


def of_report_objects(doctrine: Doctrine, objects: Iterable[object]) -> set[str]:
    """The sectors of the doctrine's infrastructure that a report's involved objects name."""
    found = set()
    for obj in objects:
        ref = obj.get("infrastructure_id") if isinstance(obj, dict) else None
        item = doctrine.items.get(ref) if isinstance(ref, str) else None
        if isinstance(item, Infrastructure) and item.type in _by_type():
            found.add(_by_type()[item.type])
    return found


def check(values: Sequence[str], field: str = "sectors") -> list[str]:
    """The sector ids, each once, or :class:`InvalidInput` naming an unknown one."""
    known = sectors().ids()
    cleaned = list(dict.fromkeys(v.strip().lower() for v in values))
    if not cleaned:
        raise InvalidInput(f"{field}: at least one of {', '.join(known)}", field=field)
    for value in cleaned:
        if value not in known:
            raise InvalidInput(f"{field}: {value!r} is not one of {', '.join(known)}", field)
    return cleaned
