"""The early-warning rules, as data (``data/warning_rules.yaml``): which threats each rule
watches, by day or by week, against which baseline, and how improbable a count must be."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from qalxan.errors import InvalidInput
from qalxan.picture.baseline import Window
from qalxan.picture.detect import Rule

BUNDLED = Path(__file__).parent / "data" / "warning_rules.yaml"
SCALES = {"day": 365, "week": 52}
_WINDOW = ("years", "half_width", "window", "guard", "minimum")


@lru_cache(maxsize=4)
def rules(path: Path = BUNDLED) -> tuple[Rule, ...]:
    """Every rule of ``path``, checked."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"{path.name}: {error}", "rules") from error
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list) or not raw["rules"]:
        raise InvalidInput(f"{path.name}: rules: a list of rules is required", "rules")
    found = [_rule(item, n) for n, item in enumerate(raw["rules"], 1)]
    if sum(1 for r in found if not r.threats) != 1:
        raise InvalidInput(f"{path.name}: rules: exactly one rule must name no threats", "rules")
    return tuple(found)


def rule_for(threat: str, path: Path = BUNDLED) -> Rule:
    """The rule watching ``threat`` (the rule naming no threats when none names it)."""
    every = rules(path)
    return next((r for r in every if threat in r.threats), next(r for r in every if not r.threats))


def _rule(item: Any, n: int) -> Rule:
    where = f"rules[{n}]"
    if not isinstance(item, dict):
        raise InvalidInput(f"{where}: a mapping is required", "rules")
    scale = item.get("scale")
    if scale not in SCALES:
        raise InvalidInput(f"{where}.scale: {scale!r} is not one of {', '.join(SCALES)}", "scale")
    window = Window(
        season=_number(item, "season", where, int, SCALES[scale]),
        **{key: _number(item, key, where, int, getattr(Window, key)) for key in _WINDOW},
    )
    alpha = _number(item, "alpha", where, float, None)
    if not 0 < alpha < 1:
        raise InvalidInput(f"{where}.alpha: must be between 0 and 1", "alpha")
    ratio = _number(item, "ratio", where, float, None)
    if ratio <= 1:
        raise InvalidInput(f"{where}.ratio: must be above 1 (a rise)", "ratio")
    threats = item.get("threats") or []
    if not isinstance(threats, list) or not all(isinstance(t, str) for t in threats):
        raise InvalidInput(f"{where}.threats: a list of threat codes is required", "threats")
    return Rule(
        name=str(item.get("name") or f"rule {n}"),
        scale=scale,
        window=window,
        alpha=alpha,
        min_count=_number(item, "min_count", where, int, 1),
        ratio=ratio,
        limit=_number(item, "limit", where, float, None),
        threats=tuple(threats),
    )


def _number(item: dict[str, Any], key: str, where: str, kind: type, default: Any) -> Any:
    value = item.get(key, default)
    if value is None:
        raise InvalidInput(f"{where}.{key}: required", key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{where}.{key}: a number is required, not {value!r}", key)
    if value < 0:
        raise InvalidInput(f"{where}.{key}: must be at least 0", key)
    if kind is int and value != int(value):
        raise InvalidInput(f"{where}.{key}: a whole number is required", key)
    return kind(value)
