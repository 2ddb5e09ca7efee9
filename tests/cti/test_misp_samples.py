"""A small MISP event built inline, used by the MISP tests that must run without ../shared."""

from __future__ import annotations

import copy
from typing import Any

from qalxan.cti.misp_schema import validate

EVENT_UUID = "6a1c2f3e-4b5d-4e6f-8a7b-9c0d1e2f3a4b"
ORG_UUID = "1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b"
IP_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
DOMAIN_UUID = "1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e"
YARA_UUID = "2c3d4e5f-6a7b-4c8d-9e0f-0a1b2c3d4e5f"
FILE_UUID = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
ACTOR_UUID = "7cdff317-a673-4474-84ec-4f1754947823"
PATTERN_UUID = "0a3ead4e-6d47-4ccb-854c-a6a4f9d96b22"
PATTERN_TAG = 'misp-galaxy:mitre-attack-pattern="Spearphishing Link - T1566.002"'
YARA_RULE = 'rule demo {\n  strings:\n    $a = "evil"\n  condition:\n    $a\n}'

SAMPLE: dict[str, Any] = {
    "Event": {
        "uuid": EVENT_UUID,
        "info": "Phishing wave against ministries",
        "date": "2024-03-01",
        "timestamp": "1709300000",
        "publish_timestamp": "1709301000",
        "published": True,
        "threat_level_id": "2",
        "analysis": "1",
        "distribution": "1",
        "Orgc": {"name": "CERT-AZ", "uuid": ORG_UUID},
        # As MISP exports them: a cluster attached to the event is also one of its tags.
        "Tag": [
            {"name": "tlp:amber"},
            {"name": 'admiralty-scale:source-reliability="b"'},
            {"name": 'misp-galaxy:threat-actor="Sofacy"'},
            {"name": PATTERN_TAG},
        ],
        "Attribute": [
            {
                "uuid": IP_UUID,
                "type": "ip-dst",
                "category": "Network activity",
                "value": "203.0.113.5",
                "to_ids": True,
                "comment": "C2 server",
                "timestamp": "1709300100",
                "Tag": [{"name": "kill-chain:Command and Control"}],
            },
            {
                "uuid": DOMAIN_UUID,
                "type": "domain",
                "category": "Network activity",
                "value": "login-gov.example",
                "to_ids": False,
                "comment": "lure domain",
                "timestamp": "1709300200",
            },
            {
                "uuid": YARA_UUID,
                "type": "yara",
                "category": "Payload installation",
                "value": YARA_RULE,
                "to_ids": True,
                "timestamp": "1709300300",
            },
        ],
        "Object": [
            {
                "uuid": FILE_UUID,
                "name": "file",
                "meta-category": "file",
                "timestamp": "1709300400",
                "Attribute": [
                    {
                        "uuid": "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b",
                        "object_relation": "filename",
                        "type": "filename",
                        "category": "Payload delivery",
                        "value": "invoice.pdf.exe",
                        "to_ids": True,
                    },
                    {
                        "uuid": "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c",
                        "object_relation": "sha256",
                        "type": "sha256",
                        "category": "Payload delivery",
                        "value": "a" * 64,
                        "to_ids": True,
                    },
                ],
            }
        ],
        "Galaxy": [
            {
                "type": "threat-actor",
                "name": "Threat Actor",
                "GalaxyCluster": [
                    {
                        "uuid": ACTOR_UUID,
                        "type": "threat-actor",
                        "value": "Sofacy",
                        "tag_name": 'misp-galaxy:threat-actor="Sofacy"',
                        "description": "Sofacy is a Russian threat group.",
                    }
                ],
            },
            {
                "type": "mitre-attack-pattern",
                "name": "Attack Pattern",
                "GalaxyCluster": [
                    {
                        "uuid": PATTERN_UUID,
                        "type": "mitre-attack-pattern",
                        "value": "Spearphishing Link - T1566.002",
                        "tag_name": PATTERN_TAG,
                        "description": "Adversaries send spearphishing e-mails with a link.",
                        "meta": {"external_id": ["T1566.002"]},
                    }
                ],
            },
        ],
    }
}


def sample_event() -> dict[str, Any]:
    """A fresh copy of :data:`SAMPLE` for a test to change."""
    return copy.deepcopy(SAMPLE)


def test_the_sample_is_a_valid_event() -> None:
    [located] = validate(sample_event())
    assert located.path == "Event"
    assert located.event["uuid"] == EVENT_UUID
