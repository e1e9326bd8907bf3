"""Names only where the reader is entitled to them (issue 21, point 3): a whole stack run as `plc up` runs it
(the supervisor, Tansu, the four services, the gateway and the web app as processes, on a private PostgreSQL)
is given students, a teacher and a school with distinctive names, and free text about a student in every place
a person types it — an exit's evidence, a tier decision's reason, a flag's resolution, PDSA observations, a
review's notes — through the API and through the web app's pages and forms as a browser would send them.
Then every log line the processes wrote, every column of the gateway's audit table and every event on every
topic (read from the earliest offset) is searched for those names and words: zero hits.

The seeds are first shown to be where they belong (the pages and the owning services' APIs answer them), so
a clean scan means "kept in", not "never written"."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from assessments.testing import District
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import GATEWAY
from plc_shared.running import PlcUp, PrivatePostgres
from plc_shared.settings import AuthSettings
from plc_shared.testing import eventually

pytestmark = pytest.mark.timeout(900)
AUTH = AuthSettings()  # `plc up` runs with the dev defaults, as the test process does
IV, GV, RV = "/interventions/v1", "/goals/v1", "/reviews/v1"
STUDENTS = {"st0": ("Zephyrine", "Quillfeather"), "st1": ("Octavian", "Brightwater")}
TEACHER, SCHOOL = ("Mirabel", "Thistlewood"), "Larkspur Hollow Elementary"
# Free text about a student, each with a marker word of its own (so a hit says which one leaked).
TEXTS = {
    "evidence": "Zephyrine Quillfeather now reads 92 wpm (quokkaberry IEP accommodations)",
    "decision": "Octavian Brightwater's parents asked for daily snorkelhorn time",
    "resolution": "Retaught Octavian one to one after the marzipanic fire drill",
    "observations": "Zephyrine tumbleweave skipped the Tuesday sessions",
    "notes": "Mrs Thistlewood coached Octavian glimmerfen in the hallway",
}
TOKENS = [*{w for n in (*STUDENTS.values(), TEACHER) for w in n}, *SCHOOL.split()[:2]]
TOKENS += ["quokkaberry", "snorkelhorn", "marzipanic", "tumbleweave", "glimmerfen"]


def bearer(role: Role, district: str, schools=(), classes=()) -> dict[str, str]:
    token = mint_dev_token(
        AUTH, role=role, district_id=district, school_ids=list(schools), class_ids=list(classes)
    )
    return {"Authorization": f"Bearer {token}"}


def hits(text: str) -> list[str]:
    return [t for t in TOKENS if re.search(re.escape(t), text, re.IGNORECASE)]


@pytest.fixture(scope="module")
async def stack(tmp_path_factory):
    postgres = PrivatePostgres()
    up = PlcUp(tmp_path_factory.mktemp("pii") / "plc", postgres)
    try:
        await asyncio.to_thread(postgres.init)
        await up.start()
        yield SimpleNamespace(up=up, postgres=postgres)
    finally:
        await asyncio.to_thread(up.stop)
        await asyncio.to_thread(postgres.stop)
        postgres.remove()


@pytest.fixture(scope="module")
async def seeded(stack):
    async with httpx.AsyncClient(base_url=stack.up.gateway, timeout=60) as http:
        seeds = Seeds(
            http, District(http, SimpleNamespace(auth=AUTH)), stack.up.describe()["kafka_bootstrap_servers"]
        )
        await seeds.roster()
        await seeds.interventions()
        await seeds.web()
        await seeds.goals_and_reviews()
        await seeds.published()
        return seeds


class Seeds:
    """The district, seeded through the gateway (API and web app), and what it answered."""

    def __init__(self, http: httpx.AsyncClient, district: District, bootstrap: str) -> None:
        self.http, self.d, self.bootstrap = http, district, bootstrap
        self.pages: dict[str, str] = {}

    @property
    def school(self) -> str:
        return self.d.schools[0]

    def admin(self) -> dict[str, str]:
        return bearer(Role.DISTRICT_ADMIN, self.d.id)

    def leader(self) -> dict[str, str]:
        return bearer(Role.SCHOOL_LEADER, self.d.id, [self.school])

    async def call(self, method: str, path: str, json=None, headers=None, ok=(200, 201)) -> dict:
        response = await self.http.request(method, path, json=json, headers=headers or self.admin())
        assert response.status_code in ok, (path, response.status_code, response.text)
        return response.json() if response.content else {}

    async def roster(self) -> None:
        await self.d.build()
        klass, d = self.d.classes[0], self.d.id
        orgs = [{"sourced_id": d, "name": "District", "type": "district"},
                {"sourced_id": self.school, "name": SCHOOL, "type": "school", "parent_id": d}]  # fmt: skip
        named = [{"sourced_id": f"{klass}-{k}", "school_ids": [self.school], "grades": ["04"], "given_name": g,
                  "family_name": f} for k, (g, f) in STUDENTS.items()]  # fmt: skip
        staff = [{"sourced_id": f"{self.school}-admin", "given_name": "Pat", "family_name": "Admin",
                  "roles": ["administrator"], "school_ids": [self.school]}] + [
                 {"sourced_id": f"{self.school}-t{n}", "given_name": TEACHER[0], "family_name": f"{TEACHER[1]}{n or ''}",
                  "roles": ["teacher"], "school_ids": [self.school]} for n in range(3)]  # fmt: skip
        enrol = [{"sourced_id": f"e-{s['sourced_id']}", "class_id": klass, "school_id": self.school,
                  "user_id": s["sourced_id"], "role": s["roles"][0]} for s in staff]  # fmt: skip
        for kind, records in (("orgs", orgs), ("students", named), ("staff", staff), ("enrollments", enrol)):
            await self.call("PUT", f"/assessments/roster/{kind}", {"records": records})
        self.assessment = await self.d.assessment(name="cfa")
        rows = [{"assessment_id": self.assessment["id"], "student_id": f"{klass}-{k}", "objective_scores": {"O1": 2, "O2": 2}}
                for k in STUDENTS]  # fmt: skip
        await self.call("POST", "/assessments/results/bulk", {"results": rows}, headers=self.d.sis)
        self.students = [f"{klass}-{k}" for k in STUDENTS]

    async def interventions(self) -> None:
        body = {"name": "Fractions small group", "tier": 2, "kind": "small group", "delivery": "pull-out",
                "dosage_minutes_per_week": 90}  # fmt: skip
        made: list[dict] = []

        async def pyramid() -> bool:  # interventions learns the school from the roster's events
            r = await self.http.post(
                f"{IV}/schools/{self.school}/interventions", json=body, headers=self.admin()
            )
            made.extend([r.json()] if r.status_code == 201 else [])
            return bool(made)

        assert await eventually(pyramid, timeout_s=60, interval_s=0.5)
        self.flags: list[dict] = []

        async def flagged() -> bool:
            self.flags = await self.call("GET", f"{IV}/flags?school_id={self.school}")
            return {f["student_id"] for f in self.flags} >= set(self.students)

        assert await eventually(flagged, timeout_s=60, interval_s=0.5)
        start = date.today() - timedelta(days=14)
        plan = {"intervention_id": made[0]["id"], "student_id": self.students[0], "start_on": start.isoformat(),
                "planned_weeks": 6, "champion": f"{self.school}-t0", "baseline": 20, "goal": 70,
                "goal_date": (start + timedelta(weeks=6)).isoformat(),
                "standard_id": self.flags[0]["standard_id"]}  # fmt: skip
        self.assignment = await self.call("POST", f"{IV}/assignments", plan)
        point = {"measured_on": (start + timedelta(days=7)).isoformat(), "score": 35}
        await self.call("POST", f"{IV}/assignments/{self.assignment['id']}/progress", point)
        decision = {"tier": 3, "reason": TEXTS["decision"]}
        await self.call("PUT", f"{IV}/students/{self.students[1]}/tier", decision, headers=self.leader())

    async def web(self) -> None:
        """A school leader in the web app, as a browser sends it: pages with charts and names, then forms."""
        async with httpx.AsyncClient(base_url=self.http.base_url, timeout=60) as browser:
            await _form(browser, "/app/signin", {"role": "school_leader", "district": self.d.id, "school": self.school,
                                                   "name": "Pat Admin"})  # fmt: skip
            a = self.assignment["id"]
            for name, path in (("flags", f"/app/flags?school_id={self.school}"), ("student", f"/app/students/{self.students[0]}"),
                               ("assignment", f"/app/assignments/{a}")):  # fmt: skip
                self.pages[name] = (await browser.get(path)).text
            today = date.today().isoformat()
            await _form(
                browser,
                f"/app/assignments/{a}/progress",
                {"measured_on": today, "score": "48"},
                page=f"/app/assignments/{a}",
            )
            await _form(browser, f"/app/assignments/{a}/exit", {"exited_on": today, "reason": "Goal met",
                        "evidence": TEXTS["evidence"], "to_tier": "", "goal_met_confirmed": "true"}, page=f"/app/assignments/{a}")  # fmt: skip
            other = next(f for f in self.flags if f["student_id"] == self.students[1])
            await _form(browser, f"/app/flags/{other['id']}/resolve", {"back": f"school_id={self.school}",
                        "reason": TEXTS["resolution"]}, page=f"/app/flags?school_id={self.school}")  # fmt: skip
            self.browser_cookies = dict(browser.cookies)

    async def goals_and_reviews(self) -> None:
        members = [f"{self.school}-admin", *(f"{self.school}-t{n}" for n in range(3))]
        team = {"kind": "leadership", "name": "Leadership team", "member_ids": members}
        goal = {"title": "Fractions for all", "measure": {"kind": "proficient", "assessment_id": self.assessment["id"]},
                "population": {"kind": "school"}, "baseline": {"value": 20.0}, "target": 80.0,
                "start": (date.today() - timedelta(days=30)).isoformat(),
                "deadline": (date.today() + timedelta(days=200)).isoformat()}  # fmt: skip

        async def ready() -> bool:  # goals learns staff and the assessment from the roster's events
            made = await self.http.post(f"{GV}/schools/{self.school}/teams", json=team, headers=self.leader())
            return made.status_code == 201

        assert await eventually(ready, timeout_s=60, interval_s=0.5)
        created = await self.call("POST", f"{GV}/schools/{self.school}/goals", goal, headers=self.leader())
        assert await eventually(
            lambda: _ok(self.http.post(f"{GV}/goals/{created['id']}/activate", headers=self.leader())),
            timeout_s=60,
        )
        plan = {"question": "Does regrouping help?", "change_idea": "Daily regrouping",
                "prediction": {"value": 60.0, "by": (date.today() + timedelta(days=30)).isoformat()}}  # fmt: skip
        cycle = await self.call("POST", f"{GV}/goals/{created['id']}/cycles", plan, headers=self.leader())
        do = {
            "started_on": date.today().isoformat(),
            "as_planned": True,
            "observations": TEXTS["observations"],
        }
        await self.call(
            "POST", f"{GV}/goals/{created['id']}/cycles/{cycle['id']}/do", do, headers=self.leader()
        )
        self.goal = created
        entry = {"regional_center": "Central", "entry_year": 2026}
        assert await eventually(
            lambda: _ok(
                self.http.put(f"{RV}/program/schools/{self.school}", json=entry, headers=self.admin())
            ),
            timeout_s=60,
        )
        review = await self.call(
            "POST", f"{RV}/schools/{self.school}/reviews", {"kind": "interim", "on": date.today().isoformat()}
        )
        rating = {
            "ratings": {
                "culture.mission": {"level": 2, "notes": TEXTS["notes"], "evidence": [TEXTS["notes"]]}
            }
        }
        await self.call("PUT", f"{RV}/reviews/{review['id']}/ratings", rating)
        async with httpx.AsyncClient(
            base_url=self.http.base_url, cookies=self.browser_cookies, timeout=60
        ) as browser:
            self.pages["goal"] = (await browser.get(f"/app/goals/{created['id']}")).text
            self.pages["history"] = (await browser.get(f"/app/reviews/history?school_id={self.school}")).text

    async def published(self) -> None:
        """Wait until the exit and the tier decision reached the broker, so the scan reads them."""
        self.records: list = []

        async def on_topics() -> bool:
            self.records = await read_every_topic(self.bootstrap)
            types = {json.loads(r.value).get("type") for r in self.records if r.value and r.value[:1] == b"{"}
            return (
                "org.plc.interventions.student.exited.v2" in types
                and "org.plc.goals.team.changed.v1" in types
            )

        assert await eventually(on_topics, timeout_s=90, interval_s=2)


async def _ok(request) -> bool:
    return (await request).status_code in (200, 201)


async def _form(browser: httpx.AsyncClient, path: str, fields: dict, page: str | None = None) -> None:
    """A form post as the page sends it: the double-submit CSRF token read from the page that holds the form."""
    html = (await browser.get(page or path)).text
    token = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert token, html[:500]
    response = await browser.post(path, data={"csrftoken": token[1], **fields})
    assert response.status_code == 303, (path, response.status_code, response.text[:500])


async def read_every_topic(bootstrap: str, idle_s: float = 3.0) -> list:
    """Every record of every topic the broker has, from the earliest offset, until none came for `idle_s`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")  # fmt: skip
    await consumer.start()
    try:
        topics = await consumer.topics()
        consumer.subscribe(sorted(topics))
        records, quiet_since = [], asyncio.get_running_loop().time()
        while asyncio.get_running_loop().time() - quiet_since < idle_s:
            batch = await consumer.getmany(timeout_ms=500)
            if got := [r for rs in batch.values() for r in rs]:
                records += got
                quiet_since = asyncio.get_running_loop().time()
        return records
    finally:
        await consumer.stop()


async def test_the_seeds_are_where_they_belong(stack, seeded):
    """The pages name the students and the school from the roster; the owning services answer the words."""
    for page in ("student", "assignment"):
        assert "Progress of Zephyrine Quillfeather in Fractions small group" in seeded.pages[page]
    assert (
        f"Tiers at {SCHOOL}" in seeded.pages["flags"]
        and f"Review history of {SCHOOL}" in seeded.pages["history"]
    )
    assert "Progress of the goal: Fractions for all" in seeded.pages["goal"]
    async with httpx.AsyncClient(base_url=stack.up.gateway, timeout=30) as http:
        exit_ = (await http.get(f"{IV}/assignments/{seeded.assignment['id']}", headers=seeded.admin())).json()
        record = (await http.get(f"{IV}/students/{seeded.students[1]}", headers=seeded.admin())).json()
        cycles = (await http.get(f"{GV}/goals/{seeded.goal['id']}/cycles", headers=seeded.admin())).json()
    assert (exit_["status"], exit_["exit_evidence"]) == ("exited", TEXTS["evidence"])
    assert record["tier"]["history"][0]["rule"] == TEXTS["decision"]
    assert record["resolved_flags"][0]["resolution"]["note"] == TEXTS["resolution"]
    assert cycles[0]["do"]["observations"] == TEXTS["observations"]


async def test_no_log_line_names_a_student_or_repeats_what_was_typed(stack, seeded):
    logs = [*sorted((stack.up.data_dir / "logs").glob("*.log")), stack.up.output_path,
            stack.postgres.data_dir / "server.log"]  # fmt: skip
    names = {p.name for p in logs}
    assert {
        "gateway.log",
        "web.log",
        "interventions.log",
        "goals.log",
        "reviews.log",
        "assessments.log",
    } <= names
    lines = [
        (p.name, n, line)
        for p in logs
        for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
    ]
    assert sum(name == "web.log" for name, _, _ in lines) > 20  # the processes did log what they did
    assert [(name, n, hits(line), line[:300]) for name, n, line in lines if hits(line)] == []


async def test_the_gateway_audit_table_holds_none_of_them(stack, seeded):
    url = stack.postgres.url_for(GATEWAY.database).replace("+asyncpg", "")
    conn = await asyncpg.connect(url)
    try:

        async def exit_audited() -> bool:
            found = await conn.fetchval("SELECT count(*) FROM audit_log WHERE path LIKE '%/exit'")
            return found > 0

        assert await eventually(exit_audited, timeout_s=10)
        rows = [r["row"] for r in await conn.fetch("SELECT row_to_json(a)::text AS row FROM audit_log a")]
    finally:
        await conn.close()
    assert len(rows) > 20 and any('"query"' in r for r in rows)  # every column, the query string included
    assert [(hits(r), r) for r in rows if hits(r)] == []


async def test_no_event_on_any_topic_names_a_student_or_carries_typed_text(seeded):
    records = await read_every_topic(seeded.bootstrap)
    types = {json.loads(r.value)["type"] for r in records if r.value and r.value[:1] == b"{"}
    assert {"org.plc.interventions.student.exited.v2", "org.plc.interventions.tier.changed.v1",
            "org.plc.interventions.flag.resolved.v1", "org.plc.assessments.student.rostered.v1"} <= types  # fmt: skip
    found = []
    for r in records:
        text = b" ".join([r.key or b"", r.value or b"", *(v for _, v in r.headers or ())]).decode(
            errors="replace"
        )
        if hits(text):
            found.append((r.topic, r.offset, hits(text), text[:300]))
    assert found == []
