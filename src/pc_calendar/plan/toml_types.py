"""Plan value types that take TOML literally: real dates, times, integers, booleans.

TOML has real dates, times, integers and booleans, so a quoted "2016-04-12" or "120"
in a plan is a mistake the coordinator should hear about (pydantic would convert it
silently), and a bare date where a date and time is expected would silently mean
midnight. The plan loader validates with the ``TOML_INPUT`` context, under which these
types accept only the real thing; Python callers keep pydantic's usual conversions.
Dates also stay inside ``SUPPORTED_YEARS``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

__all__ = ["SUPPORTED_YEARS", "TOML_INPUT", "TomlBool", "TomlDate", "TomlDateTime"]
__all__ += ["TomlInt", "TomlTime"]

#: the years a plan's dates and any question asked of it may fall in: a childhood fits
#: with room to spare, and the engine's look-around (a year each side) stays inside what
#: ``date`` can hold, so 9999-12-31 is a clear error instead of an OverflowError
SUPPORTED_YEARS = (1900, 2199)


def _in_supported_years(value: date) -> date:
    if not SUPPORTED_YEARS[0] <= value.year <= SUPPORTED_YEARS[1]:
        raise PydanticCustomError(
            "date_out_of_range",
            "expected a date between {low}-01-01 and {high}-12-31, got {value}",
            {"low": SUPPORTED_YEARS[0], "high": SUPPORTED_YEARS[1], "value": value.isoformat()},
        )
    return value


#: validation context key set by the plan loader: the data came from a TOML file
TOML_INPUT = "toml"


def _exactly(kind: str, wanted: type, refused: tuple[type, ...] = ()) -> BeforeValidator:
    """Accept only a real ``wanted`` (not a ``refused`` subtype) when from TOML."""

    def check(value: Any, info: ValidationInfo) -> Any:
        from_toml = bool(info.context and info.context.get(TOML_INPUT))
        if from_toml and (not isinstance(value, wanted) or isinstance(value, refused)):
            raise PydanticCustomError(f"{kind}_type", f"Input should be a valid {kind}")
        return value

    return BeforeValidator(check)


TomlDate = Annotated[date, _exactly("date", date, (datetime,)), AfterValidator(_in_supported_years)]
TomlDateTime = Annotated[
    datetime, _exactly("datetime", datetime), AfterValidator(_in_supported_years)
]
TomlTime = Annotated[time, _exactly("time", time)]
TomlInt = Annotated[int, _exactly("int", int, (bool,))]
TomlBool = Annotated[bool, _exactly("bool", bool)]
