"""Build the CAP 1.2 schema shipped in ``src/qalxan/alerts/data/`` from the OASIS source.

Usage: ``.venv/bin/python scripts/build_cap_schema.py [--source FILE] [--out FILE]``

The source defaults to ``$QALXAN_SHARED_DIR/data/cti/cap/CAP-v1.2.xsd`` or
``../shared/data/cti/cap/CAP-v1.2.xsd`` beside the repository. The schema is the standard's own
(OASIS CAP 1.2, ``CAP-v1.2-os.xsd``): it is copied unchanged after an attribution comment. The
build stops when the source is not that schema (another target namespace, or not a schema that
compiles). Output is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "qalxan" / "alerts" / "data" / "CAP-v1.2.xsd"
NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
ATTRIBUTION = """<!--
  OASIS Common Alerting Protocol Version 1.2, XML Schema (CAP-v1.2-os.xsd), the standard's own
  schema: https://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.xsd
  Copyright (c) OASIS Open 2010. All Rights Reserved. Redistributed unchanged under the OASIS
  copyright notice and IPR policy (https://www.oasis-open.org/policies-guidelines/ipr/).
  Shipped with Qalxan by scripts/build_cap_schema.py from a source of sha256
  {digest}.
-->
"""


class BuildError(Exception):
    pass


def default_source() -> Path:
    shared = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
    return shared / "data" / "cti" / "cap" / "CAP-v1.2.xsd"


def build(source: bytes) -> bytes:
    """The shipped schema: the source unchanged, the attribution after the XML declaration."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.fromstring(source, parser)
        etree.XMLSchema(tree)
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
        raise BuildError(f"not a usable XML Schema: {error}") from error
    if tree.get("targetNamespace") != NAMESPACE:
        raise BuildError(f"target namespace {tree.get('targetNamespace')!r}, not {NAMESPACE}")
    if not source.startswith(b"<?xml"):
        raise BuildError("expected the XML declaration first")
    end = source.index(b"?>") + 2
    header = ATTRIBUTION.format(digest=hashlib.sha256(source).hexdigest()).encode("utf-8")
    return source[:end] + b"\n" + header + source[end:].lstrip(b"\r\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_source())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        data = build(args.source.read_bytes())
    except (OSError, BuildError) as error:
        print(f"build_cap_schema: {args.source}: {error}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
