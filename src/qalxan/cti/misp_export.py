"""STIX 2.1 objects to one MISP event, for a MISP instance to import.

Objects that misp-stix made from a MISP event (their report or grouping carries the label
``misp:tool="MISP-STIX-Converter"``) go through ``InternalSTIX2toMISPParser``, which reads
back the MISP types, categories and object templates misp-stix wrote into them; any other
STIX (a partner's bundle, a TAXII feed) goes through ``ExternalSTIX2toMISPParser``, which maps
STIX types to MISP ones. Several reports become one event. The event is given distribution 0
(the exporting organisation only): STIX carries no MISP distribution, and a wider one is the
MISP administrator's choice.

Three things misp-stix's reading loses are restored from the objects: an attribute's comment
(the ``description`` of its indicator, the ``x_misp_comment`` of its observed-data: misp-stix
reads the attribute from the observed-data and keeps neither); the published flag (misp-stix
writes a report for a published event, a grouping otherwise, but reads a report published at
its last modification as unpublished); and the tags are freed of the two labels misp-stix
adds to every report it writes (``Threat-Report`` and its tool label).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from misp_stix_converter import ExternalSTIX2toMISPParser, InternalSTIX2toMISPParser
from misp_stix_converter.stix2misp.importparser import MISP_org_uuid
from stix2.parsing import dict_to_stix2, parse

from qalxan.cti.misp_problems import InvalidMispEvent, Problem

TOOL_LABEL = 'misp:tool="MISP-STIX-Converter"'
CONVERTER_TAGS = frozenset({TOOL_LABEL, "Threat-Report"})
CONTAINERS = ("report", "grouping")
BUNDLE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qalxan:cti:misp-export")


def to_misp(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"Event": {...}}``: the MISP event of ``objects``, as MISP's JSON import takes it."""
    bundle = _bundle(objects)
    from_misp = any(_is_misp_container(o) for o in objects)
    parser = InternalSTIX2toMISPParser() if from_misp else ExternalSTIX2toMISPParser()
    try:
        parser.load_stix_bundle(bundle)
        if from_misp:
            parser.parse_stix_bundle(single_event=True)
        else:
            parser.parse_stix_bundle(single_event=True, organisation_uuid=MISP_org_uuid)
        event: dict[str, Any] = json.loads(parser.misp_event.to_json())
    except Exception as exc:  # misp-stix raises many kinds; all mean the same here
        reason = f"misp-stix cannot make a MISP event of them: {str(exc)[:300]}"
        raise InvalidMispEvent([Problem("objects", reason)]) from exc
    if from_misp:
        _restore(event, objects)
    return {"Event": event}


def _restore(event: dict[str, Any], objects: list[dict[str, Any]]) -> None:
    tags = [t for t in event.get("Tag", []) if t.get("name") not in CONVERTER_TAGS]
    event.pop("Tag", None)
    if tags:
        event["Tag"] = tags
    reports = [o for o in objects if o["type"] == "report" and _is_misp_container(o)]
    if len(reports) == 1 and not event.get("published"):
        published = datetime.fromisoformat(reports[0]["published"].replace("Z", "+00:00"))
        event["published"] = True
        event["publish_timestamp"] = str(int(published.timestamp()))
    comments: dict[str, str] = {}
    for stix_object in objects:
        comment = stix_object.get("description") or stix_object.get("x_misp_comment")
        if stix_object["type"] in ("indicator", "observed-data") and comment:
            comments.setdefault(stix_object["id"].partition("--")[2], comment)
    for attribute in event.get("Attribute", []):
        if not attribute.get("comment") and attribute["uuid"] in comments:
            attribute["comment"] = comments[attribute["uuid"]]


def _bundle(objects: list[dict[str, Any]]) -> Any:
    problems = [
        Problem(f"objects[{i}]", "must be a STIX object with a type and an id")
        for i, o in enumerate(objects)
        if not (isinstance(o, Mapping) and isinstance(o.get("type"), str) and "id" in o)
    ]
    if not objects:
        problems.append(Problem("objects", "no STIX object to export"))
    if problems:
        raise InvalidMispEvent(problems)
    # The bundle id is only a label here, but a stable one keeps the export reproducible.
    ids = "\n".join(sorted(str(o["id"]) for o in objects))
    content = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(BUNDLE_NAMESPACE, ids)}",
        "objects": objects,
    }
    try:
        return dict_to_stix2(content, allow_custom=True)
    except Exception:  # stix2 names one fault: find every object at fault
        raise InvalidMispEvent(_object_problems(objects)) from None


def _object_problems(objects: list[dict[str, Any]]) -> list[Problem]:
    problems = []
    for index, stix_object in enumerate(objects):
        try:
            parse(stix_object, allow_custom=True)
        except Exception as exc:
            reason = f"{stix_object['id']} is not valid STIX 2.1: {str(exc)[:200]}"
            problems.append(Problem(f"objects[{index}]", reason))
    return problems or [Problem("objects", "not a valid STIX 2.1 bundle")]


def _is_misp_container(stix_object: Mapping[str, Any]) -> bool:
    return stix_object.get("type") in CONTAINERS and TOOL_LABEL in stix_object.get("labels", [])
