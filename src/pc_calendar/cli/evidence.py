"""``exchange verify``, ``exchange anchor`` and ``exchange receipts``: the log checked
against what lives outside it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..exchanges import evidence, service
from ..exchanges.anchors import anchors_path
from ..exchanges.verification import as_json, describe
from . import verbosity
from .common import plan_argument
from .exchanges import _load, db_option, output_option, write_output

tsa_ca_option = click.option(
    "--tsa-ca",
    "tsa_ca",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The TSA's CA certificate (PEM) to check anchors against (default: the plan's "
    "[evidence] tsa_ca).",
)


@click.command("verify")
@plan_argument
@click.option(
    "--receipts",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="A parent's receipts: a file or a folder of files (repeatable).",
)
@click.option(
    "--anchors",
    "anchor_files",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A copy of the anchors file kept elsewhere (repeatable); the one beside the log "
    "is always read.",
)
@tsa_ca_option
@click.option("--json", "as_json_flag", is_flag=True, help="Print JSON for scripts.")
@db_option
def verify_cmd(
    plan_path: Path,
    receipts: tuple[Path, ...],
    anchor_files: tuple[Path, ...],
    tsa_ca: Path | None,
    as_json_flag: bool,
    db: Path | None,
) -> None:
    """Re-compute the hash chain and check it against receipts and anchors; name the
    first record altered, removed, reordered or rewritten. Never creates the log.

    Exit status: 0 the log verifies (or there is none yet); 1 it does not; 2 a
    mistake (a bad plan, unreadable receipts).
    """
    plan = _load(plan_path)
    result = evidence.verify_plan_log(
        plan,
        plan_path,
        db,
        receipts=list(receipts),
        anchor_files=list(anchor_files),
        ca=tsa_ca,
    )
    if as_json_flag:
        click.echo(json.dumps(as_json(result), indent=2))
    elif not result.exists and result.ok:
        click.echo(f"no exchange log yet at {result.path}: nothing to verify")
    else:
        for line in describe(result):
            click.echo(line)
    if not result.ok:
        sys.exit(1)


@click.command("anchor")
@plan_argument
@click.option("--tsa", "tsa_url", default=None, help="TSA URL (default: [evidence] tsa_url).")
@tsa_ca_option
@click.option("--json", "as_json_flag", is_flag=True, help="Print the anchor written as JSON.")
@db_option
def anchor_cmd(
    plan_path: Path, tsa_url: str | None, tsa_ca: Path | None, as_json_flag: bool, db: Path | None
) -> None:
    """Have the coordinator's time-stamping authority (RFC 3161) sign the chain's head.

    --json prints the anchor as the line added to the anchors file (records, head hash,
    the TSA's time and URL, the token) and that file's path; -q leaves out the reminder
    to keep a copy of the anchors file.

    Exit status: 0 anchored; 2 the TSA could not be reached or refused, or a mistake in
    the settings (no anchor is written then).
    """
    plan = _load(plan_path)
    url, ca = evidence.tsa_settings(plan, plan_path, tsa_url, tsa_ca)
    anchor = evidence.anchor_head(plan, db, url, ca)
    if as_json_flag:
        stored = anchors_path(service.db_path_for(plan, db))
        click.echo(json.dumps({"anchor": anchor.to_json(), "anchors_file": str(stored)}, indent=2))
    else:
        click.echo(
            f"anchored {anchor.records} record{'' if anchor.records == 1 else 's'}, head "
            f"{anchor.head_hash}, time-stamped {anchor.time} by {anchor.tsa_url}"
        )
    verbosity.say("keep a copy of the anchors file away from the log (it is small)", err=True)


@click.command("receipts")
@plan_argument
@click.option("--parent", required=True, help="Whose receipts (a parent id).")
@output_option
@db_option
def receipts_cmd(plan_path: Path, parent: str, output: Path | None, db: Path | None) -> None:
    """Every receipt a parent should hold (JSON), e.g. to send them a copy.

    -q leaves out the "wrote" line.

    Exit status: 0 written; 2 a mistake (an unknown parent, no log).
    """
    plan = _load(plan_path)
    found = evidence.parent_receipts(plan, db, parent)
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    write_output(text, output, f"{len(found)} receipt{'' if len(found) == 1 else 's'}")


def attach(group: click.Group) -> None:
    for command in (verify_cmd, anchor_cmd, receipts_cmd):
        group.add_command(command)
