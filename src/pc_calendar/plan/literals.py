"""What a mistyped TOML value was probably meant to be.

TOML has real dates, times, integers and booleans. A coordinator who writes
``birth_date = "2016-04-12"`` or ``reminder_minutes = "120"`` meant the value without
quotes; one who writes ``start = 2026-07-01`` for a handover meant a time as well. The
plan model refuses these (nothing is converted silently) and this module words the
hint: the line as it should be written.

>>> unquote_hint("date", "birth_date", "2016-04-12")
'write it without quotes: birth_date = 2016-04-12'
>>> unquote_hint("time", "time", "18:00")
'write it without quotes: time = 18:00:00'
>>> impossible_dates("start = 2027-02-30T25:00:00")
['2027-02-30 is not a real date', '25:00 is not a real time of day']
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from typing import Any

_DATE_LIKE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
_TIME_LIKE = re.compile(r"(?<![\d:-])(\d{2}):(\d{2})(?::(\d{2}))?\b")
_HH_MM = re.compile(r"^\d{1,2}:\d{2}$")

#: pydantic error-type prefix -> the Python type a TOML literal of that kind loads as
_KINDS: dict[str, tuple[type, ...]] = {
    "datetime": (datetime,),
    "date": (date,),
    "time": (time,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}
EXAMPLES = {
    "datetime": "2026-07-01T18:00:00",
    "date": "2026-07-01",
    "time": "18:00:00",
    "int": "120",
    "bool": "true",
}


def impossible_dates(source: str) -> list[str]:
    """Date or time literals in ``source`` that are not real dates/times (2027-02-30, 25:00)."""
    found = []
    for m in _DATE_LIKE.finditer(source):
        try:
            date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            found.append(f"{m[1]}-{m[2]}-{m[3]} is not a real date")
        if m[4] is not None and not (int(m[4]) < 24 and int(m[5]) < 60 and int(m[6] or 0) < 60):
            found.append(f"{m[4]}:{m[5]}{':' + m[6] if m[6] else ''} is not a real time of day")
    for m in _TIME_LIKE.finditer(_DATE_LIKE.sub("", source)):
        try:
            time(int(m[1]), int(m[2]), int(m[3] or 0))
        except ValueError:
            found.append(f"{m[0]} is not a real time of day")
    return found


def _literal(text: str) -> Any:
    """``text`` read as a TOML value, or None if it is not one."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return None


def kind_of(error_type: str) -> str | None:
    """``date_type`` -> ``date``: which literal kind a pydantic error expected."""
    for kind in _KINDS:
        if error_type.startswith(kind + "_"):
            return kind
    return None


def unquote_hint(kind: str, key: str | None, value: Any) -> str | None:
    """How to write ``value`` (given for a ``kind`` field) as the TOML literal meant."""
    assign = f"{key} = " if key else ""
    if kind == "datetime" and isinstance(value, date) and not isinstance(value, datetime):
        return (
            f"expected a date and time like {value.isoformat()}T18:00:00, got the date "
            f"{value.isoformat()} alone (it would mean midnight); write the time of day too"
        )
    if not isinstance(value, str) or kind not in _KINDS:
        return None
    text = value.strip()
    if kind == "time" and _HH_MM.match(text):
        text = f"{int(text.split(':')[0]):02d}:{text.split(':')[1]}:00"  # TOML needs seconds
    if kind == "bool":
        text = text.lower()
    if kind == "datetime" and " " in text:
        text = text.replace(" ", "T", 1)
    parsed = _literal(text)
    wrong_subtype = (kind == "int" and isinstance(parsed, bool)) or (
        kind == "date" and isinstance(parsed, datetime)
    )
    if isinstance(parsed, _KINDS[kind]) and not wrong_subtype:
        return f"write it without quotes: {assign}{text}"
    bad = impossible_dates(value.strip()) or impossible_dates(text)
    if bad:
        return "; ".join(bad)
    return None
