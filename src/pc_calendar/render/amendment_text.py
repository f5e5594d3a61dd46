"""Amendments in words, for calendar descriptions and explanations.

A parent reading why the children are with the other parent on a Wednesday needs to
see that a coordinator decided it, when, and why: the same facts the register of
decisions keeps (``plan/decisions.py``).
"""

from __future__ import annotations

import re

from ..plan.model import Plan

_AMENDMENT_SOURCE = re.compile(r"^amendments\[(\d+)\]")
KIND_WORDS = {"agreement": "agreed", "decision": "decided", "court_order": "ordered"}


def amendment_index(source: str) -> int | None:
    """``amendments[2].rotation`` -> 2 (None: the rule is not from an amendment)."""
    match = _AMENDMENT_SOURCE.match(source)
    return int(match[1]) if match else None


def describe_amendment(plan: Plan, index: int, names: dict[str, str] | None = None) -> str:
    """``amendments[2] 'Step-up at 5' (decided by Coordinator on 2027-08-01: reason)``."""
    if not 0 <= index < len(plan.amendments):
        return f"amendments[{index}]"
    amendment = plan.amendments[index]
    names = names or {}
    if amendment.kind == "agreement":
        who = " and ".join(names.get(p, p) for p in amendment.agreed_by)
    else:
        who = names.get(amendment.decided_by or "", amendment.decided_by or "")
    text = (
        f"{amendment.title(index)} ({KIND_WORDS[amendment.kind]} by {who} on "
        f"{amendment.decided_on.isoformat()}: {amendment.reason}"
    )
    if amendment.cites:
        text += f"; clarifies {amendment.cites}"
    return text + ")"
