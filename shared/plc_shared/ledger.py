"""Exact accounting of the results → events → flags chain of a running stack (the fault suite and the soak).

Each district is seeded through the API with students and assessments whose standards are its own, and every
(student, assessment) gets at most one result, so each result's flags follow from its own event alone: one
support flag per standard below the proficiency cut, one enrichment flag per standard at or above mastery.
`account` then compares what clients were told (2xx) with the assessments database, the results topic on the
broker, what the interventions consumer handled and the flags it raised: nothing lost, nothing doubled.
Plain SQL on the two services' documented tables and a raw Kafka reader: no service code is imported.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from plc_shared.auth import Role, mint_dev_token
from plc_shared.infra import _asyncpg_dsn
from plc_shared.settings import AuthSettings

RECORDED = "org.plc.assessments.result.recorded.v1"
ITEMS = (("Q1", 5, 0), ("Q2", 5, 0), ("Q3", 10, 1))  # code, max points, which of the two standards


def token(role: Role, district: str, schools: list[str] | None = None, subject: str | None = None) -> dict:
    """Authorization header with a development token (the stack runs on the default dev key)."""
    jwt = mint_dev_token(
        AuthSettings(), role=role, district_id=district, school_ids=schools or [], subject=subject
    )
    return {"Authorization": f"Bearer {jwt}"}


def item_scores(n: int) -> dict[str, int]:
    """Deterministic item scores for slot n: standard percents spread over support, neither and enrichment."""
    return {"Q1": n % 6, "Q2": (n // 6) % 6, "Q3": (n * 7) % 11}


@dataclass
class District:
    """A district seeded through the assessments API: schools, students spread over them, assessments."""

    id: str = field(default_factory=lambda: f"f-{uuid.uuid4().hex[:8]}")
    schools: list[str] = field(default_factory=list)
    students: list[str] = field(default_factory=list)
    assessments: list[str] = field(default_factory=list)

    @property
    def sis(self) -> dict:
        return token(Role.SIS_INTEGRATION, self.id)

    def teacher(self, school: str, subject: str | None = None) -> dict:
        return token(Role.TEACHER, self.id, [school], subject)

    def slot(self, n: int) -> tuple[str, str]:
        """The n-th (assessment, student) pair: each gets one result at most."""
        return self.assessments[n // len(self.students)], self.students[n % len(self.students)]

    @property
    def slots(self) -> int:
        return len(self.students) * len(self.assessments)

    def row(self, n: int) -> dict:
        assessment, student = self.slot(n)
        return {
            "assessment_id": assessment,
            "student_id": student,
            "assessed_on": "2026-11-20",
            "item_scores": item_scores(n),
        }

    async def seed(
        self, http: httpx.AsyncClient, *, schools: int, students: int, assessments: int
    ) -> District:
        """Through the assessments service (`http` points at it or at the gateway)."""
        admin = token(Role.DISTRICT_ADMIN, self.id)
        self.schools = [f"{self.id}-s{i}" for i in range(schools)]
        orgs = [{"sourced_id": self.id, "name": "Fault district", "type": "district"}]
        orgs += [{"sourced_id": s, "name": s, "type": "school", "parent_id": self.id} for s in self.schools]
        await _ok(await http.put("/assessments/roster/orgs", json={"records": orgs}, headers=admin))
        self.students = [f"{self.id}-st{i}" for i in range(students)]
        for start in range(0, students, 10_000):
            records = [
                {"sourced_id": s, "school_ids": [self.schools[i % schools]], "grades": ["04"]}
                for i, s in enumerate(self.students[start : start + 10_000], start)
            ]
            response = await http.put(
                "/assessments/roster/students", json={"records": records}, headers=admin
            )
            await _ok(response)
        for a in range(assessments):
            self.assessments.append(await self._assessment(http, admin, f"{self.id}-a{a}"))
        return self

    async def _assessment(self, http: httpx.AsyncClient, admin: dict, name: str) -> str:
        standards = []
        for code in ("S1", "S2"):  # standards of its own: a (student, standard) pair has one result at most
            body = {"id": f"{name}-{code}", "code": f"{name}.{code}", "statement": code, "grade": "04"}
            standards.append(
                (await _ok(await http.post("/assessments/standards", json=body, headers=admin)))["id"]
            )
        body = {
            "id": name,
            "title": "Fault CFA",
            "kind": "common_formative",
            "subject": "math",
            "grades": ["04"],
            "max_score": 20,
            "proficiency_cut": 70,
            "mastery_cut": 90,
            "objectives": [
                {"code": "O1", "max_points": 10, "standard_ids": [standards[0]]},
                {"code": "O2", "max_points": 10, "standard_ids": [standards[1]]},
            ],
            "items": [
                {"code": c, "max_points": m, "standard_id": standards[s], "objective_code": f"O{s + 1}"}
                for c, m, s in ITEMS
            ],
        }
        await _ok(await http.post("/assessments/assessments", json=body, headers=admin))
        await _ok(await http.post(f"/assessments/assessments/{name}/publish", headers=admin))
        return name


async def _ok(response: httpx.Response) -> dict:
    if response.status_code >= 300:
        raise AssertionError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:500]}"
        )
    return response.json() if response.content else {}


Observer = Callable[[httpx.Response | None], None]


async def post_bulk(
    http: httpx.AsyncClient,
    district: District,
    rows: list[dict],
    *,
    retry_for_s: float = 300.0,
    observe: Observer | None = None,
) -> tuple[dict, list[int]]:
    """POST /assessments/results/bulk with an Idempotency-Key, retried with the same key on 503 and on a lost
    connection (honouring Retry-After) until a final answer; returns the report and every status seen
    (0: no answer). `observe` sees each answer as it comes (None: no answer). Anything else than 200/503 is
    returned at once for the caller to judge."""
    headers = {**district.sis, "Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"}
    body, statuses = json.dumps({"results": rows}).encode(), []
    deadline = time.monotonic() + retry_for_s
    while True:
        try:
            response = await http.post("/assessments/results/bulk", content=body, headers=headers)
        except httpx.TransportError:
            response = None
        if observe is not None:
            observe(response)
        statuses.append(response.status_code if response is not None else 0)
        if response is not None and response.status_code != 503:
            return (response.json() if response.status_code == 200 else {"error": response.text}), statuses
        if time.monotonic() > deadline:
            return {"error": f"no final answer within {retry_for_s:.0f} s"}, statuses
        wait = float(response.headers.get("Retry-After", "1")) if response is not None else 1.0
        await asyncio.sleep(min(wait, 2.0))


@dataclass
class Ledger:
    """One scenario's books."""

    name: str
    accepted: int  # rows clients were told were stored (2xx)
    stored: int  # results rows in the assessments database
    events: int  # distinct result events on the broker
    resent: int  # extra copies of an event already on the broker (at-least-once; consumers dedupe)
    consumed: int  # results the interventions consumer applied
    flags_expected: int
    flags: int
    lost: int
    doubled: int
    # Distinct result events in the goals and reviews consumers' inboxes (None: not counted).
    goals: int | None = None
    reviews: int | None = None
    warehouse: int | None = None  # distinct result events in the warehouse's DuckDB file (None: not counted)
    # Seconds from the fault until these books closed exact (reading them included, ~3 s; None: not timed).
    healed_s: float | None = None

    HEADER = (
        "scenario",
        "accepted",
        "stored",
        "events",
        "re-sent",
        "consumed",
        "goals",
        "reviews",
        "warehouse",
        "flags want",
        "flags",
        "lost",
        "doubled",
        "healed s",
    )

    def row(self) -> tuple:
        def shown(value):
            return "-" if value is None else value

        return (self.name, self.accepted, self.stored, self.events, self.resent, self.consumed,
                shown(self.goals), shown(self.reviews), shown(self.warehouse), self.flags_expected, self.flags,
                self.lost, self.doubled, "-" if self.healed_s is None else f"{self.healed_s:.0f}")  # fmt: skip

    @classmethod
    def table(cls, ledgers: list[Ledger]) -> str:
        widths = [
            max(len(str(v)) for v in col) for col in zip(cls.HEADER, *(x.row() for x in ledgers), strict=True)
        ]

        def line(values) -> str:
            return "| " + " | ".join(f"{v!s:>{w}}" for v, w in zip(values, widths, strict=True)) + " |"

        return "\n".join(
            [line(cls.HEADER), line(["-" * w for w in widths]), *(line(x.row()) for x in ledgers)]
        )

    @property
    def exact(self) -> bool:
        return (
            self.lost == 0
            and self.doubled == 0
            and self.accepted == self.stored == self.events == self.consumed
            and all(n is None or n == self.events for n in (self.goals, self.reviews, self.warehouse))
            and self.flags == self.flags_expected
        )


class Books:
    """Reads the assessments and interventions databases and the results topic of a stack."""

    def __init__(
        self,
        assessments_url: str,
        interventions_url: str,
        bootstrap: str,
        results_topic: str,
        inboxes: dict[str, tuple[str, str]] | None = None,
    ):
        """`inboxes`: more consumers of the results topic to account for, as {"goals": (database url,
        consumer name)} (the keys are the Ledger's columns: goals, reviews)."""
        self.assessments_url, self.interventions_url = assessments_url, interventions_url
        self.bootstrap, self.topic = bootstrap, results_topic
        self.inboxes = inboxes or {}

    async def _fetch(self, url: str, sql: str, *args):
        conn = await asyncpg.connect(**_asyncpg_dsn(url), timeout=10)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def stored_ids(self, districts: list[str]) -> set[uuid.UUID]:
        rows = await self._fetch(
            self.assessments_url, "SELECT id FROM results WHERE district_id = ANY($1)", districts
        )
        return {r["id"] for r in rows}

    async def consumed_ids(self, districts: list[str]) -> set[uuid.UUID]:
        sql = "SELECT result_id FROM results WHERE district_id = ANY($1)"
        return {r["result_id"] for r in await self._fetch(self.interventions_url, sql, districts)}

    async def pending_outbox(self) -> int:
        return (await self._fetch(self.assessments_url, "SELECT count(*) AS n FROM outbox"))[0]["n"]

    async def settled(self, districts: list[str], accepted: int) -> bool:
        """Everything accepted was stored, published and consumed (or the database is still away)."""
        try:
            stored = await self.stored_ids(districts)
            return len(stored) >= accepted and await self.consumed_ids(districts) >= stored
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False

    async def flags(self, districts: list[str]) -> Counter:
        sql = "SELECT student_id, standard_id, kind FROM flags WHERE district_id = ANY($1)"
        return Counter(tuple(r) for r in await self._fetch(self.interventions_url, sql, districts))

    async def events(self, districts: list[str], expected: int, timeout_s: float = 120.0) -> list[dict]:
        """Every result event of `districts` on the results topic (copies included), read from the start."""
        wanted, found, distinct = set(districts), [], set()
        consumer = AIOKafkaConsumer(
            self.topic, bootstrap_servers=self.bootstrap, auto_offset_reset="earliest",
            enable_auto_commit=False, group_id=None, max_partition_fetch_bytes=4 << 20,
        )  # fmt: skip
        await consumer.start()
        try:
            deadline, quiet_since = time.monotonic() + timeout_s, None
            while time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
                for batch in batches.values():
                    for record in batch:
                        event = json.loads(record.value)
                        if event["type"] == RECORDED and event["data"]["district_id"] in wanted:
                            found.append(event)
                            distinct.add(event["id"])
                if batches:
                    quiet_since = None
                elif len(distinct) >= expected:  # caught up: no record for a while after the last one
                    quiet_since = quiet_since or time.monotonic()
                    if time.monotonic() - quiet_since > 2.0:
                        break
        finally:
            await consumer.stop()
        return found

    async def applied(self, label: str, event_ids: set[str], timeout_s: float = 120.0) -> set[str]:
        """Which of `event_ids` the consumer `label` recorded in its inbox (each once: the inbox's key is
        (consumer, event id)), waiting up to `timeout_s` for it to catch up."""
        url, consumer = self.inboxes[label]
        wanted = [uuid.UUID(i) for i in event_ids]
        sql = "SELECT event_id FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])"
        deadline = time.monotonic() + timeout_s
        while True:
            seen = {str(r["event_id"]) for r in await self._fetch(url, sql, consumer, wanted)}
            if seen >= event_ids or time.monotonic() > deadline:
                return seen
            await asyncio.sleep(1.0)

    async def account(
        self, name: str, districts: list[str], accepted: int, warehouse: set[str] | None = None
    ) -> Ledger:
        """`warehouse`: the result event ids a warehouse loaded for `districts` (each distinct event on the
        broker must be among them, else it is lost)."""
        stored = await self.stored_ids(districts)
        events = await self.events(districts, len(stored))
        copies = Counter(e["id"] for e in events)
        by_result: dict[uuid.UUID, set[str]] = {}
        expected: Counter = Counter()
        for event in events:
            data = event["data"]
            result_id = uuid.UUID(data["result_id"])
            if result_id not in by_result:
                for s in data["standards"]:
                    if s["percent"] < s["proficiency_cut"]:
                        expected[(data["student_id"], s["standard_id"], "support")] += 1
                    if s["percent"] >= s["mastery_cut"]:
                        expected[(data["student_id"], s["standard_id"], "enrichment")] += 1
            by_result.setdefault(result_id, set()).add(event["id"])
        consumed = await self.consumed_ids(districts)
        flags = await self.flags(districts)
        lost = (
            len(stored - by_result.keys())
            + len(by_result.keys() - consumed)
            + sum((expected - flags).values())
            + max(accepted - len(stored), 0)
        )
        doubled = (
            sum(len(ids) - 1 for ids in by_result.values())  # one result, two different events
            + sum((flags - expected).values())
            + max(len(stored) - accepted, 0)
        )
        others: dict[str, int] = {}
        for label in self.inboxes:  # every distinct event on the broker, in each consumer's inbox
            seen = await self.applied(label, set(copies))
            others[label] = len(seen)
            lost += len(set(copies) - seen)
        if warehouse is not None:
            lost += len(set(copies) - warehouse)
        return Ledger(
            name, accepted, len(stored), len(by_result), len(events) - len(copies), len(consumed),
            sum(expected.values()), sum(flags.values()), lost, doubled,
            goals=others.get("goals"), reviews=others.get("reviews"),
            warehouse=None if warehouse is None else len(set(copies) & warehouse),
        )  # fmt: skip
