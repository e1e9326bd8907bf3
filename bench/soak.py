"""Soak: the whole stack under a steady mixed load, through the gateway, for SOAK_SECONDS (default 60).

    make soak                       # or: SOAK_SECONDS=600 uv run python bench/soak.py

Starts `plc up` (supervisor, Tansu, the four services, the gateway) on a private PostgreSQL cluster, seeds
districts of two schools each, then runs at once, per district: a SIS integration posting bulk results
(BULK_ROWS rows a post, with an Idempotency-Key), another posting single results, and teachers of each school
reading their flags and an assessment's analysis. Every answer other than 2xx, and every request that got no
answer, is an error. At the end it waits until everything accepted has been published and consumed and
closes the books (plc_shared.ledger): accepted → stored → events → consumed → flags, 0 lost, 0 doubled.

Prints the errors (must be 0), count/p50/p99 per route and the books; the last line is
`errors=<n> exact=<True|False> ...`, and the exit code is 0 only when errors=0 and the books are exact.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
from plc_shared import topics
from plc_shared.components import by_name
from plc_shared.ledger import Books, District, Ledger, post_bulk
from plc_shared.running import PlcUp, PrivatePostgres
from plc_shared.testing import eventually

DISTRICTS, STUDENTS, BULK_ROWS = 3, 1_000, 200
BULKS_PER_S, SINGLES_PER_S, READS_PER_S = 1.0, 5.0, 1.0  # per district, and per teacher and route
WRITES_PER_S = (
    BULKS_PER_S * BULK_ROWS + SINGLES_PER_S
)  # per district, to seed enough (assessment, student) slots


class Load:
    def __init__(self, gateway: httpx.AsyncClient, until: float) -> None:
        self.gateway, self.until = gateway, until
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.accepted = 0

    async def call(self, route: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.gateway.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.errors.append(f"{route}: {exc!r}")
            return None
        self.latency[route].append(time.perf_counter() - started)
        if response.status_code >= 300:
            self.errors.append(f"{route}: {response.status_code} {response.text[:200]}")
            return None
        return response

    async def bulk(self, district: District, first: int, last: int) -> None:
        for start in range(first, last, BULK_ROWS):
            if time.monotonic() > self.until:
                return
            paced = asyncio.create_task(asyncio.sleep(1 / BULKS_PER_S))
            rows = [district.row(n) for n in range(start, min(start + BULK_ROWS, last))]
            started = time.perf_counter()
            # no retries here: in a soak a 503 is an error like any other
            report, statuses = await post_bulk(self.gateway, district, rows, retry_for_s=0)
            self.latency["POST /assessments/results/bulk"].append(time.perf_counter() - started)
            if statuses != [200] or report["rejected"]:
                self.errors.append(f"bulk: {statuses} {str(report)[:200]}")
            else:
                self.accepted += report["accepted"]
            await paced

    async def singles(self, district: District, first: int, last: int) -> None:
        for n in range(first, last):
            if time.monotonic() > self.until:
                return
            paced = asyncio.create_task(asyncio.sleep(1 / SINGLES_PER_S))
            route = "PUT /assessments/results"
            if await self.call(
                route, "PUT", "/assessments/results", json=district.row(n), headers=district.sis
            ):
                self.accepted += 1
            await paced

    async def teacher(self, district: District, school: str) -> None:
        headers = district.teacher(school)
        while time.monotonic() < self.until:
            paced = asyncio.create_task(asyncio.sleep(1 / READS_PER_S))
            flags = "/interventions/v1/flags"
            await self.call(f"GET {flags}", "GET", flags, params={"school_id": school}, headers=headers)
            analysis = f"/assessments/assessments/{district.assessments[0]}/analysis"
            await self.call("GET /assessments/assessments/{id}/analysis", "GET", analysis, headers=headers)
            await paced


async def schools_known(gateway: httpx.AsyncClient, districts: list[District]) -> None:
    """Interventions learns a district's schools from the roster's events, a moment after the roster writes
    (until then its routes answer 404, as for a school that is not the caller's): the load starts once every
    seeded school is known, so a reader's first request does not race the roster's propagation."""

    async def known() -> bool:
        for district in districts:
            for school in district.schools:
                answer = await gateway.get(
                    "/interventions/v1/flags", params={"school_id": school}, headers=district.teacher(school)
                )
                if answer.status_code != 200:
                    return False
        return True

    if not await eventually(known, timeout_s=60, interval_s=0.2):
        raise RuntimeError("interventions did not learn the seeded schools from the roster's events in 60 s")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def soak(seconds: float) -> int:
    postgres, outcome = PrivatePostgres(), 1
    up = PlcUp(Path(tempfile.mkdtemp(prefix="plc-soak-")) / "plc", postgres)
    try:
        await asyncio.to_thread(postgres.init)
        described = await up.start()
        print(f"stack up: gateway {described['gateway']}", flush=True)
        assessments = int(seconds * WRITES_PER_S / STUDENTS) + 2
        async with httpx.AsyncClient(base_url=up.url("assessments"), timeout=120) as http:
            districts = [
                await District().seed(http, schools=2, students=STUDENTS, assessments=assessments)
                for _ in range(DISTRICTS)
            ]
        print(f"seeded {DISTRICTS} districts x {STUDENTS} students x {assessments} assessments", flush=True)
        async with httpx.AsyncClient(base_url=up.gateway, timeout=60) as gateway:
            await schools_known(gateway, districts)
            load = Load(gateway, time.monotonic() + seconds)
            started = time.monotonic()
            await asyncio.gather(*(work(load, d) for d in districts))
            elapsed = time.monotonic() - started
        books = Books(
            postgres.url_for(by_name("assessments").database),
            postgres.url_for(by_name("interventions").database),
            described["kafka_bootstrap_servers"],
            topics.RESULTS.name,
        )
        ids = [d.id for d in districts]
        settle_started = time.monotonic()
        settled = await eventually(lambda: books.settled(ids, load.accepted), timeout_s=300, interval_s=0.5)
        settle_s = time.monotonic() - settle_started
        ledger = await books.account(f"soak {seconds:.0f} s", ids, load.accepted)
        report(load, elapsed, ledger, settled, settle_s)
        outcome = 0 if not load.errors and settled and ledger.exact else 1
        return outcome
    finally:
        await asyncio.to_thread(up.stop)
        await asyncio.to_thread(postgres.stop)
        postgres.remove()
        if outcome == 0:
            shutil.rmtree(up.data_dir.parent, ignore_errors=True)
        else:  # the processes' logs, for whoever looks into the failure
            print(f"logs kept in {up.data_dir / 'logs'}", file=sys.stderr)


async def work(load: Load, district: District) -> None:
    half = district.slots // 2  # singles take the first half of the slots, bulk posts the second
    await asyncio.gather(
        load.singles(district, 0, half),
        load.bulk(district, half, district.slots),
        *(load.teacher(district, school) for school in district.schools),
    )


def report(load: Load, elapsed: float, ledger: Ledger, settled: bool, settle_s: float) -> None:
    print(f"\nerrors: {len(load.errors)}")
    for error in load.errors[:20]:
        print(f"  {error}")
    print(f"\n{'route':48} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for route, values in sorted(load.latency.items()):
        p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
        print(f"{route:48} {len(values):>8} {p50:>8.0f} {p99:>8.0f}")
    print(
        f"\nload ran {elapsed:.0f} s; {load.accepted} results accepted; settled={settled} in {settle_s:.1f} s\n"
    )
    print(Ledger.table([ledger]))
    print(
        f"errors={len(load.errors)} exact={ledger.exact} accepted={ledger.accepted} events={ledger.events} "
        f"flags={ledger.flags} lost={ledger.lost} doubled={ledger.doubled}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(soak(float(os.environ.get("SOAK_SECONDS", "60")))))
