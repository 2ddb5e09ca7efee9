"""TLP 2.0 markings on the objects misp-stix makes.

misp-stix marks ``tlp:clear`` and ``tlp:amber+strict`` with the TLP 2.0 marking definitions
but ``tlp:white``, ``tlp:green``, ``tlp:amber`` and ``tlp:red`` with the STIX 2.1 TLP 1.0
ones (``definition_type: tlp``). The CERT works in TLP 2.0 only, so every TLP 1.0 reference
(``object_marking_refs`` and ``granular_markings``) is moved to its TLP 2.0 successor (WHITE
became CLEAR) and the TLP 1.0 definitions are replaced by the TLP 2.0 ones, which are the
objects of misp-stix itself, identical to those OASIS publishes with the TLP 2.0 extension.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from misp_stix_converter.misp_stix_mapping import TLP2MarkingDefinitions
from stix2.v21 import TLP_AMBER, TLP_GREEN, TLP_RED, TLP_WHITE

# The ids of the OASIS TLP 2.0 extension (extension-definition--60a3c5c5-...), by TLP code.
TLP2_IDS: Mapping[str, str] = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 WHITE is TLP 2.0 CLEAR; the other three kept their names.
TLP1_TO_TLP2: Mapping[str, str] = {
    TLP_WHITE.id: TLP2_IDS["CLEAR"],
    TLP_GREEN.id: TLP2_IDS["GREEN"],
    TLP_AMBER.id: TLP2_IDS["AMBER"],
    TLP_RED.id: TLP2_IDS["RED"],
}


@lru_cache(maxsize=8)
def tlp2_definition(marking_id: str) -> dict[str, Any]:
    """The TLP 2.0 marking-definition object with ``marking_id``, as a bundle holds it."""
    marking = TLP2MarkingDefinitions.by_uuid(marking_id)
    if marking is None:
        raise KeyError(f"not a TLP 2.0 marking definition: {marking_id}")
    loaded: dict[str, Any] = json.loads(marking.serialize())
    return loaded


def with_tlp2(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``objects`` with every TLP 1.0 marking replaced by its TLP 2.0 successor."""
    present = {o["id"] for o in objects}
    result: list[dict[str, Any]] = []
    for stix_object in objects:
        successor = TLP1_TO_TLP2.get(stix_object["id"])
        if successor is None:
            result.append(_remarked(stix_object))
        elif successor not in present:
            # The TLP 2.0 definition takes the place of the TLP 1.0 one in the list.
            result.append(copy.deepcopy(tlp2_definition(successor)))
            present.add(successor)
    return result


def _remarked(stix_object: dict[str, Any]) -> dict[str, Any]:
    refs = stix_object.get("object_marking_refs")
    if refs:
        moved = [TLP1_TO_TLP2.get(ref, ref) for ref in refs]
        stix_object["object_marking_refs"] = list(dict.fromkeys(moved))
    for granular in stix_object.get("granular_markings") or []:
        ref = granular.get("marking_ref")
        granular["marking_ref"] = TLP1_TO_TLP2.get(ref, ref)
    return stix_object
