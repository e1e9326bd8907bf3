"""The fault suite's stack: `plc up` (its supervisor, Tansu, the four services and the gateway) on a private
PostgreSQL cluster that the tests may stop and start, and the books every scenario closes."""

import asyncio
import contextlib
import subprocess
from pathlib import Path

import httpx
import pytest
from plc_shared import topics
from plc_shared.components import by_name
from plc_shared.ledger import Books, Ledger
from plc_shared.outbox import FAULT_EXIT_AFTER_ACK_ENV
from plc_shared.running import PlcUp, PrivatePostgres

LEDGERS: list[Ledger] = []


class Stack:
    def __init__(self, root: Path) -> None:
        self.faults = root / "faults"  # where a test arms the relay's exit-after-ack hook
        self.faults.mkdir(parents=True)
        self.postgres = PrivatePostgres()
        self.up = PlcUp(root / "plc", self.postgres, env={FAULT_EXIT_AFTER_ACK_ENV: str(self.faults)})
        self.books: Books | None = None

    async def start(self) -> None:
        await asyncio.to_thread(self.postgres.init)
        described = await self.up.start()
        self.books = Books(
            self.postgres.url_for(by_name("assessments").database),
            self.postgres.url_for(by_name("interventions").database),
            described["kafka_bootstrap_servers"],
            topics.RESULTS.name,
            inboxes={
                "goals": (self.postgres.url_for(by_name("goals").database), "goals-results"),
                "reviews": (self.postgres.url_for(by_name("reviews").database), "reviews-results"),
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
            with contextlib.suppress(subprocess.CalledProcessError):  # a test may have left it stopped
                self.postgres.stop()
            self.postgres.remove()


@pytest.fixture(scope="module")
async def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("faults"))
    try:
        await stack.start()
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)


@pytest.fixture
def ledgers() -> list[Ledger]:
    """Append a scenario's books here: they are printed together at the end of the run."""
    return LEDGERS


def pytest_terminal_summary(terminalreporter):
    if LEDGERS:
        terminalreporter.section("fault suite accounting (results accepted → events → flags)")
        terminalreporter.write_line(Ledger.table(LEDGERS))
