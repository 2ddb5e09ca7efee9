"""User accounts: creation, changes, passwords. Every change is audited.

Administrators manage the accounts of their own agency (``users:manage``) or of every agency
(``users:manage-any``). Nobody can give a clearance above their own, and only
``users:manage-any`` can give a restricted role (platform administrator, oversight).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from qalxan.access import audit, passwords, throttle
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.access.roles import catalogue
from qalxan.access.tables import ApiKeyRow, SessionRow, UnitRow, UserRow
from qalxan.access.units import check_agency, check_manage
from qalxan.doctrine.registry import Doctrine
from qalxan.errors import Conflict, Forbidden, InvalidInput, NotFound
from qalxan.store.engine import transaction
from qalxan.store.ids import new_id

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]$")

# Who may hold an account: the platform's agencies and its partner organisations.
PARTNER_KINDS = ("agency", "organisation")


@dataclass
class Changes:
    """What an administrator changes on an account; ``None`` leaves a field as it is."""

    display_name: str | None = None
    email: str | None = None
    unit_id: str | None = None
    roles: list[str] | None = None
    clearance: str | None = None
    disabled: bool | None = None


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise InvalidInput(
            "username: 3-64 characters: lower-case letters, digits, '.', '_' or '-'",
            field="username",
        )
    return name


def _check_grants(principal: Principal, roles: list[str], clearance: int) -> list[str]:
    roles = catalogue().check_roles(roles)
    if not principal.has("users:manage-any"):
        for role_id in roles:
            if catalogue().role(role_id).restricted:
                raise Forbidden(f"roles: only a platform administrator can give {role_id!r}")
    if clearance > principal.clearance:
        raise Forbidden("clearance: you cannot give a clearance above your own")
    return roles


def _check_unit(session: Session, unit_id: str | None, agency_id: str) -> None:
    if unit_id is None:
        return
    unit = session.get(UnitRow, unit_id)
    if unit is None or unit.agency_id != agency_id:
        raise InvalidInput(f"unit_id: no unit of this agency has the id {unit_id!r}", "unit_id")


def create(
    ctx: audit.Context,
    doctrine: Doctrine,
    *,
    username: str,
    display_name: str,
    agency_id: str,
    roles: list[str],
    clearance: str = "unclassified",
    unit_id: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> tuple[UserRow, str | None]:
    """A new account; without ``password`` a one-time password is made and returned."""
    name = normalise_username(username)
    # A foreign partner's staff (a CERT of an international organisation, say) sign in as
    # members of that organisation: they hold only the roles given to them, e.g. cti_partner.
    check_agency(doctrine, agency_id, kinds=PARTNER_KINDS)
    rank = scheme().classification(clearance, "clearance").rank
    one_time = None
    if password is None:
        one_time = password = passwords.generate_password()
    else:
        passwords.check_new_password(password, name)
    with audit.recorded(ctx, "user.create", "user") as rec:
        rec.entry.record_agency = agency_id
        check_manage(ctx.principal, agency_id)
        granted = _check_grants(ctx.principal, roles, rank)
        session = rec.session
        _check_unit(session, unit_id, agency_id)
        if session.scalar(select(UserRow.id).where(UserRow.username == name)) is not None:
            raise Conflict(f"username: {name!r} is taken", field="username")
        user = UserRow(
            id=new_id(),
            username=name,
            display_name=display_name.strip() or name,
            email=email,
            agency_id=agency_id,
            unit_id=unit_id,
            roles=granted,
            clearance=rank,
            password_hash=passwords.hash_password(password),
            must_change_password=one_time is not None,
            created_by=ctx.principal.username,
            password_changed_at=datetime.now(UTC),
        )
        session.add(user)
        rec.entry.record_id = user.id
        rec.entry.detail = {"username": name, "roles": granted, "clearance": clearance}
    return user, one_time


def update_user(ctx: audit.Context, user_id: str, changes: Changes) -> UserRow:
    with audit.recorded(ctx, "user.update", "user", user_id) as rec:
        session = rec.session
        user = _managed(session, ctx.principal, user_id)
        rec.entry.record_agency = user.agency_id
        detail: dict[str, object] = {}
        if changes.roles is not None or changes.clearance is not None:
            rank = (
                scheme().classification(changes.clearance, "clearance").rank
                if changes.clearance is not None
                else user.clearance
            )
            roles = _check_grants(ctx.principal, changes.roles or list(user.roles), rank)
            if user.id == ctx.principal.user_id and roles != sorted(user.roles):
                raise Forbidden("roles: you cannot change your own roles")
            user.roles, user.clearance = roles, rank
            detail.update(roles=roles, clearance=scheme().by_rank(rank).code)
        if changes.unit_id is not None:
            _check_unit(session, changes.unit_id or None, user.agency_id)
            user.unit_id = changes.unit_id or None
            detail["unit_id"] = user.unit_id
        if changes.display_name is not None:
            user.display_name = changes.display_name.strip() or user.username
            detail["display_name"] = user.display_name
        if changes.email is not None:
            user.email = changes.email or None
            detail["email"] = user.email
        if changes.disabled is not None:
            if changes.disabled and user.id == ctx.principal.user_id:
                raise Forbidden("disabled: you cannot disable your own account")
            user.disabled = changes.disabled
            detail["disabled"] = changes.disabled
            if changes.disabled:
                _end_sessions(session, user.id)
        rec.entry.detail = detail
    return user


def reset_password(ctx: audit.Context, user_id: str) -> str:
    """Give the account a new one-time password (to be changed at the next login)."""
    one_time = passwords.generate_password()
    with audit.recorded(ctx, "user.reset-password", "user", user_id) as rec:
        user = _managed(rec.session, ctx.principal, user_id)
        rec.entry.record_agency = user.agency_id
        user.password_hash = passwords.hash_password(one_time)
        user.must_change_password = True
        user.password_changed_at = datetime.now(UTC)
        _end_sessions(rec.session, user.id)
    return one_time


def change_password(
    ctx: audit.Context, current: str, new: str, keep_session: str | None = None
) -> None:
    """The caller changes their own password; their other sessions end (all but
    ``keep_session``, the SHA-256 id of the session making the change). API keys stay."""
    user_id = ctx.principal.user_id
    if user_id is None:
        raise Forbidden("only a user account has a password")
    with audit.recorded(ctx, "user.change-password", "user", user_id) as rec:
        user = rec.session.get(UserRow, user_id)
        if user is None or not passwords.verify_password(user.password_hash, current):
            raise InvalidInput("current_password: is not the current password", "current_password")
        rec.entry.record_agency = user.agency_id
        passwords.check_new_password(new, user.username, "new_password")
        if passwords.verify_password(user.password_hash, new):
            raise InvalidInput("new_password: must differ from the current one", "new_password")
        user.password_hash = passwords.hash_password(new)
        user.must_change_password = False
        user.password_changed_at = datetime.now(UTC)
        others = update(SessionRow).where(
            SessionRow.user_id == user.id, SessionRow.revoked_at.is_(None)
        )
        if keep_session is not None:
            others = others.where(SessionRow.id != keep_session)
        rec.session.execute(others.values(revoked_at=datetime.now(UTC)))


def _end_sessions(session: Session, user_id: str) -> None:
    now = datetime.now(UTC)
    session.execute(
        update(SessionRow)
        .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(ApiKeyRow)
        .where(ApiKeyRow.user_id == user_id, ApiKeyRow.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by="account change")
    )


def _managed(session: Session, principal: Principal, user_id: str) -> UserRow:
    user = session.get(UserRow, user_id)
    if user is None:
        raise NotFound(f"no user has the id {user_id!r}", field="user_id")
    try:
        check_manage(principal, user.agency_id)
    except Forbidden:
        # Accounts of agencies one does not administer are not disclosed.
        raise NotFound(f"no user has the id {user_id!r}", field="user_id") from None
    return user


def get_managed(ctx: audit.Context, user_id: str) -> UserRow:
    with audit.recorded(ctx, "user.read", "user", user_id) as rec:
        user = _managed(rec.session, ctx.principal, user_id)
        rec.entry.record_agency = user.agency_id
    return user


def listing(ctx: audit.Context, agency_id: str | None = None) -> list[UserRow]:
    """The accounts the caller administers (of ``agency_id`` only, when given)."""
    principal = ctx.principal
    with audit.recorded(ctx, "user.list", "user") as rec:
        if principal.has("users:manage-any"):
            query = select(UserRow)
            if agency_id is not None:
                query = query.where(UserRow.agency_id == agency_id)
        elif principal.has("users:manage") and principal.agency_id is not None:
            query = select(UserRow).where(UserRow.agency_id == principal.agency_id)
        else:
            raise Forbidden("you do not administer accounts")
        users = list(rec.session.scalars(query.order_by(UserRow.username)))
        rec.entry.record_agency = agency_id
        rec.entry.detail = {"count": len(users)}
    return users


@dataclass(frozen=True)
class Colleague:
    id: str
    display_name: str


def colleagues(ctx: audit.Context) -> list[Colleague]:
    """The active members of the caller's agency, by name: whom work can be assigned to. Names
    only; the accounts themselves stay with the agency's administrators."""
    agency = ctx.principal.agency_id
    if agency is None:
        return []
    with audit.recorded(ctx, "user.colleagues", "user") as rec:
        rows = rec.session.execute(
            select(UserRow.id, UserRow.display_name)
            .where(UserRow.agency_id == agency, UserRow.disabled.is_(False))
            .order_by(UserRow.display_name)
        ).all()
        rec.entry.record_agency = agency
        rec.entry.detail = {"count": len(rows)}
    return [Colleague(user_id, name) for user_id, name in rows]


def unlock(ctx: audit.Context, user_id: str) -> int:
    """Forgive the account's recent failed logins; returns how many were forgiven."""
    with audit.recorded(ctx, "user.unlock", "user", user_id) as rec:
        user = _managed(rec.session, ctx.principal, user_id)
        rec.entry.record_agency = user.agency_id
        forgiven = throttle.unlock(rec.session, user.username)
        rec.entry.detail = {"forgiven": forgiven}
    return forgiven


def by_username(session: Session, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))


def count_admins(engine: Engine) -> int:
    with transaction(engine) as session:
        users = session.scalars(select(UserRow).where(UserRow.disabled.is_(False))).all()
        return sum(1 for u in users if "platform_admin" in u.roles)


def count_users(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)
