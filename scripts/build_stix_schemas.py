"""Build the STIX 2.1 JSON schemas shipped in ``src/qalxan/cti/data/stix-schemas/`` from the
OASIS source.

Usage: ``.venv/bin/python scripts/build_stix_schemas.py [--source DIR] [--out DIR]``

The source defaults to ``$QALXAN_SHARED_DIR/data/cti/stix`` or ``../shared/data/cti/stix``
beside the repository: the OASIS ``cti-stix2-json-schemas`` (``schemas/``) and their licence
(``LICENSE-OASIS-BSD3.txt``). The schemas are copied byte for byte, with the licence beside
them and an attribution naming each file's SHA-256. The build stops when the source is not the
STIX 2.1 schema set (a file that is not JSON, another ``$id``, a schema missing). The product
validates with these copies and never reads the source at run time. Output is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "qalxan" / "cti" / "data" / "stix-schemas"
LICENCE = "LICENSE-OASIS-BSD3.txt"
ID_PREFIX = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"
FOLDERS = ("common", "sdos", "sros", "observables")
# A few the validator cannot do without; the rest are checked by their $id.
REQUIRED = (
    "common/core.json",
    "common/cyber-observable-core.json",
    "common/bundle.json",
    "common/marking-definition.json",
    "sdos/indicator.json",
    "sros/relationship.json",
    "sros/sighting.json",
    "observables/file.json",
)
ATTRIBUTION = """# STIX 2.1 JSON schemas

The official JSON schemas of STIX Version 2.1 (OASIS Cyber Threat Intelligence TC,
https://github.com/oasis-open/cti-stix2-json-schemas, branch `stix2.1`), shipped unchanged so
that Qalxan validates STIX content offline. Copyright (c) 2016, OASIS Open; redistributed under
the BSD 3-clause licence in `{licence}`.

Built by `scripts/build_stix_schemas.py`. SHA-256 of each file:

{digests}
"""


class BuildError(Exception):
    pass


def default_source() -> Path:
    shared = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
    return shared / "data" / "cti" / "stix"


def build(source: Path) -> dict[str, bytes]:
    """Relative path -> content of every file to ship."""
    schemas = source / "schemas"
    if not schemas.is_dir():
        raise BuildError(f"no schemas folder at {schemas}")
    built: dict[str, bytes] = {}
    for folder in FOLDERS:
        for path in sorted((schemas / folder).glob("*.json")):
            name = f"{folder}/{path.name}"
            data = path.read_bytes()
            _check(name, data)
            built[name] = data
    missing = [name for name in REQUIRED if name not in built]
    if missing:
        raise BuildError(f"not the STIX 2.1 schema set: {', '.join(missing)} missing")
    licence = source / LICENCE
    if not licence.is_file():
        raise BuildError(f"the licence {licence} is missing")
    built[LICENCE] = licence.read_bytes()
    digests = "\n".join(
        f"- `{name}` {hashlib.sha256(data).hexdigest()}" for name, data in sorted(built.items())
    )
    built["ATTRIBUTION.md"] = ATTRIBUTION.format(licence=LICENCE, digests=digests).encode()
    return built


def _check(name: str, data: bytes) -> None:
    try:
        schema = json.loads(data)
    except ValueError as error:
        raise BuildError(f"{name}: not JSON: {error}") from error
    if not isinstance(schema, dict) or schema.get("$id") != ID_PREFIX + name:
        raise BuildError(f"{name}: $id is not {ID_PREFIX + name}")
    if "2020-12" not in str(schema.get("$schema", "")):
        raise BuildError(f"{name}: not a JSON Schema 2020-12 document")


def write(built: dict[str, bytes], out: Path) -> None:
    """Replace ``out`` with exactly the built files (none left over from an older build)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        for name, data in built.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_source())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        built = build(args.source)
    except (OSError, BuildError) as error:
        print(f"build_stix_schemas: {args.source}: {error}", file=sys.stderr)
        return 1
    write(built, args.out)
    print(f"wrote {len(built)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
