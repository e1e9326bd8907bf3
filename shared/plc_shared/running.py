"""A whole stack run exactly as `plc up` runs it, for the fault suite (tests/faults) and the soak (bench/soak.py).

`PrivatePostgres` is a PostgreSQL cluster of its own (initdb + pg_ctl, trust auth, one TCP port), so a test can
really stop and restart the database; `PlcUp` is `plc up` as a child process on that cluster, with its own Tansu
broker and supervisor, and `up.json` telling where everything is and which process is which.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from plc_shared import infra
from plc_shared.components import PROCESSES, by_name

PG_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/18/bin", "/usr/lib/postgresql/17/bin")
INFRA_ENV = ("KAFKA_BOOTSTRAP_SERVERS", "PLC_POSTGRES_ADMIN_URL", "PLC_DATA_DIR", "KAFKA_TOPIC_PREFIX")


def pg_binary(name: str) -> str:
    """`initdb`/`pg_ctl` from PATH, else from the usual install directories."""
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in PG_BIN_DIRS if os.access(f"{d}/{name}", os.X_OK)), None
    )
    if found is None:
        raise FileNotFoundError(f"{name} (PostgreSQL server binaries) is not installed")
    return found


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1:<port> (trust auth) that the caller may stop and start,
    in a temporary directory that `remove()` deletes. PostgreSQL refuses to run as root: as root, the server
    runs as the `postgres` system user (as the distribution's own server does)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or infra.free_port()
        self.data_dir = Path(tempfile.mkdtemp(prefix="plc-pg-")) / "data"  # /tmp: any user may traverse it
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return infra.url_with_database(self.admin_url, database)

    def init(self) -> PrivatePostgres:
        self.data_dir.parent.chmod(0o755)
        if self._as:
            shutil.chown(self.data_dir.parent, user="postgres")
        subprocess.run(
            [
                *self._as,
                pg_binary("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        return self.start()

    def start(self) -> PrivatePostgres:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data_dir} -c max_connections=300"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._ctl("start", "-w", "-t", "60", "-o", options, "-l", str(self.data_dir / "server.log"))
        return self

    def stop(self, mode: str = "fast") -> None:
        """`fast`: roll back open transactions and close every connection (a server restarting)."""
        self._ctl("stop", "-w", "-t", "60", "-m", mode)

    def remove(self) -> None:
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self._as, pg_binary("pg_ctl"), "-D", str(self.data_dir), *args], check=True, capture_output=True
        )


class PlcUp:
    """`python -m plc_shared.cli up` on `postgres`, in its own process group; `stop()` is Ctrl-C. Without
    `postgres`, `plc up` runs its embedded PostgreSQL (and supervises it, as the broker)."""

    def __init__(
        self, data_dir: Path, postgres: PrivatePostgres | None, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir, self.postgres, self.extra_env = Path(data_dir), postgres, env or {}
        self.process: subprocess.Popen | None = None
        self.output_path = self.data_dir / "plc-up.out"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL") and k not in INFRA_ENV}
        if self.postgres is not None:
            env["PLC_POSTGRES_ADMIN_URL"] = self.postgres.admin_url
            for component in PROCESSES:
                env[component.database_url_env] = self.postgres.url_for(component.database)
        return {**env, **self.extra_env}

    def database_url(self, name: str) -> str:
        """The database of component `name` (on the embedded server: from up.json)."""
        component = by_name(name)
        if self.postgres is not None:
            return self.postgres.url_for(component.database)
        return infra.url_with_database(self.describe()["postgres"], component.database)

    async def start(self, timeout_s: float = 180.0) -> dict:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        output = open(self.output_path, "ab")  # noqa: ASYNC230, SIM115 - closed by the child's exit
        self.process = subprocess.Popen(  # noqa: ASYNC220 - returns at once
            [sys.executable, "-m", "plc_shared.cli", "up", "--data-dir", str(self.data_dir), "--free-ports"],
            env=self.environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        output.close()
        deadline = time.monotonic() + timeout_s
        while not self.up_file.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"plc up exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"plc up was not ready within {timeout_s:.0f} s:\n{self.output()}")
            await asyncio.sleep(0.2)
        return self.describe()

    @property
    def up_file(self) -> Path:
        return self.data_dir / "up.json"

    def describe(self) -> dict:
        return json.loads(self.up_file.read_text())

    def output(self) -> str:
        return self.output_path.read_text(errors="replace") if self.output_path.exists() else ""

    @property
    def gateway(self) -> str:
        return self.describe()["gateway"]

    def url(self, name: str) -> str:
        return self.describe()["services"][name]

    def pid(self, name: str) -> int:
        return self.describe()["pids"][name]

    def signal(self, name: str, sig: signal.Signals) -> int:
        pid = self.pid(name)
        os.kill(pid, sig)
        return pid

    async def restarted(self, name: str, old_pid: int, timeout_s: float = 120.0) -> int:
        """The new pid of `name` once `plc up` restarted it and it answers /readyz."""
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                pid = self.pid(name)
                if pid != old_pid:
                    try:
                        if (await client.get(f"{self.url(name)}/readyz")).status_code == 200:
                            return pid
                    except httpx.TransportError:
                        pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"{name} was not restarted within {timeout_s:.0f} s:\n{self.output()[-3000:]}")

    def stop(self, timeout_s: float = 60.0) -> int:
        """Ctrl-C to the whole process group, as a terminal sends it; the exit code of `plc up`."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        for name, pid in self.describe()["pids"].items() if self.up_file.exists() else ():
            if name == "tansu":
                os.kill(pid, signal.SIGCONT)  # a paused broker cannot stop
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()
