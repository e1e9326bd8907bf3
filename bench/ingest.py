"""Bulk result ingestion through the assessments service against a raw asyncpg COPY of the same rows.

    uv run python bench/ingest.py [--rows 50000] [--rounds 2]

Uses PLC_BENCH_POSTGRES_URL (else PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded one) and
KAFKA_BOOTSTRAP_SERVERS (else a Tansu broker it starts). The service is the real app (migrated database, JWT,
the request's session committing once), called in-process through httpx's ASGI transport, with its outbox
relay off so the outbox rows it writes can be counted (publishing is bench/outbox.py's subject), and its periodic
jobs off (the analysis standings the bulk makes stale are computed after the request, not in it).

Service side: one POST /results/bulk of N rows (each with item scores, so per-standard scores are computed),
timed from the request until the response, which is sent only after the commit of the results and their
outbox rows. COPY side: the very rows the service stored (results and outbox events, read back) are deleted and
written again with asyncpg COPY in one transaction. Last line: rows_per_s=<n> copy_rows_per_s=<n>
ratio=<service time / COPY time>.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

import asyncpg
import httpx
from plc_shared import infra
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import by_name
from plc_shared.migrate import upgrade_async


async def setup(http: httpx.AsyncClient, headers: dict, district: str, students: int) -> str:
    """Roster (one school, 50 classes), two standards, a published assessment with three items."""
    school = f"{district}-s1"
    orgs = [
        {"sourced_id": district, "name": "Bench district", "type": "district"},
        {"sourced_id": school, "name": "Bench school", "type": "school", "parent_id": district},
    ]
    await _put(http, headers, "orgs", orgs)
    classes = [{"sourced_id": f"{district}-c{c}", "title": f"c{c}", "school_id": school} for c in range(50)]
    await _put(http, headers, "classes", classes)
    for start in range(0, students, 10_000):
        ids = [f"{district}-st{i}" for i in range(start, min(students, start + 10_000))]
        await _put(http, headers, "students", [{"sourced_id": s, "school_ids": [school]} for s in ids])
        enrollments = [
            {
                "sourced_id": f"e-{s}",
                "class_id": f"{district}-c{i % 50}",
                "school_id": school,
                "user_id": s,
                "role": "student",
            }
            for i, s in enumerate(ids, start)
        ]
        await _put(http, headers, "enrollments", enrollments)
    standards = []
    for code in ("NF1", "NF2"):
        body = {"id": f"{district}-{code}", "code": code, "statement": code}
        standards.append(
            (await _ok(await http.post("/assessments/standards", json=body, headers=headers)))["id"]
        )
    assessment = {
        "id": f"{district}-cfa",
        "title": "Bench CFA",
        "kind": "common_formative",
        "grades": ["04"],
        "max_score": 20,
        "proficiency_cut": 70,
        "mastery_cut": 90,
        "performance_levels": [
            {"name": "below", "min": 0, "max": 14},
            {"name": "proficient", "min": 14, "max": 18},
            {"name": "advanced", "min": 18},
        ],
        "objectives": [
            {"code": "O1", "max_points": 10, "standard_ids": [standards[0]]},
            {"code": "O2", "max_points": 10, "standard_ids": [standards[1]]},
        ],
        "items": [
            {"code": "Q1", "max_points": 5, "standard_id": standards[0], "objective_code": "O1"},
            {"code": "Q2", "max_points": 5, "standard_id": standards[0], "objective_code": "O1"},
            {"code": "Q3", "max_points": 10, "standard_id": standards[1], "objective_code": "O2"},
        ],
    }
    await _ok(await http.post("/assessments/assessments", json=assessment, headers=headers))
    await _ok(await http.post(f"/assessments/assessments/{assessment['id']}/publish", headers=headers))
    return assessment["id"]


async def _put(http, headers, kind, records) -> None:
    await _ok(await http.put(f"/assessments/roster/{kind}", json={"records": records}, headers=headers))


async def _ok(response: httpx.Response) -> dict:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:500]}")
    return response.json()


def body_for(district: str, assessment_id: str, students: int, attempt: int) -> bytes:
    rows = [
        {
            "assessment_id": assessment_id,
            "student_id": f"{district}-st{i}",
            "attempt": attempt,
            "assessed_on": "2026-11-20",
            "item_scores": {"Q1": i % 6, "Q2": (i // 6) % 6, "Q3": i % 11},
        }
        for i in range(students)
    ]
    return json.dumps({"results": rows}).encode()


async def time_service(http, headers, body: bytes, rows: int) -> float:
    started = time.perf_counter()
    response = await http.post(
        "/assessments/results/bulk", content=body, headers={**headers, "Content-Type": "application/json"}
    )
    elapsed = time.perf_counter() - started
    report = await _ok(response)
    if report["created"] != rows or report["rejected"]:
        raise RuntimeError(f"unexpected report: { {k: report[k] for k in ('created', 'rejected')} }")
    return elapsed


async def time_copy(dsn: str, assessment_id: str, attempt: int, rows: int) -> float:
    """Read back what the service stored, delete it, and COPY the same rows in again (one transaction)."""
    conn = await asyncpg.connect(dsn)
    try:
        results = await conn.fetch(
            "SELECT * FROM results WHERE assessment_id = $1 AND attempt = $2", assessment_id, attempt
        )
        events = await conn.fetch(
            "SELECT event_id, topic, key, event_type, payload, traceparent FROM outbox"
            " WHERE event_type LIKE 'org.plc.assessments.result.%' ORDER BY id"
        )
        if len(results) != rows or len(events) != rows:
            raise RuntimeError(f"expected {rows} results and events, found {len(results)} and {len(events)}")
        columns = list(results[0].keys())
        await conn.execute(
            "DELETE FROM results WHERE assessment_id = $1 AND attempt = $2", assessment_id, attempt
        )
        await conn.execute("DELETE FROM outbox")
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("results", records=[tuple(r) for r in results], columns=columns)
            await conn.copy_records_to_table(
                "outbox", records=[tuple(e) for e in events], columns=list(events[0].keys())
            )
        elapsed = time.perf_counter() - started
        await conn.execute("DELETE FROM outbox")  # the next round starts from an empty outbox
        return elapsed
    finally:
        await conn.close()


async def bench(admin_url: str, bootstrap: str, rows: int, rounds: int) -> None:
    from assessments.config import Settings
    from assessments.main import create_app
    from plc_shared.settings import KafkaSettings

    name = f"plc_bench_ingest_{uuid.uuid4().hex[:6]}"
    await infra.create_database(admin_url, name)
    url = infra.url_with_database(admin_url, name)
    try:
        await upgrade_async(by_name("assessments"), url)
        kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=f"bench{uuid.uuid4().hex[:6]}.")
        settings = Settings(
            database_url=url, kafka=kafka, run_relay=False, run_periodic=False, log_level="WARNING"
        )
        app = create_app(settings)
        district = f"bench-{uuid.uuid4().hex[:6]}"
        headers = {
            "Authorization": "Bearer "
            + mint_dev_token(settings.auth, role=Role.SIS_INTEGRATION, district_id=district)
        }
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        service_times, copy_times = [], []
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as http:
                assessment_id = await setup(http, headers, district, rows)
                for attempt in range(1, rounds + 1):
                    body = body_for(district, assessment_id, rows, attempt)
                    service = await time_service(http, headers, body, rows)
                    copy = await time_copy(dsn, assessment_id, attempt, rows)
                    service_times.append(service)
                    copy_times.append(copy)
                    print(
                        f"round {attempt}: service {rows / service:,.0f} rows/s ({service:.2f}s)"
                        f"  copy {rows / copy:,.0f} rows/s ({copy:.2f}s)  body {len(body) / 1e6:.1f} MB"
                    )
        service_best, copy_best = min(service_times), min(copy_times)
        print(f"rows={rows} rounds={rounds} (best round of each; results + outbox rows committed)")
        print(
            f"rows_per_s={rows / service_best:.0f} copy_rows_per_s={rows / copy_best:.0f}"
            f" ratio={service_best / copy_best:.2f}"
        )
    finally:
        await infra.drop_database(admin_url, name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    async with infra.Infrastructure() as (admin_url, bootstrap):
        await bench(admin_url, bootstrap, args.rows, args.rounds)


if __name__ == "__main__":
    asyncio.run(main())
