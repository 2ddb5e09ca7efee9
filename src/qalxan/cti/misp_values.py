"""Whether an attribute value is plausible for its MISP type (what the JSON schema cannot say).

The judge is MISP's own: PyMISP's port of MISP's ``AttributeValidationTool`` (hashes are hex
of the algorithm's length, addresses and ports parse, domains and e-mail addresses have the
shape of one, ...), run after MISP's own normalisation (refanging ``hxxp`` and ``[.]``,
lower-casing hashes), exactly as misp-stix runs it when it loads an event. misp-stix drops an
attribute that fails it and says so only in a log; refusing the event here instead tells the
analyst. One rule is added to MISP's: a ``url``, ``uri`` or ``link`` holds no white space
(MISP accepts ``http://a b``, which no STIX consumer can use).
"""

from __future__ import annotations

from typing import Any

from pymisp.tools.attributevalidationtool import AttributeValidationTool

# PyMISP declares no types for these two class methods.
MISP_CHECKS: Any = AttributeValidationTool
SHOWN = 60
ONE_TOKEN = frozenset({"url", "uri", "link"})


def check_value(misp_type: str, value: str) -> str | None:
    """Why ``value`` is not a plausible ``misp_type``, or None when it is (or is unchecked)."""
    if not value.strip():
        return "must not be empty"
    shown = repr(value if len(value) <= SHOWN else value[:SHOWN] + "...")
    try:
        normalised = MISP_CHECKS.modifyBeforeValidation(misp_type, value)
        verdict = MISP_CHECKS.validate(misp_type, normalised)
    except Exception as exc:  # MISP's checks raise on some inputs they do not expect
        return f"{shown} is not a valid {misp_type}: {exc}"
    if verdict is not True:
        return f"{shown} is not a valid {misp_type}: {verdict}"
    if misp_type in ONE_TOKEN and any(c.isspace() for c in value.strip()):
        return f"{shown} is not a valid {misp_type}: it contains white space"
    return None
