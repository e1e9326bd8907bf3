"""The `plc` command as a user runs it: real processes, real PostgreSQL, a real broker."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from plc_shared import cli, infra, topics
from plc_shared.auth import TokenVerifier
from plc_shared.components import by_name
from plc_shared.settings import AuthSettings
from plc_shared.testing import eventually
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

PLC = [sys.executable, "-m", "plc_shared.cli"]
INFRA_ENV = ("KAFKA_BOOTSTRAP_SERVERS", "PLC_POSTGRES_ADMIN_URL", "PLC_DATA_DIR")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh machine: no database URLs, no broker configured."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL") and k not in INFRA_ENV}
    env.update(extra)
    return env


def gone(pid: int) -> bool:
    if not infra.running_pid(pid):
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True


def start_plc_up(data_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*PLC, "up", "--data-dir", str(data_dir)],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a command started from a terminal
    )


async def run_up_until_ready(data_dir: Path) -> tuple[subprocess.Popen, dict, float, str]:
    started = time.monotonic()
    process = start_plc_up(data_dir)
    up_file = data_dir / "up.json"
    while not up_file.exists():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() - started < 60, "plc up was not ready within 60 s"
        await asyncio.sleep(0.2)
    described = json.loads(up_file.read_text())
    async with httpx.AsyncClient(timeout=5) as client:
        ready = await client.get(f"{described['gateway']}/readyz")
    return process, described, time.monotonic() - started, ready.text if ready.status_code != 200 else "ok"


async def restarted(data_dir: Path, name: str, old_pid: int, timeout_s: float = 60) -> dict:
    """up.json once it names a new process for `name` and that process answers /readyz."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            described = json.loads((data_dir / "up.json").read_text())
            if described["pids"][name] != old_pid:
                try:
                    if (await client.get(f"{described['services'][name]}/readyz")).status_code == 200:
                        return described
                except httpx.TransportError:
                    pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{name} was not restarted within {timeout_s} s")


async def server_restarted(data_dir: Path, name: str, old_pid: int, timeout_s: float = 60) -> dict:
    """up.json once it names a new running process for the broker or PostgreSQL (`name`)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        described = json.loads((data_dir / "up.json").read_text())
        pid = described["pids"].get(name)
        if pid is not None and pid != old_pid and not gone(pid):
            return described
        await asyncio.sleep(0.2)
    raise AssertionError(f"{name} was not restarted within {timeout_s} s")


def interrupt(process: subprocess.Popen) -> str:
    """Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group. Stopping is quick because
    the broker and the database outlive the services that flush to them."""
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert time.monotonic() - started < 10, f"stopping took {time.monotonic() - started:.1f}s"
    return output


@pytest.mark.timeout(240)
async def test_plc_up_starts_everything_and_ctrl_c_leaves_no_process(tmp_path: Path):
    data_dir = tmp_path / "plc"
    process, described, elapsed, readiness = await run_up_until_ready(data_dir)
    try:
        assert readiness == "ok"
        assert elapsed < 60
        assert set(described["services"]) == {
            "assessments",
            "goals",
            "interventions",
            "reviews",
            "gateway",
            "web",
        }
        assert {"tansu", "postgres"} <= set(described["pids"])
        async with httpx.AsyncClient(timeout=5) as client:
            for url in described["services"].values():
                assert (await client.get(f"{url}/readyz")).status_code == 200
            # The web app answers behind the gateway (the two-command quick start gives a page, not only /docs).
            signin = await client.get(f"{described['gateway']}/app/signin")
            assert signin.status_code == 200 and "Sign in" in signin.text
            # A service that crashes is restarted (the broker, the database and the others keep running).
            killed = described["pids"]["interventions"]
            os.kill(killed, signal.SIGKILL)
            described = await restarted(data_dir, "interventions", killed)
            assert (await client.get(f"{described['services']['interventions']}/readyz")).status_code == 200
            assert (await client.get(f"{described['gateway']}/readyz")).status_code == 200
            # Issue 22: the broker and the embedded PostgreSQL are supervised too, and the stack heals.
            servers_killed = []
            for name in ("tansu", "postgres"):
                servers_killed.append(described["pids"][name])
                os.kill(servers_killed[-1], signal.SIGKILL)
                described = await server_restarted(data_dir, name, servers_killed[-1])

            async def gateway_ready() -> bool:
                return (await client.get(f"{described['gateway']}/readyz")).status_code == 200

            assert await eventually(gateway_ready, timeout_s=60, interval_s=0.5)
    finally:
        output = interrupt(process)
    assert "created database plc_assessments" in output
    assert "interventions exited (code -9); restarting in 1 s" in output
    assert "interventions restarted" in output
    assert "tansu restarted" in output and "postgres restarted" in output
    assert gone(killed) and all(gone(pid) for pid in servers_killed)
    for log in sorted((data_dir / "logs").glob("*.log")):  # JSON lines from the first line on
        if log.name != "tansu.log":
            for number, line in enumerate(log.read_text().splitlines(), 1):
                assert isinstance(json.loads(line), dict), f"{log.name}:{number}: {line}"
    assert all(gone(pid) for pid in described["pids"].values()), described["pids"]
    assert not (data_dir / "up.json").exists()

    # The data directory persists: a second run finds its databases and migrations in place.
    process, described, _, readiness = await run_up_until_ready(data_dir)
    output = interrupt(process)
    assert readiness == "ok"
    assert "created database" not in output
    assert all(gone(pid) for pid in described["pids"].values())


def test_plc_token_is_accepted_by_the_services_verifier():
    token = subprocess.run(
        [*PLC, "token", "--role", "teacher", "--district", "d1", "--school", "s1", "--school", "s2"],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    principal = asyncio.run(TokenVerifier(AuthSettings()).verify(token))
    assert principal.role.value == "teacher"
    assert principal.district_id == "d1"
    assert set(principal.school_ids) == {"s1", "s2"}


def test_plc_token_refuses_an_unknown_role():
    result = subprocess.run([*PLC, "token", "--role", "superuser"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


async def test_plc_migrate_creates_a_missing_database_and_migrates_it(pg_admin_url, run_id):
    component = by_name("reviews")
    database = f"plc_t{run_id}_cli_migrate"
    url = infra.url_with_database(pg_admin_url, database)
    env = clean_env(PLC_POSTGRES_ADMIN_URL=pg_admin_url, **{component.database_url_env: url})
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [*PLC, "migrate", "--component", "reviews"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert f"created database {database}" in result.stdout
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            tables = set((await conn.execute(text("SELECT tablename FROM pg_tables"))).scalars())
        await engine.dispose()
        assert {"alembic_version", "outbox", "inbox"} <= tables
    finally:
        await infra.drop_database(pg_admin_url, database)


async def test_plc_topics_creates_every_documented_topic_with_its_partitions(bootstrap_servers, run_id):
    prefix = f"t{run_id}.cli."
    env = clean_env(KAFKA_BOOTSTRAP_SERVERS=bootstrap_servers, KAFKA_TOPIC_PREFIX=prefix)
    result = await asyncio.to_thread(
        subprocess.run, [*PLC, "topics"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics([f"{prefix}{t.name}" for t in topics.catalog()])
    finally:
        await admin.close()
    partitions = {d["topic"]: len(d["partitions"]) for d in described}
    assert partitions == {f"{prefix}{t.name}": t.partitions for t in topics.catalog()}
    assert f"{prefix}plc.deadletter.interventions-results" in partitions  # dead-letter topics too
    # a second run is a no-op
    again = await asyncio.to_thread(subprocess.run, [*PLC, "topics"], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "created" not in again.stdout and "DRIFT" not in again.stdout


async def test_plc_topics_reports_a_topic_whose_partitions_drift_from_the_catalog(bootstrap_servers, run_id):
    """Issue 22: the results topic came back auto-created with 4 partitions where the catalog says 12."""
    from aiokafka.admin import NewTopic

    prefix = f"t{run_id}.drift."
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(f"{prefix}{topics.RESULTS.name}", 4, 1)])
    finally:
        await admin.close()
    env = clean_env(KAFKA_BOOTSTRAP_SERVERS=bootstrap_servers, KAFKA_TOPIC_PREFIX=prefix)
    result = await asyncio.to_thread(
        subprocess.run, [*PLC, "topics"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    drifting = [line for line in result.stdout.splitlines() if "DRIFT" in line]
    assert drifting == [
        f"{prefix}{topics.RESULTS.name}".ljust(48) + " partitions=12  DRIFT: 4 partitions, catalog says 12"
    ]


def test_default_database_url_follows_the_environment(monkeypatch):
    component = by_name("goals")
    monkeypatch.delenv(component.database_url_env, raising=False)
    assert cli.default_database_url(component).endswith("/plc_goals")
    monkeypatch.setenv(component.database_url_env, "postgresql+asyncpg://u@db:5432/elsewhere")
    assert cli.default_database_url(component) == "postgresql+asyncpg://u@db:5432/elsewhere"


def test_plc_import_oneroster_hands_over_to_the_assessments_client(tmp_path: Path):
    result = subprocess.run(
        [*PLC, "import", "oneroster", str(tmp_path / "missing.zip"), "--token", "t"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "missing.zip is not a file" in result.stderr
