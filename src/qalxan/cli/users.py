"""``qalxan users`` and ``qalxan units``: accounts and units, administered from the console.

The console acts as a platform administrator of the operator agency; every change is audited
under ``cli:<operating-system user>``. No command has a default password: passwords are typed
(twice, hidden) or generated once and shown once.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from qalxan.access import accounts, units
from qalxan.access.markings import scheme
from qalxan.cli.common import console, operator_context, reports_errors, settings
from qalxan.doctrine.versions import DoctrineCache
from qalxan.errors import NotFound
from qalxan.store.engine import transaction

app = typer.Typer(help="User accounts.", no_args_is_help=True)
units_app = typer.Typer(help="Units inside agencies.", no_args_is_help=True)

Username = Annotated[str, typer.Argument(help="Login name")]
Roles = Annotated[list[str], typer.Option("--role", "-r", help="A role (repeatable)")]


def _password(generate: bool) -> str | None:
    if generate:
        return None
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _show_one_time(username: str, password: str | None) -> None:
    if password is not None:
        console.print(
            f"one-time password for [bold]{username}[/bold]: [bold]{password}[/bold] "
            "(shown once; it must be changed at the first login)"
        )


def _user_id(username: str) -> str:
    ctx = operator_context()
    with transaction(ctx.trail.engine) as session:
        user = accounts.by_username(session, username)
        if user is None:
            raise NotFound(f"no user is named {username!r}", field="username")
        return user.id


@app.command("create-admin")
@reports_errors
def create_admin(
    username: Username = "admin",
    agency: Annotated[str | None, typer.Option(help="Agency id (default: operator)")] = None,
    generate: Annotated[bool, typer.Option(help="Generate a one-time password")] = False,
) -> None:
    """Create a platform administrator (the first one, or another)."""
    ctx = operator_context()
    doctrine = DoctrineCache().current(ctx.trail.engine)
    user, one_time = accounts.create(
        ctx,
        doctrine,
        username=username,
        display_name="Platform administrator",
        agency_id=agency or settings().operator_agency,
        roles=["platform_admin"],
        clearance=scheme().highest.code,
        password=_password(generate),
    )
    console.print(f"created platform administrator [bold]{user.username}[/bold]")
    _show_one_time(user.username, one_time)


@app.command("create")
@reports_errors
def create(
    username: Username,
    agency: Annotated[str, typer.Option(help="Agency id from the doctrine, e.g. agency-sbs")],
    role: Roles,
    clearance: Annotated[str, typer.Option(help="Clearance level code")] = "unclassified",
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit id")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address")] = None,
) -> None:
    """Create an account with a one-time password (shown once)."""
    ctx = operator_context()
    doctrine = DoctrineCache().current(ctx.trail.engine)
    user, one_time = accounts.create(
        ctx,
        doctrine,
        username=username,
        display_name=name or username,
        agency_id=agency,
        unit_id=unit,
        roles=role,
        clearance=clearance,
        email=email,
    )
    console.print(f"created [bold]{user.username}[/bold] ({', '.join(user.roles)})")
    _show_one_time(user.username, one_time)


@app.command("list")
@reports_errors
def list_users(agency: Annotated[str | None, typer.Option(help="Only this agency")] = None) -> None:
    """List accounts."""
    table = Table("user", "name", "agency", "roles", "clearance", "state", "last login")
    for user in accounts.listing(operator_context(), agency):
        state = (
            "disabled"
            if user.disabled
            else "must change password"
            if (user.must_change_password)
            else "active"
        )
        table.add_row(
            user.username,
            user.display_name,
            user.agency_id,
            ", ".join(user.roles),
            scheme().by_rank(user.clearance).code,
            state,
            str(user.last_login_at or "-"),
        )
    console.print(table)


@app.command("set")
@reports_errors
def set_user(
    username: Username,
    role: Annotated[list[str] | None, typer.Option("--role", "-r", help="Replace roles")] = None,
    clearance: Annotated[str | None, typer.Option(help="New clearance code")] = None,
    unit: Annotated[str | None, typer.Option(help="New unit id ('' for none)")] = None,
    disable: Annotated[bool | None, typer.Option("--disable/--enable", help="Lock out")] = None,
) -> None:
    """Change an account's roles, clearance, unit, or disable/enable it."""
    changes = accounts.Changes(
        roles=role or None, clearance=clearance, unit_id=unit, disabled=disable
    )
    user = accounts.update_user(operator_context(), _user_id(username), changes)
    console.print(f"updated [bold]{user.username}[/bold]")


@app.command("reset-password")
@reports_errors
def reset_password(username: Username) -> None:
    """Give an account a new one-time password; its sessions and API keys end."""
    password = accounts.reset_password(operator_context(), _user_id(username))
    _show_one_time(username, password)


@app.command("unlock")
@reports_errors
def unlock(username: Username) -> None:
    """Forgive an account's recent failed logins."""
    forgiven = accounts.unlock(operator_context(), _user_id(username))
    console.print(f"forgave {forgiven} failed login(s) of [bold]{username}[/bold]")


@units_app.command("create")
@reports_errors
def create_unit(
    agency: Annotated[str, typer.Option(help="Agency id from the doctrine")],
    name: Annotated[str, typer.Option(help="Unit name")],
    function: Annotated[
        list[str] | None, typer.Option("--function", "-f", help="e.g. internal_investigations")
    ] = None,
    parent: Annotated[str | None, typer.Option(help="Parent unit id")] = None,
) -> None:
    """Create a unit inside an agency."""
    ctx = operator_context()
    doctrine = DoctrineCache().current(ctx.trail.engine)
    unit = units.create(ctx, doctrine, agency, name, None, parent, function or [])
    console.print(f"created unit [bold]{unit.name}[/bold] ({unit.id})")


@units_app.command("list")
@reports_errors
def list_units(agency: Annotated[str | None, typer.Option(help="Only this agency")] = None) -> None:
    """List units."""
    ctx = operator_context()
    table = Table("id", "agency", "name", "functions")
    with transaction(ctx.trail.engine) as session:
        for unit in units.listing(session, agency):
            table.add_row(unit.id, unit.agency_id, unit.name, ", ".join(unit.functions))
    console.print(table)
