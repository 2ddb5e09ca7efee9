"""How correlation runs (``cti/data/correlation.yaml``): the CERT's agency, what triggers a
pass, its windows and batches, and what may leave for operators. Loaded once, refused when bad."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from qalxan.access.markings import scheme


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cert_agency: str = Field(min_length=1, max_length=80)
    triggers: tuple[str, ...]
    settle_seconds: int = Field(ge=0)
    first_pass_days: int = Field(ge=1)
    retro_hunt_days: int = Field(ge=1)
    batch: int = Field(ge=1, le=10_000)
    max_outbound_classification: str
    object_link: str

    @property
    def max_outbound_rank(self) -> int:
        return scheme().classification(self.max_outbound_classification).rank

    def link(self, stix_id: str) -> str:
        return self.object_link.format(id=stix_id)


@cache
def rules() -> Rules:
    text = resources.files("qalxan.cti").joinpath("data/correlation.yaml").read_text("utf-8")
    loaded = Rules.model_validate(yaml.safe_load(text))
    loaded.max_outbound_rank  # noqa: B018  # an unknown classification fails now, not later
    if "{id}" not in loaded.object_link:
        raise ValueError("correlation.yaml: object_link must contain {id}")
    return loaded
