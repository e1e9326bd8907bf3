"""The fault suite's stack: `plc up` (its supervisor, Tansu, the four services and the gateway) on a private
PostgreSQL cluster that the tests may stop and start, and the books every scenario closes."""

import asyncio
import contextlib
import subprocess
from pathlib import Path

import httpx
import pytest
from plc_shared import topics
from plc_shared.ledger import Books, Ledger
from plc_shared.outbox import FAULT_EXIT_AFTER_ACK_ENV
from plc_shared.running import PlcUp, PrivatePostgres

LEDGERS: list[Ledger] = []


class Stack:
    """`embedded`: `plc up` runs (and supervises) its own PostgreSQL, as on a developer's machine; else the
    cluster is a `PrivatePostgres` the tests stop and start themselves."""

    def __init__(self, root: Path, *, embedded: bool = False) -> None:
        self.faults = root / "faults"  # where a test arms the relay's exit-after-ack hook
        self.faults.mkdir(parents=True)
        self.postgres = None if embedded else PrivatePostgres()
        self.up = PlcUp(root / "plc", self.postgres, env={FAULT_EXIT_AFTER_ACK_ENV: str(self.faults)})
        self.books: Books | None = None

    async def start(self) -> None:
        if self.postgres is not None:
            await asyncio.to_thread(self.postgres.init)
        described = await self.up.start()
        self.books = Books(
            self.up.database_url("assessments"),
            self.up.database_url("interventions"),
            described["kafka_bootstrap_servers"],
            topics.RESULTS.name,
            inboxes={
                "goals": (self.up.database_url("goals"), "goals-results"),
                "reviews": (self.up.database_url("reviews"), "reviews-results"),
            },
        )

    def gateway(self, timeout_s: float = 60.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.up.gateway, timeout=timeout_s)

    def service(self, name: str, timeout_s: float = 120.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.up.url(name), timeout=timeout_s)

    def stop(self) -> None:
        try:
            self.up.stop()
        finally:
            if self.postgres is not None:
                with contextlib.suppress(subprocess.CalledProcessError):  # a test may have left it stopped
                    self.postgres.stop()
                self.postgres.remove()


@contextlib.asynccontextmanager
async def running(stack: Stack):
    try:
        await stack.start()
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)


@pytest.fixture(scope="module")
async def stack(tmp_path_factory):
    async with running(Stack(tmp_path_factory.mktemp("faults"))) as started:
        yield started


@pytest.fixture(scope="module")
async def supervised_stack(tmp_path_factory):
    """A stack on `plc up`'s embedded PostgreSQL, which `plc up` restarts when it dies."""
    async with running(Stack(tmp_path_factory.mktemp("supervised"), embedded=True)) as started:
        yield started


@pytest.fixture
def ledgers() -> list[Ledger]:
    """Append a scenario's books here: they are printed together at the end of the run."""
    return LEDGERS


def pytest_terminal_summary(terminalreporter):
    if LEDGERS:
        terminalreporter.section("fault suite accounting (results accepted → events → flags)")
        terminalreporter.write_line(Ledger.table(LEDGERS))
