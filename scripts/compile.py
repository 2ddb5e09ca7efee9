"""Compile the hot paths to C with mypyc and Cython, in place (run by ``make setup``).

Typing and placing a report (the bulk import's worker) and scoring a screening query are
plain Python over strings, dicts and tuples, spread thin over many functions: no one part
is worth rewriting, and each is already typed for ``mypy --strict``. mypyc compiles those
same modules, unchanged, into extension modules beside their sources, which Python then
imports instead of the ``.py`` files. The results are the same to the last bit (the test
suite runs on the compiled modules).

``src/qalxan/compiled.json`` records the digest of each compiled module's source and of the
project's modules they import: once one of these is edited, the build is stale, and
:mod:`qalxan.compiled` imports every compiled module from its source until this script runs
again. Without a C compiler the platform runs as plain Python, only slower.

    python scripts/compile.py           # compile when a source changed
    python scripts/compile.py --clean   # remove the compiled modules
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import sys
import sysconfig
from pathlib import Path

from qalxan import compiled

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
MANIFEST = SRC / "qalxan" / "compiled.json"
BUILD = ROOT / "build" / "mypyc"

# The modules compiled, by what runs them. Only modules that import no pydantic model (mypyc
# compiles none) and that nothing patches at run time.
MODULES = (
    # Typing a report: the lexicon's matching, the cue rules, the text's words.
    "qalxan/intake/classify/lexicon.py",
    "qalxan/intake/classify/rules.py",
    "qalxan/intake/classify/text.py",
    "qalxan/lang/stem.py",
    # Placing a report: place names found in the text, and which place they mean.
    "qalxan/geo/mentions.py",
    "qalxan/geo/names.py",
    "qalxan/geo/resolve.py",
    # Screening a name: its words, the candidates, how alike the names are.
    "qalxan/screening/acronyms.py",
    "qalxan/screening/evidence.py",
    "qalxan/screening/facts.py",
    "qalxan/screening/keys.py",
    "qalxan/screening/matcher.py",
    "qalxan/screening/postings.py",
    "qalxan/screening/prepared.py",
    "qalxan/screening/retrieval.py",
    "qalxan/screening/scoring.py",
    "qalxan/screening/similarity.py",
    "qalxan/screening/text.py",
    "qalxan/screening/vocabulary.py",
)
# Written in Cython: no Python source; each says what Python code it stands for.
NATIVE = (
    # A query's listed names, word pairs, pairing and name scores (prepared.py,
    # similarity.py and scoring.py).
    "qalxan/screening/_pairing.pyx",
    # Retrieval's tally of the names' scores, and the best of them (retrieval.py).
    "qalxan/screening/_retrieval.pyx",
)
# One shared library holds the compiled code of every module (calls between them are then
# plain C calls); each module's own extension is a small stub that loads it.
GROUP = "qalxan._native"


def digests() -> dict[str, str]:
    """Each listed module's source digest, by module name."""
    names = (_module(path) for path in (*MODULES, *NATIVE))
    return {name: compiled.digest(name, SRC) for name in names}


def _module(path: str) -> str:
    return path.removesuffix(".py").removesuffix(".pyx").replace("/", ".")


def depends(modules: list[str]) -> dict[str, str]:
    """The source digests of the project's modules the compiled ones import, directly or not:
    compiled code was made for the types they had then."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen or not _ours(name):
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(compiled.source_of(name, SRC).read_bytes())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                todo.append(node.module)
                todo += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
    return {name: compiled.digest(name, SRC) for name in sorted(seen - set(modules))}


def _ours(module: str) -> bool:
    """Whether ``module`` is one of the project's (not a library's, nor a name imported from
    a module)."""
    source = compiled.source_of(module, SRC)
    # A Cython module's digest is among the compiled ones'.
    return module.split(".")[0] == "qalxan" and source.suffix == ".py" and source.is_file()


def built() -> list[Path]:
    """The compiled extension modules in the source tree: one per module, and the library
    that holds their code."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    found = [SRC / path.removesuffix(".py") for path in MODULES]
    found += [SRC / path.removesuffix(".pyx") for path in NATIVE]
    found.append(SRC / f"{GROUP.replace('.', '/')}__mypyc")
    return [Path(f"{p}{suffix}") for p in found]


def clean() -> None:
    MANIFEST.unlink(missing_ok=True)
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    for path in (SRC / "qalxan").rglob(f"*{suffix}"):
        path.unlink()
    shutil.rmtree(BUILD, ignore_errors=True)


def fresh(wanted: dict[str, str], needed: dict[str, str]) -> bool:
    """Whether the compiled modules are there, and of the current sources (theirs and those
    they import) and interpreter."""
    try:
        known = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        known.get("modules") == wanted
        and known.get("depends") == needed
        and known.get("python") == sys.implementation.cache_tag
        and all(p.exists() for p in built())
    )


def compile_modules(wanted: dict[str, str], needed: dict[str, str]) -> None:
    # Imported here: only a build needs them.
    from Cython.Build import cythonize
    from mypyc.build import mypycify
    from setuptools import Extension, setup  # type: ignore[import-untyped]

    clean()
    os.chdir(SRC)
    extensions = mypycify(
        ["--config-file", str(ROOT / "pyproject.toml"), *MODULES],
        opt_level="3",
        group_name=GROUP,
        target_dir=str(BUILD / "c"),
    )
    extensions += cythonize(
        [Extension(_module(path), [path], extra_compile_args=["-O3"]) for path in NATIVE],
        build_dir=str(BUILD / "cython"),
        quiet=True,
    )
    setup(
        name="qalxan-compiled",
        ext_modules=extensions,
        script_args=[
            "--quiet",
            "build_ext",
            "--inplace",
            "--build-temp",
            str(BUILD / "temp"),
            "--build-lib",
            str(BUILD / "lib"),
            "--parallel",
            str(os.cpu_count() or 1),
        ],
    )
    MANIFEST.write_text(
        json.dumps(
            {"python": sys.implementation.cache_tag, "modules": wanted, "depends": needed},
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    args = parser.parse_args()
    if args.clean:
        clean()
        return 0
    wanted = digests()
    # The Cython module imports only modules mypyc compiles (their digests are in wanted).
    needed = depends([_module(path) for path in MODULES])
    if fresh(wanted, needed):
        print(f"compiled modules up to date ({len(MODULES) + len(NATIVE)})")
        return 0
    print(
        f"compiling {len(MODULES)} modules with mypyc and {len(NATIVE)} with Cython"
        " (a minute or two)...",
        flush=True,
    )
    try:
        compile_modules(wanted, needed)
    except (Exception, SystemExit) as exc:  # any failure: plain Python
        clean()
        print(f"compiling failed, running as plain Python (slower): {exc}", file=sys.stderr)
        return 0
    print(f"compiled {len(MODULES) + len(NATIVE)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
