"""Every UI text has an Azerbaijani translation."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from qalxan.doctrine.registry import KIND_PLURALS
from qalxan.web.i18n import translations

TEMPLATES = Path(str(resources.files("qalxan.web").joinpath("templates")))
CALL = re.compile(r"""_\(\s*(['"])(.+?)\1\s*\)""")


def template_messages() -> set[str]:
    return {m.group(2) for p in TEMPLATES.rglob("*.html") for m in CALL.finditer(p.read_text())}


def test_templates_use_translated_texts() -> None:
    assert len(template_messages()) > 30
    az = translations("az")
    dynamic = set(KIND_PLURALS) | set(KIND_PLURALS.values()) | {"exact", "prefix", "fuzzy"}
    missing = sorted(
        m
        for m in template_messages() | dynamic
        if az.gettext(m) == m and m not in {"Qalxan", "API"}
    )
    assert not missing, f"no Azerbaijani translation for: {missing}"


def test_english_passes_through() -> None:
    assert translations("en").gettext("Threats") == "Threats"
    assert translations("az").gettext("Threats") == "Təhdidlər"
