"""The typing lexicon's files as read: YAML that refuses a key listed twice, and the schemas of
a language file and of ``scoring.yaml``, each failure naming the file.

Apart from :mod:`.lexicon` (which compiles what these hold for matching) because the matching
module is compiled to C (see ``scripts/compile.py``), and mypyc compiles no pydantic model.
"""

from __future__ import annotations

from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qalxan.errors import first_problem


class LanguageFile(BaseModel):
    """A lexicon file: the cues of one language."""

    model_config = ConfigDict(extra="forbid")
    language: Literal["en", "az", "ru"]
    context: list[str] = []
    cues: dict[str, dict[str, float]]


class Scoring(BaseModel):
    """How matched cues add up (``scoring.yaml``, where each field is explained)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    gap: int = Field(ge=0, le=10)
    sentence_weights: tuple[float, ...] = Field(min_length=1)
    late_sentence_types: dict[str, float] = {}
    context_weight: float = Field(ge=0, le=1)
    framing_types: tuple[str, ...] = ()
    framed_types: tuple[str, ...] = ()
    decay: float = Field(ge=0, le=1)
    priors: dict[str, float]
    fallback: str

    def sentence_weight(self, event_type: str, sentence: int) -> float:
        """The weight of a cue for ``event_type`` in the ``sentence``-th sentence (from 0)."""
        weights = self.sentence_weights
        weight = weights[min(sentence, len(weights) - 1)]
        if sentence:
            weight = max(weight, self.late_sentence_types.get(event_type, 0.0))
        return weight


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with a key twice (a cue listed twice)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is listed twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(name: str, text: str) -> Any:
    """The YAML document ``text`` of the lexicon file ``name``; fails on a key listed twice."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"lexicon {name}: {exc}") from exc


def validate(name: str, model: type[BaseModel], raw: Any) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        where, problem = first_problem(exc)
        raise ValueError(f"lexicon {name}: {where}: {problem}") from exc
