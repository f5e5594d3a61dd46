"""SabreDAV (the CalDAV library under Nextcloud and Baïkal) on PHP's built-in server with
several workers and an SQLite store: a server that takes concurrent writes.

Debian's ``php-sabre-dav`` is SabreDAV 1.8 (no sync-collection, so clients list by ctag);
its CalDAV writes are what newer versions do. Installed by ``apt-get install php-cli
php-sqlite3 php-sabre-dav``; the latency benchmark runs it when ``php`` and SabreDAV are
there. No authentication: it listens on 127.0.0.1 inside the benchmark's own network.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from servers import CalDAVServer

SABRE = Path("/usr/share/php/Sabre/autoload.php")
SCHEMA = Path("/usr/share/doc/php-sabre-dav/examples/sql")
WORKERS = 8

SERVER_PHP = """<?php
date_default_timezone_set('UTC');
$pdo = new \\PDO('sqlite:' . __DIR__ . '/db.sqlite');
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$pdo->exec('PRAGMA busy_timeout = 10000');
require_once 'Sabre/autoload.php';
$calendars = new \\Sabre\\CalDAV\\Backend\\PDO($pdo);
$principals = new \\Sabre\\DAVACL\\PrincipalBackend\\PDO($pdo);
$server = new \\Sabre\\DAV\\Server(array(
    new \\Sabre\\CalDAV\\Principal\\Collection($principals),
    new \\Sabre\\CalDAV\\CalendarRootNode($principals, $calendars),
));
$server->setBaseUri('/');
$server->addPlugin(new \\Sabre\\CalDAV\\Plugin());
$server->exec();
"""


def have_sabredav() -> bool:
    return shutil.which("php") is not None and SABRE.exists() and SCHEMA.is_dir()


class SabreDAVServer(CalDAVServer):
    """SabreDAV with ``WORKERS`` PHP workers answering at once (SQLite in WAL mode)."""

    def __init__(self, root: Path) -> None:
        super().__init__("sabredav", root)
        self.home = "/calendars/admin/"
        site = root / "sabredav"
        site.mkdir(parents=True, exist_ok=True)
        (site / "server.php").write_text(SERVER_PHP)
        db = sqlite3.connect(site / "db.sqlite")
        for part in ("calendars", "principals"):
            db.executescript((SCHEMA / f"sqlite.{part}.sql").read_text())
        db.execute("PRAGMA journal_mode=WAL")
        db.commit()
        db.close()

    def command(self) -> list[str]:
        php = shutil.which("php") or "php"
        site = self.root / "sabredav"
        return [
            "env",
            f"PHP_CLI_SERVER_WORKERS={WORKERS}",
            php,
            "-d",
            "error_reporting=0",
            "-S",
            f"127.0.0.1:{self.port}",
            str(site / "server.php"),
        ]

    def requests_logged(self) -> int | None:
        return None
