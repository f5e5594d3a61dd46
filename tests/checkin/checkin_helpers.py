"""A small client for the check-in pages: reads forms out of the HTML, posts them back."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit


@dataclass
class Form:
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (value, label)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form())
        elif tag == "input" and a.get("type") == "hidden" and self.forms:
            self.forms[-1].hidden[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms:
            self._button = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self.forms[-1].buttons.append((self._button, data.strip()))
            self._button = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Site:
    url: str
    tokens: dict[str, str]

    def path(self, who: str) -> str:
        return f"/checkin/{self.tokens[who]}"

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, text)
        finally:
            conn.close()

    def page(self, who: str) -> Reply:
        return self.request("GET", self.path(who))

    def post(self, who: str, fields: dict[str, str], **headers: str) -> Reply:
        head = {"Content-Type": "application/x-www-form-urlencoded"}
        head |= {k.replace("_", "-"): v for k, v in headers.items()}
        return self.request("POST", self.path(who), urlencode(fields).encode(), head)

    def press(self, who: str, action: str, **extra: str) -> Reply:
        """Load the page and press the first button ``action``, as a browser would."""
        for form in forms_of(self.page(who).text):
            if any(value == action for value, _ in form.buttons):
                return self.post(who, {**form.hidden, "action": action, **extra})
        raise AssertionError(f"no {action!r} button on {who}'s page")
