"""Filters and custom-value formulas: the two small languages of a stat type definition.

Filters (stat-types.md §8; section ``[Filters]``, ``<Name> = <condition>``): a condition over the
data of an action or status. Grammar (§8 [R]): ``=``, ``!=``, ``&`` (and), ``|`` (or), ``!``
(not), parentheses, ``PairExists("key", "value" | "*")`` on UserData (``PairExist`` is accepted
as an alias), ``ReasonExists("key", "value" | "*")`` on Reasons, and attribute comparisons
``Attr = value`` for CallType (number or name), MediaType, DNIS, ANI, ThisQueue, CustomerID,
UserData and Reasons (a KV list equals a value when one of its keys or values does).

Custom-value formulas (§4.6; stat type option ``Formula = [DistByConnID,] <expression>``):
arithmetic (``+ - * /``, parentheses, numbers) over ``GetGlobalNumber("key", default)`` (alias
``GetNumber``), the numeric value of the UserData key, or ``default`` when it is missing or not
numeric.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Any

from sim.tlib.codes import CallType

Attrs = Mapping[str, Any]


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
        out.append(m.group(m.lastgroup))
        pos = m.end()
    return out


def _unquote(tok: str) -> str:
    return tok[1:-1] if tok.startswith('"') else tok


def _pair_exists(kv_key: str, key: str, value: str) -> Callable[[Attrs], bool]:
    def test(a: Attrs) -> bool:
        kv = a.get(kv_key) or {}
        if key not in kv:
            return False
        return value == "*" or str(kv[key]) == value
    return test


def _equals(attr: str, value: str) -> Callable[[Attrs], bool]:
    if attr == "CallType":
        try:
            code = int(value) if value.lstrip("-").isdigit() else int(CallType[value])
        except KeyError:
            raise ExpressionError(f"unknown CallType {value!r}") from None
        return lambda a: a.get("CallType") == code
    if attr in ("UserData", "Reasons"):
        def test(a: Attrs) -> bool:
            kv = a.get(attr) or {}
            return any(str(k) == value or str(v) == value for k, v in kv.items())
        return test
    if attr == "MediaType":
        return lambda a: str(a.get("MediaType", "voice")).lower() == value.lower()
    return lambda a: a.get(attr) is not None and str(a.get(attr)) == value


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

    def parse(self) -> Callable[[Attrs], bool]:
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
        return terms[0] if len(terms) == 1 else (lambda a: any(t(a) for t in terms))

    def conjunction(self):
        terms = [self.unary()]
        while self.peek() == "&":
            self.take()
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (lambda a: all(t(a) for t in terms))

    def unary(self):
        if self.peek() == "!":
            self.take()
            inner = self.unary()
            return lambda a: not inner(a)
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
            return _pair_exists("Reasons" if tok == "ReasonExists" else "UserData", key, value)
        if tok not in ATTRIBUTES:
            raise ExpressionError(f"unknown attribute or function {tok!r}")
        op = self.take()
        if op not in ("=", "!="):
            raise ExpressionError(f"expected '=' or '!=' after {tok}, found {op!r}")
        value = self.take()
        if value in ("(", ")", "&", "|", "!", ",", "=", "!="):
            raise ExpressionError(f"expected a value after {tok} {op}")
        test = _equals(tok, _unquote(value))
        return test if op == "=" else (lambda a: not test(a))


def parse_filter(text: str) -> Callable[[Attrs], bool]:
    """Compile a filter condition to a predicate over an attribute mapping."""
    return _FilterParser(text).parse()


# --- Custom-value formulas --------------------------------------------------------------------
_FUNCTIONS = ("GetGlobalNumber", "GetNumber")
_BINOPS = {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y, ast.Mult: lambda x, y: x * y,
           ast.Div: lambda x, y: x / y if y else 0.0}


def _number(v: Any, default: float) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def _compile(node: ast.AST) -> Callable[[Attrs], float]:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        value = float(node.value)
        return lambda a: value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _compile(node.operand)
        return (lambda a: -inner(a)) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right, op = _compile(node.left), _compile(node.right), _BINOPS[type(node.op)]
        return lambda a: op(left(a), right(a))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
            and not node.keywords and len(node.args) == 2 and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):
        key = node.args[0].value
        default_fn = _compile(node.args[1])
        default = default_fn({})
        return lambda a: _number((a.get("UserData") or {}).get(key), default)
    raise ExpressionError(f"unsupported formula element {ast.unparse(node)!r}"
                          f" (use numbers, + - * /, GetGlobalNumber(\"key\", default))")


def parse_formula(text: str) -> tuple[bool, Callable[[Attrs], float]]:
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
