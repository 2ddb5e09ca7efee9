"""Incidents linked to MITRE ATT&CK techniques, and techniques suggested from what reports say.

The techniques are the ``attack-pattern`` objects of the ATT&CK bundles loaded into the store
(enterprise, ICS, mobile), newest unrevoked and not deprecated versions, known by their ATT&CK
id (``T0800``, ``T1566.001``). A link is a :class:`CtiLinkRow` of kind ``technique`` (its
``observable`` is the ATT&CK id); linking and unlinking need ``cti:create`` and an incident the
caller may read, and are audited.

A suggestion explains itself: each reason is one thing found in the narratives of the
incident's reports the caller may read, with its weight:

- the technique's ATT&CK id written in a report: 1.0;
- the technique's name, as whole words (case ignored): 0.6 for a name of several words, 0.3
  for a one-word name (``Masquerading``), which is more often an ordinary word.

The score is the sum of the weights, at most 1.0; linked techniques are marked as such.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.cti.attack import attack_id_of, check_id
from qalxan.cti.correlate import texts_of
from qalxan.cti.tables import CtiLinkRow, CtiObjectRow
from qalxan.errors import NotFound
from qalxan.intake.tables import IncidentRow, MembershipRow, ReportRow

LINK_KIND = "technique"
ATTACK_ID_IN_TEXT = re.compile(r"(?<![\w.])T\d{4}(?:\.\d{3})?(?![\w.]|\.\d)")
WEIGHT_ID, WEIGHT_NAME, WEIGHT_WORD = 1.0, 0.6, 0.3
MAX_SUGGESTIONS = 20


@dataclass(frozen=True)
class Technique:
    stix_id: str
    attack_id: str
    name: str


@dataclass
class Suggestion:
    technique: Technique
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    linked: bool = False


def catalogue(session: Session) -> list[Technique]:
    """Every usable technique, by ATT&CK id then STIX id."""
    rows = session.scalars(
        select(CtiObjectRow.body).where(
            CtiObjectRow.stix_type == "attack-pattern",
            CtiObjectRow.latest.is_(True),
            CtiObjectRow.revoked.is_(False),
        )
    )
    found = []
    for body in rows:
        obj = json.loads(body)
        attack_id = attack_id_of(obj)
        if attack_id and not obj.get("x_mitre_deprecated") and obj.get("name"):
            found.append(Technique(obj["id"], attack_id, str(obj["name"])))
    return sorted(found, key=lambda t: (t.attack_id, t.stix_id))


def _incident(rec: audit.Recording, ctx: audit.Context, incident_id: str) -> IncidentRow:
    policy.require(ctx.principal, "cti", "create")
    row: IncidentRow = policy.load(rec.session, ctx.principal, IncidentRow, incident_id)
    rec.entry.record_agency = row.owner_agency
    return row


def link(ctx: audit.Context, incident_id: str, attack_id: str) -> list[Technique]:
    """Link the incident to the technique(s) with this ATT&CK id; linking again is no change."""
    attack_id = check_id(attack_id)
    with audit.recorded(ctx, "cti.technique.link", "incident", incident_id) as rec:
        _incident(rec, ctx, incident_id)
        found = [t for t in catalogue(rec.session) if t.attack_id == attack_id]
        if not found:
            raise NotFound(f"no loaded ATT&CK technique has the id {attack_id!r}", "attack_id")
        present = set(
            rec.session.scalars(
                select(CtiLinkRow.stix_id).where(
                    CtiLinkRow.incident_id == incident_id, CtiLinkRow.kind == LINK_KIND
                )
            )
        )
        added = [t for t in found if t.stix_id not in present]
        for technique in added:
            rec.session.add(
                CtiLinkRow(
                    incident_id=incident_id,
                    stix_id=technique.stix_id,
                    kind=LINK_KIND,
                    observable=attack_id,
                    created_by=ctx.principal.username[:200],
                )
            )
        rec.entry.detail = {"attack_id": attack_id, "added": [t.stix_id for t in added]}
    return found


def unlink(ctx: audit.Context, incident_id: str, attack_id: str) -> int:
    """Remove the incident's links to this ATT&CK id; the number removed."""
    attack_id = check_id(attack_id)
    with audit.recorded(ctx, "cti.technique.unlink", "incident", incident_id) as rec:
        _incident(rec, ctx, incident_id)
        result = rec.session.execute(
            delete(CtiLinkRow).where(
                CtiLinkRow.incident_id == incident_id,
                CtiLinkRow.kind == LINK_KIND,
                CtiLinkRow.observable == attack_id,
            )
        )
        removed = int(getattr(result, "rowcount", 0) or 0)
        rec.entry.detail = {"attack_id": attack_id, "removed": removed}
    return removed


def suggest(ctx: audit.Context, incident_id: str) -> list[Suggestion]:
    """Techniques the incident's readable reports point to, best first (see the module)."""
    principal = ctx.principal
    with audit.recorded(ctx, "cti.technique.suggest", "incident", incident_id) as rec:
        policy.require(principal, "cti", "read")
        incident: IncidentRow = policy.load(rec.session, principal, IncidentRow, incident_id)
        rec.entry.record_agency = incident.owner_agency
        reports = rec.session.scalars(
            select(ReportRow)
            .join(MembershipRow, MembershipRow.report_id == ReportRow.id)
            .where(MembershipRow.incident_id == incident_id, policy.visible(principal, ReportRow))
        )
        text = "\n".join(t for r in reports for t in texts_of(r) if t)
        linked = set(
            rec.session.scalars(
                select(CtiLinkRow.stix_id).where(
                    CtiLinkRow.incident_id == incident_id, CtiLinkRow.kind == LINK_KIND
                )
            )
        )
        found = score(catalogue(rec.session), text, linked)
        rec.entry.detail = {"suggested": [s.technique.attack_id for s in found]}
    return found


def score(techniques: list[Technique], text: str, linked: set[str]) -> list[Suggestion]:
    """The suggestions for ``text``, each with its reasons and score."""
    found: dict[str, Suggestion] = {}
    named = {m.group() for m in ATTACK_ID_IN_TEXT.finditer(text)}
    for technique in techniques:
        suggestion = Suggestion(technique, linked=technique.stix_id in linked)
        if technique.attack_id in named:
            suggestion.score += WEIGHT_ID
            suggestion.reasons.append(
                f"a report names the technique id {technique.attack_id} (+{WEIGHT_ID})"
            )
        words = technique.name.split()
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        if re.search(pattern, text, re.IGNORECASE):
            weight = WEIGHT_NAME if len(words) > 1 else WEIGHT_WORD
            suggestion.score += weight
            suggestion.reasons.append(
                f"a report says {technique.name!r}, the technique's name (+{weight})"
            )
        if suggestion.reasons:
            suggestion.score = round(min(1.0, suggestion.score), 2)
            found[technique.stix_id] = suggestion
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.technique.attack_id))
    return ranked[:MAX_SUGGESTIONS]


def suggestion_out(s: Suggestion) -> dict[str, Any]:
    return {
        "attack_id": s.technique.attack_id,
        "name": s.technique.name,
        "stix_id": s.technique.stix_id,
        "score": s.score,
        "reasons": s.reasons,
        "linked": s.linked,
    }
