"""Forms posted by pages: reading their fields and checking their CSRF tokens.

A signed-in page form carries the session's CSRF token in a ``csrf_token`` field
(:func:`qalxan.web.auth.csrf_for`); :data:`PageFormDep` reads the form and refuses it with a 403
when the token is missing or wrong, so a page route that takes its form from there cannot forget
the check. The anonymous sign-in form has no session to bind a token to: it uses a double-submit
token instead, a random value both in a short-lived cookie and in a hidden field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from qalxan.access import tokens
from qalxan.errors import InvalidInput
from qalxan.web.auth import check_csrf
from qalxan.web.page_auth import PageCallerDep

CSRF_FIELD = "csrf_token"
LOGIN_CSRF_COOKIE = "qalxan_login_csrf"
LOGIN_CSRF_MAX_AGE = 30 * 60
MAX_FIELDS = 200
MAX_TEXT = 1000


@dataclass(frozen=True)
class Form:
    """The fields of a posted form; uploaded files are never accepted."""

    data: FormData

    def text(self, name: str, max_length: int = MAX_TEXT) -> str:
        """A field's stripped text ('' when absent), refused when longer than ``max_length``."""
        value = self.data.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > max_length:
            raise InvalidInput(f"{name}: at most {max_length} characters", field=name)
        return text

    def optional(self, name: str, max_length: int = MAX_TEXT) -> str | None:
        return self.text(name, max_length) or None

    def secret(self, name: str, max_length: int = 256) -> str:
        """A password field, exactly as typed (not stripped)."""
        value = self.data.get(name)
        text = value if isinstance(value, str) else ""
        if len(text) > max_length:
            raise InvalidInput(f"{name}: at most {max_length} characters", field=name)
        return text

    def many(self, name: str) -> list[str]:
        """Every value of a repeated field (checkboxes), without blanks."""
        return [v.strip() for v in self.data.getlist(name) if isinstance(v, str) and v.strip()]

    def flag(self, name: str) -> bool:
        return self.text(name) not in ("", "0", "false", "off")

    def email(self, name: str = "email") -> str | None:
        value = self.optional(name, 254)
        if value is None:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise InvalidInput(f"{name}: is not a valid e-mail address", field=name) from None


async def read_form(request: Request) -> Form:
    return Form(await request.form(max_files=0, max_fields=MAX_FIELDS))


async def page_form(request: Request, caller: PageCallerDep) -> Form:
    """The posted form of a signed-in page, refused (403) without the session's CSRF token."""
    form = await read_form(request)
    sent = form.data.get(CSRF_FIELD)
    check_csrf(request, caller, sent if isinstance(sent, str) else None)
    return form


PageFormDep = Annotated[Form, Depends(page_form)]


def _secure(request: Request) -> bool:
    settings = request.app.state.settings
    if settings.cookie_secure is not None:
        return bool(settings.cookie_secure)
    return bool(settings.env == "production" or request.url.scheme == "https")


def set_login_token(request: Request, response: Response, token: str) -> None:
    """Put the sign-in form's double-submit token (:func:`tokens.new_token`) in its cookie."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_MAX_AGE,
        httponly=True,
        secure=_secure(request),
        samesite="strict",
        path="/login",
    )


def login_token_ok(request: Request, form: Form) -> bool:
    """Whether the sign-in form sent back the token of its cookie (compared in constant time)."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    sent = form.data.get(CSRF_FIELD)
    return bool(cookie) and isinstance(sent, str) and tokens.same(sent, cookie or "")


def forget_login_token(response: Response) -> None:
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")


def local_day(value: str, field: str) -> date | None:
    """A day typed in a filter form (``YYYY-MM-DD``), or None when left blank."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field}: a date as YYYY-MM-DD", field=field) from None


def day_bounds(since: str, until: str, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """A filter form's ``since`` and ``until`` days as times: from the first day's midnight
    to the midnight after the last day, in the installation's zone (None where left blank)."""
    first, last = local_day(since, "since"), local_day(until, "until")
    return (
        datetime.combine(first, time(0), zone) if first else None,
        datetime.combine(last + timedelta(days=1), time(0), zone) if last else None,
    )
