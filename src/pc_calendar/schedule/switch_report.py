"""Switch-overs in words: the timeline's records and the warning for an open reading.

When an amendment takes effect in the middle of someone's time and the plan did not
say how to read that (``switch``), the engine takes a defined reading and says so,
naming the other reading and the key that chooses it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from .context import EngineContext
from .timeline import SwitchRecord
from .timeutil import from_seconds
from .versions import Switchover

OTHER = {"end_of_block": "at_effective", "at_effective": "end_of_block"}


def switch_record(switch: Switchover, children: tuple[str, ...], zone: ZoneInfo) -> SwitchRecord:
    return SwitchRecord(
        switch.amendment,
        switch.title,
        switch.kind,
        from_seconds(switch.effective),
        from_seconds(switch.at),
        switch.reading,
        switch.chosen,
        switch.before,
        switch.after,
        switch.schedule,
        children,
    )


def warn_reading(ctx: EngineContext, switch: Switchover) -> None:
    """Warn about a mid-block switch-over whose reading the plan left open."""
    if switch.reading is None or switch.chosen:
        return
    when = f"{from_seconds(switch.effective).astimezone(ctx.zone):%a %Y-%m-%d %H:%M}"
    at = f"{from_seconds(switch.at).astimezone(ctx.zone):%a %Y-%m-%d %H:%M}"
    if switch.reading == "end_of_block":
        taken = (
            f"the engine reads it as end_of_block: {switch.before} keeps the children until "
            f"the previous schedule's next handover, {at}, and the new schedule applies "
            "from then"
        )
        if switch.then == switch.before:
            taken += (
                f" (it names {switch.then} then, so that handover does not happen and "
                f"{switch.before} keeps the children until the new schedule's first one)"
            )
    else:
        taken = f"the engine reads it as at_effective: the children go to {switch.after} at {at}"
    other = OTHER[switch.reading]
    ctx.warn(
        f"amendments[{switch.amendment}].effective: {switch.title} takes effect {when}, in "
        f"the middle of {switch.before}'s time (the new schedule gives the children to "
        f'{switch.after} then); {taken}. Add switch = "{other}" for the other reading, '
        f'or switch = "{switch.reading}" to confirm this one'
    )
