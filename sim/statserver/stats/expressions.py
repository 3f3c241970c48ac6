"""Filters and custom-value formulas: the two small languages of a stat type definition.

Filters (docs/reference/stat-types.md §8; section ``[Filters]``, ``<Name> = <condition>``): a condition over the
data of an action or status. Grammar (§8 [R]): ``=``, ``!=``, ``&`` (and), ``|`` (or), ``!``
(not), parentheses, ``PairExists("key", "value" | "*")`` on UserData (``PairExist`` is accepted
as an alias), ``ReasonExists("key", "value" | "*")`` on Reasons, and attribute comparisons
``Attr = value`` for CallType (number or name), MediaType, DNIS, ANI, ThisQueue, CustomerID,
UserData and Reasons (a KV list equals a value when one of its keys or values does).

Custom-value formulas (§4.6; stat type option ``Formula = [DistByConnID,] <expression>``):
arithmetic (``+ - * /``, parentheses, numbers) over ``GetGlobalNumber("key", default)`` (alias
``GetNumber``), the numeric value of the UserData key, or ``default`` when it is missing or not
numeric.

The parsers build trees of the native node classes of ``conditions`` (compiled): parsing is
done once per definition file, evaluation for every record a filtered statistic sees.
"""

from __future__ import annotations

import ast
import re
from typing import cast

from sim.statserver.stats.conditions import (
    All,
    Any_,
    AttrIs,
    BinOp,
    CallTypeIs,
    Condition,
    Const,
    GetNumber,
    KVHas,
    MediaTypeIs,
    Neg,
    Not,
    PairExists,
    Term,
)
from sim.tlib.codes import CallType


class ExpressionError(ValueError):
    """A filter or formula that cannot be parsed (one line; the loader adds the place)."""


# --- Filters ----------------------------------------------------------------------------------
_TOKEN = re.compile(r'\s*(?:(?P<str>"[^"]*")|(?P<op>!=|[=&|!(),])|(?P<word>[A-Za-z0-9_.*@+\-]+))')
ATTRIBUTES = ("CallType", "MediaType", "DNIS", "ANI", "ThisQueue", "CustomerID", "UserData", "Reasons")


def _tokens(text: str) -> list[str]:
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].strip()[:1]!r} at {pos + 1}")
        out.append(m.group(cast(str, m.lastgroup)))   # every alternative is a named group
        pos = m.end()
    return out


def _unquote(tok: str) -> str:
    return tok[1:-1] if tok.startswith('"') else tok


def _equals(attr: str, value: str) -> Condition:
    if attr == "CallType":
        try:
            code = int(value) if value.lstrip("-").isdigit() else int(CallType[value])
        except KeyError:
            raise ExpressionError(f"unknown CallType {value!r}") from None
        return CallTypeIs(code)
    if attr in ("UserData", "Reasons"):
        return KVHas(attr, value)
    if attr == "MediaType":
        return MediaTypeIs(value)
    return AttrIs(attr, value)


class _FilterParser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise ExpressionError(f"expected {expected or 'a term'} at end" if tok is None
                                  else f"expected {expected!r}, found {tok!r}")
        self.i += 1
        return tok

    def parse(self) -> Condition:
        if not self.toks:
            raise ExpressionError("empty filter")
        f = self.disjunction()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()!r}")
        return f

    def disjunction(self):
        terms = [self.conjunction()]
        while self.peek() == "|":
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else Any_(terms)

    def conjunction(self):
        terms = [self.unary()]
        while self.peek() == "&":
            self.take()
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else All(terms)

    def unary(self):
        if self.peek() == "!":
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self):
        tok = self.take()
        if tok == "(":
            inner = self.disjunction()
            self.take(")")
            return inner
        if tok in ("PairExists", "PairExist", "ReasonExists"):
            self.take("(")
            key = _unquote(self.take())
            self.take(",")
            value = _unquote(self.take())
            self.take(")")
            return PairExists("Reasons" if tok == "ReasonExists" else "UserData", key, value)
        if tok not in ATTRIBUTES:
            raise ExpressionError(f"unknown attribute or function {tok!r}")
        op = self.take()
        if op not in ("=", "!="):
            raise ExpressionError(f"expected '=' or '!=' after {tok}, found {op!r}")
        value = self.take()
        if value in ("(", ")", "&", "|", "!", ",", "=", "!="):
            raise ExpressionError(f"expected a value after {tok} {op}")
        test = _equals(tok, _unquote(value))
        return test if op == "=" else Not(test)


def parse_filter(text: str) -> Condition:
    """Compile a filter condition to a predicate over a dict of attributes (a
    :class:`~.conditions.Condition`: ``.test(attrs)``, or call it)."""
    return _FilterParser(text).parse()


# --- Custom-value formulas --------------------------------------------------------------------
_FUNCTIONS = ("GetGlobalNumber", "GetNumber")
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def _compile(node: ast.AST) -> Term:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return Const(float(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _compile(node.operand)
        return Neg(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return BinOp(_BINOPS[type(node.op)], _compile(node.left), _compile(node.right))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
            and not node.keywords and len(node.args) == 2 and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):
        return GetNumber(node.args[0].value, _compile(node.args[1]).value({}))
    raise ExpressionError(f"unsupported formula element {ast.unparse(node)!r}"
                          f" (use numbers, + - * /, GetGlobalNumber(\"key\", default))")


def parse_formula(text: str) -> tuple[bool, Term]:
    """``[DistByConnID,] expression`` -> (distinct by ConnID?, value function)."""
    body = text.strip()
    dist = False
    head, comma, rest = body.partition(",")
    if comma and head.strip() == "DistByConnID":
        dist, body = True, rest.strip()
    if not body:
        raise ExpressionError("empty formula")
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError:
        raise ExpressionError(f"cannot parse formula {body!r}") from None
    return dist, _compile(tree.body)
