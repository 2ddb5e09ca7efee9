"""Markings on STIX objects: TLP 2.0 (and TLP 1.0, read as what it became) and the national
classification, mapped to and from the platform's marking scheme.

An object's TLP is the most restrictive TLP among its ``object_marking_refs``; its
classification the highest national level among them (unclassified when none). Granular
markings are kept in the object but not used for access: the whole object is marked at its
strictest, which never shows more than the sender allowed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from qalxan.access.markings import scheme

# Least to most restrictive; the platform's TLP codes.
TLP_ORDER = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
# The date of the TLP 2.0 marking definitions in the OASIS extension.
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# When Qalxan's own definitions (identity, extension, classification markings) were made.
QALXAN_CREATED = "2026-11-22T00:00:00.000Z"


class _Ids(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tlp2_extension: str
    tlp2: dict[str, str]
    tlp1: dict[str, str]
    classification_extension: str


@cache
def ids() -> _Ids:
    text = resources.files("qalxan.cti").joinpath("data/markings.yaml").read_text("utf-8")
    loaded = _Ids.model_validate(yaml.safe_load(text))
    unknown = (set(loaded.tlp2) | set(loaded.tlp1)) - set(TLP_ORDER)
    if unknown:
        raise ValueError(f"cti markings: unknown TLP levels {sorted(unknown)}")
    return loaded


@cache
def _tlp_by_id() -> dict[str, str]:
    found = {ref: code for code, ref in ids().tlp1.items()}
    found.update({ref: code for code, ref in ids().tlp2.items()})
    return found


@cache
def _classification_by_id() -> dict[str, int]:
    return {classification_id(c.code): c.rank for c in scheme().classifications}


def tlp_of(refs: Iterable[str]) -> str | None:
    """The most restrictive TLP among the marking refs (None when there is none)."""
    levels = [_tlp_by_id()[ref] for ref in refs if ref in _tlp_by_id()]
    return max(levels, key=TLP_ORDER.index) if levels else None


def classification_of(refs: Iterable[str]) -> int:
    """The highest national classification rank among the marking refs (0 when none)."""
    return max((_classification_by_id().get(ref, 0) for ref in refs), default=0)


def object_refs(obj: dict[str, Any]) -> list[str]:
    refs = obj.get("object_marking_refs") or []
    return [r for r in refs if isinstance(r, str)]


def tlp_id(code: str) -> str:
    return ids().tlp2[code]


def classification_id(code: str) -> str:
    base = uuid.UUID(ids().classification_extension.split("--", 1)[1])
    return f"marking-definition--{uuid.uuid5(base, code)}"


def identity() -> dict[str, Any]:
    """Qalxan as the STIX identity that creates its own definitions."""
    base = uuid.UUID(ids().classification_extension.split("--", 1)[1])
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid5(base, 'qalxan')}",
        "created": QALXAN_CREATED,
        "modified": QALXAN_CREATED,
        "name": "Qalxan",
        "identity_class": "system",
    }


def tlp_definition(code: str) -> dict[str, Any]:
    """The TLP 2.0 marking definition of ``code``, as the OASIS extension publishes it."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp_id(code),
        "created": TLP2_CREATED,
        "name": f"TLP:{code}",
        "extensions": {
            ids().tlp2_extension: {
                "extension_type": "property-extension",
                "tlp_2_0": code.lower(),
            }
        },
    }


def classification_extension() -> dict[str, Any]:
    """The extension definition of Qalxan's national classification marking."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": ids().classification_extension,
        "created_by_ref": identity()["id"],
        "created": QALXAN_CREATED,
        "modified": QALXAN_CREATED,
        "name": "Qalxan national classification",
        "description": "The protective marking of the Law of the Republic of Azerbaijan "
        '"On State Secrets" (2004) and its official-use level.',
        "schema": "https://qalxan.invalid/stix/classification-extension.json",
        "version": "1.0",
        "extension_types": ["property-extension"],
    }


def classification_definition(code: str) -> dict[str, Any]:
    """The marking definition of one national classification level."""
    level = scheme().classification(code)
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": classification_id(level.code),
        "created_by_ref": identity()["id"],
        "created": QALXAN_CREATED,
        "name": level.banner,
        "extensions": {
            ids().classification_extension: {
                "extension_type": "property-extension",
                "classification": level.code,
            }
        },
    }
