"""The bundled doctrine is complete: what the sources name is in the registry, all of it linked."""

from __future__ import annotations

import pytest

from qalxan.doctrine.model import Item
from qalxan.doctrine.registry import Doctrine
from qalxan.lang.fold import fold

THREAT_CODES = [f"3.{n}" for n in range(1, 12)]
DIRECTION_CODES = [
    "4.1",
    "4.1.1",
    "4.1.2",
    "4.1.3",
    "4.1.4",
    "4.1.5",
    "4.1.5.1",
    "4.1.5.2",
    "4.2",
    "4.3",
    *[f"4.3.{n}" for n in range(1, 12)],
]
# Bodies the source documents name, as they name them.
AGENCIES = [
    "Ministry of Internal Affairs",
    "National Police",
    "State Border Service",
    "State Customs Committee",
    "State Security Service",
    "Electronic Security Service",
    "Ministry of Communications and High Technologies",
    "Police Academy",
    "Internal Investigations Department",
    "Internal Troops",
    "Coast Guard",
    "Prosecutor General",
    "Financial Monitoring Service",
    "Cabinet of Ministers",
    "Presidential Security Service",
    "State Service for Special Communications and Information Security",
    "State Agency for the Protection of Strategic Objects",
    "Special State Protection Service",
    "State Migration Service",
    "Emergency Situations",
    "Ministry of Defence",
    "Ministry of National Security",
    "Armed Forces",
    "State Council for Support to NGOs",
    "State Committee for Work With Religious Organizations",
    "Coordination Council for Combating Money Laundering and Terrorist Financing",
]
ORGANISATIONS = [
    "United Nations",
    "Security Council",
    "OSCE",
    "NATO",
    "European Union",
    "Council of Europe",
    "OIC",
    "CIS",
    "GUAM",
    "BSEC",
    "MONEYVAL",
    "Egmont Group",
    "Interpol",
]
MECHANISMS = [
    "Minsk Group",
    "EAPC",
    "Partnership for Peace",
    "IPAP",
    "PARP",
    "DEEP",
    "SPS",
    "EADRCC",
    "NISA",
    "TACIS",
    "TRACECA",
    "Neighbourhood Policy",
]
INSTRUMENTS = [
    "822",
    "853",
    "874",
    "884",
    "Partnership and Cooperation Agreement",
    "Action Plan",
    "Strategic Partnership in the Field of Energy",
]
INFRASTRUCTURE = [
    "Baku-Tbilisi-Ceyhan",
    "South Caucasus",
    "Baku-Supsa",
    "Baku-Tbilisi-Kars",
    "Metsamor",
    "Baku-Novorossiysk",
]
STATES = ["AZ", "TR", "GE", "RU", "IR", "US", "AM", "UA", "MD", "KZ", "TM"]


def names(item: Item) -> list[str]:
    return [fold(t) for text in (item.name, *item.aliases) for t in text.texts()]


def find(doctrine: Doctrine, kind: str, name: str) -> list[Item]:
    wanted = fold(name)
    return [item for item in doctrine.of_kind(kind) if any(wanted in n for n in names(item))]


def test_every_threat_of_the_concept(doctrine: Doctrine) -> None:
    assert [t.code for t in doctrine.of_kind("threat")] == THREAT_CODES


def test_every_policy_direction(doctrine: Doctrine) -> None:
    assert sorted(d.code or "" for d in doctrine.of_kind("direction")) == sorted(DIRECTION_CODES)


def test_national_interests(doctrine: Doctrine) -> None:
    interests = doctrine.of_kind("interest")
    assert len(interests) >= 9
    assert all(i.provenance[0].section.startswith("2") for i in interests)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        *[("agency", n) for n in AGENCIES],
        *[("organisation", n) for n in ORGANISATIONS],
        *[("mechanism", n) for n in MECHANISMS],
        *[("instrument", n) for n in INSTRUMENTS],
        *[("infrastructure", n) for n in INFRASTRUCTURE],
    ],
)
def test_named_in_the_sources(doctrine: Doctrine, kind: str, name: str) -> None:
    assert find(doctrine, kind, name), f"no {kind} named {name!r}"


def test_partner_states(doctrine: Doctrine) -> None:
    codes = {s.iso2 for s in doctrine.of_kind("state")}  # type: ignore[attr-defined]
    assert set(STATES) <= codes


@pytest.mark.parametrize("code", THREAT_CODES)
def test_every_threat_is_linked_and_routed(doctrine: Doctrine, code: str) -> None:
    threat = next(t for t in doctrine.of_kind("threat") if t.code == code)
    assert doctrine.targets(threat.id, "endangers"), "endangers no interest"
    assert doctrine.targets(threat.id, "countered_by"), "countered by no direction"
    assert len(doctrine.targets(threat.id, "lead_agency")) == 1, "needs exactly one lead agency"


def test_routing_rules_are_justified(doctrine: Doctrine) -> None:
    routing = [r for r in doctrine.relations if doctrine.relation_types[r.type].routing]
    assert routing
    assert all(r.justification and r.provenance for r in routing)


def test_every_sub_direction_has_its_parent(doctrine: Doctrine) -> None:
    for direction in doctrine.of_kind("direction"):
        code = direction.code or ""
        if code.count(".") >= 2:
            parents = doctrine.targets(direction.id, "part_of")
            assert [p.code for p in parents] == [code.rsplit(".", 1)[0]], direction.id


def test_the_2020_reorganisation(doctrine: Doctrine) -> None:
    (ssps,) = find(doctrine, "agency", "Special State Protection Service")
    successors = {a.id for a in doctrine.targets(ssps.id, "succeeded_by")}
    assert len(successors) == 3


def test_no_dangling_relation(doctrine: Doctrine) -> None:
    for relation in doctrine.relations:
        assert relation.source in doctrine.items and relation.target in doctrine.items


def test_every_item_has_provenance_and_both_languages(doctrine: Doctrine) -> None:
    for item in doctrine.items.values():
        assert item.provenance, item.id
        assert item.name.en and item.name.az, item.id
