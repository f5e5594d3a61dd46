"""``exchanges``, ``exchange record|history|verify|export`` and ``report``.

A thin layer: parse options, call :mod:`pc_calendar.exchanges.service`, print. "Now"
comes from ``$PC_CALENDAR_NOW`` when set, so scripted and tested runs are repeatable.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from ..errors import UserError
from ..exchanges import service
from ..exchanges.anchors import anchors_path, read_anchors
from ..exchanges.export import export_text
from ..exchanges.listing import (
    count,
    history_json,
    history_text,
    row_json,
    row_text,
)
from ..exchanges.receipts import receipt_line
from ..exchanges.render import RENDERERS
from ..exchanges.status import STATUSES, current_time
from ..exchanges.store import ExchangeStore
from ..fileio import PRIVATE, write_atomic
from . import verbosity
from .common import parse_date, plan_argument

db_option = click.option(
    "--db",
    "db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Exchange log database (default: one per family in the user data dir, or "
    "$PC_CALENDAR_DATA_DIR/exchanges/FAMILY.sqlite3).",
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
grace_option = click.option(
    "--grace",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Minutes after an exchange before it counts as overdue.",
)


def _compute(plan: Any, start: date, end: date) -> Any:
    return service.engine_timeline(plan, start, end)


def _load(path: Path) -> Any:
    from ..plan.load import load_plan

    return load_plan(path)


def _range(
    plan: Any, start: str | None, end: str | None, now: Any, default_days: int | None
) -> tuple[date, date]:
    """``[--from, --to)``; a missing end is ``default_days`` either side of the other end
    (or of today when both are missing), or an error when there is no default."""
    if (start is None or end is None) and default_days is None:
        raise UserError("--from and --to are required (dates like 2026-01-01)")
    span = timedelta(days=default_days or 0)
    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    if first is None and last is None:
        today = now.astimezone(service.zone_of(plan)).date()
        first, last = today - span, today + span
    elif first is None:
        first = last - 2 * span
    elif last is None:
        last = first + 2 * span
    if last <= first:
        raise UserError(f"--to {last} must be after --from {first}")
    return first, last


def write_output(text: str, output: Path | None, what: str) -> None:
    """Print, or write ``output`` atomically (temp file in the same folder, then rename)
    and mode 0600: every output of these commands names the family.

    A missing folder is an error, as for ``export`` and ``show --html``: a typo in the
    path must not quietly create folders. "wrote ..." goes to stderr so stdout stays
    clean for pipes.
    """
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text, make_folder=False, mode=PRIVATE)
    verbosity.say(f"wrote {output} ({what})", err=True)


@click.command("exchanges")
@plan_argument
@click.option(
    "--from",
    "start",
    metavar="DATE",
    help="First local date (default: 14 days ago, or 28 days before --to).",
)
@click.option(
    "--to",
    "end",
    metavar="DATE",
    help="Day after the last (default: in 14 days, or 28 days after --from).",
)
@grace_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--notify",
    is_flag=True,
    help="Tell notifier plugins about overdue exchanges (once per exchange).",
)
@db_option
def exchanges_cmd(
    plan_path: Path,
    start: str | None,
    end: str | None,
    grace: int,
    as_json: bool,
    notify: bool,
    db: Path | None,
) -> None:
    """List scheduled exchanges with their recorded outcome; flag overdue ones.

    -q leaves out the totals line and the --notify confirmation and warnings.

    Exit status: 0 listed (overdue exchanges do not change it); 2 a mistake in the
    plan, the options or the log.
    """
    plan = _load(plan_path)
    now = current_time()
    first, last = _range(plan, start, end, now, 14)
    rows = service.list_exchanges(
        plan, db, first, last, now=now, grace=timedelta(minutes=grace), compute=_compute
    )
    if notify:
        sent, warnings = service.notify_overdue(plan, db, rows, now=now)
        verbosity.say(f"notified plugins of {count(len(sent), 'overdue exchange')}", err=True)
        for warning in warnings:
            verbosity.warn(warning)
    if as_json:
        click.echo(json.dumps([row_json(r) for r in rows], indent=2))
        return
    for row in rows:
        click.echo(row_text(row))
    overdue = sum(r.overdue for r in rows)
    verbosity.say(f"{count(len(rows), 'exchange')}, {overdue} overdue")


@click.group("exchange")
def exchange_group() -> None:
    """Record and check what happened at exchanges (append-only, tamper-evident log).

    Exit status: as each subcommand says.
    """


@exchange_group.command("record")
@plan_argument
@click.argument("when")
@click.option(
    "--status",
    required=True,
    metavar="|".join(STATUSES),
    help=f"What happened: {', '.join(STATUSES)}.",
)
@click.option("--minutes-late", type=int, default=None, help="Required with --status late.")
@click.option(
    "--by",
    "reported_by",
    default="coordinator",
    show_default=True,
    help="Who reports it: a parent id or 'coordinator'.",
)
@click.option("--agreed-by", multiple=True, help="Who agreed to cancel (repeatable).")
@click.option(
    "--at-fault",
    default=None,
    metavar="handing-over|receiving|PARENT",
    help="Who was late, absent or interfered (default for late and missed: the parent "
    "handing over).",
)
@click.option("--note", default=None, help="Free text kept with the record.")
@click.option("--json", "as_json", is_flag=True, help="Print the record written as JSON.")
@db_option
def record_cmd(
    plan_path: Path,
    when: str,
    status: str,
    minutes_late: int | None,
    reported_by: str,
    agreed_by: tuple[str, ...],
    at_fault: str | None,
    note: str | None,
    as_json: bool,
    db: Path | None,
) -> None:
    """Record the outcome of the exchange WHEN (its id, date, or date and time).

    --json prints the record written (id, seq, hash, every field) and its receipt
    line; -q prints only the receipt line, without warnings.

    Exit status: 0 recorded; 2 a mistake (no such exchange, a status or option that
    does not fit, an unknown parent); nothing is written then.
    """
    plan = _load(plan_path)
    agreed = [p.strip() for item in agreed_by for p in item.split(",") if p.strip()]
    done = service.record_outcome(
        plan,
        db,
        when,
        status,
        minutes_late=minutes_late,
        reported_by=reported_by,
        agreed_by=agreed,
        note=note,
        at_fault=at_fault,
        now=current_time(),
        compute=_compute,
    )
    rec = done.record
    if as_json:
        print_record_json(rec, done.warnings)
        return
    extra = f" (supersedes record {rec.supersedes})" if rec.supersedes else ""
    verbosity.say(f"recorded #{rec.seq}: {rec.exchange_id} {rec.status}{extra}")
    click.echo(f"receipt: {receipt_line(rec)}")
    for warning in done.warnings:
        verbosity.warn(warning)


def print_record_json(rec: Any, warnings: list[str]) -> None:
    """The record written, its receipt line and the warnings, as ``record --json`` and
    ``respond --json`` print them."""
    data = {"record": rec.to_json(), "receipt": receipt_line(rec), "warnings": warnings}
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@exchange_group.command("respond")
@plan_argument
@click.argument("seq", type=click.IntRange(min=1))
@click.option("--by", "parent", required=True, help="The parent answering (a parent id).")
@click.option("--confirm", "response", flag_value="confirm", help="They agree with the record.")
@click.option("--dispute", "response", flag_value="dispute", help="They do not agree.")
@click.option("--note", default=None, help="Their words, kept with the response.")
@click.option("--json", "as_json", is_flag=True, help="Print the record written as JSON.")
@db_option
def respond_cmd(
    plan_path: Path,
    seq: int,
    parent: str,
    response: str | None,
    note: str | None,
    as_json: bool,
    db: Path | None,
) -> None:
    """Record that the other parent confirms or disputes outcome record SEQ (a new
    record; the original is never changed).

    --json prints the record written (id, seq, hash, every field), its receipt line and
    the warnings, as record --json does; -q prints only the receipt line, without
    warnings.

    Exit status: 0 recorded; 2 a mistake (no such record, a parent who may not answer it).
    """
    if response is None:
        raise UserError("say --confirm or --dispute")
    plan = _load(plan_path)
    warnings: list[str] = []
    rec = service.respond(
        plan,
        db,
        seq,
        parent,
        response,
        note=note,
        channel="cli",
        on_warning=warnings.append if as_json else verbosity.warn,
    )
    if as_json:
        print_record_json(rec, warnings)
        return
    verbosity.say(f"recorded #{rec.seq}: {parent} {response}s record {seq} ({rec.exchange_id})")
    click.echo(f"receipt: {receipt_line(rec)}")


even_if_broken_option = click.option(
    "--even-if-broken",
    is_flag=True,
    help="Print it even when the log fails verification (the output says so).",
)


def stop_if_broken(verification: Any, even_if_broken: bool, what: str) -> None:
    """A log that fails verification: a loud warning, and no output without the flag."""
    if verification is None or verification.ok:
        return
    for problem in verification.problems:
        click.echo(f"WARNING: {problem}", err=True)
    if not even_if_broken:
        click.echo(
            f"error: the exchange log failed verification; no {what} was produced\n"
            f"  hint: run 'exchange verify', or pass --even-if-broken to see it anyway",
            err=True,
        )
        sys.exit(1)


@exchange_group.command("history")
@plan_argument
@click.argument("when")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@even_if_broken_option
@db_option
def history_cmd(
    plan_path: Path, when: str, as_json: bool, even_if_broken: bool, db: Path | None
) -> None:
    """Show every record for one exchange, superseded ones and answers included, and
    what the log was verified against.

    Exit status: 0 shown; 1 the log failed verification (without --even-if-broken);
    2 a mistake (no such exchange, a bad plan).
    """
    plan = _load(plan_path)
    found = service.history(plan, db, when, compute=_compute, plan_path=plan_path)
    stop_if_broken(found.verification, even_if_broken, "history")
    if as_json:
        click.echo(json.dumps(history_json(found, service.location_names(plan)), indent=2))
        return
    text = history_text(found, service.zone_of(plan), service.location_names(plan))
    click.echo(text, nl=False)


@exchange_group.command("export")
@plan_argument
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True
)
@output_option
@db_option
def export_cmd(plan_path: Path, fmt: str, output: Path | None, db: Path | None) -> None:
    """Export the log with its hash chain, verifiable without pc-calendar.

    -q leaves out the "wrote" line (a broken chain is still reported).

    Exit status: 0 exported (a broken chain too, with a warning); 2 a mistake (no log,
    a bad plan, an output folder that does not exist).
    """
    plan = _load(plan_path)
    path = service.db_path_for(plan, db)
    with ExchangeStore.open(path, plan.family.id, create=False) as store:
        records = store.records()
        result = store.verify()
    anchors = read_anchors(anchors_path(path))[0] if anchors_path(path).exists() else []
    text = export_text(plan.family.id, records, result, fmt, anchors)
    write_output(text, output, count(len(records), "record"))
    if result.problem is not None:
        click.echo(
            f"warning: the chain is broken ({result.problem.message}); exported as stored", err=True
        )


@click.command("report")
@plan_argument
@click.option("--from", "start", metavar="DATE", required=True, help="First local date.")
@click.option("--to", "end", metavar="DATE", required=True, help="Day after the last.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted([*RENDERERS, "pdf"])),
    default="table",
    show_default=True,
    help="html and pdf are documents for printing or a filing (pdf needs -o and pc-calendar[pdf]).",
)
@output_option
@grace_option
@even_if_broken_option
@db_option
def report_cmd(
    plan_path: Path,
    start: str,
    end: str,
    fmt: str,
    output: Path | None,
    grace: int,
    even_if_broken: bool,
    db: Path | None,
) -> None:
    """Summarise exchange outcomes and parenting time per parent.

    The log is verified first (chain, anchors) and the report says what it stands on;
    a log that fails is refused unless --even-if-broken. -q leaves out the "wrote" line.

    Exit status: 0 written; 1 the log failed verification (without --even-if-broken);
    2 a mistake in the plan, the options or the output path.
    """
    if fmt == "pdf" and output is None:
        raise UserError("--format pdf: give -o FILE (a PDF is not written to the terminal)")
    plan = _load(plan_path)
    now = current_time()
    first, last = _range(plan, start, end, now, None)
    report = service.make_report(
        plan,
        db,
        first,
        last,
        now=now,
        grace=timedelta(minutes=grace),
        compute=_compute,
        plan_path=plan_path,
    )
    stop_if_broken(report.verification, even_if_broken, "report")
    what = count(len(report.rows), "exchange")
    if fmt in ("html", "pdf"):
        from .report_document import write_report_document

        write_report_document(plan, plan_path, report, fmt, output, what)
    else:
        write_output(RENDERERS[fmt](report), output, what)


def register(cli: click.Group) -> None:
    from .evidence import attach

    attach(exchange_group)
    cli.add_command(exchanges_cmd)
    cli.add_command(exchange_group)
    cli.add_command(report_cmd)
