"""A TCP relay that adds network latency in front of a local server, for benchmarks.

Real calendar servers are 30-150 ms away; the benchmarks' servers are on loopback. ``tc
netem`` needs a kernel module this machine may lack, so this relay does the same job in
user space: every chunk read from one side is written to the other ``delay`` seconds
after it arrived, in order, per connection and per direction. Chunks are delayed, not
serialised: a client that keeps several requests in flight (more connections, HTTP/2,
pipelining) gets them through in one round trip, as on a real link. A new connection
pays one round trip before its first byte moves on, like a TCP handshake.

Run it inside a private network namespace (``unshare -n`` as root, then ``ip link set
lo up``) together with the server and the clients, so nothing leaves the machine;
:func:`enter_private_network` re-executes a benchmark that way.

Standalone: ``python3 benchmarks/latency_relay.py LISTEN_PORT TARGET_PORT --ms 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress

CHUNK = 65536
#: seconds stop() waits for the connections to close and the loop to end
SHUTDOWN_WAIT = 10.0
#: set in the re-executed process, so it does not unshare again
INSIDE = "PC_CALENDAR_BENCH_PRIVATE_NET"


class LatencyRelay:
    """Listen on 127.0.0.1:``port`` (0: any free port), relay to ``target``, adding
    ``one_way`` seconds each direction. Runs its event loop in a daemon thread.

    :meth:`stop` closes the listener and every connection and sees each task to its
    end before the loop closes: a task left pending when its loop goes away makes
    asyncio print "Task was destroyed but it is pending!" (and, on Python 3.11, a
    connection task that ends cancelled makes it print a CancelledError traceback),
    noise in the benchmarks' output.
    """

    def __init__(self, target_port: int, one_way: float, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.one_way = one_way
        self.port = 0
        self.connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._closing = False
        self._relaying: set[asyncio.Task] = set()  # one per open connection

    def start(self, port: int = 0) -> LatencyRelay:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            server = loop.run_until_complete(
                asyncio.start_server(self._accept, "127.0.0.1", port, backlog=256)
            )
            self._server = server
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())  # when stop() could not run it
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=serve, name="latency-relay", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("latency relay did not start")
        return self

    def stop(self) -> None:
        """Stop accepting, drop every connection, finish every task, close the loop."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with suppress(Exception):  # a loop that already ended shuts down on its own
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(SHUTDOWN_WAIT)
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(loop.stop)
        thread.join(SHUTDOWN_WAIT)
        self._loop = None

    def __enter__(self) -> LatencyRelay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _shutdown(self) -> None:
        """Stop accepting, cancel each connection's relaying, wait until no task is
        left, then close the listener.

        Accepting stops first and the listener closes last: a connection asyncio is
        still accepting when its server closes is left half-made (Python 3.11), its
        socket never closed. Connections accepted meanwhile see ``_closing`` and end.
        """
        self._closing = True
        server = self._server
        if server is not None:
            for sock in server.sockets:
                asyncio.get_running_loop().remove_reader(sock.fileno())
        me = asyncio.current_task()
        deadline = time.monotonic() + SHUTDOWN_WAIT
        while time.monotonic() < deadline:
            others = {task for task in asyncio.all_tasks() if task is not me}
            if not others:
                break
            for task in others & self._relaying:
                task.cancel()
            await asyncio.wait(others, timeout=deadline - time.monotonic())
        if server is not None:
            server.close()
            await server.wait_closed()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        """One client connection; never ends cancelled (see the class docstring)."""
        task = asyncio.current_task()
        assert task is not None
        self._relaying.add(task)
        try:
            if not self._closing:
                await self._relay(client_r, client_w)
        except asyncio.CancelledError:
            pass  # the relay is stopping
        finally:
            self._relaying.discard(task)
            await _closed(client_w, drop=self._closing)

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        opened = time.monotonic()
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            return

        def close_both() -> None:
            for writer in (client_w, server_w):
                with suppress(OSError, RuntimeError):
                    writer.close()

        # A handshake: the client's first byte reaches the server no sooner than 1.5 RTT
        # after connecting (SYN, SYN-ACK, then the data's own way).
        first = opened + 3 * self.one_way
        try:
            await asyncio.gather(
                self._pump(client_r, server_w, first, close_both),
                self._pump(server_r, client_w, opened, close_both),
                return_exceptions=True,
            )
        finally:
            await _closed(server_w, drop=self._closing)

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        not_before: float,
        on_error: Callable[[], None],
    ) -> None:
        """Copy ``reader`` to ``writer``, each chunk ``one_way`` after it was read (and
        none before ``not_before``); end of stream is passed on the same way."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    with suppress(OSError, RuntimeError):
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        try:
            while True:
                data = await reader.read(CHUNK)
                queue.put_nowait((max(time.monotonic() + self.one_way, not_before), data))
                if not data:
                    break
            await sender
        except (OSError, RuntimeError):
            on_error()
        finally:
            sender.cancel()
            with suppress(asyncio.CancelledError, Exception):  # its end is taken, not logged
                await sender


async def _closed(writer: asyncio.StreamWriter, drop: bool = False) -> None:
    """Close ``writer`` (``drop``: at once, unsent data discarded, as a stopping relay
    does) and wait (briefly) until its socket is released."""
    with suppress(OSError, RuntimeError):
        if drop:
            writer.transport.abort()
        else:
            writer.close()
    with suppress(Exception):
        await asyncio.wait_for(writer.wait_closed(), SHUTDOWN_WAIT / 10)


def enter_private_network() -> None:
    """Re-execute this script inside a new network namespace with only ``lo`` up.

    The server, the relay and every client then share a loopback nobody else sees, and
    no benchmark request can leave the machine. Needs root (or user namespaces) and
    ``unshare``/``ip``; without them the benchmark stops and says so.
    """
    if os.environ.get(INSIDE):
        return
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if unshare is None or ip is None:
        raise SystemExit("the latency benchmark needs unshare and ip (util-linux, iproute2)")
    script = f'"{ip}" link set lo up && exec "$@"'
    argv = [unshare, "-n", "sh", "-c", script, "sh", sys.executable, *sys.argv]
    done = subprocess.run(argv, env={**os.environ, INSIDE: "1"})
    raise SystemExit(done.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("listen", type=int)
    parser.add_argument("target", type=int)
    parser.add_argument("--ms", type=float, default=20.0, help="delay each way (ms)")
    args = parser.parse_args()
    relay = LatencyRelay(args.target, args.ms / 1000).start(args.listen)
    print(f"relaying 127.0.0.1:{relay.port} -> 127.0.0.1:{args.target}, +{args.ms} ms each way")
    with suppress(KeyboardInterrupt):
        threading.Event().wait()
    relay.stop()


if __name__ == "__main__":
    main()
