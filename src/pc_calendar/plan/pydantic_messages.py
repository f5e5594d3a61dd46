"""Turn pydantic validation errors into problems a coordinator can act on.

Pydantic speaks in its own terms ("Extra inputs are not permitted", union branch tags
like ``str-enum[TimeKeyword]`` inside the location). Here each error gets the plan key
as written in the file (tags removed), its line, and a message in plain words: which
keys are allowed, which values, what a date or time looks like, that 30 February is
not a real date.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from .literals import kind_of, unquote_hint
from .locate import Locator, format_path
from .model import Plan

Path = tuple[str | int, ...]

# Errors that say "this value has the wrong shape"; in a union they are the branches
# that did not apply, so a more specific error from another branch is preferred.
_SHAPE = (
    "_parsing",
    "_inexact",
    "_from_float",
    "_type",
    "enum",
    "literal_error",
    "string_pattern_mismatch",
    "missing",
)
_EXPECTED = {
    "time": "a time like 18:00:00",
    "date": "a date like 2027-06-15",
    "datetime": "a date and time like 2026-12-09T18:00:00",
    "string": "text in quotes",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "list": "a list [ ... ]",
    "dict": "a table { ... }",
    "model": "a table { ... }",
    "model_attributes": "a table { ... }",
}
_BOUND_WORDS = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}


def problems_from_validation(exc: ValidationError, data: Any, locator: Locator) -> list[Problem]:
    """One problem per offending key, with union alternatives merged into one message."""
    groups: dict[Path, list[dict[str, Any]]] = {}
    for err in exc.errors():
        groups.setdefault(_data_path(err, data), []).append(err)
    problems = []
    for path, errors in groups.items():
        if _another_branch_went_deeper(path, errors, groups):
            continue
        hinted = [e for e in errors if _literal_hint(e, path) is not None]
        specific = hinted[:1] or [e for e in errors if not _is_shape(e)] or errors
        if len(specific) > 1 and all(_is_shape(e) for e in specific):
            messages = [_union_message(specific, path)]
        else:
            messages = [_message(e, path) for e in specific]
        for message in dict.fromkeys(messages):
            key_path = _refine(path, message, data)
            problems.append(Problem(format_path(key_path), message, locator.line_of(key_path)))
    return problems


def _another_branch_went_deeper(
    path: Path, errors: list[dict[str, Any]], groups: dict[Path, list[dict[str, Any]]]
) -> bool:
    """A union branch that rejected the value's shape, while another accepted the shape.

    ``start = { month = 13, day = 1 }`` fails ``date`` (wrong shape) and ``MonthDay``
    (month too big); only the second says something useful.
    """
    if not all(_is_shape(e) and len(e["loc"]) > len(path) for e in errors):
        return False
    return any(len(other) > len(path) and other[: len(path)] == path for other in groups)


def _is_shape(err: dict[str, Any]) -> bool:
    return any(err["type"].endswith(s) or err["type"] == s for s in _SHAPE)


def _data_path(err: dict[str, Any], data: Any) -> Path:
    """The error location as keys of the plan data (union branch tags dropped)."""
    loc = err["loc"]
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
        elif err["type"] == "missing" and i == len(loc) - 1 and isinstance(part, str):
            pass  # the missing key itself
        else:
            continue  # a union branch tag or a sub-field of a shorthand string
        path.append(part)
    return tuple(path)


def _refine(path: Path, message: str, data: Any) -> Path:
    """Point model-level errors ("end ... is before start ...") at the key they name."""
    node = _get(data, path)
    if isinstance(node, dict):
        first = message.split(" ", 1)[0]
        if first in node:
            return (*path, first)
    return path


def _get(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _got(err: dict[str, Any]) -> str:
    value = err.get("input")
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


def _expected_phrase(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind in ("enum", "literal_error"):
        return f"one of {err['ctx']['expected']}"
    for prefix, phrase in sorted(_EXPECTED.items(), key=lambda kv: -len(kv[0])):
        if kind.startswith(prefix + "_"):
            return phrase
    return err["msg"]


def _not_real(err: dict[str, Any]) -> bool:
    detail = str(err.get("ctx", {}).get("error", ""))
    return "outside expected range" in detail or "out of range" in detail


def _not_real_message(err: dict[str, Any]) -> str:
    what = "time of day" if err["type"].startswith("time_") else "date"
    return f"not a real {what}: {_got(err)}"


def _literal_hint(err: dict[str, Any], path: Path) -> str | None:
    """A quoted date or number, or a bare date for a date and time: the line meant."""
    kind = kind_of(err["type"])
    if kind is None or not err["type"].endswith(("_type", "_parsing")):
        return None
    key = path[-1] if path and isinstance(path[-1], str) else None
    return unquote_hint(kind, key, err.get("input"))


def _union_message(errors: list[dict[str, Any]], path: Path) -> str:
    for err in errors:
        if (hint := _literal_hint(err, path)) is not None:
            return hint
    if any(_not_real(e) for e in errors):
        return _not_real_message(next(e for e in errors if _not_real(e)))
    phrases = list(dict.fromkeys(_expected_phrase(e) for e in errors))
    return f"expected {' or '.join(phrases)}, got {_got(errors[0])}"


def _message(err: dict[str, Any], path: Path) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    sub = _sub_field(err, path)
    prefix = f"{sub}: " if sub else ""
    if kind == "missing":
        return "missing required key"
    if kind == "extra_forbidden":
        return _unknown_key(path)
    if _not_real(err):
        return prefix + _not_real_message(err)
    if (hint := _literal_hint(err, path)) is not None:
        return prefix + hint
    if kind in _BOUND_KINDS:
        return prefix + _bounds_message(err, path, sub)
    if kind == "string_pattern_mismatch":
        return (
            f"{prefix}expected lowercase letters, digits, '-' or '_' (starting with a "
            f"letter or digit), got {_got(err)}"
        )
    if kind in ("enum", "literal_error"):
        message = f"{prefix}expected one of {ctx['expected']}, got {_got(err)}"
        return message + _suggest(err.get("input"), _quoted(ctx["expected"]))
    if kind == "value_error":
        text = str(ctx.get("error", err["msg"]))
        if text.startswith("Value error, "):
            text = text[len("Value error, ") :]
        return prefix + text
    if _is_shape(err):
        return f"{prefix}expected {_expected_phrase(err)}, got {_got(err)}"
    return prefix + err["msg"]


_BOUND_KINDS = {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}


def _sub_field(err: dict[str, Any], path: Path) -> str | None:
    """A field reached through shorthand text (``month`` of "13-01"), if any."""
    last = err["loc"][-1] if err["loc"] else None
    if isinstance(last, str) and (not path or path[-1] != last) and last.isidentifier():
        return last if last not in ("date", "time", "datetime") else None
    return None


def _bounds_message(err: dict[str, Any], path: Path, sub: str | None) -> str:
    """ "expected 1..12, got 13" when the field has both bounds, else one of them."""
    bounds: dict[str, Any] = {}
    if sub is not None:
        model, field_name = _model_at(path, sub), sub
    else:
        model = _model_at(path[:-1], None)
        field_name = path[-1] if path and isinstance(path[-1], str) else None
    if model is not None and field_name in model.model_fields:
        for item in model.model_fields[field_name].metadata:
            for name in _BOUND_WORDS:
                if getattr(item, name, None) is not None:
                    bounds[name] = getattr(item, name)
    bounds.update(err.get("ctx") or {})
    if "ge" in bounds and "le" in bounds:
        return f"expected {bounds['ge']}..{bounds['le']}, got {_got(err)}"
    name, value = next((k, v) for k, v in bounds.items() if k in _BOUND_WORDS)
    return f"expected {_BOUND_WORDS[name]} {value}, got {_got(err)}"


def _unknown_key(path: Path) -> str:
    model = _model_at(path[:-1], None)
    if model is None:
        return "unknown key"
    known = list(model.model_fields)
    message = f"unknown key; expected one of: {', '.join(known)}"
    return message + _suggest(path[-1], known)


def _suggest(value: Any, choices: Iterable[str]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _quoted(expected: str) -> list[str]:
    return [part.strip(" '") for part in expected.replace(" or ", ",").split(",")]


def _model_at(path: Path, sub: str | None) -> type[BaseModel] | None:
    """The model class whose instance sits at ``path`` in a Plan (or owns ``sub``)."""
    annotation: Any = Plan
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return _as_model(annotation, sub)


def _as_model(annotation: Any, field: str | None) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation if field is None or field in annotation.model_fields else None
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if (model := _as_model(arg, field)) is not None:
                return model
    return None


def _step(annotation: Any, part: str | int) -> Any:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None) and (found := _step(arg, part)) is not None:
                return found
        return None
    if isinstance(part, int):
        return args[0] if origin is list and args else None
    if origin is dict and args:
        return args[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return field.annotation if field else None
    return None
