"""A district's results through the whole pipeline of a real `plc up` stack: SIS bulk posts through the gateway
→ results and outbox → relay → broker → flags (interventions), goal progress (goals), review evidence (reviews).

    uv run python bench/district.py [--students 20000] [--assessments 9] [--rows-per-post 10000]
                                    [--posters 2] [--profile DIR]

Starts `plc up` (supervisor, Tansu, the services, the gateway) on a private PostgreSQL cluster
(plc_shared.running, as bench/soak.py and tests/faults do), then, through the gateway:

- rosters a generated district (a school per 500 students, classes of 25, enrollments) with an SIS API key made
  by a district admin (`rosters:write`, `results:write`), and `--assessments` published CFAs of two standards
  each; one active "percent proficient" goal per school and assessment (goals learns the roster and the
  assessments from their events first: the load starts once it knows every student);
- posts every student's result of every assessment, 5 % retakes (attempt 2) and then 5 % corrections (the
  same attempt with other scores) in `--rows-per-post`-row bulk posts, `--posters` at a time (default ≈ 20,000
  students, 198,000 rows: 189,000 results, 9,000 of them corrected);
- while it posts, a probe puts a single result (scores below the cut) for a student of its own twice a second and
  watches the interventions database for the student's flag: result commit (the PUT's 200) → flag committed.

It reports rows posted per second until the last result is stored (the last post's answer: a bulk answer comes
after its commit) and until every downstream effect is applied (each consumer's `results` table holds every
result at its latest revision, checked once a second from the last answer on; flags and goal entries commit in
the same transaction as those rows; the warehouse is not part of `plc up` and is not measured), the probes' p50/p99, and CPU seconds per 1,000 rows of every process tree of the stack
(/proc/<pid>/stat of each process and its children, dead children included, before and after; the relay and the
consumers run inside their service's process). Then, on the same PostgreSQL with the stack idle, the same
bodies are posted one after the other to an in-process assessments app on a fresh database with its relay off
(bench/ingest.py's approach): the isolated ingest rate of the same rows, and ratio = end-to-end rows/s ÷ it.

`--profile DIR` samples the stack's Python processes with py-spy during the load (when py-spy is installed: it
is no dependency of the project, `uv pip install py-spy`) and
collects pg_stat_statements (the cluster is started with it), and prints the top lines of each.

Last line: results_per_s=<end to end> stored_per_s=<n> isolated_per_s=<n> ratio=<e2e / isolated>
flag_p50_ms=<n> flag_p99_ms=<n> cpu_<process>=<CPU s per 1,000 rows> ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
from plc_shared import infra
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import by_name
from plc_shared.running import PlcUp, PrivatePostgres

STUDENTS_PER_SCHOOL, CLASS_SIZE, PROBES_PER_S = 500, 25, 2.0
ITEMS = (("Q1", 5, 0), ("Q2", 5, 0), ("Q3", 10, 1))  # code, max points, which of the two standards
CONSUMERS = ("interventions", "goals", "reviews")
TICK = os.sysconf("SC_CLK_TCK")
PLC_CODE = re.compile(r"\((?:plc_shared|services|gateway|assessments|goals|interventions|reviews)/")


class District:
    """The generated district: ids only; every body is built from them."""

    def __init__(self, students: int, assessments: int, probes: int) -> None:
        self.id = f"bd-{uuid.uuid4().hex[:6]}"
        self.schools = [f"{self.id}-s{i}" for i in range(max(2, students // STUDENTS_PER_SCHOOL))]
        self.students = [f"{self.id}-st{i}" for i in range(students)]
        self.probes = [f"{self.id}-probe{i}" for i in range(probes)]
        self.assessments = [f"{self.id}-a{a}" for a in range(assessments)]

    def school_of(self, n: int) -> str:
        return self.schools[n % len(self.schools)]

    def class_of(self, n: int) -> str:
        per_school = n // len(self.schools)  # the student's rank in its school
        return f"{self.school_of(n)}-c{per_school // CLASS_SIZE}"

    def roster(self) -> dict[str, list[dict]]:
        orgs = [{"sourced_id": self.id, "name": "Bench district", "type": "district"}]
        orgs += [{"sourced_id": s, "name": s, "type": "school", "parent_id": self.id} for s in self.schools]
        everyone = [*self.students, *self.probes]
        classes = sorted({(self.class_of(n), self.school_of(n)) for n in range(len(everyone))})
        return {
            "orgs": orgs,
            "classes": [{"sourced_id": c, "title": c, "school_id": s} for c, s in classes],
            "students": [
                {"sourced_id": s, "school_ids": [self.school_of(n)], "grades": ["04"]}
                for n, s in enumerate(everyone)
            ],
            "enrollments": [
                {
                    "sourced_id": f"e-{s}",
                    "class_id": self.class_of(n),
                    "school_id": self.school_of(n),
                    "user_id": s,
                    "role": "student",
                }
                for n, s in enumerate(everyone)
            ],
        }

    def assessment(self, name: str) -> tuple[list[dict], dict]:
        standards = [
            {"id": f"{name}-{c}", "code": f"{name}.{c}", "statement": c, "grade": "04"} for c in ("S1", "S2")
        ]
        body = {
            "id": name, "title": "District CFA", "kind": "common_formative", "subject": "math", "grades": ["04"],
            "max_score": 20, "proficiency_cut": 70, "mastery_cut": 90,
            "objectives": [
                {"code": "O1", "max_points": 10, "standard_ids": [standards[0]["id"]]},
                {"code": "O2", "max_points": 10, "standard_ids": [standards[1]["id"]]},
            ],
            "items": [
                {"code": c, "max_points": m, "standard_id": standards[s]["id"], "objective_code": f"O{s + 1}"}
                for c, m, s in ITEMS
            ],
        }  # fmt: skip
        return standards, body

    def rows(self) -> list[dict]:
        """Every student's first attempt of every assessment, then 5 % retakes, then 5 % corrections."""
        firsts, retakes, corrections = [], [], []
        for a, assessment in enumerate(self.assessments):
            for n, student in enumerate(self.students):
                m = n * 31 + a * 7
                row = {"assessment_id": assessment, "student_id": student, "attempt": 1, "assessed_on": "2026-11-20",
                       "item_scores": {"Q1": m % 6, "Q2": (m // 6) % 6, "Q3": (m * 7) % 11}}  # fmt: skip
                firsts.append(row)
                if n % 20 == a % 20:
                    retakes.append(row | {"attempt": 2, "item_scores": {"Q1": 5, "Q2": (m + 1) % 6, "Q3": 9}})
                if n % 20 == (a + 7) % 20:  # other scores than the first attempt's
                    scores = {k: (v + 1) % (5 if k != "Q3" else 10) for k, v in row["item_scores"].items()}
                    corrections.append(row | {"item_scores": scores})
        return firsts + retakes + corrections


# --- process CPU --------------------------------------------------------------------------------------------
def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its dead, waited-for children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / TICK


def tree_cpu(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds of each root's process tree (live descendants, and the dead ones reaped into cutime)."""
    parents, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            parents[int(entry)], cpu[int(entry)] = stat
    totals = {}
    for name, root in roots.items():
        total = 0.0
        for pid in cpu:
            p, depth = pid, 0
            while p not in (root, 0, 1) and depth < 20:
                p, depth = parents.get(p, 0), depth + 1
            total += cpu[pid] if p == root else 0.0
        totals[name] = total
    return totals


# --- the stack ----------------------------------------------------------------------------------------------
async def call(http: httpx.AsyncClient, method: str, url: str, **kwargs) -> httpx.Response:
    """A request, retried on 429/503 (honouring Retry-After); anything else than 2xx raises."""
    for _ in range(600):
        response = await http.request(method, url, **kwargs)
        if response.status_code in (429, 503):
            await asyncio.sleep(min(float(response.headers.get("Retry-After", "0.5")), 2.0))
            continue
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:500]}")
        return response
    raise RuntimeError(f"{method} {url}: still refused after 600 tries")


def bearer(role: Role, district: str, subject: str | None = None) -> dict:
    from plc_shared.settings import AuthSettings

    token = mint_dev_token(AuthSettings(), role=role, district_id=district, subject=subject)
    return {"Authorization": f"Bearer {token}"}


async def seed(http: httpx.AsyncClient, district: District, writer: dict, admin: dict) -> None:
    """The roster (with `writer`: the SIS key, or a token in process), standards and published assessments."""
    for kind, records in district.roster().items():
        for start in range(0, len(records), 5_000):  # roster bodies: 1 MiB at most
            await call(http, "PUT", f"/assessments/roster/{kind}", json={"records": records[start : start + 5_000]},
                       headers=writer)  # fmt: skip
    for name in district.assessments:
        standards, body = district.assessment(name)
        for standard in standards:
            await call(http, "POST", "/assessments/standards", json=standard, headers=admin)
        await call(http, "POST", "/assessments/assessments", json=body, headers=admin)
        await call(http, "POST", f"/assessments/assessments/{name}/publish", headers=admin)


async def scalar(url: str, sql: str, *args):
    conn = await asyncpg.connect(**infra._asyncpg_dsn(url), timeout=10)
    try:
        return await conn.fetchrow(sql, *args)
    finally:
        await conn.close()


async def wait_until(what: str, check, timeout_s: float = 300.0, interval_s: float = 0.5) -> float:
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"{what}: not within {timeout_s:.0f} s")
        await asyncio.sleep(interval_s)
    return time.monotonic()


async def make_goals(http: httpx.AsyncClient, postgres: PrivatePostgres, district: District) -> int:
    """One active goal per school and assessment, once goals knows the roster and the assessments."""
    goals_db = postgres.url_for(by_name("goals").database)
    everyone = len(district.students) + len(district.probes)

    async def known() -> bool:
        students = await scalar(goals_db, "SELECT count(*) FROM students WHERE district_id = $1", district.id)
        found = await scalar(goals_db, "SELECT count(*) FROM assessments WHERE district_id = $1", district.id)
        return students[0] >= everyone and found[0] >= len(district.assessments)

    await wait_until("goals learns the roster and the assessments", known)
    made = 0
    for s, school in enumerate(district.schools):
        leader = bearer(
            Role.DISTRICT_ADMIN, district.id, subject=f"bench-admin-{s}"
        )  # rate limits per caller
        for assessment in district.assessments:
            body = {
                "title": f"Proficient on {assessment}", "measure": {"kind": "proficient", "assessment_id": assessment},
                "population": {"kind": "school"}, "target": 95.0, "baseline": {"value": 5.0},
                "start": "2026-09-01", "deadline": "2027-05-28",
            }  # fmt: skip
            goal = (
                await call(http, "POST", f"/goals/v1/schools/{school}/goals", json=body, headers=leader)
            ).json()
            await call(http, "POST", f"/goals/v1/goals/{goal['id']}/activate", headers=leader)
            made += 1
    return made


class Probe:
    """A single result for a student of its own, PROBES_PER_S a second, and the time from its PUT's answer
    (the result committed) until its flag is committed; one query every 100 ms looks for every pending flag."""

    def __init__(self, http: httpx.AsyncClient, sis: dict, interventions_db: str, district: District) -> None:
        self.http, self.sis, self.db, self.district = http, sis, interventions_db, district
        self.latencies: list[float] = []
        self.pending: dict[str, float] = {}  # probe student → when its result committed
        self.puts: list[asyncio.Task] = []

    async def put(self, stop: asyncio.Event) -> None:
        """PUT the probes until `stop`; returns once every PUT was answered."""
        for student in self.district.probes:
            if stop.is_set():
                break
            self.puts.append(asyncio.create_task(self.one(student)))
            await asyncio.sleep(1 / PROBES_PER_S)
        await asyncio.gather(*self.puts)

    async def one(self, student: str) -> None:
        body = {"assessment_id": self.district.assessments[0], "student_id": student, "attempt": 1,
                "assessed_on": "2026-11-20", "item_scores": {"Q1": 0, "Q2": 0, "Q3": 0}}  # fmt: skip
        await call(self.http, "PUT", "/assessments/results", json=body, headers=self.sis)
        self.pending[student] = time.monotonic()

    async def watch(self, done: asyncio.Event, timeout_s: float = 900.0) -> None:
        """Until `done` is set and no probe is pending: which pending probes have their flag now."""
        conn = await asyncpg.connect(**infra._asyncpg_dsn(self.db), timeout=10)
        sql = (  # one index probe per pending student (ix_flags_district_student_standard)
            "SELECT s AS student_id FROM unnest($2::text[]) AS s"
            " WHERE EXISTS (SELECT 1 FROM flags f WHERE f.district_id = $1 AND f.student_id = s)"
        )
        started = time.monotonic()
        try:
            while not (done.is_set() and not self.pending) and time.monotonic() - started < timeout_s:
                if self.pending:
                    found = await conn.fetch(sql, self.district.id, list(self.pending))
                    now = time.monotonic()
                    for row in found:
                        self.latencies.append(now - self.pending.pop(row["student_id"]))
                await asyncio.sleep(0.1)
        finally:
            await conn.close()


async def post_all(http: httpx.AsyncClient, sis: dict, bodies: list[bytes], phases: list[int], posters: int):
    """The bodies in order, `posters` at a time; a phase (the corrections) starts when the one before ended."""
    times: list[float] = []
    headers = {**sis, "Content-Type": "application/json"}

    async def post(body: bytes) -> None:
        started = time.monotonic()
        report = (await call(http, "POST", "/assessments/results/bulk", content=body, headers=headers)).json()
        if report["rejected"]:
            raise RuntimeError(f"rejected rows: {report['rejected'][:3]}")
        times.append(time.monotonic() - started)

    start = 0
    for end in phases:
        queue = list(range(start, end))

        async def poster(queue: list[int] = queue) -> None:
            while queue:
                await post(bodies[queue.pop(0)])

        await asyncio.gather(*(poster() for _ in range(posters)))
        start = end
    return times


def chunks(rows: list[dict], size: int) -> list[bytes]:
    return [json.dumps({"results": rows[i : i + size]}).encode() for i in range(0, len(rows), size)]


# --- profiling ----------------------------------------------------------------------------------------------
def py_spy() -> str | None:
    return shutil.which("py-spy") or next(
        (str(p) for p in [Path(sys.executable).parent / "py-spy"] if p.exists()), None
    )


def start_profiles(directory: Path, pids: dict[str, int]) -> list[subprocess.Popen]:
    binary = py_spy()
    if binary is None:
        print("profile: py-spy is not installed (uv pip install py-spy): no Python profiles", flush=True)
        return []
    directory.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                binary,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "50",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(directory / f"{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
        if name in ("gateway", "assessments", *CONSUMERS)
    ]


def stop_profiles(processes: list[subprocess.Popen], directory: Path, top: int = 12) -> None:
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    for path in sorted(directory.glob("*.txt")):
        own, inclusive, total = Counter(), Counter(), 0
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames, n = stack.split(";"), int(count)
            total += n
            own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
        print(f"\nprofile {path.stem}: {total} samples; top own time:")
        for frame, n in own.most_common(top):
            print(f"  {100 * n / max(total, 1):5.1f} %  {frame}")
        print(f"profile {path.stem}: top inclusive time in the suite's code:")
        mine = [(f, n) for f, n in inclusive.most_common() if PLC_CODE.search(f)]
        for frame, n in mine[:top]:
            print(f"  {100 * n / max(total, 1):5.1f} %  {frame}")


async def pg_statements(postgres: PrivatePostgres, directory: Path, top: int = 25) -> None:
    conn = await asyncpg.connect(**infra._asyncpg_dsn(postgres.admin_url), timeout=10)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        rows = await conn.fetch(
            "SELECT d.datname, s.calls, s.total_exec_time, s.rows, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 200)"
            " AS query FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
            " ORDER BY s.total_exec_time DESC"
        )
    finally:
        await conn.close()
    lines = [
        f"  {r['total_exec_time'] / 1000:7.2f} s {r['calls']:>8} calls {r['rows']:>9} rows  {r['datname']}: {r['query']}"
        for r in rows
    ]
    (directory / "pg_stat_statements.txt").write_text("\n".join(lines) + "\n")
    print(f"\npg_stat_statements, top {top} by total time during the load (all: {directory}):")
    print("\n".join(lines[:top]))


# --- isolated ingest ----------------------------------------------------------------------------------------
async def isolated(
    postgres: PrivatePostgres, bootstrap: str, district: District, bodies: list[bytes]
) -> float:
    """Seconds to post the same bodies, one after the other, to an in-process assessments app (relay off)."""
    from assessments.config import Settings
    from assessments.main import create_app
    from plc_shared.migrate import upgrade_async
    from plc_shared.settings import KafkaSettings

    name = f"plc_bench_district_{uuid.uuid4().hex[:6]}"
    await infra.create_database(postgres.admin_url, name)
    url = postgres.url_for(name)
    await upgrade_async(by_name("assessments"), url)
    kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=f"benchiso{uuid.uuid4().hex[:6]}.")
    app = create_app(
        Settings(database_url=url, kafka=kafka, run_relay=False, run_periodic=False, log_level="WARNING")
    )
    sis = bearer(Role.SIS_INTEGRATION, district.id)
    admin = bearer(Role.DISTRICT_ADMIN, district.id)
    total = 0.0
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as http:
            await seed(http, district, admin, admin)
            for body in bodies:
                started = time.perf_counter()
                await call(http, "POST", "/assessments/results/bulk", content=body,
                           headers={**sis, "Content-Type": "application/json"})  # fmt: skip
                total += time.perf_counter() - started
    return total


# --- the run ------------------------------------------------------------------------------------------------
async def bench(args: argparse.Namespace) -> None:
    postgres = PrivatePostgres()
    up = PlcUp(Path(tempfile.mkdtemp(prefix="plc-district-")) / "plc", postgres)
    profiles: list[subprocess.Popen] = []
    ok = False
    try:
        await asyncio.to_thread(postgres.init)
        if args.profile:  # pg_stat_statements needs a restart to load
            conn = await asyncpg.connect(**infra._asyncpg_dsn(postgres.admin_url), timeout=10)
            await conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
            await conn.close()
            await asyncio.to_thread(postgres.stop)
            await asyncio.to_thread(postgres.start)
        described = await up.start()
        pids = {k: v for k, v in described["pids"].items() if k != "postgres"}
        pids["postgres"] = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
        print(f"stack up: gateway {described['gateway']}; processes {sorted(pids)}", flush=True)
        district = District(args.students, args.assessments, probes=600)
        rows = district.rows()
        retakes = sum(1 for r in rows if r["attempt"] == 2)
        corrections = len(rows) - len(district.students) * len(district.assessments) - retakes
        first_phase = len(rows) - corrections
        bodies = chunks(rows[:first_phase], args.rows_per_post) + chunks(
            rows[first_phase:], args.rows_per_post
        )
        phases = [len(chunks(rows[:first_phase], args.rows_per_post)), len(bodies)]
        async with httpx.AsyncClient(base_url=described["gateway"], timeout=600) as http:
            admin = bearer(Role.DISTRICT_ADMIN, district.id)
            made = await call(http, "POST", "/gateway/api-keys", headers=admin,
                              json={"name": "district SIS", "permissions": ["rosters:write", "results:write"]})  # fmt: skip
            sis = {"X-API-Key": made.json()["key"]}
            started = time.monotonic()
            await seed(http, district, sis, admin)
            goals = await make_goals(http, postgres, district)
            print(
                f"district {district.id}: {len(district.schools)} schools, {len(district.students)} students"
                f" (+{len(district.probes)} probe students), {len(district.assessments)} assessments, {goals} active"
                f" goals; seeded in {time.monotonic() - started:.0f} s",
                flush=True,
            )
            print(
                f"posting {len(rows):,} rows ({retakes:,} retakes, {corrections:,} corrections) in {len(bodies)}"
                f" posts of {args.rows_per_post:,}, {args.posters} at a time; load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            interventions_db = postgres.url_for(by_name("interventions").database)
            probe, stop = Probe(http, sis, interventions_db, district), asyncio.Event()
            if args.profile:
                conn = await asyncpg.connect(**infra._asyncpg_dsn(postgres.admin_url), timeout=10)
                await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                await conn.execute("SELECT pg_stat_statements_reset()")
                await conn.close()
                profiles = start_profiles(Path(args.profile), pids)
            cpu_before = tree_cpu(pids)
            t0 = time.monotonic()
            probing, puts_done = asyncio.create_task(probe.put(stop)), asyncio.Event()
            watching = asyncio.create_task(probe.watch(puts_done))
            post_times = await post_all(http, sis, bodies, phases, args.posters)
            stored_s = time.monotonic() - t0
            stop.set()
            await probing  # every probe's PUT answered: nothing more is written
            puts_done.set()
            print(f"stored: {len(rows):,} rows in {stored_s:.1f} s; {len(probe.puts)} probes", flush=True)
            assessments_db = postgres.url_for(by_name("assessments").database)
            sql = "SELECT count(*), coalesce(sum(revision), 0) FROM results WHERE district_id = $1"
            target = tuple(await scalar(assessments_db, sql, district.id))
            applied = {}

            async def caught_up(name: str) -> None:
                db = postgres.url_for(by_name(name).database)

                async def check() -> bool:
                    return tuple(await scalar(db, sql, district.id)) == target

                applied[name] = await wait_until(f"{name} applies every result", check, 900, 1.0) - t0

            await asyncio.gather(*(caught_up(name) for name in CONSUMERS), watching)
            done_s = max(applied.values())
            cpu_after = tree_cpu(pids)
        if profiles:
            stop_profiles(profiles, Path(args.profile))
            profiles = []
            await pg_statements(postgres, Path(args.profile))
        iso_s = await isolated(postgres, described["kafka_bootstrap_servers"], district, bodies)
        ok = True
    finally:
        for process in profiles:
            process.kill()
        await asyncio.to_thread(up.stop)
        await asyncio.to_thread(postgres.stop)
        postgres.remove()
        if ok:
            shutil.rmtree(up.data_dir.parent, ignore_errors=True)
        else:
            print(f"logs kept in {up.data_dir / 'logs'}", file=sys.stderr)

    n = len(rows)
    print(f"\nresults stored: {target[0]:,} (revisions {target[1]:,}) from {n:,} rows")
    print(f"bulk post answer p50 {statistics.median(post_times):.2f} s, max {max(post_times):.2f} s")
    for name in CONSUMERS:
        print(f"{name:14s} every result applied at {applied[name]:7.1f} s: {n / applied[name]:8,.0f} rows/s")
    print(f"stored          {stored_s:7.1f} s: {n / stored_s:8,.0f} rows/s")
    print(f"isolated ingest {iso_s:7.1f} s: {n / iso_s:8,.0f} rows/s (same bodies, in process, relay off)")
    lat = sorted(probe.latencies) or [float("nan")]
    p50, p99 = statistics.median(lat) * 1000, lat[max(0, int(len(lat) * 0.99) - 1)] * 1000
    print(
        f"result commit → flag: {len(probe.latencies)} probes during the load, p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    cpu = {name: (cpu_after[name] - cpu_before[name]) / (n / 1000) for name in pids}
    print(
        "CPU s per 1,000 rows: "
        + ", ".join(f"{k} {v:.3f}" for k, v in sorted(cpu.items(), key=lambda x: -x[1]))
    )
    print(f"(load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    e2e, iso = n / done_s, n / iso_s
    print(
        f"results_per_s={e2e:.0f} stored_per_s={n / stored_s:.0f} isolated_per_s={iso:.0f} ratio={e2e / iso:.3f}"
        f" flag_p50_ms={p50:.0f} flag_p99_ms={p99:.0f} "
        + " ".join(f"cpu_{k}={v:.3f}" for k, v in sorted(cpu.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--assessments", type=int, default=9)
    parser.add_argument("--rows-per-post", type=int, default=10_000)
    parser.add_argument("--posters", type=int, default=2)
    parser.add_argument("--profile", metavar="DIR", help="py-spy and pg_stat_statements during the load")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
