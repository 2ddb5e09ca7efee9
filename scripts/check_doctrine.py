"""Check doctrine data files while they are being written, one author's files at a time.

    python scripts/check_doctrine.py threats.yaml relations-concept.yaml

Validates the named files of the bundled version (all when none are named), checks that their
relations point at ids defined in any file of the version, and that every provenance quote and
justification stands in the seed documents (../shared/seeds). Exit 1 on any problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qalxan.doctrine import loader
from qalxan.doctrine.model import Manifest
from qalxan.doctrine.provenance import fold
from qalxan.errors import DoctrineLoadError

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def main(names: list[str]) -> int:
    root = loader.bundled_path()
    manifest = Manifest.model_validate(loader._read_yaml(root / "manifest.yaml", "manifest.yaml"))
    texts = {k: fold((SEEDS / s.file).read_text("utf-8")) for k, s in manifest.sources.items()}
    vocabulary = loader.load_relation_types()
    files = sorted(p for p in root.glob("*.yaml") if p.name != "manifest.yaml")
    mine = set(names) or {p.name for p in files}
    kinds: dict[str, str] = {}
    parsed = {}
    problems: list[str] = []
    for path in files:
        try:
            items, relations = loader._parse_file(loader._read_yaml(path, path.name), path.name)
        except DoctrineLoadError as exc:
            if path.name in mine:
                problems.append(str(exc))
            continue
        parsed[path.name] = (items, relations)
        for item in items:
            if item.id in kinds and path.name in mine:
                problems.append(f"{path.name}: {item.id}: duplicate id")
            kinds[item.id] = item.kind
    for name, (items, relations) in parsed.items():
        if name not in mine:
            continue
        for item in items:
            for i, p in enumerate(item.provenance):
                if p.source not in texts:
                    problems.append(f"{name}: {item.id}.provenance[{i}]: unknown source {p.source}")
                elif p.quote and fold(p.quote) not in texts[p.source]:
                    where = f"{name}: {item.id}.provenance[{i}]"
                    problems.append(f"{where}: quote not in {p.source}: {p.quote[:70]!r}")
        for r in relations:
            t = vocabulary.get(r.type)
            if t is None:
                problems.append(f"{name}: {r.key}: unknown relation type")
                continue
            for end, allowed in (("source", t.source_kinds), ("target", t.target_kinds)):
                ref = getattr(r, end)
                if ref not in kinds:
                    problems.append(f"{name}: {r.key}: {end} {ref!r} is not defined (yet)")
                elif kinds[ref] not in allowed:
                    problems.append(f"{name}: {r.key}: {end} is a {kinds[ref]}, allowed {allowed}")
            if t.requires_justification and not r.justification:
                problems.append(f"{name}: {r.key}: justification required")
            src = r.provenance[0].source
            if r.justification and src in texts and fold(r.justification) not in texts[src]:
                problems.append(f"{name}: {r.key}: justification not verbatim in {src}")
            for i, p in enumerate(r.provenance):
                if p.quote and p.source in texts and fold(p.quote) not in texts[p.source]:
                    problems.append(f"{name}: {r.key}.provenance[{i}]: quote not in {p.source}")
    for line in problems:
        print(line)
    counts: dict[str, int] = {}
    for name, (items, relations) in parsed.items():
        if name in mine:
            for item in items:
                counts[item.kind] = counts.get(item.kind, 0) + 1
            counts["relations"] = counts.get("relations", 0) + len(relations)
    print(f"{len(problems)} problems; counts in checked files: {counts}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
