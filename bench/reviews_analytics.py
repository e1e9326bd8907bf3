"""The reviews analytics over a generated program: request time next to the same computation straight in SQL,
in one run (and the two must agree).

    uv run python bench/reviews_analytics.py [--districts 30] [--rounds 7]

Uses PLC_BENCH_POSTGRES_URL (else PostgreSQL on 127.0.0.1:5432 when it answers, else an embedded one); no
broker (the roster, team and result events go through the consumers' handlers, the reviews through the API in
process: reviews.testing.generated_program and run_program, the acceptance test's program). Then, per
analysis, the median of --rounds requests (`GET /reviews/v1/analytics/...?scope=program`, analyst token,
in-process ASGI: routing, auth, queries, statistics, serialisation) next to the median of the same figures
computed by hand-written SQL (one statement each; two with grouping sets for the trends' nine aggregates; and,
for the comparison, the same scipy/statsmodels calls on its counts). Last line: per analysis `<name>_api_ms=<x> <name>_sql_ms=<y>` and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid

from plc_shared import infra
from plc_shared.components import by_name
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.migrate import upgrade_async
from reviews.analytics import rules
from reviews.config import Settings
from reviews.main import create_app
from reviews.testing import api, apply, generated_program, run_program
from sqlalchemy import text

LOCAL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"

DI_CTE = """
WITH prog AS (SELECT district_id, school_id, count(*) OVER (PARTITION BY district_id) AS k
              FROM program_schools WHERE active),
     roster AS (SELECT district_id, count(*) AS n FROM schools WHERE status = 'active' GROUP BY district_id),
     di AS (SELECT p.district_id, p.school_id,
                   p.k = greatest(coalesce(pd.building_count, r.n, 0), p.k)
                   OR 2 * p.k > greatest(coalesce(pd.building_count, r.n, 0), p.k) AS di
            FROM prog p LEFT JOIN roster r USING (district_id) LEFT JOIN program_districts pd USING (district_id))
"""
DI_SQL = (
    DI_CTE
    + """, rec AS (SELECT DISTINCT district_id, school_id FROM recognitions)
SELECT rec.school_id IS NOT NULL AS recognized, count(*) AS n, count(*) FILTER (WHERE di) AS k
FROM di LEFT JOIN rec USING (district_id, school_id) GROUP BY 1
"""
)
CORR_SQL = """
WITH counted AS (  -- each student once per summative and school year: the result that counts (plc_shared.counting)
         SELECT DISTINCT ON (r.district_id, r.assessment_id, coalesce(r.student_id, r.result_id::text), y.y)
                r.district_id, r.school_id, y.y, r.percent, r.cut
         FROM results r JOIN assessments a USING (district_id, assessment_id)
         CROSS JOIN LATERAL (SELECT extract(year FROM r.assessed_on - interval '6 months')::int AS y) y
         WHERE a.kind = 'common_summative' AND NOT r.voided AND r.percent IS NOT NULL
         ORDER BY r.district_id, r.assessment_id, coalesce(r.student_id, r.result_id::text), y.y,
                  r.assessed_on DESC, r.attempt DESC, r.result_id DESC),
     ach AS (SELECT district_id, school_id, y, 100.0 * count(*) FILTER (WHERE percent >= cut) / count(*) AS pct
             FROM counted GROUP BY 1, 2, 3),
     rv AS (SELECT DISTINCT ON (v.district_id, v.school_id) v.district_id, v.school_id, v.school_year AS y,
                   (v.scores -> 'overall' ->> 'percent_proficient')::float AS impl
            FROM reviews v JOIN ach ON (ach.district_id, ach.school_id, ach.y) = (v.district_id, v.school_id, v.school_year)
            WHERE v.kind = 'site' AND v.status = 'finalized' AND v.superseded_by_id IS NULL
              AND v.scores -> 'overall' ->> 'percent_proficient' IS NOT NULL
            ORDER BY v.district_id, v.school_id, v.on DESC, v.created_at DESC)
SELECT count(*), corr(impl, pct), corr(impl_rank, pct_rank)
FROM (SELECT impl, pct, rank() OVER (ORDER BY impl) AS impl_rank, rank() OVER (ORDER BY pct) AS pct_rank
      FROM rv JOIN ach USING (district_id, school_id, y)) ranked
"""
# The trends' nine aggregates (n, strand means, indicator means, each by school year, training year and district
# implementation) in two statements with grouping sets.
TRENDS_REVIEWS = (
    DI_CTE
    + """, v AS (SELECT v.school_year::text AS y, v.training_year AS t,
                  CASE WHEN di.di THEN 'district implementation' ELSE 'single school' END AS d, v.scores, v.ratings
           FROM reviews v LEFT JOIN di USING (district_id, school_id)
           WHERE v.kind = 'site' AND v.status = 'finalized' AND v.superseded_by_id IS NULL)
"""
)
TRENDS_SQL = (
    TRENDS_REVIEWS
    + """SELECT y, t, d, s.key, count(*), avg((s.value ->> 'points')::float), avg((s.value ->> 'percent_proficient')::float)
FROM v, jsonb_each(v.scores -> 'strands') s GROUP BY GROUPING SETS ((y, s.key), (t, s.key), (d, s.key))
"""
)
TRENDS_INDICATORS_SQL = (
    TRENDS_REVIEWS
    + """SELECT y, t, d, r.key, avg((r.value ->> 'level')::float), avg(((r.value ->> 'level')::int >= 2)::int::float)
FROM v, jsonb_each(v.ratings) r GROUP BY GROUPING SETS ((y, r.key), (t, r.key), (d, r.key))
"""
)


async def admin_url() -> tuple[str, infra.EmbeddedPostgres | None]:
    if url := os.environ.get("PLC_BENCH_POSTGRES_URL"):
        return url, None
    if await infra.postgres_reachable(LOCAL):
        return LOCAL, None
    import tempfile
    from pathlib import Path

    server = infra.EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="plc-bench-pg-")) / "pgdata")
    await asyncio.to_thread(server.start)
    return server.admin_url, server


async def timed(fn, rounds: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        out = await fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), out


async def bench(url: str, districts: int, rounds: int) -> None:
    program = generated_program(districts=districts)
    app = create_app(Settings(database_url=url, log_level="WARNING", run_relay=False, run_consumers=False))
    engine = create_engine(url, pool_size=2)
    async with app.router.lifespan_context(app):
        await apply(make_sessionmaker(engine), *program.roster, *program.results)
        async with api(app, "analyst", "d00") as analyst:
            rubric = (await analyst.get("/rubrics/current")).json()
        started = time.perf_counter()
        await run_program(app, program, rubric)
        print(f"program: {len(program.schools)} schools, {len(program.buildings)} districts, "
              f"{len(program.results)} results; reviews through the API in {time.perf_counter() - started:.1f}s")  # fmt: skip
        out = []
        async with api(app, "analyst", "d00") as analyst:

            def get(path: str):
                async def call():
                    response = await analyst.get(f"/analytics/{path}?scope=program")
                    assert response.status_code == 200, response.text
                    return response.json()

                return call

            async def sql(*statements: str, after=None):
                async def call():
                    async with engine.connect() as conn:
                        found = [(await conn.execute(text(statement))).all() for statement in statements]
                    rows = found[0] if len(found) == 1 else found
                    return after(rows) if after else rows

                return call

            di_api_ms, di = await timed(get("district-implementation"), rounds)
            di_sql_ms, counts = await timed(await sql(DI_SQL, after=_compare), rounds)
            cmp = di["non_recognized_vs_recognized"]
            assert (cmp["a"]["k"], cmp["a"]["n"], cmp["b"]["k"], cmp["b"]["n"]) == counts[0] and cmp[
                "p"
            ] == counts[1]
            corr_api_ms, corr = await timed(get("implementation-achievement"), rounds)
            corr_sql_ms, row = await timed(await sql(CORR_SQL), rounds)
            assert corr["n"] == row[0][0] and abs(corr["pearson"]["r"] - row[0][1]) < 1e-9
            trends_api_ms, trends = await timed(get("trends"), rounds)
            trends_sql_ms, rows = await timed(await sql(TRENDS_SQL, TRENDS_INDICATORS_SQL), rounds)
            by_year = {t["value"]: t["strands"] for t in trends["by_year"]}
            strands_by_year = [(y, key, avg) for y, _, _, key, _, avg, _ in rows[0] if y is not None]
            assert strands_by_year and all(
                abs(by_year[y][k]["points"] - avg) < 1e-9 for y, k, avg in strands_by_year
            )
            for name, a, s in (("district_implementation", di_api_ms, di_sql_ms), ("implementation_achievement",
                               corr_api_ms, corr_sql_ms), ("trends", trends_api_ms, trends_sql_ms)):  # fmt: skip
                print(f"{name}: request {a:.1f} ms, SQL {s:.1f} ms, ratio {a / s:.1f}")
                out.append(f"{name}_api_ms={a:.1f} {name}_sql_ms={s:.1f}")
        print(" ".join(out))
    await engine.dispose()


def _compare(rows) -> tuple[tuple[int, int, int, int], float]:
    """The counts of the SQL, compared by the same scipy/statsmodels calls the service makes."""
    by = {recognized: (k, n) for recognized, n, k in rows}
    (k1, n1), (k2, n2) = by.get(False, (0, 0)), by.get(True, (0, 0))
    result = rules.compare((k1, n1), (k2, n2), labels=("non-Exemplary", "Exemplary/Sustaining"), districts=0)
    return (k1, n1, k2, n2), result.get("p")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    admin, server = await admin_url()
    name = f"plc_bench_reviews_{uuid.uuid4().hex[:6]}"
    await infra.create_database(admin, name)
    url = infra.url_with_database(admin, name)
    try:
        await upgrade_async(by_name("reviews"), url)
        await bench(url, args.districts, args.rounds)
    finally:
        await infra.drop_database(admin, name)
        if server is not None:
            await asyncio.to_thread(server.stop)


if __name__ == "__main__":
    asyncio.run(main())
