"""What the server benchmarks share: a scratch database, the server's environment, the server
itself on a free port, CPU accounting by process (from /proc), a lean keep-alive HTTP/1.1 client
and a percentile."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit


def database_recreate(url: str, *, prefix: str = "gs_") -> None:
    """Drop and create the benchmark's database; only one whose name starts with ``prefix``."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(rf"{re.escape(prefix)}\w*", name):
        raise SystemExit(f"refusing to recreate {name!r}: the database name must start {prefix}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, work: str, **settings: str) -> dict[str, str]:
    """The environment of the benchmark's `groundswell` processes, with ``settings`` added.

    This process's environment without the test settings and the demo, on ``database_url``
    with the data folder ``work`` and a throwaway secret; loopback only, mail to the console,
    no MX lookups, warnings only in the log.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "GROUNDSWELL_DEMO")
    }
    env.update(
        DATABASE_URL=database_url,
        GROUNDSWELL_DATA_DIR=work,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_URL="console://",
        GROUNDSWELL_CHECK_MX="false",
        LOG_LEVEL="WARNING",
    )
    env.update(settings)
    return env


@contextlib.contextmanager
def server_running(env: dict, work: str, *options: str) -> Iterator[tuple[str, int, int]]:
    """`groundswell serve` on a free loopback port, ready for requests: (host, port, pid).

    ``options`` go to `serve` (workers, threads, --no-worker); its log is server.log in
    ``work``. Leaving the block stops the server's whole process group.
    """
    host, port = "127.0.0.1", free_port()
    command = [sys.executable, "-m", "groundswell", "serve", "--no-migrate"]
    command += ["--bind", f"{host}:{port}", *options]
    with open(os.path.join(work, "server.log"), "w") as log:
        server = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _server_ready_wait(server, host, port, log.name)
            yield host, port, server.pid
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def _server_ready_wait(server: subprocess.Popen, host: str, port: int, log: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start; see {log}") from None
            time.sleep(0.2)
    time.sleep(1)  # let every worker finish booting


class CpuMeter:
    """CPU seconds used from its creation to ``split()``: the server's processes, PostgreSQL's,
    this client's, and the rest of the machine's ("other": a figure taken while it is large is
    noise; a benchmark wants it near zero).

    With ``database_url``, PostgreSQL's figure is that database's backends and the server's own
    background processes (WAL writer, checkpointer...) only, sampled twice a second so that a
    backend which ends meanwhile (a web process reconnecting after CONN_MAX_AGE) still counts
    what it used: on a shared machine the backends of other people's databases (their test
    runs) land in "other" instead. Without it, every postgres process alive at the two ends.
    """

    SAMPLE_SECONDS = 0.5

    def __init__(self, server_pid: int, database_url: str = ""):
        self.server_pids = descendants(server_pid)
        self.database_url = database_url
        self._conn = None
        if database_url:
            import psycopg

            # One connection for every sample (a new one each time would cost a backend).
            self._conn = psycopg.connect(database_url, autocommit=True)
        self.pg_pids = self._postgres_pids()
        # pid → (CPU when first seen, CPU when last seen); one that starts later counts from 0.
        self.pg_seen = {pid: (cpu, cpu) for pid in self.pg_pids for cpu in [cpu_seconds({pid})]}
        self.before = self._now()
        self._stop = threading.Event()
        self._sampler = None
        if database_url:
            self._sampler = threading.Thread(target=self._sample_loop, daemon=True)
            self._sampler.start()

    def _postgres_pids(self) -> set[int]:
        pids = postgres_pids()
        if not self.database_url:
            return pids
        return pids - postgres_pids_elsewhere(self._conn, self.database_url)

    def _sample(self) -> None:
        for pid in self._postgres_pids():
            cpu = cpu_seconds({pid})
            first, _ = self.pg_seen.get(pid, (0.0, 0.0))
            self.pg_seen[pid] = (first, cpu)

    def _sample_loop(self) -> None:
        while not self._stop.wait(self.SAMPLE_SECONDS):
            self._sample()

    def _postgres_cpu(self) -> float:
        if self.database_url:
            return sum(last - first for first, last in self.pg_seen.values())
        return cpu_seconds(self.pg_pids)

    def _now(self) -> tuple[float, float, float, float]:
        return (
            cpu_seconds(self.server_pids),
            self._postgres_cpu(),
            time.process_time(),
            machine_busy_seconds(),
        )

    def split(self) -> dict[str, float]:
        if self._sampler is not None:
            self._stop.set()
            self._sampler.join()
            self._sample()
            self._conn.close()
        else:
            # PostgreSQL backends started meanwhile (new connections) count from their start.
            self.pg_pids |= self._postgres_pids()
        server, postgres, client, busy = (
            now - before for now, before in zip(self._now(), self.before, strict=True)
        )
        return {
            "server": round(server, 1),
            "postgres": round(postgres, 1),
            "client": round(client, 1),
            # /proc counts in ticks, so a quiet machine can come out a tick below zero.
            "other": round(max(0.0, busy - server - postgres - client), 1),
        }


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU time of these processes so far (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / tick


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat)."""
    with open("/proc/stat") as fh:
        values = [int(x) for x in fh.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as fh:
                todo.extend(int(child) for child in fh.read().split())
        except OSError:
            continue
    return found


def postgres_pids_elsewhere(conn, database_url: str) -> set[int]:
    """The PostgreSQL processes working for a database other than this URL's (backends and
    autovacuum workers of other people's databases), asked on ``conn`` (psycopg)."""
    name = urlsplit(database_url).path.lstrip("/")
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname IS NOT NULL AND datname <> %s", [name]
    ).fetchall()
    return {pid for (pid,) in rows}


def postgres_pids() -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as fh:
                    if fh.read().strip() == "postgres":
                        pids.add(int(entry))
            except OSError:
                continue
    return pids


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closes it.

    A server that answers `Connection: close` (gunicorn's sync workers did) makes every request
    open a new TCP connection; granian keeps it open.
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
