"""The audit log: entries queue in memory and a background task writes them in batches.

Batching keeps an audited read from paying a database round trip; the price is that a crash loses at most
the last `audit_flush_interval_s` of entries. Queries flush first, so a replica always sees its own entries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.models import AuditEntry

logger = logging.getLogger(__name__)
MAX_PENDING = 200_000


class AuditWriter:
    def __init__(self, engine: AsyncEngine, *, interval_s: float, batch_size: int) -> None:
        self._engine, self._interval_s, self._batch_size = engine, interval_s, batch_size
        self._pending: list[dict[str, Any]] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None

    def record(self, entry: dict[str, Any]) -> None:
        if len(self._pending) >= MAX_PENDING:
            # The database has been away for long: keep memory bounded and say so loudly.
            logger.error("audit queue full (%d entries); dropping the oldest", len(self._pending))
            del self._pending[: self._batch_size]
        self._pending.append(entry)
        if len(self._pending) >= self._batch_size:
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            while self._pending:
                batch, self._pending = self._pending[: self._batch_size], self._pending[self._batch_size :]
                try:
                    async with self._engine.begin() as conn:
                        await conn.execute(insert(AuditEntry), batch)
                except Exception:
                    # Keep the entries for the next attempt rather than lose them with the database away.
                    self._pending[:0] = batch
                    raise

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                logger.exception("audit flush failed; %d entries kept for the next try", len(self._pending))
                await asyncio.sleep(1)
