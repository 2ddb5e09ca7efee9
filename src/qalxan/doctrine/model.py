"""The doctrine's data model: what a doctrine file may say, validated on load.

Every item has a stable id, a bilingual name, and provenance pointing back into the source
documents. Each kind adds a few typed fields; lists of points (functions, tasks, objectives,
principles, ...) live in ``lists`` under a snake_case key so that a new list needs no new code.
Models forbid unknown fields: a typo in a data file is a load error, not a silently lost value.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$"
PARTIAL_DATE_PATTERN = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"
LIST_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"

ItemId = Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
PartialDate = Annotated[str, Field(pattern=PARTIAL_DATE_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class LocalText(_Strict):
    """A text in English (required, as in the sources) and optionally Azerbaijani and Russian.

    A plain string in a data file is read as the English text.
    """

    en: Annotated[str, Field(min_length=1)]
    az: str | None = None
    ru: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": value}
        return value

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to English."""
        value = getattr(self, lang, None) if lang in ("en", "az", "ru") else None
        return value or self.en

    def texts(self) -> list[str]:
        return [t for t in (self.en, self.az, self.ru) if t]


class Provenance(_Strict):
    """Where a statement comes from: a source (key in the manifest), a section, a quote.

    ``quote`` is a short verbatim excerpt of the source (whitespace may differ); the test suite
    checks that it really stands in the source document.
    """

    source: Annotated[str, Field(pattern=ID_PATTERN)]
    section: Annotated[str, Field(min_length=1)]
    quote: Annotated[str, Field(min_length=8, max_length=600)] | None = None


class Fact(_Strict):
    """A figure stated by a source, e.g. a count of cleared mines."""

    label: LocalText
    value: float | int | str
    unit: str | None = None


class Item(_Strict):
    """Fields shared by every doctrine item."""

    kind: ClassVar[str]

    id: ItemId
    code: str | None = None
    name: LocalText
    aliases: list[LocalText] = Field(default_factory=list)
    summary: LocalText | None = None
    lists: dict[Annotated[str, Field(pattern=LIST_KEY_PATTERN)], list[LocalText]] = Field(
        default_factory=dict
    )
    facts: list[Fact] = Field(default_factory=list)
    provenance: Annotated[list[Provenance], Field(min_length=1)]

    @field_validator("name")
    @classmethod
    def _name_in_azerbaijani(cls, value: LocalText) -> LocalText:
        if not value.az:
            raise ValueError("name.az is required: the doctrine is searched in Azerbaijani too")
        return value


class Interest(Item):
    kind: ClassVar[str] = "interest"


class Threat(Item):
    kind: ClassVar[str] = "threat"
    code: Annotated[str, Field(pattern=r"^3\.\d{1,2}$")]


class Direction(Item):
    kind: ClassVar[str] = "direction"
    code: Annotated[str, Field(pattern=r"^4(?:\.\d+){1,3}$")]


AgencyType = Literal[
    "head_of_state",
    "parliament",
    "government",
    "ministry",
    "state_committee",
    "state_service",
    "state_agency",
    "prosecution",
    "court",
    "ombudsman",
    "council",
    "department",
    "unit",
    "troops",
    "academy",
    "training_centre",
    "bureau",
    "centre",
    "other",
]


class Agency(Item):
    """A state body: ministry, service, committee, one of their departments, academies or units."""

    kind: ClassVar[str] = "agency"
    type: AgencyType
    founded: PartialDate | None = None
    founding_act: str | None = None
    dissolved: PartialDate | None = None


class Organisation(Item):
    """An international organisation (UN, OSCE, NATO, EU, ...) or one of its organs."""

    kind: ClassVar[str] = "organisation"
    type: Literal["universal", "regional", "alliance", "union", "network", "organ", "other"]
    founded: PartialDate | None = None


class Mechanism(Item):
    """A partnership mechanism, programme, plan or forum (PfP, IPAP, TACIS, Minsk Group, ...)."""

    kind: ClassVar[str] = "mechanism"
    type: Literal[
        "council",
        "programme",
        "plan",
        "process",
        "group",
        "policy",
        "agreement",
        "fund",
        "centre",
        "mission",
        "other",
    ]
    since: PartialDate | None = None


class Instrument(Item):
    """A legal or policy document: a resolution, convention, law, decree, agreement."""

    kind: ClassVar[str] = "instrument"
    type: Literal[
        "resolution",
        "convention",
        "treaty",
        "agreement",
        "memorandum",
        "law",
        "decree",
        "order",
        "policy",
        "plan",
        "act",
        "other",
    ]
    date: PartialDate | None = None
    number: str | None = None


class State(Item):
    """A country named as a partner, neighbour or party."""

    kind: ClassVar[str] = "state"
    iso2: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]

    @field_validator("iso2")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if pycountry.countries.get(alpha_2=value) is None:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return value


class Infrastructure(Item):
    """Critical infrastructure: pipelines, railways, corridors, ports, plants."""

    kind: ClassVar[str] = "infrastructure"
    type: Literal[
        "oil_pipeline",
        "gas_pipeline",
        "railway",
        "transport_corridor",
        "port",
        "terminal",
        "nuclear_plant",
        "oil_gas_field",
        "power_plant",
        "water_supply",
        "other",
    ]
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(default_factory=list)
    commissioned: PartialDate | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)


class Event(Item):
    """A dated milestone: an accession, deployment, visit, programme start, reorganisation."""

    kind: ClassVar[str] = "event"
    date: PartialDate
    end_date: PartialDate | None = None
    category: Literal[
        "accession",
        "deployment",
        "visit",
        "programme",
        "agreement",
        "establishment",
        "reorganisation",
        "operation",
        "conflict",
        "statistic",
        "other",
    ]

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError(f"end_date {self.end_date} is before date {self.date}")
        return self


ITEM_MODELS: dict[str, type[Item]] = {
    model.kind: model
    for model in (
        Interest,
        Threat,
        Direction,
        Agency,
        Organisation,
        Mechanism,
        Instrument,
        State,
        Infrastructure,
        Event,
    )
}
"""Kinds by name, in the order the registry lists them."""


class Relation(_Strict):
    """A typed, sourced edge between two items; ``type`` is a key of the relation vocabulary."""

    type: Annotated[str, Field(pattern=LIST_KEY_PATTERN)]
    source: ItemId
    target: ItemId
    since: PartialDate | None = None
    until: PartialDate | None = None
    role: str | None = None
    justification: str | None = None
    provenance: Annotated[list[Provenance], Field(min_length=1)]

    @property
    def key(self) -> str:
        return f"{self.type}:{self.source}->{self.target}"


class RelationType(_Strict):
    """One entry of the relation vocabulary."""

    name: LocalText
    description: str
    source_kinds: Annotated[list[str], Field(min_length=1)]
    target_kinds: Annotated[list[str], Field(min_length=1)]
    requires_justification: bool = False
    routing: bool = False


class Source(_Strict):
    """A source document a version was encoded from."""

    title: str
    file: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    publisher: str | None = None
    date: PartialDate | None = None


class Manifest(_Strict):
    """The head of a doctrine version: what it is and what it was encoded from."""

    id: ItemId
    title: LocalText
    version: Annotated[str, Field(min_length=1)]
    issued: PartialDate | None = None
    description: LocalText | None = None
    sources: dict[Annotated[str, Field(pattern=ID_PATTERN)], Source]
