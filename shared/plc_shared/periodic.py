"""Periodic jobs a service runs in its background next to the relay and the consumers (e.g. the goals service
settling goals whose deadline has passed).

A job is a function of a session and the current time; each tick runs it in one transaction, committed once.
Every replica runs every job, so a job must be safe to run concurrently: it claims the rows it acts on (a
conditional UPDATE, or `FOR UPDATE SKIP LOCKED` and a re-checked condition) so each row is handled once, and
writes its events to the outbox in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plc_shared.observability import Health

Job = Callable[[AsyncSession, datetime], Awaitable[int]]


@dataclass(frozen=True)
class Periodic:
    """A job and how often it runs. The job returns how many rows it handled; while that is a full batch
    (`batch`), the next tick follows at once."""

    name: str
    job: Job
    interval_s: float = 60.0
    batch: int | None = None


class PeriodicRunner:
    def __init__(self, spec: Periodic, *, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.spec, self.sessionmaker = spec, sessionmaker
        self.health = Health(f"periodic job {spec.name}")  # readiness: app.py checks it
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def tick(self, now: datetime | None = None) -> int:
        """One run of the job in one transaction."""
        async with self.sessionmaker() as session, session.begin():
            return await self.spec.job(session, now or datetime.now(UTC))

    async def run(self) -> None:
        """Run until stopped: a tick, then the interval (none while the job finds full batches). A failure is
        logged and retried with back-off by the shared supervisor; the loop never dies of an error."""
        async for attempt in self.health.retry_forever():
            with attempt:
                while not self._stopping.is_set():
                    handled = await self.tick()
                    self.health.recovered()
                    if self.spec.batch is None or handled < self.spec.batch:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._stopping.wait(), timeout=self.spec.interval_s)
