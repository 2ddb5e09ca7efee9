"""The rules of a MISP event that its JSON schema cannot express.

An event needs a title (``info``); uuids have the 8-4-4-4-12 form; timestamps are whole
seconds since 1970; the event date is a calendar date; distribution, threat level and
analysis are MISP's codes; the database ids of the exporting instance are numbers (PyMISP
reads them as such); every attribute has a ``type`` and a ``category`` known to MISP
(``pymisp/data/describeTypes.json``), the type is one the category allows, and the value is
plausible for the type (:mod:`qalxan.cti.misp_values`); object attributes say their
``object_relation`` and object references their target and kind; tags have names; galaxy
clusters have values; sightings have MISP's sighting types. The schema has already
vouched for the JSON types of the members it describes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from qalxan.cti.misp_document import Located
from qalxan.cti.misp_problems import Problem, join
from qalxan.cti.misp_values import check_value

UUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Whole seconds up to the end of year 9999, as MISP stores them.
LAST_TIMESTAMP = 253_402_300_799
EVENT_CODES = {
    "distribution": {"0", "1", "2", "3", "4"},
    "threat_level_id": {"1", "2", "3", "4"},
    "analysis": {"0", "1", "2"},
}
# Attributes and objects may also inherit the event's distribution (5).
RECORD_DISTRIBUTIONS = {"0", "1", "2", "3", "4", "5"}
# Database ids of the exporting MISP instance: PyMISP reads them as integers.
NUMERIC_IDS = (
    "id",
    "event_id",
    "object_id",
    "org_id",
    "orgc_id",
    "sharing_group_id",
    "galaxy_id",
    "tag_id",
    "galaxy_cluster_id",
    "template_version",
    "attribute_count",
)


@dataclass(frozen=True)
class Vocabulary:
    """MISP's attribute types and categories, and which types each category allows."""

    types: frozenset[str]
    categories: tuple[str, ...]
    allowed: Mapping[str, frozenset[str]]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    text = resources.files("pymisp").joinpath("data/describeTypes.json").read_text("utf-8")
    result = json.loads(text)["result"]
    allowed = {c: frozenset(t) for c, t in result["category_type_mappings"].items()}
    return Vocabulary(frozenset(result["types"]), tuple(result["categories"]), allowed)


def event_problems(one: Located) -> list[Problem]:
    event, path, problems = one.event, one.path, []
    info = event.get("info")
    if not isinstance(info, str) or not info.strip():
        problems.append(Problem(join(path, "info"), "required: MISP needs the event's title"))
    _record(event, path, EVENT_CODES["distribution"], problems)
    for key in ("threat_level_id", "analysis"):
        _code(event, path, key, EVENT_CODES[key], problems)
    _timestamp(event, path, "publish_timestamp", problems)
    if "date" in event and not _is_date(event["date"]):
        problems.append(Problem(join(path, "date"), f"{event['date']!r} is not a YYYY-MM-DD date"))
    for key in ("Orgc", "Org"):
        if isinstance(event.get(key), Mapping):
            _numbers(event[key], join(path, key), problems)
            _uuid(event[key], join(path, key), problems)
    _tags(event, path, problems)
    for index, attribute in enumerate(event.get("Attribute") or []):
        _attribute(attribute, join(path, f"Attribute[{index}]"), problems)
    for index, misp_object in enumerate(event.get("Object") or []):
        _object(misp_object, join(path, f"Object[{index}]"), problems)
    for index, galaxy in enumerate(event.get("Galaxy") or []):
        _galaxy(galaxy, join(path, f"Galaxy[{index}]"), problems)
    return problems


def _attribute(attribute: dict[str, Any], path: str, problems: list[Problem]) -> None:
    _record(attribute, path, RECORD_DISTRIBUTIONS, problems)
    _tags(attribute, path, problems)
    words = vocabulary()
    kind, category, value = (attribute.get(k) for k in ("type", "category", "value"))
    if not isinstance(kind, str):
        problems.append(Problem(join(path, "type"), "required"))
    elif kind not in words.types:
        problems.append(Problem(join(path, "type"), f"{kind!r} is not a MISP attribute type"))
    if isinstance(category, str):
        if category not in words.categories:
            reason = f"{category!r} is not a MISP category"
            problems.append(Problem(join(path, "category"), reason))
        elif kind in words.types and kind not in words.allowed[category]:
            reason = f"type {kind!r} is not allowed in category {category!r}"
            problems.append(Problem(join(path, "category"), reason))
    if not isinstance(value, str):
        problems.append(Problem(join(path, "value"), "required"))
    elif kind in words.types and (refused := check_value(str(kind), value)):
        problems.append(Problem(join(path, "value"), refused))
    for index, sighting in enumerate(attribute.get("Sighting") or []):
        _sighting(sighting, join(path, f"Sighting[{index}]"), problems)
    for index, galaxy in enumerate(attribute.get("Galaxy") or []):
        _galaxy(galaxy, join(path, f"Galaxy[{index}]"), problems)
    for key in ("first_seen", "last_seen"):
        seen = attribute.get(key)
        if seen not in (None, "") and check_value("datetime", str(seen)):
            problems.append(Problem(join(path, key), f"{seen!r} is not an ISO 8601 date and time"))


def _object(misp_object: dict[str, Any], path: str, problems: list[Problem]) -> None:
    name = misp_object.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(join(path, "name"), "required: the object template's name"))
    _record(misp_object, path, RECORD_DISTRIBUTIONS, problems)
    attributes = misp_object.get("Attribute") or []
    if not attributes:
        problems.append(Problem(join(path, "Attribute"), "an object needs attributes"))
    for index, attribute in enumerate(attributes):
        here = join(path, f"Attribute[{index}]")
        relation = attribute.get("object_relation")
        if not isinstance(relation, str) or not relation.strip():
            problems.append(Problem(join(here, "object_relation"), "required in an object"))
        _attribute(attribute, here, problems)
    for index, reference in enumerate(misp_object.get("ObjectReference") or []):
        here = join(path, f"ObjectReference[{index}]")
        if not isinstance(reference.get("relationship_type"), str):
            problems.append(Problem(join(here, "relationship_type"), "required"))
        target = reference.get("referenced_uuid")
        if not (isinstance(target, str) and UUID.fullmatch(target)):
            problems.append(Problem(join(here, "referenced_uuid"), f"{target!r} is not a UUID"))


def _sighting(sighting: dict[str, Any], path: str, problems: list[Problem]) -> None:
    _numbers(sighting, path, problems)
    _uuid(sighting, path, problems)
    _timestamp(sighting, path, "date_sighting", problems)
    # 0: seen, 1: a false positive, 2: expiration.
    _code(sighting, path, "type", {"0", "1", "2"}, problems)
    organisation = sighting.get("Organisation")
    if isinstance(organisation, Mapping):
        _uuid(organisation, join(path, "Organisation"), problems)
        if not isinstance(organisation.get("name"), str):
            problems.append(Problem(join(path, "Organisation.name"), "required"))


def _galaxy(galaxy: dict[str, Any], path: str, problems: list[Problem]) -> None:
    _numbers(galaxy, path, problems)
    if not isinstance(galaxy.get("type"), str):
        problems.append(Problem(join(path, "type"), "required: the galaxy's type"))
    for index, cluster in enumerate(galaxy.get("GalaxyCluster") or []):
        _numbers(cluster, join(path, f"GalaxyCluster[{index}]"), problems)
        _code(
            cluster,
            join(path, f"GalaxyCluster[{index}]"),
            "distribution",
            RECORD_DISTRIBUTIONS,
            problems,
        )
        value = cluster.get("value")
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(join(path, f"GalaxyCluster[{index}].value"), "required"))


def _tags(holder: dict[str, Any], path: str, problems: list[Problem]) -> None:
    for index, tag in enumerate(holder.get("Tag") or []):
        _numbers(tag, join(path, f"Tag[{index}]"), problems)
        name = tag.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(join(path, f"Tag[{index}].name"), "required"))


def _record(holder: dict[str, Any], path: str, codes: set[str], problems: list[Problem]) -> None:
    """The ids, timestamp and distribution every event, attribute and object may carry."""
    _numbers(holder, path, problems)
    _uuid(holder, path, problems)
    _timestamp(holder, path, "timestamp", problems)
    _code(holder, path, "distribution", codes, problems)


def _numbers(holder: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
    for key in NUMERIC_IDS:
        value = holder.get(key)
        if value is not None and not str(value).isdigit():
            problems.append(Problem(join(path, key), f"{value!r} is not a MISP id (a number)"))


def _uuid(holder: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
    value = holder.get("uuid")
    if value is not None and not (isinstance(value, str) and UUID.fullmatch(value)):
        problems.append(Problem(join(path, "uuid"), f"{value!r} is not a UUID"))


def _timestamp(holder: Mapping[str, Any], path: str, key: str, problems: list[Problem]) -> None:
    value = holder.get(key)
    if value is None:
        return
    text = str(value)
    if not text.isdigit() or isinstance(value, bool) or int(text) > LAST_TIMESTAMP:
        reason = f"{value!r} is not a timestamp (whole seconds since 1970-01-01 UTC)"
        problems.append(Problem(join(path, key), reason))


def _code(
    holder: Mapping[str, Any], path: str, key: str, codes: set[str], problems: list[Problem]
) -> None:
    value = holder.get(key)
    if value is not None and str(value) not in codes:
        known = ", ".join(sorted(codes))
        problems.append(Problem(join(path, key), f"{value!r} is not one of {known}"))


def _is_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10
