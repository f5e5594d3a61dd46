"""A small client for the check-in pages: reads forms out of the HTML, posts them back."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from pc_calendar.feeds.checkin_tokens import CheckinTokens
from pc_calendar.feeds.server import build_app
from pc_calendar.feeds.tokens import TokenStore


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

    def connection(self) -> http.client.HTTPConnection:
        """A fresh connection to the site (one per request)."""
        parts = urlsplit(self.url)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        conn = self.connection()
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
        page = self.page(who)
        for form in forms_of(page.text):
            if any(value == action for value, _ in form.buttons):
                return self.post(who, {**form.hidden, "action": action, **extra})
        raise AssertionError(
            f"no {action!r} button on {who}'s page ({page.status}: {page.text[:300]!r})"
        )


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rivera-chen.toml"
EXCHANGE = "2026-11-13T1500-sam-alex"
AT = datetime(2026, 11, 13, 21, 0, tzinfo=UTC)
BEFORE = datetime(2026, 11, 13, 20, 50, tzinfo=UTC)
CHECKIN = '\n[checkin]\nurl = "https://cal.example.org"\n'


def write_plans(folder: Path) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8") + CHECKIN
    first = folder / "rivera-chen.toml"
    first.write_text(text, encoding="utf-8")
    second = folder / "okafor-lind.toml"
    second.write_text(
        text.replace('id = "rivera-chen"', 'id = "okafor-lind"').replace(
            "Rivera-Chen family", "Okafor-Lind family"
        ),
        encoding="utf-8",
    )
    return [first, second]


def make_app(plans: list[Path], data: Path, clock: list[datetime], **options):
    return build_app(
        plans,
        data / "feeds.sqlite3",
        warm=False,
        clock=lambda: clock[0],
        exchange_db=lambda family: data / "exchanges" / f"{family}.sqlite3",
        months=(1, 2),
        **({"rate": None} | options),
    )


def issue_links(data: Path) -> dict[str, str]:
    links = CheckinTokens(data)
    tokens = {
        "alex": links.issue("rivera-chen", "alex"),
        "sam": links.issue("rivera-chen", "sam"),
        "other-alex": links.issue("okafor-lind", "alex"),
    }
    links.close()
    feeds = TokenStore(data / "feeds.sqlite3")
    tokens["feed-alex"] = feeds.issue("rivera-chen", "alex")
    feeds.close()
    return tokens


class Served:
    """``pc-calendar serve`` in its own process (so it can be killed), on a free port."""

    def __init__(self, plans: list[Path], data: Path, env: dict[str, str], *args: str) -> None:
        import os
        import subprocess
        import sys

        command = [sys.executable, "-c", "from pc_calendar.cli import main; main()", "serve"]
        command += [*map(str, plans), "--port", "0", "--db", str(data / "feeds.sqlite3")]
        command += ["--rate", "0", *args]
        self.proc = subprocess.Popen(
            command,
            env={**os.environ, "PC_CALENDAR_DATA_DIR": str(data), **env},
            stderr=subprocess.PIPE,
            text=True,
        )
        self.url = ""
        self.log: list[str] = []
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            if "serving" in line and "http://" in line:
                self.url = "http://" + line.split("http://")[1].split("/")[0]
                break
        if not self.url:
            self.proc.kill()
            raise AssertionError(f"serve did not start (exit {self.proc.wait()})")
        import threading

        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def stop(self, kill: bool = False) -> None:
        if self.proc.poll() is None:
            (self.proc.kill if kill else self.proc.terminate)()
        self.proc.wait(timeout=30)
