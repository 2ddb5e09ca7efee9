"""The compiled hot paths: used only while their sources are the ones compiled, and giving
what the sources give."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qalxan import compiled

SCORING = "qalxan.screening.scoring"

needs_build = pytest.mark.skipif(
    compiled.state() == "absent", reason="the hot paths are not compiled (no C compiler)"
)


def _python(code: str, **env: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QALXAN_PURE_PYTHON": "", **env},
    )
    return run.stdout.strip()


def test_an_edited_source_is_stale(tmp_path: Path) -> None:
    module = tmp_path / "pkg" / "hot.py"
    module.parent.mkdir()
    module.write_text("X = 1\n")
    digest = hashlib.sha256(module.read_bytes()).hexdigest()
    assert compiled.stale({"pkg.hot": digest}, tmp_path) == []
    module.write_text("X = 2\n")
    assert compiled.stale({"pkg.hot": digest}, tmp_path) == ["pkg.hot"]
    module.unlink()
    assert compiled.stale({"pkg.hot": digest}, tmp_path) == ["pkg.hot"]


def test_no_manifest_lists_nothing(tmp_path: Path) -> None:
    assert compiled.listed(tmp_path / "missing.json") == {}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert compiled.listed(broken) == {}


def test_the_finder_imports_a_listed_module_from_its_source(tmp_path: Path) -> None:
    (tmp_path / "hotpkg").mkdir()
    (tmp_path / "hotpkg" / "__init__.py").write_text("")
    (tmp_path / "hotpkg" / "hot.py").write_text("WHERE = 'source'\n")
    finder = compiled.Sources(["hotpkg.hot"], tmp_path)
    spec = finder.find_spec("hotpkg.hot", None)
    assert spec is not None
    assert spec.origin == str(tmp_path / "hotpkg" / "hot.py")
    assert finder.find_spec("hotpkg.other", None) is None


@needs_build
def test_compiled_modules_are_used_while_fresh() -> None:
    where = _python(f"import {SCORING} as m, qalxan.compiled as c; print(m.__file__, c.state())")
    path, state = where.split()
    assert state == "compiled"
    assert not path.endswith(".py")


@needs_build
def test_pure_python_on_request() -> None:
    where = _python(
        f"import {SCORING} as m, qalxan.compiled as c; print(m.__file__, c.state())",
        QALXAN_PURE_PYTHON="1",
    )
    assert where.split() == [str(compiled.source_of(SCORING)), "pure"]


@needs_build
@pytest.mark.parametrize("part", ["modules", "depends"])
def test_a_stale_build_is_not_used(tmp_path: Path, part: str) -> None:
    # The manifest of a build whose source of one compiled module (or of one module they
    # import) has changed since.
    manifest = {p: compiled.listed(part=p) for p in ("modules", "depends")}
    assert manifest["depends"], "the build records what the compiled modules import"
    changed = manifest[part]
    changed[next(iter(changed))] = "0" * 64
    path = tmp_path / "compiled.json"
    path.write_text(json.dumps(manifest))
    code = (
        "import sys, qalxan.compiled as c; from pathlib import Path;"
        f"c.install(Path({str(path)!r}));"
        f"import {SCORING} as m; print(m.__file__, c.state())"
    )
    assert _python(code).split() == [str(compiled.source_of(SCORING)), "stale"]


# Typing, placing and screening: each result as JSON, to compare compiled and pure runs.
_SAME = """
import json
from qalxan.intake.classify.rules import RuleClassifier
from qalxan.geo.resolve import resolve_text
from qalxan.screening.index import Index
from qalxan.screening.model import ListEntry
from qalxan.screening.matcher import Matcher
from qalxan.screening.query import Query
from followthemoney import model
texts = [
    "Police arrested two men smuggling heroin across the border near Astara on Monday.",
    "Bakıda keçirilən etiraz aksiyası dinc şəkildə başa çatdı.",
    "В Газахском районе обстреляны позиции, погиб военнослужащий.",
    "A mudflow damaged the road between Qəbələ and Şəki after heavy rain.",
    "Hackers defaced the websites of two ministries; the CERT is investigating.",
]
typed = [
    [t.event_type, [[c, round(s, 12)] for c, s in t.scores], t.explanation]
    for t in RuleClassifier().classify_many(texts)
]
placed = [repr(resolve_text(t)) for t in texts]
def entry(i, schema, *names):
    e = model.make_entity(schema)
    e.id = f"e{i}"
    e.add("name", names[0])
    e.add("alias", list(names[1:]))
    return ListEntry("UN", str(i), e)
index = Index.build([
    entry(1, "Person", "Usama bin Laden", "Osama bin Muhammad bin Awad bin Ladin"),
    entry(2, "Person", "Saddam Hussein al-Tikriti", "صدام حسين التكريتي"),
    entry(3, "Organization", "Liberation Tigers of Tamil Eelam", "LTTE"),
    entry(4, "Person", "Ali Hasanov", "Алиев Али"),
])
matcher = Matcher(index)
asked = ["Osama Bin Ladin", "Sadam Husein Tikriti", "LTTE", "Əliyev Əli", "John Smith"]
screened = [
    [[m.entity_id, round(m.score, 12), m.explain()] for m in matcher.match(Query(str(i), (n,)))]
    for i, n in enumerate(asked)
]
print(json.dumps([typed, placed, screened], ensure_ascii=False))
"""


@needs_build
def test_compiled_and_pure_give_the_same() -> None:
    fast = _python(_SAME)
    pure = _python(_SAME, QALXAN_PURE_PYTHON="1")
    assert fast == pure
    typed, _, screened = json.loads(fast)
    assert typed[0][0] == "drug-trafficking"
    assert screened[0] and screened[0][0][0] == "e1"


def test_a_cython_module_is_refused_rather_than_run_stale(tmp_path: Path) -> None:
    (tmp_path / "hotpkg").mkdir()
    (tmp_path / "hotpkg" / "__init__.py").write_text("")
    (tmp_path / "hotpkg" / "fast.pyx").write_text("X = 1\n")
    assert compiled.source_of("hotpkg.fast", tmp_path) == tmp_path / "hotpkg" / "fast.pyx"
    finder = compiled.Sources(["hotpkg.fast"], tmp_path)
    with pytest.raises(ModuleNotFoundError, match=r"\(fast\.pyx\): a source changed since"):
        finder.find_spec("hotpkg.fast", None)


@needs_build
def test_the_cython_pairing_only_while_fresh() -> None:
    code = "from qalxan.screening import pairing; print(pairing.native() is not None)"
    assert _python(code) == "True"
    assert _python(code, QALXAN_PURE_PYTHON="1") == "False"
