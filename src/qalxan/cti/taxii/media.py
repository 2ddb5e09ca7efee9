"""TAXII 2.1 media types and content negotiation.

A request is acceptable when its ``Accept`` header names ``application/taxii+json`` with
``version=2.1`` or without a version (the newest, which is 2.1 here), or a wildcard that covers
it; a missing header accepts anything (HTTP). A POST body must be sent as
``application/taxii+json`` (version 2.1 or none).
"""

from __future__ import annotations

TAXII = "application/taxii+json"
TAXII_21 = f"{TAXII};version=2.1"
STIX_21 = "application/stix+json;version=2.1"
VERSION = "2.1"


def _parts(media_range: str) -> tuple[str, dict[str, str]]:
    kind, *params = (p.strip() for p in media_range.split(";"))
    found: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        found[name.strip().lower()] = value.strip().strip('"')
    return kind.lower(), found


def _taxii_21(media_range: str, wildcards: bool) -> bool:
    kind, params = _parts(media_range)
    if params.get("q") in {"0", "0.0", "0.00", "0.000"}:
        return False
    if wildcards and kind in {"*/*", "application/*"}:
        return True
    return kind == TAXII and params.get("version", VERSION) == VERSION


def acceptable(accept: str | None) -> bool:
    """Whether a response in TAXII 2.1 satisfies the ``Accept`` header."""
    if accept is None or not accept.strip():
        return True
    return any(_taxii_21(r, wildcards=True) for r in accept.split(",") if r.strip())


def sendable(content_type: str | None) -> bool:
    """Whether a request body of ``content_type`` is a TAXII 2.1 envelope."""
    return content_type is not None and _taxii_21(content_type, wildcards=False)


def stix(spec_version: str) -> str:
    return f"application/stix+json;version={spec_version}"
