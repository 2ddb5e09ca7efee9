"""What every CLI command shares: the console, settings, engine, and error reporting."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial, wraps
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from sqlalchemy import Engine

from qalxan.access import accounts
from qalxan.access.audit import Context
from qalxan.access.identity import principal_of
from qalxan.bootstrap import bootstrap, operator_principal, trail
from qalxan.errors import NotFound, QalxanError, first_problem
from qalxan.settings import Settings, get_settings
from qalxan.store.engine import transaction

console = Console()
errors = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def actor() -> str:
    """Who runs a command, for the records it writes."""
    return f"cli:{getpass.getuser()}"


def settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        path, problem = first_problem(exc)
        errors.print(f"[red]error:[/red] invalid setting {path or 'settings'}: {problem}")
        raise typer.Exit(2) from exc


def engine() -> Engine:
    return bootstrap(settings())


def operator_context(roles: tuple[str, ...] = ("platform_admin",)) -> Context:
    """The audit context of the person at the console (see bootstrap.operator_principal)."""
    config = settings()
    db = engine()
    principal = operator_principal(config)
    if roles != principal.roles:
        principal = replace(principal, roles=roles)
    return Context(principal, trail(config, db))


def acting_as(user: str | None, roles: tuple[str, ...]) -> Context:
    """The account named ``user`` (with its own roles and clearance), or else the person at the
    console with ``roles``."""
    ctx = operator_context(roles)
    if user is None:
        return ctx
    with transaction(ctx.trail.engine) as session:
        account = accounts.by_username(session, user)
        if account is None or account.disabled:
            raise NotFound(f"as: no active account is named {user!r}", field="as")
        # The console does not sign in with the account's password, so a pending password
        # change (a sign-in matter) does not stop it.
        principal = replace(principal_of(account, "cli"), must_change_password=False)
    return replace(ctx, principal=principal)


@contextmanager
def reported() -> Iterator[None]:
    """Turn domain errors into a clear message and exit code 2."""
    try:
        yield
    except QalxanError as exc:
        errors.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reported():
            return func(*args, **kwargs)

    return wrapper


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar of ``total`` steps; yields the function that advances it."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield partial(progress.advance, task)
