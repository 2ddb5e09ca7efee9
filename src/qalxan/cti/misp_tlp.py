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

from qalxan.cti import markings

# The ids of the OASIS TLP 2.0 extension by TLP code, and each TLP 1.0 id's successor (WHITE
# became CLEAR; the other three kept their names): the platform's one list of marking ids.
TLP2_IDS: Mapping[str, str] = markings.ids().tlp2
TLP1_TO_TLP2: Mapping[str, str] = {ref: TLP2_IDS[code] for code, ref in markings.ids().tlp1.items()}


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
