"""pc-calendar plugin: plan templates for published state parenting-time guidelines.

Each ``templates/*.toml`` file is one template, named after the file; its first
comment line is the description ``pc-calendar init --list`` shows. Every rule in a
template cites the section of the published guideline it encodes, and every template
passes ``pc-calendar check`` (the tests run it).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from pc_calendar import hookimpl
from pc_calendar.templates import description_of

__version__ = "0.1.0"


def state_templates() -> dict[str, str]:
    """Template name -> TOML text, sorted by name."""
    folder = resources.files(__name__) / "templates"
    found = {
        entry.name.removesuffix(".toml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }
    return dict(sorted(found.items()))


@hookimpl
def pc_calendar_register_templates(register: Callable[..., None]) -> None:
    """Register each template as ``register(name, description, text)``."""
    for name, text in state_templates().items():
        register(name, description_of(text), text)
