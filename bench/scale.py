"""Reads that stay flat: the same reads over districts of three sizes, median and p99 at each, and the growth.

    uv run python bench/scale.py [--sizes 2000 20000 100000] [--rounds 30] [--keep]

For each size (students) it makes the four services' databases (migrated), seeds a district straight with COPY
(no API, no broker: a 100,000-student district is seeded in a minute or two) in a realistic shape, then times
each read in process (ASGI: routing, auth, queries, serialisation; no gateway, no network):

- schools of 500 students in six grades (00 to 05), classes of 25 with one teacher each, 20 standards;
- per school and grade four CFAs (common formative, two standards and four items each) that every student of
  the grade took, a quarter of them twice (retakes); one district-wide common summative (`dw-cfa`, four
  standards) taken by the grade-04 students, a sixth of the district, a fifth of them twice;
- flags: school s0000 has 10,000 open flags (each of its 500 students on each of the 20 standards) and a history
  of resolved ones; elsewhere 15 % of the students have two open flags and everyone one resolved flag, written
  over many transactions (the changes feed's history); a fifth of the students are in tier 2;
- goals: every assessment published (what a goal's measure may name) and one active school goal on `dw-cfa`;
- reviews: the same assessments (kind) and results (percent, cut).

Reads (role in brackets): teacher_analysis (teacher of the class: GET .../analysis of a school CFA),
district_analysis (district admin: the analysis of `dw-cfa`, every student named with their attempts),
district_analysis_aggregates (analyst: the same analysis, aggregates only), district_analysis_after_write (the
district admin's analysis again, each time right after a correction of one student's result, not timed),
class_flags (teacher: open flags of their class),
school_flags (school leader: a page of 1,000 of s0000's 10,000 open flags), student_results (school leader:
GET /assessments/students/{id}), goal_read (GET /goals/v1/goals/{id}), implementation_achievement (district
admin, GET /reviews/v1/analytics/implementation-achievement), and two web pages' data as the web app builds
them (web.meeting.service.meeting for the district admin's district-wide data meeting of `dw-cfa`,
web.flags.service.flags_view for s0000's leader, web.dashboard.service.dashboard, the school dashboard, for the
same leader) through an in-process router to the services: for those the
time the page adds over its API calls (wall time minus the time any API call was in flight) is printed too
(`*_added`). Template rendering is not included.

Prints per read and size median/p99 in ms, and the growth factor (median at the largest size ÷ at the
smallest). Last line: `<read>_ms=<median at the largest size> <read>_growth=<factor>` per read (e.g.
`district_analysis_ms=`, `flags_page_ms=`, `meeting_page_ms=`), the time the pages add over their API calls
(`meeting_page_added_ms=`, `flags_page_added_ms=`) and the largest growth (`max_growth=`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta

# bench/goals.py would shadow the goals service's package (this script's directory comes first on the import path): run
# again under `python -P` (safe path), as bench/goals.py does; the import path is never edited (tests/test_shape.py).
if __name__ == "__main__" and not sys.flags.safe_path:
    os.execv(sys.executable, [sys.executable, "-P", *sys.argv])  # noqa: S606 - this script, again

import asyncpg
import httpx
from plc_shared import infra
from plc_shared.auth import mint_dev_token
from plc_shared.components import by_name
from plc_shared.migrate import upgrade_async

LOCAL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SERVICES = ("assessments", "interventions", "goals", "reviews")
DISTRICT = "d-scale"
PER_SCHOOL, CLASS_SIZE, GRADES, STANDARDS = 500, 25, 6, 20
CFAS_PER_GRADE, BIG_SCHOOL = 4, "s0000"
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
ON = date(2026, 10, 5)


def std(i: int) -> str:
    return f"std{i % STANDARDS:02d}"


class Shape:
    """The district's ids, computed from its size (students)."""

    def __init__(self, students: int) -> None:
        self.schools = [f"s{i:04d}" for i in range(max(4, round(students / PER_SCHOOL)))]
        self.students = len(self.schools) * PER_SCHOOL
        self.classes_per_school = PER_SCHOOL // CLASS_SIZE

    def cls(self, school: str, c: int) -> str:
        return f"{school}-c{c:02d}"

    def grade(self, c: int) -> str:
        return f"{c % GRADES:02d}"

    def pupils(self, si: int):
        """(student id, class index) of school index si."""
        for n in range(PER_SCHOOL):
            yield f"st{si * PER_SCHOOL + n:07d}", n // CLASS_SIZE

    def cfa(self, school: str, grade: str, k: int) -> str:
        return f"cfa-{school}-{grade}-{k}"

    def cfa_standards(self, grade: str, k: int) -> list[str]:
        g = int(grade)
        return [std(g * 3 + k), std(g * 3 + k + 1)]


DW, DW_STANDARDS = "dw-cfa", [std(0), std(5), std(10), std(15)]


def scores(rng: random.Random, standards: list[str], codes: dict[str, str]) -> tuple[float, list, dict]:
    """(percent, standard_scores, item_scores): two items of 5 points per standard."""
    items, out, total = {}, [], 0.0
    for i, sid in enumerate(standards):
        a, b = float(rng.randint(0, 5)), float(rng.randint(0, 5))
        items[f"i{2 * i + 1}"], items[f"i{2 * i + 2}"] = a, b
        pct = round((a + b) * 10.0, 1)
        total += a + b
        out.append({"standard_id": sid, "code": codes[sid], "essential": i == 0, "points": a + b, "max_points": 10.0,
                    "percent": pct, "proficiency_cut": 70.0, "mastery_cut": 90.0, "proficient": pct >= 70,
                    "mastered": pct >= 90})  # fmt: skip
    return round(total * 100.0 / (10.0 * len(standards)), 1), out, items


async def seed(urls: dict[str, str], shape: Shape) -> dict:
    rng = random.Random(25)
    conns = {s: await asyncpg.connect(urls[s].replace("+asyncpg", "")) for s in SERVICES}
    try:
        return await _seed(conns, shape, rng)
    finally:
        for c in conns.values():
            await c.close()


async def _seed(conns: dict[str, asyncpg.Connection], shape: Shape, rng: random.Random) -> dict:
    a, iv, g, rv = (conns[s] for s in SERVICES)
    codes = {std(i): f"4.NF.{i:02d}" for i in range(STANDARDS)}
    await a.copy_records_to_table("orgs", columns=["sourced_id", "district_id", "name", "type", "parent_id"],
        records=[(DISTRICT, DISTRICT, "Scale District", "district", None)]
        + [(s, DISTRICT, f"School {s}", "school", DISTRICT) for s in shape.schools])  # fmt: skip
    await a.copy_records_to_table("standards", columns=["id", "district_id", "code", "statement"],
        records=[(sid, DISTRICT, code, f"Statement {code}") for sid, code in codes.items()])  # fmt: skip
    classes, staff, students, enrollments = [], [], [], []
    assessments, items, results = [], [], []
    iv_students, tiers, flags_open, flags_resolved = [], [], [], []
    dw_items = [(f"{DW}-i{n}", DW, f"i{n}", 5.0, DW_STANDARDS[(n - 1) // 2]) for n in range(1, 9)]
    assessments.append((DW, None, "District CFA", "common_summative", ["04"], "published", DW_STANDARDS))
    items += dw_items
    for si, school in enumerate(shape.schools):
        staff.append((f"{school}-admin", ["administrator"], [school]))
        for c in range(shape.classes_per_school):
            teacher = f"{school}-t{c:02d}"
            classes.append((shape.cls(school, c), school, [shape.grade(c)], [teacher]))
            staff.append((teacher, ["teacher"], [school]))
            enrollments.append((f"e-{teacher}", shape.cls(school, c), school, teacher, "teacher"))
        for grade in (f"{x:02d}" for x in range(GRADES)):
            for k in range(CFAS_PER_GRADE):
                aid, stds = shape.cfa(school, grade, k), shape.cfa_standards(grade, k)
                assessments.append(
                    (aid, school, f"CFA {grade}.{k}", "common_formative", [grade], "published", stds)
                )
                items += [(f"{aid}-i{n}", aid, f"i{n}", 5.0, stds[(n - 1) // 2]) for n in range(1, 5)]
        for student, c in shape.pupils(si):
            klass, grade = shape.cls(school, c), shape.grade(c)
            students.append((student, [school], [grade], f"Given{student[-4:]}", f"Family{student[2:5]}"))
            enrollments.append((f"e-{student}", klass, school, student, "student"))
            iv_students.append((DISTRICT, student, [school], "active", [klass]))
            taken = [
                (shape.cfa(school, grade, k), shape.cfa_standards(grade, k), 0.25)
                for k in range(CFAS_PER_GRADE)
            ]
            if grade == "04":
                taken.append((DW, DW_STANDARDS, 0.2))
            for aid, stds, retake in taken:
                for attempt in (1, 2) if rng.random() < retake else (1,):
                    pct, standard_scores, item_scores = scores(rng, stds, codes)
                    results.append((uuid.uuid4(), aid, student, attempt, school, [klass], pct, standard_scores,
                                    item_scores, ON + timedelta(days=7 * attempt)))  # fmt: skip
            if rng.random() < 0.2:
                tiers.append((DISTRICT, student, school, 2, "escalation", NOW))
            # flags: s0000's students on every standard; elsewhere 15 % on two; one resolved flag each
            wanted = range(STANDARDS) if school == BIG_SCHOOL else rng.sample(range(STANDARDS), 2)
            if school == BIG_SCHOOL or rng.random() < 0.15:
                flags_open += [(student, school, [klass], std(i)) for i in wanted]
            flags_resolved.append((student, school, [klass], std(rng.randrange(STANDARDS))))
    await a.copy_records_to_table("classes", columns=["sourced_id", "district_id", "title", "school_id", "grades", "teacher_ids"],
        records=[(c, DISTRICT, f"Class {c}", s, gr, t) for c, s, gr, t in classes])  # fmt: skip
    await a.copy_records_to_table("staff", columns=["sourced_id", "district_id", "given_name", "family_name", "roles", "school_ids"],
        records=[(u, DISTRICT, "Pat", u, r, s) for u, r, s in staff])  # fmt: skip
    await a.copy_records_to_table("students", columns=["sourced_id", "district_id", "school_ids", "grades", "given_name", "family_name"],
        records=[(s, DISTRICT, sc, gr, gn, fn) for s, sc, gr, gn, fn in students])  # fmt: skip
    await a.copy_records_to_table("enrollments", columns=["sourced_id", "district_id", "class_id", "school_id", "user_id", "role"],
        records=[(e, DISTRICT, c, s, u, r) for e, c, s, u, r in enrollments])  # fmt: skip
    await a.copy_records_to_table("assessments", columns=["id", "district_id", "school_id", "title", "kind", "grades", "max_score",
        "proficiency_cut", "mastery_cut", "status", "created_by", "published_at"],
        records=[(i, DISTRICT, s, t, k, gr, 20.0, 70.0, 90.0, st, "bench", NOW) for i, s, t, k, gr, st, _ in assessments])  # fmt: skip
    await a.copy_records_to_table("items", columns=["id", "district_id", "assessment_id", "code", "max_points", "standard_id"],
        records=[(i, DISTRICT, aid, code, mp, sid) for i, aid, code, mp, sid in items])  # fmt: skip
    await a.copy_records_to_table("results", columns=["id", "district_id", "assessment_id", "student_id", "attempt", "school_id",
        "class_ids", "score_status", "total_score", "percent", "standard_scores", "item_scores", "assessed_on", "revision",
        "recorded_at"],
        records=[(i, DISTRICT, aid, s, n, sc, cl, "fully graded", pct / 5, pct, json.dumps(ss), json.dumps(its), on, 1, NOW)
                 for i, aid, s, n, sc, cl, pct, ss, its, on in results])  # fmt: skip
    # interventions
    await iv.copy_records_to_table("schools", columns=["district_id", "school_id", "status"],
        records=[(DISTRICT, s, "active") for s in shape.schools])  # fmt: skip
    await iv.copy_records_to_table("students", columns=["district_id", "student_id", "school_ids", "status", "class_ids"],
        records=iv_students)  # fmt: skip
    await iv.copy_records_to_table("student_tiers", columns=["district_id", "student_id", "school_id", "tier", "reason", "since"],
        records=tiers)  # fmt: skip
    flag_columns = ["id", "student_id", "district_id", "school_id", "class_ids", "standard_id", "kind", "status", "rule",
                    "result_id", "result_revision", "assessment_id", "score", "cut", "evidence_recorded_at", "opened_at",
                    "resolution", "resolved_at"]  # fmt: skip
    rows = [(uuid.uuid4(), s, DISTRICT, sc, cl, sid, "support", "resolved", "below_cut", uuid.uuid4(), 1, DW, 50.0, 70.0,
             NOW - timedelta(days=60), NOW - timedelta(days=60 - i % 50), "result", NOW - timedelta(days=20 - i % 15))
            for i, (s, sc, cl, sid) in enumerate(flags_resolved)]  # fmt: skip
    rows += [(uuid.uuid4(), s, DISTRICT, sc, cl, sid, "support", "open", "below_cut", uuid.uuid4(), 1, DW, 50.0, 70.0,
              NOW - timedelta(days=10), NOW - timedelta(minutes=i), None, None)
             for i, (s, sc, cl, sid) in enumerate(flags_open)]  # fmt: skip
    for start in range(0, len(rows), 2_000):  # one transaction each: the feed's history has many positions
        await iv.copy_records_to_table("flags", columns=flag_columns, records=rows[start : start + 2_000])
    # goals and reviews: the published assessments and the results they keep
    await g.copy_records_to_table("assessments", columns=["district_id", "assessment_id", "school_id", "standard_ids", "status"],
        records=[(DISTRICT, i, s, stds, "published") for i, s, _, _, _, _, stds in assessments])  # fmt: skip
    await rv.copy_records_to_table("assessments", columns=["district_id", "assessment_id", "kind", "standard_ids"],
        records=[(DISTRICT, i, k, stds) for i, _, _, k, _, _, stds in assessments])  # fmt: skip
    await rv.copy_records_to_table("results", columns=["district_id", "result_id", "revision", "school_id", "assessment_id",
        "class_ids", "assessed_on", "percent", "cut", "voided", "student_id", "attempt"],
        records=[(DISTRICT, i, 1, sc, aid, cl, on, pct, 70.0, False, s, n) for i, aid, s, n, sc, cl, pct, _, _, on in results])  # fmt: skip
    for c in conns.values():
        await c.execute("VACUUM ANALYZE")
    return {"results": len(results), "open_flags": len(flags_open), "assessments": len(assessments)}


class Router(httpx.AsyncBaseTransport):
    """The gateway's path prefixes → the services in process; records when each call was in flight."""

    def __init__(self, apps: dict[str, object]) -> None:
        self.transports = {name: httpx.ASGITransport(app=app) for name, app in apps.items()}
        self.spans: list[tuple[float, float]] = []
        self.by_path: dict[str, list[float]] = {}  # ms per API path (what a page's time goes to)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        service = request.url.path.split("/")[1]
        started = time.perf_counter()
        response = await self.transports[service].handle_async_request(request)
        await response.aread()
        self.spans.append((started, time.perf_counter()))
        self.by_path.setdefault(request.url.path, []).append((self.spans[-1][1] - started) * 1000)
        return response

    def busy(self, since: float) -> float:
        """Seconds during which at least one call was in flight since `since` (the union of the spans)."""
        total, end = 0.0, since
        for a, b in sorted(s for s in self.spans if s[0] >= since):
            if b > end:
                total += b - max(a, end)
                end = b
        return total


def token(role: str, schools=(), classes=(), subject: str | None = None) -> str:
    from assessments.config import Settings

    return mint_dev_token(Settings().auth, role=role, district_id=DISTRICT, school_ids=schools, class_ids=classes,
                          subject=subject)  # fmt: skip


async def make_goal(app) -> str:
    from goals.consumers import handle_roster
    from goals.testing import school, staff
    from plc_shared.db import create_engine, make_sessionmaker
    from plc_shared.events import CloudEvent

    engine = create_engine(app.state.settings.database_url, pool_size=1)
    async with make_sessionmaker(engine)() as session, session.begin():
        events = [school(DISTRICT, "s0001"), staff(DISTRICT, "s0001-admin", "administrator", "s0001")]
        await handle_roster(session, [CloudEvent.wrap(e) for e in events])
    await engine.dispose()
    body = {"title": "Grade 4 proficient on the district CFA", "measure": {"kind": "proficient", "assessment_id": DW},
            "population": {"kind": "school"}, "target": 80.0, "baseline": {"value": 40.0, "source": "given"},
            "start": "2026-09-01", "deadline": "2027-05-20"}  # fmt: skip
    async with client(app, token("district_admin")) as admin:
        made = await admin.post("/goals/v1/schools/s0001/goals", json=body)
        assert made.status_code == 201, made.text
        activated = await admin.post(f"/goals/v1/goals/{made.json()['id']}/activate")
        assert activated.status_code == 200, activated.text
        return made.json()["id"]


def client(app, bearer: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc",
                             headers={"Authorization": f"Bearer {bearer}"})  # fmt: skip


async def measure(urls: dict[str, str], shape: Shape, rounds: int) -> dict[str, list[float]]:
    from assessments.config import Settings as ASettings
    from assessments.main import create_app as assessments_app
    from goals.config import Settings as GSettings
    from goals.main import create_app as goals_app
    from interventions.config import Settings as ISettings
    from interventions.main import create_app as interventions_app
    from reviews.config import Settings as RSettings
    from reviews.main import create_app as reviews_app
    from web.client import Api
    from web.dashboard.service import dashboard
    from web.flags.service import FlagFilters, flags_view
    from web.meeting.service import meeting

    quiet = {"log_level": "WARNING", "run_relay": False, "run_consumers": False, "run_periodic": False}
    apps = {
        "assessments": assessments_app(ASettings(database_url=urls["assessments"], **quiet)),
        "interventions": interventions_app(ISettings(database_url=urls["interventions"], **quiet)),
        "goals": goals_app(GSettings(database_url=urls["goals"], **quiet)),
        "reviews": reviews_app(RSettings(database_url=urls["reviews"], **quiet)),
    }
    times: dict[str, list[float]] = {}
    async with AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        logging.getLogger("plc.audit").setLevel(logging.WARNING)  # every read is audited: not on the screen
        goal_id = await make_goal(apps["goals"])
        school, klass = "s0001", shape.cls("s0001", 4)  # class 4: grade 04
        teacher = token("teacher", [school], [klass])
        leader, big_leader = token("school_leader", [school]), token("school_leader", [BIG_SCHOOL])
        admin = token("district_admin")
        router = Router(apps)
        web_http = await stack.enter_async_context(httpx.AsyncClient(transport=router, base_url="http://gw"))

        def get(app: str, path: str, bearer: str, **params):
            async def call():
                async with client(apps[app], bearer) as http:
                    response = await http.get(path, params=params)
                assert response.status_code == 200, (path, response.status_code, response.text[:300])

            return call

        async def web(fn, bearer: str, name: str):
            async def call():
                started = time.perf_counter()
                await fn(Api(web_http, bearer))
                spent = time.perf_counter() - started
                times.setdefault(f"{name}_added", []).append((spent - router.busy(started)) * 1000)
                router.spans.clear()

            return call

        student = next(shape.pupils(1))[0]
        reads = {
            "teacher_analysis": get("assessments", f"/assessments/assessments/{shape.cfa(school, '04', 0)}/analysis", teacher),
            "district_analysis": get("assessments", f"/assessments/assessments/{DW}/analysis", admin),
            "district_analysis_aggregates": get("assessments", f"/assessments/assessments/{DW}/analysis",
                                                token("analyst")),
            "class_flags": get("interventions", "/interventions/v1/flags", teacher, class_id=klass),
            "school_flags": get("interventions", "/interventions/v1/flags", big_leader, school_id=BIG_SCHOOL, limit=1000),
            "student_results": get("assessments", f"/assessments/students/{student}", leader),
            "goal_read": get("goals", f"/goals/v1/goals/{goal_id}", admin),
            "implementation_achievement": get("reviews", "/reviews/v1/analytics/implementation-achievement", admin,
                                              scope="district"),
            "meeting_page": await web(lambda api: meeting(api, DW, None), admin, "meeting_page"),
            "flags_page": await web(lambda api: flags_view(api, FlagFilters(BIG_SCHOOL)), big_leader, "flags_page"),
            "dashboard_page": await web(lambda api: dashboard(api, BIG_SCHOOL), big_leader,
                                        "dashboard_page"),
        }  # fmt: skip
        # district_analysis_after_write: the same read right after a correction of one student's result (not
        # timed): the read computes that student's standing again (analysis.service.refresh), not the district's.
        taker = await _one_taker(urls["assessments"])
        corrections = iter(range(1_000_000))

        async def correct() -> None:
            n = next(corrections)
            body = {"assessment_id": DW, "student_id": taker, "attempt": 1,
                    "item_scores": {f"i{i}": float((n + i) % 6) for i in range(1, 9)}}  # fmt: skip
            async with client(apps["assessments"], token("sis_integration")) as http:
                answer = await http.put("/assessments/results", json=body)
            assert answer.status_code in (200, 201), answer.text[:300]

        reads["district_analysis_after_write"] = reads["district_analysis"]
        before = {"district_analysis_after_write": correct}
        for name, call in reads.items():
            for _ in range(2):  # warm: connections, caches, first-call imports
                await call()
            times.pop(f"{name}_added", None)
            took = []
            for _ in range(rounds):
                if name in before:
                    await before[name]()
                started = time.perf_counter()
                await call()
                took.append((time.perf_counter() - started) * 1000)
            times[name] = took
        slowest = sorted(((statistics.median(v), p) for p, v in router.by_path.items()), reverse=True)[:6]
        print("  the web pages' API calls, median ms: " + ", ".join(f"{p} {m:.0f}" for m, p in slowest))
    return times


async def _one_taker(url: str) -> str:
    """A student with a result on the district CFA."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return await conn.fetchval(
            "SELECT student_id FROM results WHERE district_id = $1 AND assessment_id = $2 ORDER BY student_id"
            " LIMIT 1",
            DISTRICT,
            DW,
        )
    finally:
        await conn.close()


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def one_size(admin: str, students: int, rounds: int, keep: bool) -> tuple[int, dict[str, list[float]]]:
    shape = Shape(students)
    names = {s: f"plc_scale_{shape.students}_{s}" for s in SERVICES}
    urls = {s: infra.url_with_database(admin, n) for s, n in names.items()}
    for s, n in names.items():
        await infra.create_database(admin, n, drop_existing=True)
        await upgrade_async(by_name(s), urls[s])
    try:
        started = time.perf_counter()
        counts = await seed(urls, shape)
        print(f"{shape.students:,} students, {len(shape.schools)} schools: {counts['results']:,} results, "
              f"{counts['open_flags']:,} open flags, {counts['assessments']:,} assessments; seeded in "
              f"{time.perf_counter() - started:.1f}s", flush=True)  # fmt: skip
        times = await measure(urls, shape, rounds)
        for name, values in times.items():
            print(
                f"  {name:28} p50 {statistics.median(values):8.1f} ms  p99 {p99(values):8.1f} ms", flush=True
            )
        return shape.students, times
    finally:
        if not keep:
            for n in names.values():
                await infra.drop_database(admin, n)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000, 100_000], help="students")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (plc_scale_<students>_<service>)"
    )
    args = parser.parse_args()
    admin = os.environ.get("PLC_BENCH_POSTGRES_URL", LOCAL)
    found = [await one_size(admin, n, args.rounds, args.keep) for n in sorted(args.sizes)]
    (small, _), (large, last) = found[0], found[-1]
    print(
        f"\nmedian ms by size ({', '.join(f'{n:,}' for n, _ in found)} students) and growth {large:,} / {small:,}:"
    )
    pairs, growths = [], []
    for name in last:
        medians = [statistics.median(t[name]) for _, t in found]
        growth = medians[-1] / medians[0] if medians[0] > 0 else float("nan")
        print(f"  {name:28} " + " / ".join(f"{m:.1f}" for m in medians) + f"  growth x{growth:.2f}  "
              f"(p99 {' / '.join(f'{p99(t[name]):.1f}' for _, t in found)})")  # fmt: skip
        pairs.append(f"{name}_ms={medians[-1]:.1f}")
        if not name.endswith("_added"):
            pairs.append(f"{name}_growth={growth:.2f}")
            growths.append(growth)
    print(" ".join([*pairs, f"max_growth={max(growths):.2f}"]))


if __name__ == "__main__":
    asyncio.run(main())
