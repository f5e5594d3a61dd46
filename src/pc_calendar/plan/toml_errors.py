"""TOML syntax errors in a coordinator's words, with the key they are about.

tomllib says "Cannot overwrite a value (at line 4, column 9)" or "Unterminated string
(at end of document)": true, but which key, and what to do? This module finds the key
from the line (and the table it sits in) and words the common mistakes: a key given
twice, a table declared twice, a string without its closing quote, impossible dates.

>>> text = '[family]\\nid = "x"\\nid = "y"\\n'
>>> p = toml_problem(text, "Cannot overwrite a value (at line 3, column 8)")
>>> p.key, p.line, p.message
('family.id', 3, 'given twice; keep one of the two')
"""

from __future__ import annotations

import ast
import re

from ..errors import Problem
from .literals import impossible_dates

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_END = re.compile(r"\s*\(at end of document\)$")
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_HEADER = re.compile(rf"^\s*\[\[?\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\]?")
_TUPLE = re.compile(r"\(('.*?'|\".*?\")(?:, ('.*?'|\".*?\"))*,?\)")


def _dotted(raw: str) -> str:
    parts = re.findall(_PART, raw)
    return ".".join(p[1:-1] if p[0] in "\"'" else p for p in parts)


def _key_on(lines: list[str], line: int) -> str:
    """The full key path assigned on ``line`` (1-based), or its table's when none."""
    table = ""
    arrays: dict[str, int] = {}  # [[name]] headers seen: the next one is element n
    for text in lines[:line]:
        if m := _HEADER.match(text):
            table = _dotted(m[1])
            if text.lstrip().startswith("[["):
                arrays[table] = arrays.get(table, -1) + 1
                table = f"{table}[{arrays[table]}]"
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if _HEADER.match(here):
        return table
    if m := _KEY.match(here):
        key = _dotted(m[1])
        return f"{table}.{key}" if table else key
    return table


def _unterminated_start(lines: list[str]) -> int | None:
    """The line where a multi-line string opens and never closes."""
    opened: int | None = None
    for number, text in enumerate(lines, 1):
        for quote in re.findall(r'"""|\'\'\'', text.split("#", 1)[0] if opened is None else text):
            opened = number if opened is None else None
            del quote
    return opened


def toml_problem(text: str, error: str) -> Problem:
    """A Problem for tomllib's ``error`` message on ``text``."""
    lines = text.splitlines()
    message, line = error, None
    if m := _AT.search(error):
        message, line = error[: m.start()], int(m[1])
    elif m := _END.search(error):
        message = error[: m.start()]
    key = _key_on(lines, line) if line else ""
    words = _words(message, key, lines, line)
    if words is not None:
        words, key, line = words
        return Problem(key, words, line)
    column = f" at column {m[2]}" if line and m and m.lastindex == 2 else ""
    found = f"TOML syntax error: {message}{column}"
    if line is not None and line <= len(lines):
        bad = impossible_dates(lines[line - 1].split("#", 1)[0])
        if bad:
            found += f" ({', '.join(bad)})"
    return Problem(key if line else "", found, line)


def _words(
    message: str, key: str, lines: list[str], line: int | None
) -> tuple[str, str, int | None] | None:
    """(message, key, line) for the mistakes coordinators make; None for the rest."""
    named = _TUPLE.search(message)
    tupled = ".".join(ast.literal_eval(named[0])) if named else key
    inline = re.match(r"Duplicate inline table key '(.*)'", message)
    if message.startswith("Cannot overwrite a value") and key:
        return "given twice; keep one of the two", key, line
    if inline:
        full = f"{key}.{inline[1]}" if key else inline[1]
        return "given twice in one inline table; keep one", full, line
    if message.startswith("Cannot declare") and named:
        return (
            f"declared twice as a table; put its keys under one [{tupled}] "
            f"(or write [[{tupled}]] for a list of tables)",
            tupled,
            line,
        )
    if message.startswith("Cannot redefine namespace") and named:
        return "defined twice; define its keys in one place", tupled, line
    if message.startswith("Illegal character '\\n'") and line:
        here = lines[line - 1] if line <= len(lines) else ""
        if here.count('"') % 2 or here.count("'") % 2:
            return "the text has no closing quote", key, line
    if message.startswith("Unterminated string"):
        start = _unterminated_start(lines) if line is None else line
        where = _key_on(lines, start) if start else ""
        return (
            'the text has no closing quote (a multi-line """ or '
            "''' string must be closed by the same three quotes)",
            where,
            start,
        )
    return None
