"""Indicators, as data (``data/indicators.yaml``): what the analysts watch for per threat, such
as incidents near the export pipelines, ceasefire violations along the border, or seizures in
a border district above its norm.

An indicator selects incidents (by event type or category, and by where they were placed: near
a pipeline route, in the border zone, offshore, in named regions), counts them in a window of
days, nationally or per region, and is triggered by a count that reaches a threshold
(``at_least``) or stands above the same window's norm (``above_norm``). The file is checked on
load against the taxonomy, the gazetteer and the threats the picture watches; every error
names the field at fault. :mod:`qalxan.picture.indicator_readings` evaluates them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qalxan.errors import InvalidInput
from qalxan.geo.data_files import load_gazetteer
from qalxan.intake.placing import PIPELINE_SEARCH_KM
from qalxan.intake.taxonomy import Names, taxonomy
from qalxan.picture.contribution import watched

BUNDLED = Path(__file__).parent / "data" / "indicators.yaml"
NATIONAL: Literal["national"] = "national"
PER_REGION: Literal["region"] = "region"


class Selection(BaseModel):
    """Which incidents an indicator counts: every condition given must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # Placing looks for pipelines this far from a point: nearer ones are in the incident's facts.
    pipeline_within_km: float | None = Field(None, gt=0, le=PIPELINE_SEARCH_KM)
    pipelines: tuple[str, ...] = ()
    border_zone: bool | None = None
    offshore: bool | None = None
    regions: tuple[str, ...] = ()

    def types(self) -> frozenset[str]:
        """The event types selected: those named and those of the categories named; neither
        named, every type that is not a public event (which is never a threat)."""
        every = taxonomy().types
        if not self.event_types and not self.categories:
            return frozenset(t.code for t in every if not t.public_event)
        return frozenset(self.event_types) | {
            t.code for t in every if t.category in self.categories
        }

    @property
    def by_place(self) -> bool:
        """Whether it selects by the incident's place facts (which the queue cannot filter)."""
        conditions = (self.pipeline_within_km, self.border_zone, self.offshore)
        return any(c is not None for c in conditions)


class AboveNorm(BaseModel):
    """Triggered by a count improbable against the previous ``windows`` windows."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    windows: int = Field(8, ge=2, le=104)
    minimum: int = Field(4, ge=1)
    alpha: float = Field(gt=0, lt=1)
    min_count: int = Field(1, ge=1)


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)
    threat: str
    name: Names
    select: Selection = Selection()
    window_days: int = Field(ge=1, le=366)
    per: Literal["national", "region"] = NATIONAL
    at_least: int | None = Field(None, ge=1)
    above_norm: AboveNorm | None = None

    @property
    def trigger(self) -> str:
        """``at_least`` or ``above_norm``: how it is triggered."""
        return "at_least" if self.at_least is not None else "above_norm"

    @property
    def norm_windows(self) -> tuple[int, int]:
        """The windows its norm is drawn from, and the fewest it needs."""
        norm = self.above_norm or AboveNorm(alpha=0.5)
        return norm.windows, norm.minimum


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicators: list[Indicator]


@lru_cache(maxsize=4)
def load(path: Path = BUNDLED) -> tuple[Indicator, ...]:
    """Every indicator of ``path``, checked."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = _File.model_validate(raw).indicators
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"{path.name}: {error}", "indicators") from error
    except ValidationError as error:
        raise _invalid(path, error) from None
    seen: set[str] = set()
    for n, indicator in enumerate(found, 1):
        where = f"{path.name}: indicators[{n}]"
        if indicator.id in seen:
            raise InvalidInput(f"{where}.id: {indicator.id!r} is used twice", "id")
        seen.add(indicator.id)
        _check(indicator, where)
    return tuple(found)


def get(indicator_id: str, path: Path = BUNDLED) -> Indicator:
    found = next((i for i in load(path) if i.id == indicator_id), None)
    if found is None:
        raise InvalidInput(f"indicator: no indicator has the id {indicator_id!r}", "indicator")
    return found


def _invalid(path: Path, error: ValidationError) -> InvalidInput:
    first = error.errors()[0]
    loc = first["loc"]
    where = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "indicators")
    return InvalidInput(f"{path.name}: {where}: {first['msg']}", field)


def _check(indicator: Indicator, where: str) -> None:
    """The references of ``indicator`` against the picture's threats, the taxonomy and the
    gazetteer, and its trigger."""
    if indicator.threat not in watched():
        raise InvalidInput(
            f"{where}.threat: {indicator.threat!r} is not a threat the picture watches", "threat"
        )
    chosen = indicator.select
    codes = taxonomy().by_code
    categories = {c.code for c in taxonomy().categories}
    gazetteer = load_gazetteer()
    pipelines = {p.code for p in gazetteer.pipelines}
    checks: list[tuple[str, tuple[str, ...], Any]] = [
        ("event_types", chosen.event_types, codes),
        ("categories", chosen.categories, categories),
        ("pipelines", chosen.pipelines, pipelines),
        ("regions", tuple(r for r in chosen.regions if not _country(r)), gazetteer.units),
    ]
    for name, values, known in checks:
        unknown = [v for v in values if v not in known]
        if unknown:
            raise InvalidInput(f"{where}.select.{name}: unknown {', '.join(unknown)}", name)
    if chosen.pipelines and chosen.pipeline_within_km is None:
        raise InvalidInput(
            f"{where}.select.pipelines: needs pipeline_within_km (how near)", "pipelines"
        )
    if (indicator.at_least is None) == (indicator.above_norm is None):
        raise InvalidInput(f"{where}.at_least: give either at_least or above_norm", "at_least")
    norm = indicator.above_norm
    if norm is not None and norm.minimum > norm.windows:
        raise InvalidInput(f"{where}.above_norm.minimum: at most windows", "minimum")


def _country(region: str) -> bool:
    """A country's code: ``GE`` abroad, or ``AZ`` for Azerbaijan outside any district."""
    return len(region) == 2 and region.isupper() and bool(pycountry.countries.get(alpha_2=region))
