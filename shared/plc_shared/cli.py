"""`plc`: run the whole stack locally, migrate databases, create topics, mint development tokens.

plc up                       everything, on embedded defaults (or on the infrastructure the environment names)
plc migrate [--component X]  apply Alembic migrations (creates missing databases when it can)
plc events replay --service S --since T [--type X]   publish a service's retained events again
plc topics                   create missing topics (dead-letter ones too); report partition drift
plc token --role teacher --district d1 --school s1
plc demo [--gateway URL]     build the labelled demo district through the API (dev stacks only; plc_shared.demo)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy.engine import make_url

from plc_shared import demo, infra, topics
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import GATEWAY, PROCESSES, SERVICES, WEB, Component, by_name
from plc_shared.kafka import ensure_topics, topic_drift
from plc_shared.migrate import provision, upgrade_async
from plc_shared.settings import AdminDatabaseSettings, AuthSettings, KafkaSettings, is_placeholder

logger = logging.getLogger("plc")

ADMIN_URL_ENV = "PLC_POSTGRES_ADMIN_URL"
DEMO_OFF_ENV = "PLC_NO_DEMO"  # set: a first `plc up` does not build the demo district
DATA_DIR_ENV = "PLC_DATA_DIR"
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0
RESTART_BACKOFF_S, RESTART_BACKOFF_MAX_S, RESTART_RESET_S = 1.0, 30.0, 60.0
COMMANDS_GROUP = "plc.commands"  # entry points: sub-commands a component adds to `plc`


def default_database_url(component: Component) -> str:
    """The URL a component uses: its settings class reads `<PREFIX>DATABASE_URL`, or builds the URL from
    `<PREFIX>DB_HOST`/`_DB_USER`/`_DB_PASSWORD_FILE`..., else its default. A component whose settings need
    secrets the migration step does not hold (the web app's) offers its database part alone as
    `DatabaseSettings`."""
    config = importlib.import_module(f"{component.name}.config")
    return getattr(config, "DatabaseSettings", config.Settings)().database_url


async def ensure_database(url: str, admin_url: str | None = None) -> None:
    """Create the database of `url` when it is missing (through `admin_url`, else the server's `postgres` db)."""
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    admin = admin_url or infra.url_with_database(url, "postgres")
    if not name:
        raise ValueError(f"no database name in {url!r}")
    try:
        if await infra.create_database(admin, name):
            print(f"created database {name}")
    except Exception as exc:  # the migration that follows reports a missing database precisely
        print(f"note: could not check/create database {name}: {exc}", file=sys.stderr)


# --- plc migrate / topics / token -------------------------------------------------------------------------


async def migrate(components: Sequence[Component]) -> None:
    """With an admin role configured, each component's role and database are provisioned through it first
    (the migration step is the only process that holds the admin password); the migrations themselves run
    as the component's own role, so it owns every table it uses."""
    admin = AdminDatabaseSettings().admin_url()
    if admin and AuthSettings().environment != "dev" and is_placeholder(make_url(admin).password):
        raise SystemExit("the PostgreSQL admin password still holds a placeholder; set a real secret")
    for component in components:
        url = default_database_url(component)
        if admin:
            for line in await provision(admin, url):
                print(f"{component.name}: {line}")
        else:
            await ensure_database(url)
        await upgrade_async(component, url)
        print(f"{component.name}: migrated to head")


async def create_topics(settings: KafkaSettings) -> int:
    """Create the catalog's missing topics (dead-letter topics included), then report every topic whose
    partition count differs from the catalog's (exit code 1: Kafka cannot shrink a topic, and growing one
    moves keys to other partitions, so an operator decides)."""
    catalog = topics.catalog()
    created = await ensure_topics(settings, catalog)
    drift = await topic_drift(settings, catalog)
    for topic in catalog:
        name = settings.topic(topic.name)
        wanted = settings.partitions.get(topic.name, topic.partitions)
        if name in drift:
            actual = drift[name][1]
            state = f"DRIFT: {'missing' if actual is None else f'{actual} partitions'}, catalog says {wanted}"
        else:
            state = "created" if name in created else "exists"
        print(f"{name:48} partitions={wanted:<3} {state}")
    return 1 if drift else 0


def _timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def replay(database_url: str, since: datetime, types: Sequence[str] = ()) -> int:
    """Publish a service's retained events (outbox_sent) created since `since` again, in their original order:
    they move back into its outbox and its running relay sends them. Every consumer of the suite, and the
    warehouse, ignores an event id it has seen, so a replay only fills gaps (a warehouse that lost data, a
    new consumer). Returns how many events were queued."""
    from sqlalchemy import MetaData

    from plc_shared.outbox import Retention, outbox_table

    conns = (await infra._admin(database_url), await infra._admin(database_url))
    try:
        retained = Retention(outbox_table(MetaData()), timedelta(0))
        if types:
            return await retained.move_back(
                conns, "created_at >= $1 AND event_type = ANY($2::text[])", since, types
            )
        return await retained.move_back(conns, "created_at >= $1", since)
    finally:
        for conn in conns:
            await conn.close()


def token(args: argparse.Namespace) -> str:
    return mint_dev_token(
        AuthSettings(),
        role=args.role,
        district_id=args.district,
        school_ids=args.school,
        class_ids=args.class_ids,
        subject=args.subject,
        ttl_seconds=args.ttl,
    )


# --- plc up --------------------------------------------------------------------------------------------------


@dataclass
class Child:
    component: Component
    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(default_factory=dict, repr=False)
    restarts: int = 0  # how many times `plc up` restarted it
    restart_at: float | None = None  # monotonic time of the pending restart after a crash
    started_at: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Restarts:
    restarts: int = 0
    restart_at: float | None = None
    started_at: float = field(default_factory=time.monotonic)


@dataclass
class Stack:
    """What `plc up` started, so that it can stop exactly that."""

    data_dir: Path
    host: str
    tansu: infra.Tansu | None = None
    postgres: infra.EmbeddedPostgres | None = None
    children: list[Child] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)
    servers: dict[str, Restarts] = field(default_factory=dict)  # the broker's and PostgreSQL's restarts
    free_ports: bool = False  # any free port rather than the documented ones (stacks side by side)
    demo: bool = False  # build the demo district once ready (a first start on the embedded default)

    def port(self, preferred: int) -> int:
        return infra.free_port() if self.free_ports else pick_port(preferred)

    def spawn(self, component: Component, port: int, env: dict[str, str]) -> Child:
        log_path = self.data_dir / "logs" / f"{component.name}.log"
        child = Child(component, port, self._start(component, port, env, log_path), log_path, env)
        self.children.append(child)
        return child

    def _start(
        self, component: Component, port: int, env: dict[str, str], log_path: Path
    ) -> subprocess.Popen:
        log = open(log_path, "ab")  # noqa: SIM115 - closed by stop()
        self.logs.append(log)
        return subprocess.Popen(
            component.serve_command(self.host, port),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=infra.die_with_parent,
            start_new_session=True,  # Ctrl-C reaches plc alone; plc stops the children in order
        )

    def supervise(self, now: float) -> bool:
        """Restart children that exited, with back-off (1 s doubling to 30 s; reset after a minute up), and the
        broker and embedded PostgreSQL that `plc up` started (blocking: run it in a thread). A restarted
        PostgreSQL recovers from its WAL; a restarted broker is an empty one with a new cluster id, and the
        services re-publish their retained events to it (plc_shared.outbox). True if something restarted."""
        restarted = self._supervise_servers(now)
        for child in self.children:
            if child.restart_at is None and child.process.poll() is not None:
                delay = min(RESTART_BACKOFF_S * 2**child.restarts, RESTART_BACKOFF_MAX_S)
                child.restart_at = now + delay
                say(
                    f"{child.component.name} exited (code {child.process.returncode}); restarting in "
                    f"{delay:.0f} s (see {child.log_path})"
                )
            elif child.restart_at is not None and now >= child.restart_at:
                child.process = self._start(child.component, child.port, child.env, child.log_path)
                child.restarts, child.restart_at, child.started_at = child.restarts + 1, None, now
                say(f"{child.component.name} restarted (pid {child.process.pid}, restart {child.restarts})")
                restarted = True
            elif child.restarts and child.restart_at is None and now - child.started_at > RESTART_RESET_S:
                child.restarts = 0  # it has stayed up: the next crash starts the back-off again
        return restarted

    def _supervise_servers(self, now: float) -> bool:
        restarted = False
        for name, server in (("tansu", self.tansu), ("postgres", self.postgres)):
            if server is None:
                continue
            state = self.servers.setdefault(name, Restarts())
            if state.restart_at is None and not server.is_running:
                delay = min(RESTART_BACKOFF_S * 2**state.restarts, RESTART_BACKOFF_MAX_S)
                state.restart_at = now + delay
                say(f"{name} is not running; restarting in {delay:.0f} s")
            elif state.restart_at is not None and now >= state.restart_at:
                try:
                    server.restart()
                except Exception as exc:  # try again after a longer wait
                    state.restarts, state.restart_at = state.restarts + 1, None
                    say(f"{name} did not restart: {exc!r}")
                    continue
                state.restarts, state.restart_at, state.started_at = state.restarts + 1, None, now
                say(f"{name} restarted (pid {server.pid}, restart {state.restarts})")
                restarted = True
            elif state.restarts and state.restart_at is None and now - state.started_at > RESTART_RESET_S:
                state.restarts = 0
        return restarted

    def stop(self) -> None:
        for child in self.children:
            if child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in self.children:
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        if self.tansu is not None:
            self.tansu.stop()
        if self.postgres is not None:
            self.postgres.stop()
        for log in self.logs:
            log.close()
        (self.data_dir / "up.json").unlink(missing_ok=True)


def pick_port(preferred: int) -> int:
    return preferred if not infra.port_open(preferred) else infra.free_port()


async def wait_ready(child: Child, stop: asyncio.Event, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline and not stop.is_set():
            if child.process.poll() is not None:
                raise RuntimeError(
                    f"{child.component.name} exited with code {child.process.returncode}; see {child.log_path}"
                )
            try:
                if (await client.get(f"{child.url}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    if not stop.is_set():
        raise TimeoutError(
            f"{child.component.name} was not ready within {timeout_s:.0f}s; see {child.log_path}"
        )


async def up(data_dir: Path, host: str, free_ports: bool = False, with_demo: bool = True) -> int:
    stack = Stack(data_dir=data_dir, host=host, free_ports=free_ports)
    # A first start (no data yet) builds the demo district once the stack is ready (docs: README quick start).
    stack.demo = with_demo and not (data_dir / "pgdata").exists() and not os.environ.get(DEMO_OFF_ENV)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        return await _run_stack(stack, stop)
    finally:
        print("\nstopping…", flush=True)
        await asyncio.to_thread(stack.stop)
        print("stopped: every process plc up started has exited", flush=True)


async def _run_stack(stack: Stack, stop: asyncio.Event) -> int:
    t0 = time.monotonic()
    await asyncio.to_thread((stack.data_dir / "logs").mkdir, parents=True, exist_ok=True)
    env = dict(os.environ)

    # PostgreSQL: the configured URLs, else an embedded server whose data persists in the data directory.
    admin_url = os.environ.get(ADMIN_URL_ENV)
    urls = {c.name: os.environ.get(c.database_url_env) for c in PROCESSES}
    if not admin_url and not all(urls.values()):
        stack.postgres = infra.EmbeddedPostgres(stack.data_dir / "pgdata")
        await asyncio.to_thread(stack.postgres.start)
        admin_url = stack.postgres.admin_url
        print(f"postgres   embedded, data in {stack.data_dir / 'pgdata'}", flush=True)
    for component in PROCESSES:
        url = urls[component.name] or infra.url_with_database(admin_url, component.database)  # type: ignore[arg-type]
        urls[component.name] = url
        env[component.database_url_env] = url

    # Kafka: the configured brokers, else Tansu on 127.0.0.1 (in memory; it rejects idempotent producers).
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    else:
        stack.tansu = infra.Tansu(stack.port(9092), log_path=stack.data_dir / "logs" / "tansu.log")
        await stack.tansu.astart()
        bootstrap = stack.tansu.bootstrap_servers
        env["KAFKA_ENABLE_IDEMPOTENCE"] = "false"
        env.update({f"KAFKA_{k.upper()}": str(v) for k, v in infra.TANSU_CONSUMER_GROUP.items()})
        print(f"kafka      tansu at {bootstrap} (events are kept in memory)", flush=True)
    env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    kafka = KafkaSettings(
        bootstrap_servers=bootstrap,
        enable_idempotence=False,
        topic_prefix=os.environ.get("KAFKA_TOPIC_PREFIX", ""),
    )
    await ensure_topics(kafka, topics.catalog())

    for component in PROCESSES:
        if stop.is_set():
            return 130
        await ensure_database(urls[component.name], admin_url)  # type: ignore[arg-type]
        await upgrade_async(component, urls[component.name])  # type: ignore[arg-type]

    ports = {c.name: stack.port(c.port) for c in PROCESSES}
    # Every event's `dataschema` points at the catalog this gateway serves (unless configured elsewhere).
    env.setdefault("EVENTS_CATALOG_URL", f"http://127.0.0.1:{ports[GATEWAY.name]}/events/")
    upstreams = (*SERVICES, WEB)
    env["GATEWAY_UPSTREAMS"] = json.dumps({c.name: f"http://127.0.0.1:{ports[c.name]}" for c in upstreams})
    env["WEB_GATEWAY_URL"] = f"http://127.0.0.1:{ports[GATEWAY.name]}"  # the web app calls the API there
    for component in (*SERVICES, GATEWAY, WEB):
        stack.spawn(component, ports[component.name], env)

    await asyncio.gather(*(wait_ready(c, stop, READY_TIMEOUT_S) for c in stack.children))
    if stop.is_set():
        return 130
    _print_ready(stack, time.monotonic() - t0)
    if stack.demo and stack.postgres is not None:
        await _first_start_demo(next(c.url for c in stack.children if c.component is GATEWAY))
    # For scripts and tests: where everything is and which processes plc started (removed on stop).
    await asyncio.to_thread((stack.data_dir / "up.json").write_text, json.dumps(_describe(stack, bootstrap)))

    while not stop.is_set():  # only Ctrl-C / SIGTERM stops the stack; a child that dies is restarted
        if await asyncio.to_thread(stack.supervise, time.monotonic()):
            await asyncio.to_thread(
                (stack.data_dir / "up.json").write_text, json.dumps(_describe(stack, bootstrap))
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)
    return 0


async def _first_start_demo(gateway_url: str) -> None:
    """The demo district on a fresh embedded stack; a failure is reported, and the stack keeps running."""
    try:
        await demo.run(gateway_url, say=say)
    except demo.DemoRefused as exc:
        say(str(exc))
    except Exception as exc:  # the stack is up and usable without the demo
        say(f"demo: not built ({exc}); run `uv run plc demo` to try again")


def gateway_url(data_dir: Path) -> str:
    """Where the running stack's gateway is: `plc up` writes it to up.json; else the documented port."""
    described = data_dir / "up.json"
    if described.exists():
        return json.loads(described.read_text())["gateway"]
    return f"http://127.0.0.1:{GATEWAY.port}"


def say(line: str) -> None:
    """What `plc up` reports about its children, on stderr, timestamped."""
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def _describe(stack: Stack, bootstrap: str) -> dict:
    pids = {c.component.name: c.process.pid for c in stack.children}
    for name, server in (("tansu", stack.tansu), ("postgres", stack.postgres)):
        if server is not None and server.pid is not None:
            pids[name] = server.pid
    described = {
        "gateway": next(c.url for c in stack.children if c.component is GATEWAY),
        "services": {c.component.name: c.url for c in stack.children},
        "kafka_bootstrap_servers": bootstrap,
        "pids": pids,
    }
    if stack.postgres is not None:  # the embedded server: a unix socket in the data directory, no password
        described["postgres"] = stack.postgres.admin_url
    return described


def _print_ready(stack: Stack, elapsed: float) -> None:
    print(f"\nPLC Suite is ready ({elapsed:.1f}s):\n", flush=True)
    print(f"  {'component':14} {'url':24} log")
    for child in stack.children:
        print(f"  {child.component.name:14} {child.url:24} {child.log_path}")
    gateway = next(c for c in stack.children if c.component is GATEWAY)
    print(f"\n  Web app: {gateway.url}/app/")
    print(f"  API docs: {gateway.url}/docs     token: uv run plc token --role district_admin --district d1")
    print("  Ctrl-C stops everything.\n", flush=True)


# --- entry point ---------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="plc", description="PLC Suite command line")
    sub = root.add_subparsers(dest="command", required=True)

    p_up = sub.add_parser("up", help="run the database, broker, four services and the gateway")
    p_up.add_argument(
        "--data-dir", help=f"where PostgreSQL data and logs live (${DATA_DIR_ENV}, default ./.plc)"
    )
    p_up.add_argument("--host", default="127.0.0.1", help="interface the services bind (default 127.0.0.1)")
    p_up.add_argument(
        "--free-ports",
        action="store_true",
        help="bind free ports instead of 8000-8004 and 9092 (several stacks on one machine; see up.json)",
    )

    p_up.add_argument("--no-demo", action="store_true", help="a first start does not build the demo district")

    p_demo = sub.add_parser(
        "demo", help="build the labelled demo district through the API (never production)"
    )
    p_demo.add_argument("--gateway", help="the gateway's URL (default: the running `plc up` stack's)")
    p_demo.add_argument("--district", default="demo", help="the demo district's id (default demo)")
    p_demo.add_argument(
        "--data-dir", help=f"the `plc up` data directory to find the stack in (${DATA_DIR_ENV})"
    )

    p_migrate = sub.add_parser("migrate", help="apply database migrations")
    p_migrate.add_argument("--component", choices=[c.name for c in PROCESSES], help="only this component")

    sub.add_parser("topics", help="create the missing Kafka topics and report partition counts that drift")

    p_events = sub.add_parser(
        "events",
        help="export: write the event catalog (JSON Schemas + AsyncAPI); replay: publish retained events again",
    )
    p_events.add_argument("action", choices=["export", "replay"])
    p_events.add_argument(
        "--dir", type=Path, default=Path("deploy/events"), help="export: default deploy/events"
    )
    p_events.add_argument("--service", choices=[c.name for c in SERVICES], help="replay: whose events")
    p_events.add_argument(
        "--since", type=_timestamp, help="replay: events created at or after this ISO time (UTC unless given)"
    )
    p_events.add_argument(
        "--type", dest="types", action="append", default=[], help="replay: only this event type (repeatable)"
    )

    for name, entry in component_commands().items():  # e.g. `plc import oneroster PATH` (assessments)
        dist = entry.dist.name if entry.dist else entry.value
        p_command = sub.add_parser(name, help=f"registered by {dist} ({entry.value})", add_help=False)
        p_command.add_argument("args", nargs=argparse.REMAINDER, help="the component's own arguments")

    p_token = sub.add_parser("token", help="mint a development JWT (HS256 dev key)")
    p_token.add_argument("--role", required=True, choices=[r.value for r in Role])
    p_token.add_argument("--district", help="district id (required except for operators)")
    p_token.add_argument("--school", action="append", default=[], help="school id (repeatable)")
    p_token.add_argument(
        "--class", dest="class_ids", action="append", default=[], help="class id (repeatable)"
    )
    p_token.add_argument("--subject", help="the token's sub (default: a generated dev user)")
    p_token.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds (default 8 h)")
    return root


def component_commands() -> dict[str, EntryPoint]:
    """Sub-commands the installed components register: entry points in the `plc.commands` group, each a
    `main(argv) -> int` called with the command name and the rest of the line (the assessments service's
    pyproject.toml registers `import`). plc_shared never imports a service."""
    return {entry.name: entry for entry in entry_points(group=COMMANDS_GROUP)}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = component_commands()
    if argv and argv[0] in commands:  # the component parses the rest itself, options first included
        return commands[argv[0]].load()(argv)
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "up":
        data_dir = Path(args.data_dir or os.environ.get(DATA_DIR_ENV) or ".plc").resolve()
        return asyncio.run(up(data_dir, args.host, args.free_ports, with_demo=not args.no_demo))
    if args.command == "demo":
        demo.refuse_in_production()
        data_dir = Path(args.data_dir or os.environ.get(DATA_DIR_ENV) or ".plc").resolve()
        asyncio.run(demo.run(args.gateway or gateway_url(data_dir), district=args.district))
        return 0
    if args.command == "migrate":
        components = [by_name(args.component)] if args.component else list(PROCESSES)
        asyncio.run(migrate(components))
        return 0
    if args.command == "topics":
        return asyncio.run(create_topics(KafkaSettings()))
    if args.command == "events" and args.action == "replay":
        if not (args.service and args.since):
            parser().error("events replay needs --service and --since")
        moved = asyncio.run(replay(default_database_url(by_name(args.service)), args.since, args.types))
        print(
            f"{args.service}: {moved} retained events since {args.since.isoformat()} queued to be published again"
        )
        return 0
    if args.command == "events":
        from plc_shared.events import catalog

        for path in catalog.export(args.dir):
            print(path)
        return 0
    if args.command == "token":
        print(token(args))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
