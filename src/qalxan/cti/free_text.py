"""Free text in a stored STIX object: found in its values, never in its property names.

A version's ``body`` is its JSON text, so a plain ``LIKE`` on it finds ``pattern`` or ``_`` in
every object (``"pattern_type":``, ``"spec_version":``). :func:`in_values` matches only string
values, at any depth (a description, an external id, an array of labels), case ignored, with
``%``, ``_`` and ``\\`` taken literally (an ``ESCAPE`` clause). It is two conditions:

1. a cheap one on the text: the body holds the words *as JSON writes them inside a string*
   (quotes and backslashes escaped as in the stored body, which :mod:`qalxan.cti.store` writes
   with the same encoder). Every object with a matching value passes; most others are left
   without parsing their JSON;
2. the exact one, on the parsed JSON: some string value is like the words (SQLite's
   ``json_tree``, PostgreSQL's ``jsonb_path_query``: the one place the two databases differ
   here, compiled by :class:`value_like`).

Numbers and booleans are not text and are not searched. Case is ignored as each database
does it: PostgreSQL's ``ILIKE`` folds every letter, SQLite's ``lower`` only A to Z.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, ColumnElement, SQLColumnExpression, and_, literal
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards escaped (escape ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def json_fragment(text: str) -> str:
    """``text`` as it is written inside a JSON string of a stored body (no quotes around)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def in_values(body: SQLColumnExpression[str], text: str) -> ColumnElement[bool]:
    """Whether a string value of the JSON ``body`` contains ``text`` (see the module)."""
    written = body.ilike(contains(json_fragment(text)), escape="\\")
    return and_(written, value_like(body, literal(contains(text))))


class value_like(FunctionElement[bool]):
    """``value_like(body, pattern)``: some string value of the JSON ``body`` is ``ILIKE``
    ``pattern`` (escape ``\\``)."""

    type = Boolean()
    name = "value_like"
    inherit_cache = True


# What is put into the SQL below is compiled SQL (a column, a bind parameter), never text.


@compiles(value_like, "sqlite")
def _sqlite(element: value_like, compiler: SQLCompiler, **kw: Any) -> str:
    body, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"EXISTS (SELECT 1 FROM json_tree({body}) AS jt WHERE jt.type = 'text' "  # noqa: S608
        f"AND lower(jt.atom) LIKE lower({pattern}) ESCAPE '\\')"
    )


@compiles(value_like, "postgresql")
def _postgresql(element: value_like, compiler: SQLCompiler, **kw: Any) -> str:
    body, pattern = (compiler.process(c, **kw) for c in element.clauses)
    # strict: arrays are not unwrapped a second time, so each value is visited once.
    return (
        f"EXISTS (SELECT 1 FROM jsonb_path_query(CAST({body} AS JSONB), 'strict $.**') "  # noqa: S608
        f"AS jv(value) WHERE jsonb_typeof(jv.value) = 'string' "
        f"AND (jv.value #>> '{{}}') ILIKE {pattern} ESCAPE '\\')"
    )


@compiles(value_like)
def _other(element: value_like, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"free-text search needs SQLite or PostgreSQL, not {compiler.dialect.name}")
