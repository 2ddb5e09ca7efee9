"""A demonstration review draft of the doctrine, so that a new installation shows versioning.

The Concept "will be regularly reviewed and updated"; the draft made here imitates such a
review (one added threat, one amended summary, one added relation) and says plainly in its
title and version that it is a demonstration, not an official text. It is stored, never put
in force.
"""

from __future__ import annotations

import copy
from typing import Any

from qalxan.doctrine.loader import load_document
from qalxan.doctrine.registry import Doctrine

DEMO_SUFFIX = "-demo-review"
_REVIEW = {
    "source": "concept",
    "section": "Final provisions",
    "quote": "The Concept will be regularly reviewed and updated",
}


def review_draft(doctrine: Doctrine) -> Doctrine:
    """A demonstration draft derived from ``doctrine``."""
    document: dict[str, Any] = copy.deepcopy(doctrine.to_document())
    manifest = document["manifest"]
    manifest["version"] = doctrine.version + DEMO_SUFFIX
    manifest["title"] = {
        "en": manifest["title"]["en"] + " (demonstration review draft, not an official text)",
        "az": manifest["title"].get("az", "") + " (nümayiş üçün layihə, rəsmi mətn deyil)",
    }
    document["threats"].append(
        {
            "id": "threat-3-12-demo",
            "code": "3.12",
            "name": {
                "en": "Cyber attacks against critical information infrastructure (demo)",
                "az": "Kritik informasiya infrastrukturuna kiberhücumlar (nümayiş)",
            },
            "summary": {"en": "Demonstration item added by the review draft generator."},
            "provenance": [_REVIEW],
        }
    )
    if document["threats"]:
        first = document["threats"][0]
        first["summary"] = {
            "en": (first.get("summary") or {}).get("en", "")
            + " (Amended in the demonstration review draft.)"
        }
    directions = [d["id"] for d in document["directions"] if d.get("code") == "4.3.11"]
    for target in directions:
        document["relations"].append(
            {
                "type": "countered_by",
                "source": "threat-3-12-demo",
                "target": target,
                "provenance": [_REVIEW],
            }
        )
    return load_document(document, "demo review draft")
