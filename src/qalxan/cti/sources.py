"""Reading STIX content from a path: a bundle, one object, a MISP event, or a directory.

A file is recognised by its shape, not its name: a STIX bundle (``"type": "bundle"``, or an
``objects`` list with no type), one STIX object (``type`` and ``id``), a JSON list of STIX
objects, or a MISP document (``{"Event": ...}``, a bare event, a restSearch ``response``),
converted by :func:`qalxan.cti.misp.convert`. A directory is read recursively, every
``*.json`` file in name order (a stix2 ``FileSystemStore`` keeps one object version per file:
``<type>/<id>/<modified>.json`` or ``<type>/<id>.json``); hidden files and folders are skipped.

Each file becomes one :class:`Unit`, stored all or nothing: a file that cannot be read carries
its problem instead of objects, a bundle whose envelope is wrong carries its problems beside its
objects (refused, and the objects are still checked so that every fault is told), and neither
stops the files after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from qalxan.cti.misp_document import EVENT_KEYS, WEAK_EVENT_KEYS
from qalxan.cti.validate import Problem, bundle_errors
from qalxan.errors import InvalidInput

Kind = Literal["bundle", "object", "objects", "misp", "unreadable"]
MISP_KEYS = frozenset({"Event", "response"}) | EVENT_KEYS | WEAK_EVENT_KEYS


@dataclass(frozen=True)
class Unit:
    """The objects of one file (or of one bundle given in memory), kept or refused together."""

    origin: str
    kind: Kind
    objects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: tuple[str, ...] = ()


def files(path: Path) -> list[Path]:
    """The files :func:`read` reads, in the order it reads them."""
    if not path.is_dir():
        return [path]
    return [
        p
        for p in sorted(path.rglob("*.json"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]


def read(path: Path) -> Iterator[Unit]:
    """Every file under ``path`` (or ``path`` itself), one unit each."""
    for file in files(path):
        yield read_file(file)


def read_file(path: Path) -> Unit:
    origin = str(path)
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        return unreadable(origin, f"cannot read the file: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        return unreadable(origin, f"not UTF-8 text: {exc.reason}")
    except json.JSONDecodeError as exc:
        return unreadable(origin, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    return from_document(document, origin)


def from_document(document: object, origin: str) -> Unit:
    """The unit of a parsed JSON document, by its shape."""
    if isinstance(document, dict):
        if document.get("type") == "bundle" or (
            "type" not in document and isinstance(document.get("objects"), list)
        ):
            return _bundle(document, origin)
        if isinstance(document.get("type"), str) and isinstance(document.get("id"), str):
            return Unit(origin, "object", [document])
        if MISP_KEYS & document.keys():
            return _misp(document, origin)
    if isinstance(document, list) and document and all(isinstance(o, dict) for o in document):
        if all("type" in o and "id" in o for o in document):
            return Unit(origin, "objects", list(document))
        if all("Event" in o for o in document):
            return _misp(document, origin)
    gist = _gist(document)
    return unreadable(origin, f"neither STIX (a bundle or an object) nor a MISP event: {gist}")


def unreadable(origin: str, reason: str) -> Unit:
    return Unit(origin, "unreadable", problems=[Problem(origin, "", reason)])


def _bundle(document: dict[str, Any], origin: str) -> Unit:
    objects = document.get("objects")
    problems = bundle_errors(document)
    if not isinstance(objects, list):
        return Unit(origin, "bundle", problems=problems or [Problem(origin, "objects", "required")])
    # The objects are kept to be checked too, so that all that is wrong is said at once.
    return Unit(origin, "bundle", list(objects), problems)


def _misp(document: object, origin: str) -> Unit:
    # Imported here: the MISP converter (PyMISP, misp-stix) takes two seconds to import, which
    # every web worker would otherwise pay at start for a rarely used format.
    from qalxan.cti import misp

    try:
        converted = misp.convert(document)
    except InvalidInput as exc:
        return Unit(origin, "misp", problems=[Problem(origin, "", exc.message)])
    return Unit(origin, "misp", converted.objects, notes=converted.notes)


def _gist(document: object) -> str:
    if isinstance(document, dict):
        keys = ", ".join(sorted(map(str, document))[:8]) or "none"
        return f"an object with the keys {keys}"
    if isinstance(document, list):
        return "a list, but not of STIX objects or MISP events" if document else "an empty list"
    return f"a JSON {type(document).__name__}"
