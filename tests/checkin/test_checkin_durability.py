"""Check-ins under concurrency and crashes: every acknowledged record is in one valid chain.

* both parents' check-ins and the coordinator's CLI records, all at the same moment,
  land in one chain;
* ``pc-calendar serve`` killed (SIGKILL) while check-ins are being written loses none
  that it acknowledged (answered 303 with the record's number).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.client import HTTPException
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from checkin_helpers import AT, EXCHANGE, Served, Site, issue_links, write_plans

from pc_calendar.exchanges.service import engine_timeline, record_outcome
from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.plan.load import load_plan

NOW = (AT + timedelta(minutes=5)).isoformat()


def _log(data: Path) -> tuple[list, bool]:
    path = data / "exchanges" / "rivera-chen.sqlite3"
    with ExchangeStore.open(path, "rivera-chen", create=False) as store:
        return store.records(), store.verify().ok


def _seq(reply) -> int | None:
    if reply.status != 303:
        return None
    return int(parse_qs(urlsplit(reply.headers["location"]).query)["done"][0])


def test_checkins_and_coordinator_records_at_once_form_one_chain(tmp_path: Path) -> None:
    data = tmp_path / "data"
    plans = write_plans(tmp_path)
    tokens = issue_links(data)
    plan = load_plan(plans[0])
    start = threading.Barrier(3)
    rounds = 8

    def parent(who: str) -> list[int | None]:
        site = Site(served.url, tokens)
        start.wait()
        return [_seq(site.press(who, "handed")) for _ in range(rounds)]

    def coordinator() -> list[int]:
        start.wait()
        return [
            record_outcome(
                plan,
                data / "exchanges" / "rivera-chen.sqlite3",
                EXCHANGE,
                "on-time",
                now=AT + timedelta(minutes=5),
                compute=engine_timeline,
                pm=None,
            ).record.seq
            for _ in range(rounds)
        ]

    served = Served(plans, data, {"PC_CALENDAR_NOW": NOW, "PC_CALENDAR_PLUGINS": "none"})
    try:
        with ThreadPoolExecutor(3) as pool:
            jobs = [pool.submit(parent, "alex"), pool.submit(parent, "sam")]
            jobs.append(pool.submit(coordinator))
            alex, sam, coord = (job.result(timeout=120) for job in jobs)
    finally:
        served.stop()
    records, ok = _log(data)
    assert ok
    assert None not in alex + sam
    assert sorted(alex + sam + coord) == list(range(1, 3 * rounds + 1))
    by_seq = {r.seq: r for r in records}
    assert {by_seq[s].reported_by for s in alex} == {"alex"}
    assert {by_seq[s].reported_by for s in sam} == {"sam"}
    assert {(by_seq[s].reported_by, by_seq[s].channel) for s in coord} == {("coordinator", "cli")}


def test_server_killed_mid_write_loses_nothing_acknowledged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    plans = write_plans(tmp_path)
    tokens = issue_links(data)
    served = Served(plans, data, {"PC_CALENDAR_NOW": NOW, "PC_CALENDAR_PLUGINS": "none"})
    acknowledged: list[int] = []
    stop = threading.Event()

    def keep_pressing(who: str) -> None:
        site = Site(served.url, tokens)
        while not stop.is_set():
            try:
                seq = _seq(site.press(who, "here"))
            except (OSError, HTTPException, AssertionError):
                return  # the server is gone (mid-reply: an incomplete read)
            if seq is not None:
                acknowledged.append(seq)

    workers = [threading.Thread(target=keep_pressing, args=(w,)) for w in ("alex", "sam") * 2]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    served.stop(kill=True)  # SIGKILL while the workers are still pressing
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    records, ok = _log(data)
    assert len(acknowledged) >= 20
    assert ok
    assert set(acknowledged) <= {r.seq for r in records}
