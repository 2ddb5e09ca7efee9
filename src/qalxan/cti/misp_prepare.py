"""A validated MISP event made ready for misp-stix: every id and time taken from the event.

misp-stix names each STIX object after the uuid of the MISP record it comes from and dates
it with the record's timestamp, but falls back on ``uuid4()`` (through PyMISP) and the clock
when the record has none; this module fills those gaps from the event so that converting the
same event twice gives the same objects:

- a missing uuid is a UUIDv5 of the event's uuid and the record's place and content (the
  event's own, when missing, a UUIDv5 of its whole content);
- a missing timestamp is the event's (a sighting's date is its attribute's timestamp); the
  event's is, when missing, its publication time or the midnight (UTC) of its date. An event
  with none of them cannot be dated: refused.

Galaxy clusters need the same care: misp-stix makes ``attack-pattern--<cluster uuid>`` and
friends, and old exports carry clusters with an empty uuid (galaxy_1.json, image_event.json,
sighting_1.json) or one uuid shared by all clusters of a galaxy (existing_event.json:
*Sednit EK* and *DealersChoice*), which misp-stix either refuses or silently merges into one
object. Such a cluster gets a UUIDv5 of its tag name (``misp-galaxy:tool="X-Agent"``), the
name MISP itself identifies a cluster by, so the same cluster is the same STIX object in
every event that carries it. TLP tags are lower-cased (``TLP:GREEN``) for misp-stix to see.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from qalxan.cti.misp_document import Located
from qalxan.cti.misp_problems import InvalidMispEvent, Problem, join

# Fixed namespaces: changing either changes the STIX ids of everything converted before.
EVENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qalxan:cti:misp-event")
CLUSTER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qalxan:cti:misp-galaxy-cluster")
TLP_TAGS = frozenset(
    {"tlp:white", "tlp:clear", "tlp:green", "tlp:amber", "tlp:amber+strict", "tlp:red"}
)


def prepared(one: Located) -> dict[str, Any]:
    """A copy of the event with uuids, timestamps, cluster uuids and TLP tags settled."""
    event = copy.deepcopy(one.event)
    event_uuid = str(event.get("uuid") or _derived(EVENT_NAMESPACE, event)).lower()
    event["uuid"] = event_uuid
    stamp = _event_timestamp(event, one.path)
    event["timestamp"] = stamp
    namespace = uuid.UUID(event_uuid)
    for path, record in _records(event):
        record["uuid"] = str(record.get("uuid") or _derived(namespace, [path, record])).lower()
        record.setdefault("timestamp", stamp)
        for index, sighting in enumerate(record.get("Sighting") or []):
            where = [path, index, sighting]
            sighting["uuid"] = str(sighting.get("uuid") or _derived(namespace, where)).lower()
            sighting.setdefault("date_sighting", record["timestamp"])
    for holder in _tag_holders(event):
        for tag in holder.get("Tag") or []:
            if tag["name"].lower() in TLP_TAGS:
                tag["name"] = tag["name"].lower()
    _settle_clusters(event)
    return event


def _event_timestamp(event: dict[str, Any], path: str) -> str:
    for key in ("timestamp", "publish_timestamp"):
        if str(event.get(key) or "0") != "0":
            return str(event[key])
    if "date" in event:
        day = date.fromisoformat(event["date"])
        return str(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()))
    reason = "required to convert: the STIX objects are dated by the event (or Event.date)"
    raise InvalidMispEvent([Problem(join(path, "timestamp"), reason)])


def _records(event: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, attribute in enumerate(event.get("Attribute") or []):
        yield f"Attribute[{index}]", attribute
    for index, misp_object in enumerate(event.get("Object") or []):
        yield f"Object[{index}]", misp_object
        for inner, attribute in enumerate(misp_object.get("Attribute") or []):
            yield f"Object[{index}].Attribute[{inner}]", attribute


def _tag_holders(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield event
    for _, record in _records(event):
        yield record


def _settle_clusters(event: dict[str, Any]) -> None:
    clusters = [
        (galaxy, cluster)
        for holder in _tag_holders(event)
        for galaxy in holder.get("Galaxy") or []
        for cluster in galaxy.get("GalaxyCluster") or []
    ]
    names: dict[str, set[str]] = defaultdict(set)
    for galaxy, cluster in clusters:
        names[str(cluster.get("uuid") or "")].add(_tag_name(galaxy, cluster))
    for galaxy, cluster in clusters:
        current = str(cluster.get("uuid") or "")
        if not _stix_uuid(current) or len(names[current]) > 1:
            cluster["uuid"] = str(uuid.uuid5(CLUSTER_NAMESPACE, _tag_name(galaxy, cluster)))
        cluster["uuid"] = cluster["uuid"].lower()
        cluster.setdefault("type", galaxy.get("type"))


def _tag_name(galaxy: dict[str, Any], cluster: dict[str, Any]) -> str:
    name = cluster.get("tag_name")
    if isinstance(name, str) and name:
        return name
    kind = cluster.get("type") or galaxy.get("type")
    return f'misp-galaxy:{kind}="{cluster["value"]}"'


def _stix_uuid(value: str) -> bool:
    """A uuid STIX 2.1 accepts in an id: RFC 4122 variant (stix2 refuses the others)."""
    try:
        return uuid.UUID(value).variant == uuid.RFC_4122 and len(value) == 36
    except ValueError:
        return False


def _derived(namespace: uuid.UUID, content: object) -> uuid.UUID:
    return uuid.uuid5(namespace, json.dumps(content, sort_keys=True, default=str))
