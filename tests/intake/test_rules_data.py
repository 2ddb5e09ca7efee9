"""The intake rules are faithful and complete: routing by place cites its sources, every event
type and agency it names exists, and the taxonomy keeps ACLED's standard."""

from __future__ import annotations

from pathlib import Path

import pytest

from qalxan.doctrine.provenance import fold
from qalxan.doctrine.registry import Doctrine
from qalxan.intake import routing, severity
from qalxan.intake.taxonomy import ACLED_EVENT_TYPES, parse, taxonomy


def test_place_rules_quote_their_sources(doctrine: Doctrine, seeds_dir: Path) -> None:
    for rule in routing.rules().places:
        source = doctrine.manifest.sources[rule.provenance.source]
        text = fold((seeds_dir / source.file).read_text("utf-8"))
        assert fold(rule.provenance.quote) in text, rule.id
        assert rule.agency in doctrine.items, rule.id


def test_every_type_bears_on_doctrine_items_and_acled_is_complete(doctrine: Doctrine) -> None:
    known = taxonomy()
    known.check_against(doctrine)
    assert {c.acled for c in known.categories if c.acled} == set(ACLED_EVENT_TYPES)
    assert len(known.by_acled_sub_event) == 25
    assert len({t.acled.event_type for t in known.types if t.acled}) == 6
    peaceful = known.by_code["peaceful-protest"]
    assert peaceful.bears_on == () and peaceful.public_event
    for code in ("earthquake", "flood", "mudflow", "landslide", "avalanche", "mud-volcano"):
        assert "direction-4-3-10" in known.by_code[code].bears_on
    assert known.by_code["cyber-incident"].bears_on == ("direction-4-3-11",)


def test_every_threat_area_has_a_lead_agency(doctrine: Doctrine) -> None:
    areas = {ref for t in taxonomy().types for ref in t.bears_on}
    for ref in areas:
        assert doctrine.targets(ref, "lead_agency"), ref


def test_a_broken_taxonomy_fails_loudly() -> None:
    base = {"categories": [{"code": "c", "name": {"en": "C", "az": "C", "ru": "C"}}]}
    kind = {"code": "x", "category": "c", "name": {"en": "X", "az": "X", "ru": "X"}, "bears_on": []}
    with pytest.raises(ValueError, match="unknown category"):
        parse({**base, "types": [{**kind, "category": "nope"}]})
    with pytest.raises(ValueError, match="duplicate"):
        parse({**base, "types": [kind, kind]})
    with pytest.raises(ValueError, match=r"(?i)extra inputs"):
        parse({**base, "types": [{**kind, "colour": "red"}]})


def test_severity_rules_cover_every_category() -> None:
    scale = severity.rules()
    assert {c.code for c in taxonomy().categories} <= set(scale.base_by_category)
    assert severity.assess(severity.Facts("chemical-weapon", killed=60)).level == 5
