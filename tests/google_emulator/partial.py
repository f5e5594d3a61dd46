"""Partial responses: Google's ``fields`` parameter (``items(id,etag),nextPageToken``).

A client that asks for fields gets only those, so a backend that forgets to request e.g.
``nextSyncToken`` breaks here exactly as it would against Google.
"""

from __future__ import annotations

from .errors import bad_request

Selection = dict[str, "Selection | None"]  # None: the whole value


def parse(spec: str) -> Selection:
    """Parse a fields expression into a nested selection; 400 if malformed."""
    selection, rest = _parse_list(spec.replace(" ", ""), spec)
    if rest:
        raise bad_request(f"Invalid field selection {spec}", location="fields")
    return selection


def _parse_list(text: str, spec: str) -> tuple[Selection, str]:
    selection: Selection = {}
    while True:
        name_end = 0
        while name_end < len(text) and text[name_end] not in ",()":
            name_end += 1
        path, text = text[:name_end], text[name_end:]
        if not path or any(not part for part in path.split("/")):
            raise bad_request(f"Invalid field selection {spec}", location="fields")
        sub: Selection | None = None
        if text.startswith("("):
            sub, text = _parse_list(text[1:], spec)
            if not text.startswith(")"):
                raise bad_request(f"Invalid field selection {spec}", location="fields")
            text = text[1:]
        _add(selection, path.split("/"), sub)
        if not text.startswith(","):
            return selection, text
        text = text[1:]


def _add(selection: Selection, names: list[str], sub: Selection | None) -> None:
    head, rest = names[0], names[1:]
    if not rest:
        selection[head] = sub if head not in selection or selection[head] is not None else None
        return
    child = selection.setdefault(head, {})
    if child is not None:
        _add(child, rest, sub)


def apply(value: object, selection: Selection | None) -> object:
    """The part of ``value`` the selection keeps (lists are filtered element-wise)."""
    if selection is None:
        return value
    if isinstance(value, list):
        return [apply(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in selection:
        return value
    return {k: apply(value[k], sub) for k, sub in selection.items() if k in value}
