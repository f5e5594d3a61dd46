"""The register of decisions as text and as JSON (``decisions --json``).

Names, not ids, in the text; both in the JSON. Fee totals are exact: each parent's
share as a fraction of one fee, summed (``"11/10"``), beside a decimal.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

from ..cli.stats import decimal, exact
from ..render import text
from ..schedule.stats import hours
from .decisions import Decision, Effect, Register
from .diff_json import signed_hours

KIND_WORDS = {
    "swap": "swap",
    "decision": "decision",
    "agreement": "amendment by agreement",
    "court_order": "amendment by court order",
}


def kind_words(entry: Decision) -> str:
    if entry.key.startswith("amendments") and entry.kind == "decision":
        return "amendment by decision"
    return KIND_WORDS.get(entry.kind, entry.kind)


def who(register: Register, entry: Decision) -> str:
    plan = register.plan
    parts = []
    if entry.agreed_by:
        names = [text.full_name(plan, p) for p in entry.agreed_by]
        parts.append(f"agreed by {text.join_names(names, ' and ')}")
    if entry.decided_by:
        by = entry.decided_by
        parts.append(
            f"decided by {'the coordinator' if by == 'coordinator' else text.full_name(plan, by)}"
        )
    return "; ".join(parts) or "-"


def _fraction_text(value: Fraction) -> str:
    return decimal(value, 2).rstrip("0").rstrip(".")


def effect_words(register: Register, effect: Effect) -> str:
    plan = register.plan
    parts = []
    for parent in dict.fromkeys([*effect.nights, *effect.time]):
        nights = effect.nights.get(parent, 0)
        time = effect.time.get(parent, timedelta(0))
        change = f"{signed_hours(time)} h"
        if nights:
            change = f"{nights:+d} night{'s' if abs(nights) != 1 else ''} ({change})"
        parts.append(f"{text.full_name(plan, parent)} {change}")
    names = text.join_names(text.child_names(plan, effect.children))
    return f"{names}: {'; '.join(parts)}"


def exchange_words(counts: dict[str, int]) -> str:
    """ "2 added, 1 moved" in a fixed order."""
    return ", ".join(f"{counts[c]} {c}" for c in ("added", "removed", "moved") if c in counts)


def fees_words(register: Register, fees: dict[str, Fraction]) -> str:
    plan = register.plan
    return ", ".join(
        f"{text.full_name(plan, p)} {_fraction_text(share * 100)}%" for p, share in fees.items()
    )


def render_text(register: Register) -> str:
    plan = register.plan
    entries = register.decisions
    out = [
        f"{plan.family.name}: register of decisions ({len(entries)}), today {register.today}",
    ]
    if not entries:
        out.append("No swaps, decisions or amendments are recorded in the plan.")
    for entry in entries:
        due = " -- REVIEW DUE" if entry.review_due else ""
        out += [
            "",
            f"{entry.decided_on}  {kind_words(entry)} '{entry.name}' ({entry.key})",
            f"    who: {who(register, entry)}",
            f"    applies: {entry.applies}",
        ]
        if entry.reason:
            out.append(f"    why: {entry.reason}")
        if entry.cites:
            out.append(f"    cites: {entry.cites}")
        start, end = entry.window
        span = f"{start} to {end - timedelta(days=1)}"
        if entry.effect_error:
            out.append(f"    effect: cannot be worked out ({entry.effect_error})")
        elif entry.effects:
            for effect in entry.effects:
                out.append(f"    effect {span}: {effect_words(register, effect)}")
        else:
            out.append(f"    effect {span}: nobody's time changes")
        if entry.exchanges:
            out.append(f"    exchanges {span}: {exchange_words(entry.exchanges)}")
        if entry.review_on:
            out.append(f"    review: {entry.review_on}{due}")
        if entry.fees:
            out.append(f"    fee: {fees_words(register, entry.fees)}")
    totals = register.fee_totals()
    if register.apportioned:
        parts = [f"{text.full_name(plan, p)} {_fraction_text(v)}" for p, v in totals.items()]
        out += ["", f"Fees apportioned ({register.apportioned}), in whole fees: {', '.join(parts)}"]
    due = register.reviews_due
    if due:
        out.append(f"Reviews due: {len(due)} ({', '.join(d.key for d in due)})")
    return "\n".join(out) + "\n"


def _effect_json(register: Register, effect: Effect) -> dict[str, Any]:
    return {
        "children": list(effect.children),
        "names": text.child_names(register.plan, effect.children),
        "parents": [
            {
                "parent": p,
                "name": text.full_name(register.plan, p),
                "overnights": effect.nights.get(p, 0),
                "hours": signed_hours(effect.time.get(p, timedelta(0))),
                "hours_exact": exact(hours(effect.time.get(p, timedelta(0)))),
            }
            for p in dict.fromkeys([*effect.nights, *effect.time])
        ],
    }


def entry_json(register: Register, entry: Decision) -> dict[str, Any]:
    return {
        "key": entry.key,
        "kind": entry.kind,
        "kind_words": kind_words(entry),
        "name": entry.name,
        "decided_on": entry.decided_on.isoformat(),
        "agreed_by": list(entry.agreed_by),
        "decided_by": entry.decided_by,
        "who": who(register, entry),
        "reason": entry.reason,
        "cites": entry.cites,
        "applies": entry.applies,
        "effect_start": entry.window[0].isoformat(),
        "effect_end": entry.window[1].isoformat(),
        "effect": [_effect_json(register, e) for e in entry.effects],
        "exchanges": {c: entry.exchanges.get(c, 0) for c in ("added", "removed", "moved")},
        "effect_error": entry.effect_error,
        "review_on": entry.review_on.isoformat() if entry.review_on else None,
        "review_due": entry.review_due,
        "fees": (
            {
                p: {"fraction": exact(v), "percent": _fraction_text(v * 100)}
                for p, v in entry.fees.items()
            }
            if entry.fees
            else None
        ),
    }


def register_json(register: Register) -> dict[str, Any]:
    totals = register.fee_totals()
    return {
        "family": register.plan.family.name,
        "today": register.today.isoformat(),
        "decisions": [entry_json(register, e) for e in register.decisions],
        "reviews_due": [e.key for e in register.reviews_due],
        "fees": {
            "apportioned": register.apportioned,
            "parents": [
                {
                    "parent": p,
                    "name": text.full_name(register.plan, p),
                    "fees": _fraction_text(v),
                    "fees_exact": exact(v),
                }
                for p, v in totals.items()
            ],
        },
    }
