"""One line for a document that fails its JSON Schema (scenario and objects files).

jsonschema's ``best_match`` picks the error to show, but for a value that may take several
forms (``anyOf``: a number or a distribution table, a name or a list of names) it either says
only "is not valid under any of the given schemas" or descends into the first alternative,
which is often not the form the user meant (``{dist = "weibull"}`` was reported as "is not of
type 'number'"). :func:`explain` picks the alternative the value was written for:

* of the value's JSON type (a table is not meant as a number);
* among tables told apart by a constant key (``dist = "gamma"``), the one with that key's
  value, and an unknown value is reported on that key with the values allowed;
* if no alternative is of the value's type, the value is "not" the schema's description (or
  of any of the types allowed);
* a string that fails a pattern is "not" the pattern's description when it has one (a time
  of day, not a regular expression).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from sim.errors import UserError

_CHOICES = ("anyOf", "oneOf")


def key_path(parts: Iterable[Any]) -> str:
    """``teams[0].shift.start`` for the path ("teams", 0, "shift", "start")."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def check(schema: dict[str, Any], data: Any, source: str) -> None:
    """Raise a one-line :class:`UserError` naming the key path if ``data`` fails ``schema``."""
    validator = jsonschema.Draft202012Validator(schema)
    err = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if err is not None:
        path, message = explain(err)
        raise UserError(message, where=f"{source}: {key_path(path)}")


def explain(err: ValidationError) -> tuple[list[Any], str]:
    """The key path and message of the failure the user is most likely to have made."""
    while err.validator in _CHOICES and err.context:
        options: list[dict[str, Any]] = err.validator_value
        by_option: dict[int, list[ValidationError]] = {}
        for e in err.context:
            if e.schema_path:           # (a false schema's error has no path to its option)
                by_option.setdefault(e.schema_path[0], []).append(e)
        fitting = [i for i, option in enumerate(options) if _fits(option, err.instance)]
        if not fitting:
            return list(err.absolute_path), f"{err.instance!r} is not {_describe(err.schema, options)}"
        chosen = _by_key(options, fitting, err.instance)
        if isinstance(chosen, tuple):      # a table with an unknown or missing kind
            rel, message = chosen
            return [*err.absolute_path, *rel], message
        if chosen is not None:
            fitting = [chosen]
        errors = [e for i in fitting for e in by_option.get(i, [])]
        if not errors:
            break
        if len(fitting) > 1 and all(not e.relative_path for e in errors):
            # several forms fit the value's type and each rejects it whole: name them all
            return list(err.absolute_path), f"{err.instance!r} is not {_forms(err.schema, options, fitting)}"
        err = jsonschema.exceptions.best_match(errors)
    if err.validator == "pattern" and "description" in err.schema:
        return list(err.absolute_path), f"{err.instance!r} is not {err.schema['description']}"
    return list(err.absolute_path), err.message


def _fits(option: dict[str, Any], value: Any) -> bool:
    """Whether ``option`` is a form of the value's JSON type (an untyped option may be)."""
    if not isinstance(option, dict):
        return bool(option)             # a boolean schema: true takes anything
    types = option.get("type")
    if types is None:
        return True
    is_type = jsonschema.Draft202012Validator.TYPE_CHECKER.is_type
    return any(is_type(value, t) for t in ([types] if isinstance(types, str) else types))


def _by_key(options: list[dict[str, Any]], fitting: list[int], value: Any) -> Any:
    """Tables told apart by a key with a constant value in each (``dist``): the index of the
    one ``value`` names, or (path, message) when it names none; None when there is no such key."""
    if not isinstance(value, dict) or len(fitting) < 2:
        return None
    if not all(isinstance(options[i], dict) for i in fitting):
        return None
    props = [options[i].get("properties", {}) for i in fitting]
    shared = set(props[0]).intersection(*props[1:])
    for key in sorted(shared):
        consts = [p[key].get("const") if isinstance(p[key], dict) else None for p in props]
        if any(c is None for c in consts):
            continue
        if key not in value:
            return [], f"{key!r} is a required property"
        for i, c in zip(fitting, consts, strict=True):
            if value[key] == c and type(value[key]) is type(c):
                return i
        return [key], f"{value[key]!r} is not one of {consts!r}"
    return None


def _forms(schema: dict[str, Any], options: list[dict[str, Any]], fitting: list[int]) -> str:
    """The forms a value could have taken: constants listed, else the schema's description."""
    if all(isinstance(options[i], dict) and "const" in options[i] for i in fitting):
        return f"one of {[options[i]['const'] for i in fitting]!r}"
    return _describe(schema, options)


def _describe(schema: dict[str, Any], options: list[dict[str, Any]]) -> str:
    if "description" in schema:
        return schema["description"]
    types: list[str] = []
    for option in options:
        t = option.get("type") if isinstance(option, dict) else None
        for name in [t] if isinstance(t, str) else (t or []):
            if name not in types:
                types.append(name)
    return "of type " + " or ".join(repr(t) for t in types) if types else "valid here"
