"""Small invented plans for the diff and decisions tests, built from one base text.

Alternating weeks anchored on Monday 5 January 2026 with Dana: Dana has the weeks that
start 5 and 19 January, 2 and 16 February; Marcus the others. Handovers on Mondays at
18:00, curbside at Dana's. Independence Day (a Saturday in 2026, in Marcus's week) goes
to Dana in even years, 09:00 to 21:00.
"""

from __future__ import annotations

from pathlib import Path

BASE = """\
[family]
id = "okafor-lind"
name = "Okafor-Lind family"
timezone = "America/Chicago"

[parents.dana]
name = "Dana Lindqvist"
calendar = {{ type = "ics", folder = "out/dana" }}

[parents.marcus]
name = "Marcus Okafor"

[[children]]
id = "ivy"
name = "Ivy"
birth_date = 2017-03-02

[locations.home]
name = "Curbside at Dana's home"

[locations.library]
name = "Central Library"

[rotation]
pattern = "alternating_weeks"
anchor = 2026-01-05
parents = ["dana", "marcus"]

[exchange]
time = 18:00:00
location = "home"
{exchange}

[[holidays]]
name = "Independence Day"
date = {{ rule = "fixed", month = 7, day = 4 }}
start = {{ days = 0, time = 09:00:00 }}
end = {{ time = 21:00:00 }}
assign = {{ even_years = "{even}", odd_years = "{odd}" }}
{overrides}
"""

SWAP = """
[[overrides]]
name = "Dana's conference"
kind = "swap"
start = {start}
end = {end}
parent = "marcus"
agreed_by = ["dana", "marcus"]
decided_on = 2026-01-10
"""

#: the swapped weekend before and after the proposed change
JANUARY_WEEKEND = SWAP.format(start="2026-01-23T18:00:00", end="2026-01-25T18:00:00")
FEBRUARY_WEEKEND = SWAP.format(start="2026-02-06T18:00:00", end="2026-02-08T18:00:00")


def plan_text(
    *, overrides: str = "", exchange: str = "", even: str = "dana", odd: str = "marcus"
) -> str:
    return BASE.format(overrides=overrides, exchange=exchange, even=even, odd=odd)


def write_plan(path: Path, **parts: str) -> Path:
    path.write_text(plan_text(**parts))
    return path


#: a register: a swap, a coordinator's decision and an amendment, decided in that order
REGISTER = (
    JANUARY_WEEKEND.replace(
        "decided_on = 2026-01-10\n",
        "decided_on = 2026-01-10\nreview_on = 2026-02-01\nfees = { dana = 60, marcus = 40 }\n"
        'note = "Dana presents at a conference in Denver."\n',
    )
    + """
[[overrides]]
name = "Grandmother's 80th"
kind = "decision"
start = 2026-02-13T18:00:00
end = 2026-02-15T18:00:00
parent = "dana"
decided_by = "coordinator"
decided_on = 2026-02-01
review_on = 2026-03-01
fees = { marcus = 100 }
note = "Marcus refused the swap Dana asked for in good time."

[[amendments]]
name = "Mondays at the library"
effective = 2026-03-01
kind = "decision"
decided_by = "coordinator"
decided_on = 2026-02-20
reason = "Curbside handovers led to arguments; the library is neutral ground."
cites = "Plan section 5"
review_on = 2026-06-01
fees = { dana = 50, marcus = 50 }
exchange = { location = "library" }
"""
)


#: a visit added by one amendment and ended by the next
DINNERS = """
[[amendments]]
name = "Wednesday dinner"
effective = 2026-03-01
kind = "agreement"
agreed_by = ["dana", "marcus"]
decided_on = 2026-02-20
reason = "Dana asked for a midweek dinner."

[[amendments.visits]]
name = "Wednesday dinner"
parent = "dana"
weekday = "wednesday"
start = 17:00:00
end = 19:30:00

[[amendments]]
name = "No more Wednesday dinner"
effective = 2026-06-01
kind = "decision"
decided_by = "coordinator"
decided_on = 2026-05-20
reason = "Dinners clashed with swim practice."
remove = { visits = ["Wednesday dinner"] }
"""
