"""Jinja2 templates, the request's language, and page rendering helpers."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from qalxan import __version__
from qalxan.doctrine.model import LocalText
from qalxan.web.i18n import LANGUAGES, negotiate, translations

LANG_COOKIE = "qalxan_lang"


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    directory = str(resources.files("qalxan.web").joinpath("templates"))
    engine = Jinja2Templates(directory=directory)
    engine.env.globals.update(languages=LANGUAGES, qalxan_version=__version__)
    return engine


def request_language(request: Request) -> str:
    """The UI language: ``?lang=``, then the cookie, then Accept-Language, then the default."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    default: str = request.app.state.settings.default_language
    return negotiate(request.headers.get("accept-language"), default)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a page in the request's language; remember an explicit ``?lang=`` in a cookie."""
    lang = request_language(request)
    gettext = translations(lang).gettext

    def local(text: LocalText | None) -> str:
        return text.get(lang) if text is not None else ""

    response = templates().TemplateResponse(
        request, name, {"lang": lang, "_": gettext, "local": local, **context}, status_code=status
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def render_error(request: Request, status: int, error: dict[str, Any]) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "error": error}, status=status)
