"""Whether one object sent to a collection may be stored, and if not, why.

An object must be valid STIX 2.1 (:func:`qalxan.cti.validate.errors_of`: the official schemas,
then the MUST checks; warnings never refuse), and its national classification must not be
above the sender's clearance (they could not read back what they sent). What the store itself
refuses (a conflicting version) it says in its own outcome.
"""

from __future__ import annotations

from typing import Any

from qalxan.access.principal import Principal
from qalxan.cti import markings, validate

LISTED = 3  # problems named in a status message
MAX_REASON = 500


def problem(obj: Any, principal: Principal) -> str | None:
    """Why ``obj`` is refused, or None."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    errors = validate.errors_of(obj)
    if errors:
        shown = "; ".join(f"{p.path}: {p.reason}" if p.path else p.reason for p in errors[:LISTED])
        more = f"; and {len(errors) - LISTED} more" if len(errors) > LISTED else ""
        return f"not valid STIX 2.1: {shown}{more}"[:MAX_REASON]
    if markings.classification_of(markings.object_refs(obj)) > principal.clearance:
        return "object_marking_refs: classified above your clearance"
    return None
