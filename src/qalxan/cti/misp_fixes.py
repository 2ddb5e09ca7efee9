"""Corrections to what misp-stix makes, where its STIX would mislead whoever reads it.

- A ``yara``, ``snort``, ``suricata`` or ``sigma`` attribute becomes an indicator whose
  ``pattern`` misp-stix wraps in brackets (``[rule x {...}]``), the syntax of a STIX pattern
  but not of these languages: the rule no longer compiles, and misp-stix's own STIX -> MISP
  parser keeps the brackets, so every round trip adds a pair. The brackets are removed.
- The comment of an attribute that becomes only an observed-data (no ``to_ids``) is dropped,
  observed-data having no description: it is kept as ``x_misp_comment``, the custom property
  misp-stix itself uses for comments on its custom objects.
- A MISP ``url`` need not be an absolute URI (real exports hold ``107.183.86`` or
  ``igfxtray.exe``), while a STIX ``url`` value must be one. Such a value is kept as MISP has
  it, and noted, since adding a scheme would invent data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PATTERN_LANGUAGES = frozenset({"yara", "snort", "suricata", "sigma"})
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")


def corrected(
    objects: list[dict[str, Any]], comments: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """``objects`` corrected as above; ``comments`` are the attributes' comments by uuid."""
    notes: list[str] = []
    for stix_object in objects:
        if stix_object["type"] == "indicator":
            _unwrap_rule(stix_object)
        elif stix_object["type"] == "observed-data":
            comment = comments.get(stix_object["id"].partition("--")[2])
            if comment and "x_misp_comment" not in stix_object:
                stix_object["x_misp_comment"] = comment
        elif stix_object["type"] == "url" and not URI.fullmatch(stix_object.get("value", "")):
            value = stix_object.get("value")
            notes.append(
                f"{stix_object['id']}: {value!r} is not an absolute URI as a STIX url value "
                "should be; kept as MISP has it"
            )
    return objects, notes


def _unwrap_rule(indicator: dict[str, Any]) -> None:
    language = indicator.get("pattern_type")
    pattern = indicator.get("pattern", "")
    # Only the brackets misp-stix added to an attribute of that very type.
    made_from_attribute = f'misp:type="{language}"' in indicator.get("labels", [])
    wrapped = pattern.startswith("[") and pattern.endswith("]")
    if language in PATTERN_LANGUAGES and made_from_attribute and wrapped:
        indicator["pattern"] = pattern[1:-1]
