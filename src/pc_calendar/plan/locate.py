"""Find the line of a key path in TOML text, so errors can say ``plan.toml:42``.

tomllib returns plain data without positions, so this module scans the text once and
records the line where every key, table header and array element starts. It is not a
validating parser: it runs only on text tomllib already accepted, and any surprise
makes it stop recording rather than fail (a missing line number is better than a crash).

>>> loc = Locator('[family]\\nid = "x"\\n\\n[[holidays]]\\nname = "a"\\n[[holidays]]\\n'
...               'date = { rule = "fixed",\\n  month = 13 }\\n')
>>> loc.line_of(("holidays", 1, "date", "month")), loc.line_of("holidays[0].name")
(8, 5)
"""

from __future__ import annotations

import contextlib
import re
import tomllib

Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SPACE_STARTS = frozenset(" \t\r\n#")
_SPACE = re.compile(r"(?:[ \t\r]+|#[^\n]*)*")
_SPACE_AND_NEWLINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_SCALAR = re.compile(r"[^,\]}\n#]*")
# A whole line ``a.b = value`` with bare keys and a one-line value: most of a plan, read
# with one match instead of character by character (10,000 overrides: 5x faster).
_SIMPLE_KEY_VALUE = re.compile(
    r"([A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*)[ \t]*=[ \t]*"
    r"(?:\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s\"'\[\]{},#][^\n#,\]}]*)"
    r"[ \t]*(?:#[^\n]*)?(?:\n|$)"
)
_PATH_PART = re.compile(r'\.?(?:"((?:[^"\\]|\\.)*)"|([^.\[\]]+))|\[(\d+)\]')


def format_path(path: Path) -> str:
    """``("holidays", 2, "start")`` -> ``holidays[2].start`` (keys quoted when needed)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _BARE.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            out += f".{text}" if out else text
    return out


def parse_path(text: str) -> Path:
    """The inverse of :func:`format_path`."""
    parts: list[str | int] = []
    for m in _PATH_PART.finditer(text):
        if m[3] is not None:
            parts.append(int(m[3]))
        else:
            parts.append(m[1] if m[1] is not None else m[2].strip())
    return tuple(parts)


class _Stop(Exception):
    """The scanner met something it does not understand; keep what it has."""


class Locator:
    """Line numbers (1-based) of the key paths in one TOML document."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: dict[Path, int] | None = None
        self._pos = 0
        self._line = 1
        self._aot_counts: dict[Path, int] = {}

    @property
    def lines(self) -> dict[Path, int]:
        """Every key path's line; the text is scanned on first use (only messages need
        lines, and most plans load without any)."""
        if self._lines is None:
            self._lines = {}
            with contextlib.suppress(_Stop, IndexError):
                self._scan()
        return self._lines

    def line_of(self, path: Path | str) -> int | None:
        """The line of ``path``, or of its closest enclosing key that appears in the text."""
        if isinstance(path, str):
            path = parse_path(path)
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    # -- scanning -------------------------------------------------------------------

    def _peek(self, n: int = 1) -> str:
        return self.text[self._pos : self._pos + n]

    def _advance(self, n: int = 1) -> None:
        self._line += self.text.count("\n", self._pos, self._pos + n)
        self._pos += n

    def _skip_space(self, newlines: bool) -> None:
        if self.text[self._pos : self._pos + 1] not in _SPACE_STARTS:
            return
        pattern = _SPACE_AND_NEWLINES if newlines else _SPACE
        m = pattern.match(self.text, self._pos)
        if m and m.end() > self._pos:
            self._advance(m.end() - self._pos)

    def _record(self, path: Path, line: int) -> None:
        """Remember the line of ``path`` and of tables it creates implicitly."""
        for end in range(1, len(path) + 1):
            self._lines.setdefault(path[:end], line)  # type: ignore[union-attr]

    def _scan(self) -> None:
        table: Path = ()
        lines = self._lines
        assert lines is not None  # set by ``lines`` before the scan
        text, simple = self.text, _SIMPLE_KEY_VALUE.match
        while True:
            self._skip_space(newlines=True)
            if self._pos >= len(text):
                return
            line = self._line
            if m := simple(text, self._pos):  # most lines: one match, no character loop
                keys = m[1].split(".")
                if len(keys) == 1:
                    lines.setdefault((*table, keys[0].strip()), line)
                else:
                    path = (*table, *(key.strip() for key in keys))
                    for end in range(len(table) + 1, len(path) + 1):  # table is recorded
                        lines.setdefault(path[:end], line)
                self._pos = m.end()
                self._line += 1  # the match ends with its line's newline
            elif self._peek(2) == "[[":
                self._advance(2)
                path = self._resolve(self._keys())
                self._expect("]]")
                index = self._aot_counts.get(path, 0)
                self._aot_counts[path] = index + 1
                table = (*path, index)
                self._record(path, line)
                self._record(table, line)
            elif self._peek() == "[":
                self._advance()
                table = self._resolve(self._keys())
                self._expect("]")
                self._record(table, line)
            else:
                self._key_value(table)

    def _resolve(self, keys: Path) -> Path:
        """Insert the current index after every array-of-tables prefix of a header."""
        out: Path = ()
        for key in keys[:-1]:
            out = (*out, key)
            if out in self._aot_counts:
                out = (*out, self._aot_counts[out] - 1)
        return (*out, *keys[-1:])

    def _expect(self, token: str) -> None:
        self._skip_space(newlines=False)
        if self._peek(len(token)) != token:
            raise _Stop
        self._advance(len(token))

    def _keys(self) -> Path:
        keys: list[str] = []
        while True:
            self._skip_space(newlines=False)
            ch = self._peek()
            if ch in ('"', "'"):
                keys.append(self._string())
            else:
                m = _BARE.match(self.text, self._pos)
                if not m:
                    raise _Stop
                keys.append(m[0])
                self._advance(len(m[0]))
            self._skip_space(newlines=False)
            if self._peek() != ".":
                return tuple(keys)
            self._advance()

    def _key_value(self, base: Path) -> None:
        line = self._line
        path = (*base, *self._keys())
        self._expect("=")
        self._record(path, line)
        self._skip_space(newlines=False)
        self._value(path)

    def _value(self, path: Path) -> None:
        ch = self._peek()
        if ch in ('"', "'"):
            self._string()
        elif ch == "{":
            self._advance()
            while True:
                self._skip_space(newlines=True)
                if self._peek() == "}":
                    self._advance()
                    return
                self._key_value(path)
                self._skip_space(newlines=True)
                if self._peek() == ",":
                    self._advance()
        elif ch == "[":
            self._advance()
            index = 0
            while True:
                self._skip_space(newlines=True)
                if self._peek() == "]":
                    self._advance()
                    return
                self._record((*path, index), self._line)
                self._value((*path, index))
                index += 1
                self._skip_space(newlines=True)
                if self._peek() == ",":
                    self._advance()
        else:
            m = _SCALAR.match(self.text, self._pos)
            if not m or not m[0].strip():
                raise _Stop
            self._advance(len(m[0]))

    def _string(self) -> str:
        quote = self._peek()
        if self._peek(3) == quote * 3:
            end = self._pos + 3
            while not self.text.startswith(quote * 3, end):
                if end >= len(self.text):
                    raise _Stop
                end += 2 if quote == '"' and self.text[end] == "\\" else 1
            while self.text[end + 3 : end + 4] == quote:  # up to two quotes may end it
                end += 1
            value = self.text[self._pos + 3 : end]
            self._advance(end + 3 - self._pos)
            return value
        i = self._pos + 1
        while i < len(self.text) and self.text[i] != quote:
            if quote == '"' and self.text[i] == "\\":
                i += 1
            if self.text[i] == "\n":
                raise _Stop
            i += 1
        raw = self.text[self._pos + 1 : i]
        self._advance(i + 1 - self._pos)
        if quote == '"' and "\\" in raw:  # let tomllib decode the escapes exactly
            with contextlib.suppress(tomllib.TOMLDecodeError):
                raw = tomllib.loads(f'k = "{raw}"')["k"]
        return raw
