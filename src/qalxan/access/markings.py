"""The marking scheme (classification levels and TLP 2.0), loaded once from ``markings.yaml``."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from qalxan.errors import InvalidInput

Reach = Literal["everyone", "community", "shared", "strict", "named"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    en: str
    az: str
    ru: str


class Classification(_Strict):
    code: str = Field(pattern=r"^[a-z_]+$")
    rank: int = Field(ge=0)
    banner: str
    name: Names
    state_secret: bool = False


class Tlp(_Strict):
    code: str
    reach: Reach
    colour: str
    name: Names
    description: Names


class Scheme(_Strict):
    classifications: tuple[Classification, ...]
    tlp: tuple[Tlp, ...]

    def classification(self, code: str, field: str = "classification") -> Classification:
        for level in self.classifications:
            if level.code == code:
                return level
        known = ", ".join(c.code for c in self.classifications)
        raise InvalidInput(
            f"{field}: unknown classification {code!r} (one of {known})", field=field
        )

    def by_rank(self, rank: int) -> Classification:
        for level in self.classifications:
            if level.rank == rank:
                return level
        raise ValueError(f"no classification has rank {rank}")

    def tlp_marking(self, code: str | None, field: str = "tlp") -> Tlp | None:
        if code is None:
            return None
        wanted = code.upper().removeprefix("TLP:")
        for marking in self.tlp:
            if marking.code == wanted:
                return marking
        known = ", ".join(t.code for t in self.tlp)
        raise InvalidInput(f"{field}: unknown TLP marking {code!r} (one of {known})", field=field)

    def tlp_code(self, code: str | None, field: str = "tlp") -> str | None:
        """The code of a TLP marking given as ``amber`` or ``TLP:AMBER``; None for none."""
        marking = self.tlp_marking(code, field)
        return marking.code if marking is not None else None

    def tlp_with_reach(self, *reaches: Reach) -> list[str]:
        return [t.code for t in self.tlp if t.reach in reaches]

    @property
    def highest(self) -> Classification:
        return max(self.classifications, key=lambda c: c.rank)


@lru_cache(maxsize=1)
def scheme() -> Scheme:
    """The bundled scheme; ranks must be 0..n-1 without gaps so that SQL can compare them."""
    text = resources.files("qalxan.access").joinpath("data/markings.yaml").read_text("utf-8")
    loaded = Scheme.model_validate(yaml.safe_load(text))
    ranks = sorted(c.rank for c in loaded.classifications)
    if ranks != list(range(len(ranks))):
        raise ValueError("markings.yaml: classification ranks must be 0, 1, 2, ... without gaps")
    return loaded
