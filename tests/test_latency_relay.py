"""The benchmarks' latency relay stops without a word on stderr.

``benchmarks/latency_relay.py`` sits between the latency benchmarks' clients and their
servers; stopping it used to print "Task was destroyed but it is pending!" and asyncio
tracebacks into the benchmark output when a connection was being made or relayed at
that moment. Here a fresh interpreter (``-W error``: a ResourceWarning for a socket or
transport left open shows too) relays bytes to a tiny echo server on 127.0.0.1 through
connections closed, idle, mid-transfer and still arriving, stops the relay and exits:
its stderr must stay empty. No latency benchmark runs (they need ``unshare -n``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"

SCRIPT = r"""
import gc, socket, sys, threading, time
sys.path.insert(0, sys.argv[1])
from latency_relay import LatencyRelay

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(256)
conns = []

def echo():
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        conns.append(conn)
        threading.Thread(target=answer, args=(conn,), daemon=True).start()

def answer(conn):
    try:
        while data := conn.recv(65536):
            conn.sendall(data)
    except OSError:
        pass

threading.Thread(target=echo, daemon=True).start()
relayed = 0
for round in range(ROUNDS):
    relay = LatencyRelay(listener.getsockname()[1], 0.002).start()
    clients = []
    for i in range(3):
        client = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
        clients.append(client)
        message = b"exchange at 18:00 #%d" % i
        client.sendall(message)
        got = b""
        while len(got) < len(message):
            got += client.recv(100)
        assert got == message, got
        relayed += len(got)
    clients[0].close()  # one closed, one idle, one with a large write under way
    clients[2].sendall(b"x" * 200_000)
    arriving = threading.Event()

    def connect_meanwhile():
        while not arriving.is_set():
            try:
                with socket.create_connection(("127.0.0.1", relay.port), timeout=0.2) as late:
                    late.sendall(b"late")
            except OSError:
                time.sleep(0.001)

    callers = [threading.Thread(target=connect_meanwhile) for _ in range(3)]
    for caller in callers:
        caller.start()
    time.sleep(0.03)
    relay.stop()
    arriving.set()
    for caller in callers:
        caller.join()
    for client in clients:
        client.close()
    gc.collect()
listener.close()
for conn in conns:
    conn.close()
gc.collect()
print("relayed", relayed)
"""

ROUNDS = 6


def test_the_relay_passes_bytes_and_stops_silently() -> None:
    script = SCRIPT.replace("ROUNDS", str(ROUNDS))
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, str(BENCHMARKS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["relayed", str(ROUNDS * 3 * len("exchange at 18:00 #0"))]
    assert done.stderr == ""
