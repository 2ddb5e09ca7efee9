"""Where the shared CAP samples live (``../shared/data/cti/cap``), and small alerts to build on."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from qalxan.alerts import Alert, Area, Info, Polygon

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
CAP_DIR = SHARED / "data" / "cti" / "cap"
BAKU = timezone(timedelta(hours=4))


def cap_file(name: str) -> bytes:
    path = CAP_DIR / name
    if not path.is_file():
        pytest.skip(f"reference data absent: {path} (set QALXAN_SHARED_DIR)")
    return path.read_bytes()


XML = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>AZ-FHN-2025-0001</identifier>
  <sender>warnings@fhn.gov.az</sender>
  <sent>2025-03-01T10:00:00+04:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>az</language>
    <category>Met</category>
    <event>Güclü külək</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2025-03-02T10:00:00+04:00</expires>
    <headline>Bakıda güclü külək gözlənilir</headline>
    <area>
      <areaDesc>Bakı</areaDesc>
      <polygon>40.3,49.7 40.5,49.7 40.5,50.0 40.3,49.7</polygon>
      <circle>40.4,49.86 10</circle>
    </area>
  </info>
</alert>
"""


def xml(old: str = "", new: str = "") -> bytes:
    """The sample alert, with ``old`` replaced by ``new`` (``old`` must occur)."""
    if old:
        assert old in XML, old
    return XML.replace(old, new, 1).encode("utf-8")


def info(**changes: Any) -> Info:
    base = Info(
        language="az",
        categories=("Met",),
        event="Güclü külək",
        urgency="Expected",
        severity="Severe",
        certainty="Likely",
        expires=datetime(2025, 3, 2, 10, tzinfo=BAKU),
        headline="Bakıda güclü külək gözlənilir",
        areas=(Area("Bakı", polygons=(Polygon("40.3,49.7 40.5,49.7 40.5,50.0 40.3,49.7"),)),),
    )
    return replace(base, **changes)


def alert(**changes: Any) -> Alert:
    base = Alert(
        identifier="AZ-FHN-2025-0001",
        sender="warnings@fhn.gov.az",
        sent=datetime(2025, 3, 1, 10, tzinfo=BAKU),
        status="Actual",
        msg_type="Alert",
        scope="Public",
        infos=(info(),),
    )
    return replace(base, **changes)
