"""Per-district fairness: one district hammering the gateway, within every rate limit, does not take another
district's service away.

The upstream is what makes a service shared: a pool of 20 database connections (a service's pool + overflow
by default, plc_shared.db.create_engine) that every request holds while it works. District d1's four callers
keep 64 requests in flight, each holding a connection for 400 ms (a heavy analysis); district d2's three
callers each send one lighter request at a time (50 ms). The quiet p99 of d2 is measured first, then the
loaded p99, in the same run: the ratio must stay under 2. The same scenario without the district bound shows
the harm (d2 queues behind d1 for the pool), so the test can fail."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time

import httpx
import pytest
from fastapi import FastAPI
from gateway.limits import DistrictBusy, DistrictSlots
from plc_shared.auth import Role
from plc_shared.testing import serve_app

from .conftest import bearer, gateway_settings, running_gateway

POOL = 20
HOLD_S = {"d1": 0.4, "d2": 0.05}


def shared_service() -> FastAPI:
    app = FastAPI()
    pool = asyncio.Semaphore(POOL)

    @app.get("/assessments/districts/{district_id}/assessments")
    async def work(district_id: str) -> list:
        async with pool:  # a database connection, held while the query runs
            await asyncio.sleep(HOLD_S.get(district_id, 0.05))
        return []

    return app


async def p99_of_d2(client: httpx.AsyncClient, seconds: float) -> float:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def caller() -> None:
        headers = bearer(Role.TEACHER, district="d2")
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = await client.get("/assessments/districts/d2/assessments", headers=headers)
            assert response.status_code == 200, response.text
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(caller(), caller(), caller())
    return statistics.quantiles(latencies, n=100)[98]


@contextlib.asynccontextmanager
async def d1_hammering(client: httpx.AsyncClient, statuses: dict[int, int]):
    """Four teachers of d1, sixteen requests in flight each (64 at once), as fast as answers come."""
    stop = asyncio.Event()

    async def connection(headers: dict[str, str]) -> None:
        while not stop.is_set():
            response = await client.get("/assessments/districts/d1/assessments", headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    callers = [bearer(Role.TEACHER, district="d1", subject=f"d1-teacher-{n}") for n in range(4)]
    tasks = [asyncio.create_task(connection(headers)) for headers in callers for _ in range(16)]
    await asyncio.sleep(1.0)  # the pool is full and the queues have formed
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def loaded_ratio(gateway_db: str, **limits: int) -> tuple[float, dict[int, int]]:
    statuses: dict[int, int] = {}
    async with serve_app(shared_service()) as upstream:
        settings = gateway_settings(gateway_db, upstream, **limits)
        async with running_gateway(settings) as client:
            client.timeout = httpx.Timeout(30)
            quiet = await p99_of_d2(client, 3.0)
            async with d1_hammering(client, statuses):
                loaded = await p99_of_d2(client, 4.0)
    print(f"d2 p99 quiet {quiet * 1000:.1f} ms, loaded {loaded * 1000:.1f} ms; d1 answers {statuses}")
    return loaded / quiet, statuses


async def test_another_districts_p99_stays_within_twice_its_quiet_value(gateway_db):
    ratio, statuses = await loaded_ratio(gateway_db)  # the default bound (8 per district)
    assert set(statuses) == {200}, statuses  # d1 stayed within every limit: nothing refused, only queued
    assert ratio < 2.0, ratio


async def test_without_the_bound_the_hammering_district_takes_the_pool(gateway_db):
    ratio, statuses = await loaded_ratio(gateway_db, district_concurrency=10_000)
    assert set(statuses) == {200}, statuses
    assert ratio > 2.0, ratio  # what the bound prevents: the measurement above can fail


async def test_slots_bound_the_in_flight_requests_queue_a_few_and_refuse_the_rest():
    slots = DistrictSlots(limit=2, queue=1, wait_s=0.3)
    release = asyncio.Event()

    async def request(district: str) -> str:
        try:
            async with slots.hold(district):
                await release.wait()
                return "done"
        except DistrictBusy:
            return "busy"

    first = [asyncio.create_task(request("d1")) for _ in range(2)]
    await asyncio.sleep(0)
    assert slots.in_flight("d1") == 2
    queued = asyncio.create_task(request("d1"))  # waits for a slot
    await asyncio.sleep(0)
    assert await request("d1") == "busy"  # the queue is full: refused at once
    other = asyncio.create_task(request("d2"))  # another district is not held up
    await asyncio.sleep(0)
    assert slots.in_flight("d2") == 1
    assert await queued == "busy"  # waited longer than wait_s
    release.set()
    assert await asyncio.gather(*first, other) == ["done"] * 3
    assert slots._gates == {}  # idle districts leave nothing behind


@pytest.mark.parametrize("limit", [1, 3])
async def test_a_waiting_request_gets_the_slot_a_finished_one_frees(limit):
    slots = DistrictSlots(limit=limit, queue=10, wait_s=5)
    active, peak = 0, 0

    async def request() -> None:
        nonlocal active, peak
        async with slots.hold("d1"):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1

    await asyncio.gather(*(request() for _ in range(10)))
    assert peak == limit
