"""The CAP vocabulary shipped in ``data/cap.yaml``: codes, their labels, the languages.

Loaded once and validated with pydantic; a bad file raises :class:`VocabularyError` naming the
field, e.g. ``cap.yaml: severity.Extreme.ru: Field required``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qalxan.errors import QalxanError, first_problem

FILE = "cap.yaml"
LISTS = (
    "status",
    "msgType",
    "scope",
    "category",
    "responseType",
    "urgency",
    "severity",
    "certainty",
)


class VocabularyError(QalxanError):
    """``data/cap.yaml`` is missing or does not validate."""

    code = "vocabulary_invalid"


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    az: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        """The label in ``language`` (a tag such as ``ru-RU`` uses ``ru``); English otherwise."""
        primary = language.split("-", 1)[0].lower()
        return str(getattr(self, primary)) if primary in ("az", "ru", "en") else self.en


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    standard: str
    implicit_language: str
    platform_languages: dict[str, Labels]
    status: dict[str, Labels]
    msg_type: dict[str, Labels] = Field(alias="msgType")
    scope: dict[str, Labels]
    category: dict[str, Labels]
    response_type: dict[str, Labels] = Field(alias="responseType")
    urgency: dict[str, Labels]
    severity: dict[str, Labels]
    certainty: dict[str, Labels]

    def codes(self, name: str) -> tuple[str, ...]:
        """The codes of the list called ``name`` in CAP (``msgType``, ``severity``...)."""
        field = {"msgType": "msg_type", "responseType": "response_type"}.get(name, name)
        values: dict[str, Labels] = getattr(self, field)
        return tuple(values)

    def label(self, name: str, code: str, language: str) -> str:
        """The label of ``code`` in the list ``name``; the code itself when it is not listed."""
        field = {"msgType": "msg_type", "responseType": "response_type"}.get(name, name)
        labels: dict[str, Labels] = getattr(self, field)
        return labels[code].get(language) if code in labels else code

    def is_platform_language(self, tag: str) -> bool:
        return tag.split("-", 1)[0].lower() in self.platform_languages


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    try:
        text = resources.files("qalxan.alerts").joinpath("data", FILE).read_text("utf-8")
        return Vocabulary.model_validate(yaml.safe_load(text))
    except (OSError, yaml.YAMLError) as error:
        raise VocabularyError(f"{FILE}: {error}") from error
    except ValidationError as error:
        field, problem = first_problem(error)
        raise VocabularyError(f"{FILE}: {field}: {problem}", field=field) from error


@lru_cache(maxsize=4096)
def is_known_language(tag: str) -> bool:
    """Whether an RFC 3066 tag names a language: its primary subtag is an ISO 639 code, or it
    is one of the ``i-`` (IANA) and ``x-`` (private use) tags that RFC 3066 allows."""
    primary = tag.split("-", 1)[0].lower()
    if primary in ("i", "x"):
        return "-" in tag
    if len(primary) == 2:
        return pycountry.languages.get(alpha_2=primary) is not None
    if len(primary) == 3:
        return pycountry.languages.get(alpha_3=primary) is not None or _bibliographic(primary)
    return False


def _bibliographic(code: str) -> bool:
    # ISO 639-2/B codes (fre, ger, chi...) are valid RFC 3066 tags too.
    return any(getattr(lang, "bibliographic", None) == code for lang in pycountry.languages)
