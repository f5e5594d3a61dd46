"""Trusted timestamps (RFC 3161) of the chain's head, kept beside the log and elsewhere.

An anchor is a time-stamping authority's signed statement that a short text naming the
family, the number of records and the head hash existed at a time. The TSA is the
coordinator's choice (``[evidence] tsa_url`` in the plan); nobody holding the log file
can make one for an earlier time. So whoever rewrites history, even re-hashing every
record after a change, leaves a log that no longer contains the anchored head.

The statement a token signs (its SHA-256 is the token's message imprint) is exactly::

    pc-calendar exchange log anchor
    family <family id>
    records <n>
    head <hash of record n>

with a newline after each line, UTF-8. ``openssl ts`` builds the request and checks the
reply, so there is no hand-written ASN.1 here, and a third party checks a token with the
same command (docs/exchange-log-format.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import UserError

ANCHOR_FORMAT = "pc-calendar exchange anchor"
TIMEOUT_S = 30
_IMPRINT = re.compile(r"^Message data:\n((?:    [0-9a-f]{4} - .*\n)+)", re.M)
_TIME = re.compile(r"^Time stamp: (\w{3}) +(\d+) (\d\d:\d\d:\d\d)(?:\.\d+)? (\d{4}) GMT", re.M)


@dataclass(frozen=True)
class Anchor:
    family: str
    records: int
    head_hash: str
    time: str  # the TSA's time, UTC ISO with Z
    tsa_url: str
    token: bytes  # the TimeStampResp, DER
    source: str = ""  # where it was read, for messages

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ANCHOR_FORMAT,
            "version": 1,
            "family": self.family,
            "records": self.records,
            "head_hash": self.head_hash,
            "time": self.time,
            "tsa_url": self.tsa_url,
            "token": base64.b64encode(self.token).decode("ascii"),
        }


def statement(family: str, records: int, head_hash: str) -> bytes:
    """The exact bytes an anchor's token time-stamps."""
    return (
        f"pc-calendar exchange log anchor\nfamily {family}\nrecords {records}\nhead {head_hash}\n"
    ).encode()


def anchors_path(db_path: Path) -> Path:
    """The anchors file kept beside a log: ``<log>.anchors.jsonl``."""
    return db_path.with_name(f"{db_path.name}.anchors.jsonl")


def _openssl(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["openssl", *args], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise UserError(
            "openssl: not found; RFC 3161 anchors need the openssl command",
            hint="install openssl (e.g. apt-get install openssl)",
        ) from None


def request_anchor(
    family: str, records: int, head_hash: str, tsa_url: str, ca_file: Path
) -> Anchor:
    """Ask the TSA to time-stamp the head; check the reply before returning it."""
    if not tsa_url.startswith(("http://", "https://")):
        raise UserError(f"tsa_url: expected an http:// or https:// URL, got {tsa_url!r}")
    with tempfile.TemporaryDirectory(prefix="pc-calendar-tsa-") as tmp:
        folder = Path(tmp)
        data, query, reply = folder / "statement", folder / "req.tsq", folder / "resp.tsr"
        data.write_bytes(statement(family, records, head_hash))
        made = _openssl("ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query))
        if made.returncode != 0:
            raise UserError(f"openssl ts -query failed: {made.stderr.strip()}")
        reply.write_bytes(_post(tsa_url, query.read_bytes()))
        checked = _openssl(
            "ts", "-verify", "-queryfile", str(query), "-in", str(reply), "-CAfile", str(ca_file)
        )
        if checked.returncode != 0 or "Verification: OK" not in checked.stdout:
            raise UserError(
                f"{tsa_url}: the time-stamp reply does not verify against {ca_file} "
                f"({_last_line(checked.stderr)}); nothing was stored"
            )
        token = reply.read_bytes()
    return Anchor(family, records, head_hash, token_time(token), tsa_url, token)


def _post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/timestamp-query"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            kind = response.headers.get("Content-Type", "")
            data = response.read()
    except urllib.error.HTTPError as exc:
        raise UserError(f"{url}: the time-stamping authority answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UserError(f"{url}: cannot reach the time-stamping authority ({reason})") from None
    if "timestamp-reply" not in kind:
        raise UserError(f"{url}: not a time-stamp reply (Content-Type {kind or 'missing'})")
    return data


def token_info(token: bytes) -> tuple[str, str] | None:
    """The TSA's time (UTC ISO text) and the message imprint (hex) a token
    (TimeStampResp DER) states, or None if it cannot be read as one."""
    with tempfile.NamedTemporaryFile(suffix=".tsr") as handle:
        handle.write(token)
        handle.flush()
        shown = _openssl("ts", "-reply", "-in", handle.name, "-text")
    found = _TIME.search(shown.stdout)
    imprint = _IMPRINT.search(shown.stdout)
    if shown.returncode != 0 or found is None or imprint is None:
        return None
    month, day, clock, year = found.groups()
    moment = datetime.strptime(f"{month} {day} {year} {clock}", "%b %d %Y %H:%M:%S")
    digest = "".join(
        line.split(" - ", 1)[1].split("   ", 1)[0].replace("-", "").replace(" ", "")
        for line in imprint.group(1).splitlines()
    )
    return moment.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), digest


def token_time(token: bytes) -> str:
    info = token_info(token)
    if info is None:
        raise UserError("the time-stamp token cannot be read (openssl ts -reply -text)")
    return info[0]


def imprint_problem(anchor: Anchor) -> tuple[str | None, str | None]:
    """(the token's time, None) if the token stamps this anchor's statement, else
    (time or None, why not). Without the TSA's CA this is all that can be checked."""
    info = token_info(anchor.token)
    if info is None:
        return None, "its token is not a readable time-stamp reply"
    when, digest = info
    if (
        digest
        != hashlib.sha256(statement(anchor.family, anchor.records, anchor.head_hash)).hexdigest()
    ):
        return when, "its token time-stamps a different head or record count"
    return when, None


def signature_problem(anchor: Anchor, ca_file: Path) -> str | None:
    """None if the token is the TSA's signature over this anchor's statement, else why."""
    with tempfile.TemporaryDirectory(prefix="pc-calendar-tsa-") as tmp:
        data, reply = Path(tmp) / "statement", Path(tmp) / "resp.tsr"
        data.write_bytes(statement(anchor.family, anchor.records, anchor.head_hash))
        reply.write_bytes(anchor.token)
        checked = _openssl(
            "ts", "-verify", "-data", str(data), "-in", str(reply), "-CAfile", str(ca_file)
        )
    if checked.returncode == 0 and "Verification: OK" in checked.stdout:
        return None
    return _last_line(checked.stderr) or "verification failed"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if "Using configuration" not in line]
    return lines[-1] if lines else ""


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Add one line to the anchors file (created 0600), flushed to disk before returning."""
    line = json.dumps(anchor.to_json(), sort_keys=True) + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the anchor ({exc.strerror})") from None
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_anchors(path: Path) -> tuple[list[Anchor], list[str]]:
    """Anchors in a file (JSON lines), and a problem per line that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such anchors file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the anchors ({exc})") from None
    anchors, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            anchors.append(_from_json(json.loads(line), f"{path.name}:{number}"))
        except (ValueError, KeyError, TypeError):
            problems.append(f"{path}:{number}: not an anchor; the anchors file was altered")
    return anchors, problems


def _from_json(item: dict[str, Any], source: str) -> Anchor:
    if item["format"] != ANCHOR_FORMAT or not isinstance(item["records"], int):
        raise ValueError(source)
    return Anchor(
        str(item["family"]),
        item["records"],
        str(item["head_hash"]),
        str(item["time"]),
        str(item["tsa_url"]),
        base64.b64decode(item["token"], validate=True),
        source,
    )
