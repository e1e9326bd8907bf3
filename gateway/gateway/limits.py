"""The gateway's limits, all in this process (per replica; size them per replica, or put a shared limiter in
front — the point is to stop one runaway caller from starving a replica, not to meter billing):

- token buckets per caller and per district: requests per second, with a burst;
- failed authentications per source address (`limits`' sliding window counter): past the budget a source gets
  429 before anything is verified or looked up, while callers it already proved get through;
- per-district concurrency: at most N requests of one district in flight upstream at once, a few more
  waiting, so one district's heavy load cannot take every database connection of a service from the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from plc_shared.errors import TooManyRequests


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`take(key)` returns 0 when a request may pass, else the seconds until one token is back."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate, self.burst, self.max_keys = rate, float(burst), max_keys
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._buckets.clear()  # crude but bounded: a full table resets to full buckets
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def give_back(self, key: str) -> None:
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.tokens = min(self.burst, bucket.tokens + 1)


def retry_after(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))


def source_of(host: str | None) -> str:
    """The key a source address is counted under: the address itself, an IPv6 address by its /64 (one
    host usually holds a whole /64, so counting single addresses would let it rotate past the limit)."""
    if not host:
        return "-"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host  # a unix socket path, a test client's name
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class FailedAuthThrottle:
    """Failed authentications per source, in a sliding window (`GATEWAY_AUTH_FAILURES_PER_SOURCE`, the `limits`
    notation: "30/minute"). `wait(source)` is 0 while the source is within its budget, else the seconds until
    one failure leaves the window."""

    def __init__(self, rule: str) -> None:
        self.item = parse(rule)
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def wait(self, source: str) -> float:
        if await self._limiter.test(self.item, source):
            return 0.0
        stats = await self._limiter.get_window_stats(self.item, source)
        return max(stats.reset_time - time.time(), 1.0)

    async def failed(self, source: str) -> None:
        await self._limiter.hit(self.item, source)


class DistrictBusy(TooManyRequests):
    def __init__(self) -> None:
        super().__init__(
            "Too many requests of your district are in progress; retry shortly.", headers={"Retry-After": "1"}
        )


@dataclass
class _Gate:
    slots: asyncio.Semaphore
    users: int = 0  # in flight + waiting; the gate is dropped when it falls to 0 (memory stays bounded)
    waiting: int = 0
    active: int = 0


class DistrictSlots:
    """At most `limit` requests of one district in flight at once (`GATEWAY_DISTRICT_CONCURRENCY`); up to
    `queue` more wait for a slot, for at most `wait_s`; beyond either a request is refused with 429."""

    def __init__(self, limit: int, queue: int, wait_s: float) -> None:
        self.limit, self.queue, self.wait_s = limit, queue, wait_s
        self._gates: dict[str, _Gate] = {}

    def in_flight(self, district: str) -> int:
        gate = self._gates.get(district)
        return 0 if gate is None else gate.active

    @contextlib.asynccontextmanager
    async def hold(self, district: str) -> AsyncIterator[None]:
        gate = self._gates.get(district)
        if gate is None:
            gate = self._gates[district] = _Gate(asyncio.Semaphore(self.limit))
        if gate.slots.locked() and gate.waiting >= self.queue:
            raise DistrictBusy()
        gate.users += 1
        try:
            await self._acquire(gate)
            gate.active += 1
            try:
                yield
            finally:
                gate.active -= 1
                gate.slots.release()
        finally:
            gate.users -= 1
            if gate.users == 0:
                self._gates.pop(district, None)

    async def _acquire(self, gate: _Gate) -> None:
        if not gate.slots.locked():  # the common case: a free slot, taken without suspending
            await gate.slots.acquire()
            return
        gate.waiting += 1
        try:
            async with asyncio.timeout(self.wait_s):
                await gate.slots.acquire()
        except TimeoutError as exc:
            raise DistrictBusy() from exc
        finally:
            gate.waiting -= 1
