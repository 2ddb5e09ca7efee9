"""A STIX 2.1 pattern as a small tree of plain values, from the parse tree of ``stix2patterns``.

Observation operators (``AND``, ``OR``, ``FOLLOWEDBY``) and comparison operators (``AND``,
``OR``) both become :class:`Node`; ``WITHIN`` is dropped (one report is one observation time),
``START``/``STOP`` becomes :class:`Window` and ``REPEATS`` :class:`Repeats`. Each comparison
becomes a :class:`Comparison` with its object type, its property path (quotes removed, lower
case: ``hashes.sha-256``), its operator and its literal values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from antlr4 import ParserRuleContext
from antlr4.tree.Tree import TerminalNode
from stix2patterns.exceptions import ParseException
from stix2patterns.v21.grammars.STIXPatternParser import STIXPatternParser as P
from stix2patterns.v21.pattern import Pattern as ParsedPattern

from qalxan.errors import InvalidInput


@dataclass(frozen=True)
class Comparison:
    object_type: str
    path: str
    op: str  # =, !=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET, <, >, <=, >=, EXISTS
    values: tuple[str, ...]
    negated: bool
    text: str


@dataclass(frozen=True)
class Node:
    op: str  # "and" | "or"
    items: tuple[Tree, ...]
    sequence: bool = False  # FOLLOWEDBY: every part, in an order a report cannot show


@dataclass(frozen=True)
class Window:
    start: datetime
    stop: datetime
    item: Tree


@dataclass(frozen=True)
class Repeats:
    times: int
    item: Tree


Tree = Comparison | Node | Window | Repeats

_BOOLEAN = (
    P.ObservationExpressionsContext,
    P.ObservationExpressionOrContext,
    P.ObservationExpressionAndContext,
    P.ComparisonExpressionContext,
    P.ComparisonExpressionAndContext,
)
_WRAPPERS = (
    P.PatternContext,
    P.ObservationExpressionSimpleContext,
    P.ObservationExpressionCompoundContext,
    P.ObservationExpressionWithinContext,
    P.PropTestParenContext,
)


def parse(text: str) -> Tree:
    """The tree of a STIX 2.1 pattern; :class:`InvalidInput` naming the parser's reason."""
    simple = _simple(text)
    if simple is not None:
        return simple
    try:
        parsed = ParsedPattern(text)
    except ParseException as exc:
        raise InvalidInput(f"pattern: {exc}", field="pattern") from exc
    # The parse tree has no public accessor; walking it is what the library's visitors do.
    return _convert(parsed._Pattern__parse_tree)


def _rules(ctx: ParserRuleContext) -> list[ParserRuleContext]:
    return [c for c in ctx.children or [] if isinstance(c, ParserRuleContext)]


def _tokens(ctx: ParserRuleContext) -> list[str]:
    return [c.getText() for c in ctx.children or [] if isinstance(c, TerminalNode)]


def _convert(ctx: Any) -> Tree:
    if isinstance(ctx, _BOOLEAN):
        parts = [_convert(c) for c in _rules(ctx)]
        if len(parts) == 1:
            return parts[0]
        tokens = _tokens(ctx)
        op = "or" if "OR" in tokens else "and"
        return Node(op, tuple(parts), sequence="FOLLOWEDBY" in tokens)
    if isinstance(ctx, _WRAPPERS):
        return _convert(_rules(ctx)[0])
    if isinstance(ctx, P.ObservationExpressionStartStopContext):
        qualifier = ctx.startStopQualifier()
        start, stop = (_timestamp(qualifier.TimestampLiteral(i).getText()) for i in (0, 1))
        return Window(start, stop, _convert(ctx.observationExpression()))
    if isinstance(ctx, P.ObservationExpressionRepeatedContext):
        times = int(ctx.repeatedQualifier().IntPosLiteral().getText())
        return Repeats(times, _convert(ctx.observationExpression()))
    if isinstance(ctx, P.PropTestContext):
        return _comparison(ctx)
    raise InvalidInput(f"pattern: unexpected {type(ctx).__name__}", field="pattern")


def _comparison(ctx: Any) -> Comparison:
    path = ctx.objectPath().getText()
    object_type, _, steps = path.partition(":")
    children = list(ctx.children)
    words = [c.getText() for c in children if isinstance(c, TerminalNode)]
    negated = "NOT" in words
    op = next(w for w in words if w != "NOT" and not w.startswith("'"))
    if isinstance(ctx, P.PropTestExistsContext):
        values: tuple[str, ...] = ()
        written = f"EXISTS {path}"
    else:
        last = children[-1].getText()
        if isinstance(ctx, P.PropTestSetContext):
            values = tuple(_literal(c.getText()) for c in ctx.setLiteral().primitiveLiteral())
        else:
            values = (_literal(last),)
        written = f"{path} {'NOT ' if negated else ''}{op} {last}"
    return Comparison(
        object_type.lower(),
        steps.replace("'", "").lower(),
        "!=" if op == "<>" else op.upper(),
        values,
        negated,
        written,
    )


def _literal(text: str) -> str:
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    if text[:2] in ("h'", "b'", "t'"):
        return text[2:-1]
    return text


def _timestamp(text: str) -> datetime:
    try:
        return datetime.fromisoformat(_literal(text)).astimezone(UTC)
    except ValueError as exc:
        raise InvalidInput(f"pattern: {text} is not a STIX timestamp", field="pattern") from exc


# The common case, read without the (pure Python, about a millisecond a pattern) ANTLR parser:
# one observation of string comparisons joined by AND/OR, e.g. what MISP and most feeds write.
# Only a strict subset of the grammar is accepted here; anything else goes to the parser.
_STRING = r"'(?:[^'\\]|\\['\\])*'"
_KEY = rf"(?:[A-Za-z_][A-Za-z0-9_]*|{_STRING})"
_PATH = rf"[a-z0-9-]+:{_KEY}(?:\.{_KEY}|\[(?:\*|\d+)\])*"
_OPERATOR = r"(?:NOT\s+)?(?:=|!=|<>|LIKE|MATCHES|ISSUBSET)"
_COMPARISON = re.compile(rf"\s*({_PATH})\s*({_OPERATOR})\s*({_STRING})\s*(?:(AND|OR)(?=[\s'])|$)")
_BRACKETS = re.compile(r"^\s*\[(.*)\]\s*$", re.DOTALL)


def _simple(text: str) -> Tree | None:
    found = _BRACKETS.match(text)
    if found is None:
        return None
    body, position = found.group(1), 0
    groups: list[list[Tree]] = [[]]
    while position < len(body):
        match = _COMPARISON.match(body, position)
        if match is None:
            return None
        path, op, literal, joiner = match.groups()
        object_type, _, steps = path.partition(":")
        negated = op.startswith("NOT")
        op = op.split()[-1]
        groups[-1].append(
            Comparison(
                object_type.lower(),
                steps.replace("'", "").lower(),
                "!=" if op == "<>" else op,
                (_literal(literal),),
                negated,
                f"{path} {'NOT ' if negated else ''}{op} {literal}",
            )
        )
        position = match.end()
        if joiner == "OR":
            groups.append([])
        elif joiner is None and position < len(body):
            return None
    if not groups[-1]:
        return None
    ands = [g[0] if len(g) == 1 else Node("and", tuple(g)) for g in groups]
    return ands[0] if len(ands) == 1 else Node("or", tuple(ands))
