"""UI translations from the gettext catalogues in ``locale/``, compiled in memory at start.

English is the source language; each other language has ``locale/<lang>/LC_MESSAGES/messages.po``.
Compiling in memory keeps the package free of build artefacts and works from a wheel.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: dict[str, str] = {"en": "English", "az": "Azərbaycanca"}


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    """The translations for ``lang``; English (and any unknown language) passes text through."""
    if lang == "en" or lang not in LANGUAGES:
        return gettext.NullTranslations()
    po = resources.files("qalxan.web").joinpath("locale", lang, "LC_MESSAGES", "messages.po")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def negotiate(accept_language: str | None, default: str) -> str:
    """The first supported language in an Accept-Language header, else ``default``."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default
