"""Plan templates for ``pc-calendar init --template NAME``: a default plugin.

Each ``*.toml`` file beside this module is one template, named after the file. Its
first comment line is the one-line description ``init --list`` shows, so a template
documents itself and adding one is dropping in a file. Every template is a complete,
commented plan for an invented family that passes ``pc-calendar check``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from .. import hookimpl


def description_of(text: str) -> str:
    """The first comment line of a template, without the ``#``."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and stripped.lstrip("#").strip():
            return stripped.lstrip("#").strip()
    return ""


def builtin_templates() -> dict[str, str]:
    """Template name -> TOML text for every file shipped in this package, sorted."""
    found = {}
    for entry in resources.files(__name__).iterdir():
        if entry.name.endswith(".toml") and entry.is_file():
            found[entry.name.removesuffix(".toml")] = entry.read_text(encoding="utf-8")
    return dict(sorted(found.items()))


@hookimpl
def pc_calendar_register_templates(register: Callable[..., None]) -> None:
    """Register every shipped template as ``register(name, description, text)``."""
    for name, text in builtin_templates().items():
        register(name, description_of(text), text)
