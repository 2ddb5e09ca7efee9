"""Whether the hot paths run compiled (``scripts/compile.py`` builds them with mypyc, and
the few written in Cython).

A compiled module sits beside its source, and Python imports it first. Were a source edited
after the build, the old compiled code would run instead of it, silently: so the build
records the digests of the compiled modules' sources and of the project's modules they
import, and when any differs (or ``QALXAN_PURE_PYTHON`` is set) every compiled module is
imported from its source instead. All of them or none: compiled modules
call each other's compiled code directly, not through the module a source would replace. A
Cython module has no Python source: then it is not imported at all, and its callers use the
Python code it stands for.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from importlib.util import spec_from_file_location
from pathlib import Path
from types import ModuleType

PURE = "QALXAN_PURE_PYTHON"
# Why the compiled modules are not used when a source changed.
STALE = "a source changed since the build (scripts/compile.py builds them again)"
MANIFEST = Path(__file__).with_name("compiled.json")
_ROOT = Path(__file__).resolve().parent.parent


def listed(manifest: Path = MANIFEST, part: str = "modules") -> dict[str, str]:
    """The compiled modules the build recorded (``part="depends"``: the project's modules they
    import), with their sources' digests (none when it compiled nothing)."""
    try:
        known = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    modules = known.get(part) if isinstance(known, dict) else None
    return dict(modules) if isinstance(modules, dict) else {}


def source_of(module: str, root: Path = _ROOT) -> Path:
    base = root.joinpath(*module.split("."))
    package = base / "__init__.py"
    if package.is_file():
        return package
    # A module written in Cython has no Python source to fall back on.
    cython = base.with_suffix(".pyx")
    return cython if cython.is_file() else base.with_suffix(".py")


def digest(module: str, root: Path = _ROOT) -> str:
    """The digest of ``module``'s source, as the build records it (empty: no source)."""
    try:
        return hashlib.sha256(source_of(module, root).read_bytes()).hexdigest()
    except OSError:
        return ""


def stale(modules: dict[str, str], root: Path = _ROOT) -> list[str]:
    """The ``modules`` whose source is no longer the one compiled."""
    return [module for module, known in modules.items() if digest(module, root) != known]


class Sources:
    """Imports ``modules`` from their sources, even where a compiled module sits beside them
    (a finder of :data:`sys.meta_path`; not an ``importlib.abc`` subclass, whose import costs
    every process that imports qalxan about 15 ms)."""

    def __init__(self, modules: Sequence[str], root: Path = _ROOT, reason: str = STALE) -> None:
        self.modules = frozenset(modules)
        self.root = root
        self.reason = reason

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in self.modules:
            return None
        source = source_of(fullname, self.root)
        if source.suffix == ".pyx":
            # Its callers fall back on the Python code it stands for.
            raise ModuleNotFoundError(f"{fullname} is not used ({source.name}): {self.reason}")
        return spec_from_file_location(fullname, source)


def state() -> str:
    """``compiled``, ``pure`` (asked for), ``stale`` (a source changed since the build) or
    ``absent`` (never built, or no compiler)."""
    modules = listed()
    if not modules:
        return "absent"
    if any(isinstance(f, Sources) for f in sys.meta_path):
        return "pure" if os.environ.get(PURE) else "stale"
    return "compiled"


def install(manifest: Path = MANIFEST, root: Path = _ROOT) -> None:
    """Route the compiled modules to their sources when they must not be used."""
    modules = listed(manifest)
    if not modules or any(isinstance(f, Sources) for f in sys.meta_path):
        return
    if os.environ.get(PURE):
        sys.meta_path.insert(0, Sources(list(modules), root, f"{PURE} asks for plain Python"))
    elif stale({**modules, **listed(manifest, "depends")}, root):
        sys.meta_path.insert(0, Sources(list(modules), root, STALE))
