"""Public-holiday calendars from the ``holidays`` package, one country at a time.

``holidays`` lists its countries in a registry and loads each class lazily, but loading
any of them goes through ``holidays.countries``, whose ``__init__`` imports all ~250
country modules (about 0.1 s, paid by every command that reads a plan with one
``public`` holiday rule). Here the registry names the one module a country lives in and
only that module is loaded; it is registered under its usual name, so the classes are
the very ones ``holidays`` itself would return, and a later full import reuses them.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

_LOCK = threading.Lock()
PACKAGE = "holidays.countries"


def country_codes() -> list[str]:
    """Every country code ``holidays`` knows (ISO alpha-2 and aliases), no import."""
    from holidays.registry import EntityLoader

    return list(EntityLoader.get_country_codes(True))


@cache
def country_class(code: str) -> Any:
    """The ``holidays`` class of a country code, as ``getattr(holidays, code)`` gives it
    (KeyError: not a known code)."""
    from holidays.registry import COUNTRIES

    for module_name, names in COUNTRIES.items():
        if code in names[1:]:
            return getattr(_country_module(module_name), code)
    raise KeyError(code)


def subdivisions(code: str) -> tuple[str, ...]:
    """The subdivision codes of a country (states, provinces...)."""
    return tuple(country_class(code).subdivisions)


def country_holidays(code: str, **options: Any) -> Any:
    """``holidays.country_holidays(code, **options)`` without loading every country."""
    try:
        cls = country_class(code)
    except KeyError:
        raise NotImplementedError(f"Country {code} not available") from None
    return cls(**options)


def _country_module(module_name: str) -> ModuleType:
    """``holidays.countries.<module_name>``, loaded alone unless the package already is."""
    full = f"{PACKAGE}.{module_name}"
    with _LOCK:
        module = sys.modules.get(full)
        if module is not None:
            return module
        if PACKAGE in sys.modules:
            return importlib.import_module(full)
        import holidays

        folder = str(Path(holidays.__file__).parent / "countries")
        spec = importlib.machinery.PathFinder.find_spec(full, [folder])
        if spec is None or spec.loader is None:  # an unusual install: the ordinary way
            return importlib.import_module(full)
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[full]
            raise
        return module
