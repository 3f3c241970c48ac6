"""The compiled forms of filters and custom-value formulas (``expressions`` parses them).

A filter is a tree of :class:`Condition` nodes, a formula a tree of :class:`Term` nodes; both
are evaluated on the attribute dict of one record (``CallType``, ``MediaType``,
``UserData``, ``Reasons``, ...; docs/reference/stat-types.md §4.6, §8). They are native classes (this module
is compiled with mypyc, setup.py): a filtered statistic evaluates its filter for every record
its mask matches, so the evaluation must cost a method call, not an interpreted closure.
Every node is also callable, so ``parse_filter(text)(attrs)`` reads as before.
"""

from __future__ import annotations

from typing import Any

# A dict, not any Mapping: compiled, .get on a dict is a C call, on a Mapping a method lookup.
Attrs = dict[str, Any]


class Condition:
    """A filter condition: true or false for a record's attributes. The base of the node
    classes below, each of which defines ``test`` (the parser builds only those)."""

    def test(self, a: Attrs) -> bool:
        raise NotImplementedError(f"{type(self).__name__} is not a filter node")

    def __call__(self, a: Attrs) -> bool:
        return self.test(a)


class PairExists(Condition):
    """``PairExists("key", "value" | "*")`` on UserData, ``ReasonExists`` on Reasons."""

    def __init__(self, kv_key: str, key: str, value: str) -> None:
        self.kv_key = kv_key
        self.key = key
        self.value = value

    def test(self, a: Attrs) -> bool:
        kv = a.get(self.kv_key)
        if not kv or self.key not in kv:
            return False
        return self.value == "*" or str(kv[self.key]) == self.value


class CallTypeIs(Condition):
    def __init__(self, code: int) -> None:
        self.code = code

    def test(self, a: Attrs) -> bool:
        return a.get("CallType") == self.code


class KVHas(Condition):
    """``UserData = v`` / ``Reasons = v``: a key or a value of the list equals ``v``."""

    def __init__(self, attr: str, value: str) -> None:
        self.attr = attr
        self.value = value

    def test(self, a: Attrs) -> bool:
        kv = a.get(self.attr)
        if not kv:
            return False
        value = self.value
        return any(str(k) == value or str(v) == value for k, v in kv.items())


class MediaTypeIs(Condition):
    def __init__(self, value: str) -> None:
        self.value = value.lower()

    def test(self, a: Attrs) -> bool:
        return str(a.get("MediaType", "voice")).lower() == self.value


class AttrIs(Condition):
    """``DNIS = v``, ``ThisQueue = v``, ...: the attribute is present and its text is ``v``."""

    def __init__(self, attr: str, value: str) -> None:
        self.attr = attr
        self.value = value

    def test(self, a: Attrs) -> bool:
        v = a.get(self.attr)
        return v is not None and str(v) == self.value


class Not(Condition):
    def __init__(self, inner: Condition) -> None:
        self.inner = inner

    def test(self, a: Attrs) -> bool:
        return not self.inner.test(a)


class All(Condition):
    def __init__(self, terms: list[Condition]) -> None:
        self.terms = terms

    def test(self, a: Attrs) -> bool:
        for t in self.terms:
            if not t.test(a):
                return False
        return True


class Any_(Condition):
    def __init__(self, terms: list[Condition]) -> None:
        self.terms = terms

    def test(self, a: Attrs) -> bool:
        for t in self.terms:
            if t.test(a):
                return True
        return False


class Term:
    """A custom-value formula (or a part of one): a number for a record's attributes. The base
    of the node classes below, each of which defines ``value``."""

    def value(self, a: Attrs) -> float:
        raise NotImplementedError(f"{type(self).__name__} is not a formula node")

    def __call__(self, a: Attrs) -> float:
        return self.value(a)


class Const(Term):
    def __init__(self, number: float) -> None:
        self.number = number

    def value(self, a: Attrs) -> float:
        return self.number


class Neg(Term):
    def __init__(self, inner: Term) -> None:
        self.inner = inner

    def value(self, a: Attrs) -> float:
        return -self.inner.value(a)


class BinOp(Term):
    """``+ - * /``; a division by zero gives 0."""

    def __init__(self, op: str, left: Term, right: Term) -> None:
        self.op = op
        self.left = left
        self.right = right

    def value(self, a: Attrs) -> float:
        x, y, op = self.left.value(a), self.right.value(a), self.op
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        return x / y if y else 0.0


class GetNumber(Term):
    """``GetGlobalNumber("key", default)``: the UserData value as a number, else ``default``."""

    def __init__(self, key: str, default: float) -> None:
        self.key = key
        self.default = default

    def value(self, a: Attrs) -> float:
        data = a.get("UserData")
        if not data:
            return self.default
        if isinstance(data, dict):      # compiled, a dict's get is a C call (the usual case) ...
            return number(data.get(self.key), self.default)
        return number(data.get(self.key), self.default)     # ... another mapping's a method call


def number(v: Any, default: float) -> float:
    """``v`` as a float, ``default`` when it has no numeric reading."""
    if v is None:           # the common case: no such key (no exception raised for it)
        return default
    try:
        return float(v)
    except (TypeError, ValueError):
        return default
