"""The routing rows of an incident, planned once per kind of incident: each agency routing
names, with its role, reasons, time to acknowledge and, where the marking needs one, a share."""

from __future__ import annotations

import pytest

from qalxan.intake import encoded, routed, routing
from qalxan.store.engine import compact_json
from tests.people import load_bundled

WHERE = routing.Where(border_zone=True)


@pytest.mark.parametrize("severity", [1, 3, 5])
def test_a_plan_routes_as_routing_says(severity: int) -> None:
    doctrine = load_bundled()
    routes = routing.route(doctrine, "chemical-weapon", WHERE, "agency-police")
    plan = routed.plan(doctrine, "chemical-weapon", WHERE, "agency-police", severity, "AMBER")
    assert [(s.agency_id, s.role, s.reporting) for s in plan.steps] == [
        (r.agency_id, r.role, r.reporting) for r in routes
    ]
    for step, route in zip(plan.steps, routes, strict=True):
        assert step.reasons == compact_json(route.reasons)
        # By role: the police report it here, and support the lead too (acknowledged at once).
        assert step.minutes == routing.acknowledge_minutes(severity, route.role)
        # AMBER: every other agency is given a share of the incident; the owner needs none.
        owner = route.agency_id == "agency-police"
        assert step.share == (None if owner else f"routed: {route.role}")
    assert plan.roles == compact_json({r.agency_id: r.role for r in routes})


def test_a_plan_is_made_once_per_kind_of_incident() -> None:
    doctrine = load_bundled()
    first = routed.plan(doctrine, "armed-clash", WHERE, "agency-police", 3, "GREEN")
    assert routed.plan(doctrine, "armed-clash", WHERE, "agency-police", 3, "GREEN") is first
    assert routed.plan(doctrine, "armed-clash", WHERE, "agency-police", 4, "GREEN") is not first


@pytest.mark.parametrize(
    ("tlp", "share", "reasons"),
    [
        ("CLEAR", None, ["reported the incident"]),
        ("AMBER", "routed: reporting", ["reported the incident"]),
        ("RED", None, ["reported the incident", "not shared: marked TLP:RED"]),
        (None, None, ["reported the incident", "not shared: no TLP"]),
    ],
)
def test_an_agency_whose_report_joined_is_routed_as_reporting(
    tlp: str | None, share: str | None, reasons: list[str]
) -> None:
    step = routed.reporting("agency-mes", 4, tlp, "agency-police")
    assert (step.role, step.reporting, step.minutes) == ("reporting", True, None)
    assert step.share == share
    assert step.reasons == compact_json(reasons)


def test_the_created_event_is_encoded_as_its_values_would_be() -> None:
    roles = {"agency-sbs": "lead", "agency-police": "reporting", "agency-ş": "place"}
    for report_id in ("a" * 24, 'odd "id" \\ ş'):
        detail = encoded.created(report_id, encoded.encoded(roles))
        assert detail == compact_json({"routed": roles, "report": report_id})
