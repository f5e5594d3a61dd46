"""The ``public`` date rule: a public holiday by its exact name in the ``holidays`` package.

Apart from the other built-in rules because it alone consults a third-party calendar,
with its own caching and name checks (see :mod:`.public_calendars` for loading one
country without the other 249).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from .api import Occurrence, RuleContext
from .public_calendars import country_codes, country_holidays, subdivisions
from .rule_options import check_str, closest, unknown_keys

# Years scanned when checking that a public-holiday name exists: a name need only exist
# in some of them (Juneteenth exists only from 2021).
NAME_CHECK_YEARS = range(2015, 2041)


@lru_cache(maxsize=2048)
def _public_calendar(
    country: str, subdiv: str | None, categories: tuple[str, ...], year: int
) -> dict[str, tuple[date, ...]]:
    """Holiday name -> its dates in ``year`` for one country, subdivision and categories."""
    calendar = country_holidays(country, subdiv=subdiv, years=year, categories=categories)
    names: dict[str, list[date]] = {}
    for day in sorted(calendar):
        for name in calendar.get_list(day):
            names.setdefault(name, []).append(day)
    return {name: tuple(days) for name, days in names.items()}


def _has_name(country: str, subdiv: str | None, categories: tuple[str, ...], name: str) -> bool:
    """Whether ``name`` is a holiday in some year of NAME_CHECK_YEARS: stops at the first
    year that has it (usually the first year), where :func:`_names` builds every year."""
    return any(
        name in _public_calendar(country, subdiv, categories, year) for year in NAME_CHECK_YEARS
    )


def _names(country: str, subdiv: str | None, categories: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for year in NAME_CHECK_YEARS:
        names.update(_public_calendar(country, subdiv, categories, year))
    return names


class PublicHolidayRule:
    """A public holiday by its exact name in the ``holidays`` package.

    Options: ``country`` (ISO code, e.g. "US"), ``subdiv`` (e.g. "TX"), ``name``
    (matched exactly, as ``lookup="exact"`` does, because "Christmas" must not also
    match "Christmas Eve"), ``categories`` (default ["public"]; Mother's and Father's
    Day are "unofficial" in the US). Consecutive days with the same name form one
    occurrence.
    """

    description = "a public holiday by name: country, subdiv, name, categories"
    context_free = True  # its dates depend on the options and year alone

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        problems = unknown_keys(options, ("country", "subdiv", "name", "categories"))
        problems += check_str(options, "country") + check_str(options, "name")
        problems += check_str(options, "subdiv", required=False)
        categories = options.get("categories", ["public"])
        if (
            not isinstance(categories, list)
            or not categories
            or not all(isinstance(c, str) for c in categories)
        ):
            problems.append(f"categories: expected a list of names, got {categories!r}")
        if problems:
            return problems
        # the registry's codes, and the one country's module: loading any country the
        # usual way imports all 250 country modules (~0.1 s a run)
        codes = country_codes()
        country, subdiv = options["country"], options.get("subdiv")
        if country not in codes:
            close = ", ".join(closest(country, codes))
            return [f"country: unknown country {country!r} (close: {close})"]
        known = subdivisions(country)
        if subdiv is not None and subdiv not in known:
            close = ", ".join(closest(subdiv, known))
            return [f"subdiv: {country} has no subdivision {subdiv!r} (close: {close})"]
        name = options["name"]
        try:
            if _has_name(country, subdiv, tuple(categories), name):
                return []
            names = _names(country, subdiv, tuple(categories))
        except (ValueError, NotImplementedError) as exc:
            return [f"categories: {exc}"]
        where = f"{country}-{subdiv}" if subdiv else country
        message = (
            f"name: {where} has no holiday named {name!r} in categories "
            f"{', '.join(categories)} (close: {', '.join(closest(name, names))})"
        )
        elsewhere = self._other_categories(country, subdiv, name, categories)
        if elsewhere:
            message += f"; it is in category {elsewhere}: add it to categories"
        return [message]

    @staticmethod
    def _other_categories(
        country: str, subdiv: str | None, name: str, categories: list[str]
    ) -> str | None:
        cls = country_holidays(country, subdiv=subdiv).__class__
        for category in sorted(getattr(cls, "supported_categories", ())):
            if category not in categories and name in _names(country, subdiv, (category,)):
                return category
        return None

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        categories = tuple(options.get("categories", ["public"]))
        days = _public_calendar(options["country"], options.get("subdiv"), categories, year).get(
            options["name"], ()
        )
        return _runs(days)


def _runs(days: Iterable[date]) -> list[Occurrence]:
    """Sorted days grouped into runs of consecutive days."""
    runs: list[Occurrence] = []
    for day in sorted(days):
        if runs and runs[-1].last + timedelta(days=1) == day:
            runs[-1] = Occurrence(runs[-1].first, day)
        else:
            runs.append(Occurrence(day, day))
    return runs
