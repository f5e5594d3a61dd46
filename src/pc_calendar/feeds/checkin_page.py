"""The check-in page: plain HTML forms, no JavaScript, sized for a phone.

One form per open exchange with a button per report ("I'm here", "Handed over", "The
other parent did not come", "Running late") and an optional note; one small form per
report of someone else that the parent may confirm or dispute. Every record on the page
shows its receipt (sequence number and hash) so both parents hold the same proof.
Everything from the plan or the log is escaped; the page loads nothing from elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from ..exchanges.chain import Record
from ..exchanges.status import parse_utc
from ..plan.model import Plan
from ..render import text
from ..render.checkin_text import channel as _channel
from ..render.checkin_text import describe, who
from .checkin_view import Card

NOTE_MAX = 280
LOG_SHOWN = 12  # records per exchange on the page
MINUTES_MAX = 600

#: The first submit button of each form, disabled: pressing Enter (or a phone keyboard's
#: "Go") in the note or minutes field then submits nothing, instead of pressing the
#: form's first real button ("I'm here", "Confirm") behind the parent's back.
NO_ENTER = "<button disabled hidden tabindex=-1 aria-hidden=true></button>"

#: Report buttons: (action, label), in the order a parent needs them.
REPORTS = (
    ("here", "I'm here"),
    ("handed", "Handed over"),
    ("absent", "The other parent did not come"),
    ("late", "Running late"),
)

STYLE = """
*{box-sizing:border-box}body{margin:0;font:16px/1.4 system-ui,sans-serif;color:#111;
background:#f4f4f2}main{max-width:34rem;margin:0 auto;padding:.75rem}
h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.05rem;margin:0 0 .2rem}
.who,.meta,small{color:#555}.card{background:#fff;border-radius:.6rem;padding:.75rem;
margin:.75rem 0;box-shadow:0 1px 2px #0002}.msg{padding:.6rem;border-radius:.4rem;
margin:.5rem 0;overflow-wrap:anywhere}.ok{background:#e3f4e1}.err{background:#fbe3e1}
button{display:block;width:100%;min-height:2.9rem;margin:.35rem 0;font:inherit;
border:0;border-radius:.45rem;background:#1b5e9b;color:#fff}button.alt{background:#8a3b12}
button.quiet{background:#e6e6e6;color:#111}label{display:block;margin:.35rem 0 .1rem}
input{width:100%;font:inherit;padding:.5rem;border:1px solid #999;border-radius:.4rem}
.row{display:flex;gap:.5rem;align-items:end}.row>*{flex:1}ol{padding-left:1.2rem}
li{margin:.45rem 0}code{font-size:.78rem;overflow-wrap:anywhere}
"""


@dataclass
class PageData:
    """Everything one page shows; ``forms(purpose)`` issues a CSRF form token."""

    plan: Plan
    parent: str
    cards: list[Card]
    forms: Callable[[str], str]
    message: str | None = None
    error: str | None = None


def _zone(plan: Plan, parent: str) -> ZoneInfo:
    return text.parent_zone(plan, parent) or ZoneInfo(plan.family.timezone)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{text.when(local)} {local.tzname()}"


def _record_item(data: PageData, record: Record, zone: ZoneInfo, answer: bool) -> str:
    plan = data.plan
    at = _local(parse_utc(record.recorded_at), zone)
    how = _channel(record)
    line = (
        f"<b>#{record.seq}</b> {escape(who(plan, record.reported_by))}"
        f"{f' ({escape(how)})' if how else ''}: {escape(describe(plan, record))}"
    )
    if record.note:
        line += f" &ldquo;{escape(record.note)}&rdquo;"
    line += (
        f"<br><small>{escape(at)} &middot; receipt #{record.seq} "
        f"<code>{escape(record.hash)}</code></small>"
    )
    if answer:
        line += _answer_form(data, record)
    return f"<li id=r{record.seq}>{line}</li>"


def _hidden(name: str, value: str) -> str:
    return f'<input type=hidden name={name} value="{escape(value)}">'


def _note(field_id: str) -> str:
    return (
        f"<label for={field_id}>Note (optional)</label>"
        f"<input id={field_id} name=note maxlength={NOTE_MAX} autocomplete=off>"
    )


def _answer_form(data: PageData, record: Record) -> str:
    fid = f"n{record.seq}"
    return (
        "<form method=post class=answer>"
        + NO_ENTER
        + _hidden("csrf", data.forms(f"answer:{record.seq}"))
        + _hidden("record", str(record.seq))
        + _note(fid)
        + "<div class=row><button name=action value=confirm class=quiet>Confirm</button>"
        + "<button name=action value=dispute class=alt>Dispute</button></div></form>"
    )


def _report_form(data: PageData, card: Card, index: int) -> str:
    ex = card.exchange
    fid = f"x{index}"
    buttons = "".join(
        f"<button name=action value={action}{' class=alt' if action == 'absent' else ''}>"
        f"{escape(label)}</button>"
        for action, label in REPORTS
        if action != "late"
    )
    return (
        "<form method=post>"
        + NO_ENTER
        + _hidden("csrf", data.forms(f"report:{ex.id}"))
        + _hidden("exchange", ex.id)
        + _note(fid)
        + buttons
        + f"<div class=row><div><label for={fid}m>Minutes late</label>"
        f"<input id={fid}m name=minutes type=number inputmode=numeric min=1 "
        f"max={MINUTES_MAX}></div><button name=action value=late>Running late</button></div>"
        + "</form>"
    )


def _card(data: PageData, card: Card, index: int) -> str:
    plan, ex = data.plan, card.exchange
    zone = _zone(plan, data.parent)
    place = text.location_name(plan, ex.location)
    head = (
        f"{escape(_local(ex.at, zone))}: {escape(text.short_name(plan, ex.from_parent))} "
        f"&rarr; {escape(text.short_name(plan, ex.to_parent))}"
    )
    meta = escape(text.join_names(text.child_names(plan, ex.children), " and "))
    if place:
        meta += f" &middot; {escape(place)}"
    parts = [f"<h2>{head}</h2>", f"<p class=meta>{meta}</p>"]
    if card.can_report:
        parts.append(_report_form(data, card, index))
    elif not card.records:
        opens = ex.at - timedelta(minutes=plan.checkin.before_minutes)
        parts.append(f"<p class=meta>Check-in opens {escape(_local(opens, zone))}.</p>")
    if card.records:
        answerable = {r.seq for r in card.answerable}
        # A phone page shows the latest records, and always those awaiting an answer.
        shown = [
            r
            for i, r in enumerate(card.records)
            if i >= len(card.records) - LOG_SHOWN or r.seq in answerable
        ]
        items = "".join(_record_item(data, r, zone, r.seq in answerable) for r in shown)
        hidden = len(card.records) - len(shown)
        more = f"<p class=meta>{hidden} earlier records are in the log.</p>" if hidden else ""
        parts.append(f"<h3>Log</h3>{more}<ol>{items}</ol>")
    return f'<section class=card id="x-{escape(ex.id)}">{"".join(parts)}</section>'


def render_page(data: PageData) -> str:
    """The whole page as HTML text."""
    plan = data.plan
    flash = ""
    if data.message:
        flash = f"<p class='msg ok' role=status>{escape(data.message)}</p>"
    if data.error:
        flash += f"<p class='msg err' role=alert>{escape(data.error)}</p>"
    cards = "".join(_card(data, c, i) for i, c in enumerate(data.cards)) or (
        "<p class=meta>No exchange of yours is near.</p>"
    )
    title = f"Check-in &middot; {escape(plan.family.name)}"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        "<meta name=robots content=noindex>"
        f"<title>{title}</title><style>{STYLE}</style></head><body><main>"
        f"<h1>Check-in</h1><p class=who>{escape(text.full_name(plan, data.parent))} "
        f"&middot; {escape(plan.family.name)}</p>{flash}{cards}"
        "<p><small>Times are stamped by the server when you press a button. Each record "
        "has a receipt: its number and hash in the family's log.</small></p>"
        "</main></body></html>"
    )
