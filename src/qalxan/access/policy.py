"""The one policy: may this principal do this action to this record?

:func:`decide` answers for one record from its facts; :func:`visible` is the same rule as a SQL
condition, so that lists, searches, counts and exports filter in the database and never load
what the caller may not see. A test proves the two agree on every combination.

The rule, in order:

1. the caller's roles must permit the action on the record type (else 403: this says nothing
   about any record);
2. the caller's clearance must be at least the record's classification;
3. the record must be within reach: the caller's agency owns it, or its TLP marking reaches the
   caller (CLEAR and GREEN: every agency; AMBER and AMBER+STRICT: agencies it is shared to,
   and users it is shared to by name; RED: users it is shared to by name only), or the role's
   permission reaches every agency (``@any``), or an inquiry grant covers it;
4. changes (update, share, approve, decide) are for the owning agency (or ``@any``) only.

A record that fails 2 or 3 does not exist for the caller (404); one that fails 4 is visible but
not theirs to change (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from qalxan.access.markings import Reach, scheme
from qalxan.access.principal import Principal
from qalxan.access.tables import GrantRow, Protected, ShareRow
from qalxan.errors import Forbidden, InvalidInput, NotFound

READ = "read"
CHANGES = frozenset({"update", "share", "approve", "decide"})


class Hidden(NotFound):
    """A record the caller may not know exists; answered exactly like a missing one."""

    hidden = True

    def __init__(self, record_type: str, record_id: str, audit_reason: str) -> None:
        super().__init__(f"no {record_type} has the id {record_id!r}", field="id")
        self.audit_reason = audit_reason


@dataclass(frozen=True)
class Facts:
    """What the policy needs to know about one record."""

    record_type: str
    owner_agency: str
    classification: int
    tlp: str | None
    shared_agencies: frozenset[str] = frozenset()
    shared_users: frozenset[str] = frozenset()
    granted: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    hidden: bool = False


def may_use(principal: Principal, record_type: str, action: str) -> bool:
    """Whether the caller's roles permit ``action`` on some records of ``record_type``."""
    if principal.scope(record_type, action) is not None:
        return True
    return action == READ and principal.has("inquiry:read")


def require(principal: Principal, record_type: str, action: str) -> None:
    if principal.must_change_password:
        raise Forbidden("the password must be changed before anything else")
    if not may_use(principal, record_type, action):
        raise Forbidden(f"your roles do not permit {record_type}:{action}")


def decide(principal: Principal, action: str, facts: Facts) -> Decision:
    """The decision for one record (see the module's rule)."""
    if not may_use(principal, facts.record_type, action):
        return Decision(False, f"roles do not permit {facts.record_type}:{action}")
    if principal.clearance < facts.classification:
        return Decision(False, "clearance below the record's classification", hidden=True)
    read_scope = principal.scope(facts.record_type, READ)
    reach = _reach(principal, read_scope, facts)
    if reach is None:
        return Decision(False, "outside the caller's need-to-know", hidden=True)
    if action in CHANGES:
        scope = principal.scope(facts.record_type, action)
        if scope == "any" or (scope == "agency" and facts.owner_agency == principal.agency_id):
            return Decision(
                True,
                f"{action} by the owning agency"
                if scope == "agency"
                else f"{action} permitted for every agency",
            )
        return Decision(False, "only the owning agency may change the record")
    return Decision(True, reach)


def _reach(principal: Principal, scope: str | None, facts: Facts) -> str | None:
    if facts.granted and principal.has("inquiry:read"):
        return "inquiry grant"
    if scope is None:
        return None
    if scope == "any":
        return "permission reaches every agency"
    if facts.owner_agency == principal.agency_id:
        return "owning agency"
    marking = scheme().tlp_marking(facts.tlp)
    if marking is None:
        return None
    if marking.reach in ("everyone", "community"):
        return f"TLP:{marking.code} reaches every agency"
    if marking.reach in ("shared", "strict") and principal.agency_id in facts.shared_agencies:
        return f"TLP:{marking.code}, shared to the caller's agency"
    # A share to a named user is narrower than one to their agency, so AMBER honours it too.
    if marking.reach in ("shared", "strict", "named") and principal.user_id in facts.shared_users:
        return f"TLP:{marking.code}, shared to the caller by name"
    return None


def visible(principal: Principal, model: type[Protected]) -> ColumnElement[bool]:
    """:func:`decide` for ``read`` as a SQL condition on ``model`` (same rule, in SQL).

    Built once per principal and model (the clause holds no clock: grant expiry is compared
    with the database's current time), since it is needed on every protected request.
    """
    clause: ColumnElement[bool] = _visible(principal, cast(Any, model))  # hashed by identity
    return clause


@lru_cache(maxsize=4096)
def _visible(principal: Principal, model: Any) -> ColumnElement[bool]:
    record_type = model.record_type
    grant = _grant_clause(principal, model) if principal.has("inquiry:read") else false()
    scope = principal.scope(record_type, READ)
    if scope is None:
        return and_(model.classification <= principal.clearance, grant)
    if scope == "any":
        return and_(model.classification <= principal.clearance)
    reaching = scheme().tlp_with_reach

    def tlp(*reaches: Reach) -> ColumnElement[bool]:
        # Equalities, not IN: an IN list is expanded into the SQL on every execution.
        return or_(false(), *(model.tlp == marking for marking in reaching(*reaches)))

    shared = probe(
        ShareRow.record_type == record_type,
        ShareRow.record_id == model.id,
        ShareRow.agency_id == principal.agency_id,
        ShareRow.revoked_at.is_(None),
    )
    named = probe(
        ShareRow.record_type == record_type,
        ShareRow.record_id == model.id,
        ShareRow.user_id == principal.user_id,
        ShareRow.revoked_at.is_(None),
    )
    reach = or_(
        model.owner_agency == principal.agency_id if principal.agency_id else false(),
        tlp("everyone", "community"),
        and_(tlp("shared", "strict"), shared) if principal.agency_id else false(),
        and_(tlp("shared", "strict", "named"), named) if principal.user_id else false(),
        grant,
    )
    return and_(model.classification <= principal.clearance, reach)


def probe(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """``EXISTS`` checked row by row through an index.

    Under an OR, PostgreSQL turns a plain EXISTS into a hashed subplan that first reads every
    share of the caller's agency (tens of thousands in a busy installation) on every query. An
    OFFSET makes it keep the correlated subquery, so a page reads a few index entries per row.
    """
    return select(literal_column("1")).where(*conditions).offset(0).exists()


@lru_cache(maxsize=4096)
def _by_id(principal: Principal, model: Any) -> Select[Any]:
    # Built once per principal and model: SQLAlchemy then reuses the statement's cache key
    # instead of walking the whole policy condition on every request.
    return select(model).where(model.id == bindparam("record_id"), visible(principal, model))


def _grant_clause(principal: Principal, model: type[Protected]) -> ColumnElement[bool]:
    if principal.user_id is None:
        return false()
    return probe(
        GrantRow.user_id == principal.user_id,
        GrantRow.record_type == model.record_type,
        GrantRow.revoked_at.is_(None),
        GrantRow.expires_at > func.current_timestamp(),
        or_(GrantRow.record_id == model.id, GrantRow.agency_id == model.owner_agency),
    )


def facts_of(session: Session, principal: Principal, row: Protected) -> Facts:
    """The facts of a loaded record: its shares, and whether a grant of the caller covers it."""
    record_type = row.record_type
    shares = session.execute(
        select(ShareRow.agency_id, ShareRow.user_id).where(
            ShareRow.record_type == record_type,
            ShareRow.record_id == row.id,
            ShareRow.revoked_at.is_(None),
        )
    ).all()
    granted = False
    if principal.user_id is not None and principal.has("inquiry:read"):
        granted = session.execute(
            select(
                exists().where(
                    GrantRow.user_id == principal.user_id,
                    GrantRow.record_type == record_type,
                    GrantRow.revoked_at.is_(None),
                    GrantRow.expires_at > datetime.now(UTC),
                    or_(GrantRow.record_id == row.id, GrantRow.agency_id == row.owner_agency),
                )
            )
        ).scalar_one()
    return Facts(
        record_type=record_type,
        owner_agency=row.owner_agency,
        classification=row.classification,
        tlp=row.tlp,
        shared_agencies=frozenset(a for a, _ in shares if a),
        shared_users=frozenset(u for _, u in shares if u),
        granted=bool(granted),
    )


def load(
    session: Session, principal: Principal, model: type[Any], record_id: str, action: str = READ
) -> Any:
    """The record ``record_id`` of ``model`` if ``action`` on it is allowed.

    Raises Forbidden when the roles do not permit the action at all, :class:`Hidden` (a 404)
    when the record is missing or out of the caller's reach, Forbidden when it is visible but
    not the caller's to change.
    """
    require(principal, model.record_type, action)
    row = session.execute(
        _by_id(principal, cast(Any, model)), {"record_id": record_id}
    ).scalar_one_or_none()
    if row is None:
        present = session.get(model, record_id) is not None
        raise Hidden(
            model.record_type,
            record_id,
            "outside the caller's reach" if present else "no such record",
        )
    if action == READ:
        return row  # the SQL condition above is the read decision
    decision = decide(principal, action, facts_of(session, principal, row))
    if not decision.allowed:
        if decision.hidden:
            raise Hidden(model.record_type, record_id, decision.reason)
        raise Forbidden(f"{decision.reason}")
    return row


def check_create(
    principal: Principal, record_type: str, owner_agency: str | None, classification: int
) -> str:
    """The owning agency of a new record, after checking the caller may create it."""
    require(principal, record_type, "create")
    scope = principal.scope(record_type, "create")
    owner = owner_agency or principal.agency_id
    if owner is None:
        raise InvalidInput("owner_agency: the record needs an owning agency", field="owner_agency")
    if scope != "any" and owner != principal.agency_id:
        raise Forbidden("records can only be created for one's own agency")
    if classification > principal.clearance:
        raise InvalidInput(
            "classification: above your clearance; you could not read the record you create",
            field="classification",
        )
    return owner
