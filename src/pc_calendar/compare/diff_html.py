"""``diff --html``: one self-contained, printable page a coordinator can send both parents.

The same sections as the text output, with names rather than ids, no scripts, fonts or
images from elsewhere, and no generation time, so the same comparison gives the same
bytes. Calendar UIDs are left out: parents recognise events by their titles.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import PurePath

from .diff_view import Section, event_rows, headline, sections
from .plan_diff import PlanDiff

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem;
       color: #111; max-width: 70rem; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem 0; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem 0; }
p { margin: .2rem 0; }
p.verdict { font-weight: 700; margin-top: .6rem; }
table { border-collapse: collapse; margin: .3rem 0; }
th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left; font-size: .9rem;
         vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.removed td { color: #8a1c1c; }
tr.added td { color: #1c5a1c; }
p.note { color: #444; font-size: .9rem; }
footer { margin-top: 1.5rem; font-size: .8rem; color: #444; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""

#: a cell holding only a signed number is right-aligned, like figures in print
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _table(section: Section) -> list[str]:
    out = ["<table>", "<thead><tr>"]
    out += [f'<th scope="col">{escape(h)}</th>' for h in section.headers]
    out += ["</tr></thead>", "<tbody>"]
    for row in section.rows:
        kind = row[0] if row and row[0] in ("added", "removed", "moved") else ""
        out.append(f'<tr class="{kind}">' if kind else "<tr>")
        for cell in row:
            css = ' class="num"' if _NUMBER.match(cell) else ""
            out.append(f"<td{css}>{escape(cell)}</td>")
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _file(label: str) -> str:
    """A plan's file name (with any @REV), not the folders of the coordinator's machine."""
    path, at, revision = label.partition("@")
    return (PurePath(path).name or path) + at + revision


def render_html(diff: PlanDiff, *, events: bool = True) -> str:
    """The whole page as text (UTF-8)."""
    title = f"Proposed change: {diff.new.family.name}"
    lines = headline(diff)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
        *(f"<p>{escape(line)}</p>" for line in lines[1:-1]),
        f'<p class="verdict">{escape(lines[-1])}</p>',
        f"<p>Before: {escape(_file(diff.old_label))}. After: {escape(_file(diff.new_label))}.</p>",
        "</header>",
    ]
    for section in sections(diff):
        out.append("<section>")
        out.append(f"<h2>{escape(section.title)}</h2>")
        if section.rows:
            out += _table(section)
        out += [f'<p class="note">{escape(note)}</p>' for note in section.notes]
        out.append("</section>")
    rows = event_rows(diff)
    if events and rows:
        out += ["<section>", "<h2>Calendar events</h2>"]
        out += _table(Section("", ("Parent", "Change", "When", "Event"), [tuple(r) for r in rows]))
        out.append("</section>")
    out += [
        "<footer>",
        "<p>Made with pc-calendar from both versions of the parenting plan. Times are "
        f"local to {escape(diff.zone.key)}. Nothing changes until the plan is agreed and "
        "synced.</p>",
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
