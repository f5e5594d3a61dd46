"""The plugin contract: every hook pc_calendar calls, documented.

Plugins implement these with ``@pc_calendar.hookimpl``. Registration hooks receive a
``register`` callback rather than returning values, so the core validates names and
catches duplicates in one place (see :mod:`pc_calendar.plugins`). The built-in
patterns, date rules, templates and backends register through these same hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("pc_calendar")


@hookspec
def pc_calendar_register_patterns(register: Callable[[str, Any], None]) -> None:
    """Register regular-rotation patterns.

    Call ``register(name, pattern)`` once per pattern. ``pattern`` implements
    :class:`pc_calendar.schedule.api.Pattern`: given a day and a
    :class:`~pc_calendar.schedule.api.PatternContext` it says which slot of the
    rotation's ``parents`` list holds custody from that day's exchange time. Called once
    when the plugin manager is built.
    """


@hookspec
def pc_calendar_register_date_rules(register: Callable[[str, Any], None]) -> None:
    """Register holiday date rules (``date = { rule = NAME, ... }`` in a plan).

    Call ``register(name, rule)``; ``rule`` implements
    :class:`pc_calendar.schedule.api.DateRule`: it validates its options and returns
    the holiday's occurrences in a given year. Called once when the manager is built.
    """


@hookspec
def pc_calendar_register_templates(register: Callable[..., None]) -> None:
    """Register plan templates for ``pc-calendar init --template NAME``.

    Call ``register(name, description, text)`` where ``text`` is a commented TOML plan
    that must pass ``pc-calendar check``. Called when templates are listed or used.
    """


@hookspec
def pc_calendar_register_backends(register: Callable[[str, Any], None]) -> None:
    """Register calendar backends for sync targets (``type = NAME`` in a target).

    Call ``register(name, factory)``; ``factory(config: dict, context)`` returns an
    object implementing :class:`pc_calendar.backends.base.Backend`. Import heavy client
    libraries inside the factory, not at module import, so the CLI stays fast.
    """


@hookspec
def pc_calendar_register_commands(cli: Any) -> None:
    """Add subcommands to the ``pc-calendar`` click group passed as ``cli``.

    Called at most once per run, only for the command listing or a name that is not a
    built-in command; a built-in's name cannot be taken (left out with a warning).
    Each command added gets ``-v/--verbose`` and ``-q/--quiet``; read them through
    :mod:`pc_calendar.cli.verbosity` (``say``, ``detail``, ``warn``, ``level``).
    """


@hookspec
def pc_calendar_decorate_event(event: Any, info: Any) -> None:
    """Adjust a rendered event before it is hashed and pushed.

    ``event`` is an ``icalendar.Event`` that may be modified in place (for example to
    add a description line or a category); ``info`` is a
    :class:`pc_calendar.render.EventInfo` naming the family, recipient parent, event
    kind and natural key. Must be deterministic: the same input must give the same
    event, or every sync becomes an update. Do not change UID or the ownership marker.
    Registering it costs speed: events are then built as icalendar objects for it
    (about ten times slower per event) instead of written from plain data.
    """


@hookspec
def pc_calendar_exchange_missed(family: Any, exchange: Any, record: Any) -> None:
    """An exchange was recorded as missed or as interference (or found overdue with no
    outcome), by the coordinator or a parent's check-in: called at once.

    ``family`` is the plan's Family, ``exchange`` the scheduled Exchange, ``record``
    the exchange-log record (``None`` when overdue with nothing recorded; its
    ``at_fault_parent`` says who was absent or interfered). Notifier
    plugins tell the coordinator. Exceptions are caught, reported with the plugin's
    name, and never undo the record.
    """


@hookspec
def pc_calendar_exchange_recorded(family: Any, record: Any, receipt: str) -> None:
    """A record was added to the exchange log (an outcome, a confirmation, a dispute).

    ``receipt`` is the text to hand to both parents (the record's number and hash), so
    a later rewrite of the log is detectable by them. Called after the commit; an
    exception is reported with the plugin's name and never undoes the record.
    """


@hookspec
def pc_calendar_sync_finished(family: Any, target: str, summary: Any, parent: str) -> None:
    """A sync of one calendar target finished; ``summary`` counts what changed.

    ``parent`` is the id of the parent whose calendar it is (a plugin may leave it out
    of its signature, as with every hook argument).
    """


@hookspec
def pc_calendar_sync_failed(family: Any, target: str, error: BaseException, parent: str) -> None:
    """A sync of one calendar target failed with ``error``; others carry on.

    ``parent`` is the id of the parent whose calendar it is.
    """
