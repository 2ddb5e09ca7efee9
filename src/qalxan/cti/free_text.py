"""Free text in a stored STIX object: found in its values, never in its property names.

A version's ``body`` is its JSON text, so a plain ``LIKE`` on it finds ``pattern`` or ``_`` in
every object (``"pattern_type":``, ``"spec_version":``). :func:`in_values` matches only string
values, at any depth (a description, an external id, an array of labels), case ignored, with
``%``, ``_`` and ``\\`` taken literally (an ``ESCAPE`` clause). It is two conditions:

1. a cheap one on the text: the body holds the words *as JSON writes them inside a string*
   (quotes and backslashes escaped as in the stored body, which :mod:`qalxan.cti.store` writes
   with the same encoder). Every object with a matching value passes; most others are left
   without parsing their JSON;
2. the exact one, on the parsed JSON: some string value holds the words (:class:`value_like`,
   the one place the two databases differ here). SQLite: ``lower(atom) LIKE`` over
   ``json_tree``. PostgreSQL: ``jsonb_path_exists`` with a ``like_regex`` whose ``q`` flag
   takes the words literally, a plain function call: a set-returning ``jsonb_path_query`` in a
   subquery is estimated so dear (1,000 rows a body) that PostgreSQL compiles every search
   with JIT, 0.4 s before reading a row.

Numbers and booleans are not text and are not searched. Case is ignored as each database
does it: PostgreSQL folds every letter, SQLite's ``lower`` only A to Z.
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
    return and_(written, value_like(body, literal(contains(text)), literal(json_path(text))))


def json_path(text: str) -> str:
    """A PostgreSQL JSON path that finds a string value containing ``text``, case ignored
    (``like_regex`` with ``q``: the pattern is plain text; a JSON string literal is a path's)."""
    words = json.dumps(text, ensure_ascii=False)
    return f'strict $.** ? (@.type() == "string" && @ like_regex {words} flag "iq")'


class value_like(FunctionElement[bool]):
    """``value_like(body, like_pattern, json_path)``: some string value of the JSON ``body``
    holds the words, given both ways (:func:`contains` and :func:`json_path`) because a
    compiled statement is cached and reused with other words: each database takes its own."""

    type = Boolean()
    name = "value_like"
    inherit_cache = True


# What is put into the SQL below is compiled SQL (a column, bind parameters), never text.


@compiles(value_like, "sqlite")
def _sqlite(element: value_like, compiler: SQLCompiler, **kw: Any) -> str:
    body, pattern, _ = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"EXISTS (SELECT 1 FROM json_tree({body}) AS jt WHERE jt.type = 'text' "  # noqa: S608
        f"AND lower(jt.atom) LIKE lower({pattern}) ESCAPE '\\')"
    )


@compiles(value_like, "postgresql")
def _postgresql(element: value_like, compiler: SQLCompiler, **kw: Any) -> str:
    body, _, path = (compiler.process(c, **kw) for c in element.clauses)
    return f"jsonb_path_exists(CAST({body} AS JSONB), CAST({path} AS JSONPATH))"


@compiles(value_like)
def _other(element: value_like, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"free-text search needs SQLite or PostgreSQL, not {compiler.dialect.name}")
