"""One number everywhere (issue 21, point 1), as a property of the running suite: real gateway, assessments,
interventions, goals and reviews processes over HTTP, real PostgreSQL, the real broker, events flowing.

Hypothesis generates what a school's SIS and its district do in a few weeks — results with retakes (attempts
1-3), corrections of any attempt (back-dated ones too: the date moves), partial retakes (one standard only),
exempt and unscored attempts, voids, and changes of the district's goal thresholds — and sends them through
the gateway as the SIS and the district admin would. Once the consumers are done (both sides agree and keep
agreeing for a second), student by student and goal by goal:

- every standard of the assessments: the data meeting's students below the cut are exactly the students with
  an open support flag on it, and those at or above mastery exactly those with an open enrichment flag (read
  through the gateway and straight from the services);
- every goal of the school: the status the goals API shows is the status of the last GoalProgressUpdated on
  the broker, and the reviews evidence (`active_goals`, `goals_on_track_share`) equals the goals API's.

Each example adds two assessments and four goals (proficient on an assessment, average, proficient on a
standard, growth from one assessment to the other) to one program school, so later examples also check that
earlier goals stay right while thresholds change. COUNTING_EXAMPLES (default 6) sets the number of examples
(about 12 s each on the shared 2-core machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from assessments.config import Settings as AssessmentsSettings
from assessments.main import create_app as assessments_app
from assessments.testing import District
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from goals.config import Settings as GoalsSettings
from goals.main import create_app as goals_app
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from interventions.config import Settings as InterventionsSettings
from interventions.main import create_app as interventions_app
from plc_shared.auth import Role
from plc_shared.components import GATEWAY, by_name
from plc_shared.kafka import ensure_topics
from plc_shared.settings import AuthSettings
from plc_shared.testing import eventually, migrated_database, serve_app
from plc_shared.topics import ALL, GOALS
from reviews.config import Settings as ReviewsSettings
from reviews.main import create_app as reviews_app

AUTH = AuthSettings(environment="dev")
EXAMPLES = int(os.environ.get("COUNTING_EXAMPLES", "6"))
DAY0 = date(2026, 9, 7)
PROGRESS = "org.plc.goals.goal.progress.updated.v1"
THRESHOLDS = [(0.9, 0.7), (0.6, 0.3), (0.99, 0.95), (0.75, 0.5)]


@dataclass
class Stack:
    gateway: httpx.AsyncClient
    direct: dict[str, httpx.AsyncClient]
    settings: AssessmentsSettings
    statuses: dict[str, str] = field(default_factory=dict)  # goal id → status of its last GoalProgressUpdated


async def listen(kafka, statuses: dict[str, str]) -> None:
    """Every GoalProgressUpdated on the broker, the last one per goal (one goal's events share a partition)."""
    consumer = AIOKafkaConsumer(
        kafka.topic(GOALS.name), bootstrap_servers=kafka.bootstrap_servers, auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None,
    )  # fmt: skip
    await consumer.start()
    try:
        while True:
            for batch in (await consumer.getmany(timeout_ms=100)).values():
                for record in batch:
                    event = json.loads(record.value)
                    if event["type"] == PROGRESS:
                        statuses[event["data"]["goal_id"]] = event["data"]["status"]
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
async def stack(create_database, kafka_settings):
    kafka = kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )
    await ensure_topics(kafka, list(ALL))
    common = {"kafka": kafka, "auth": AUTH, "log_level": "WARNING", "relay_poll_interval_s": 0.02}

    async def settings_of(name: str, cls):
        return cls(database_url=await migrated_database(create_database, by_name(name)), **common)

    assessments = await settings_of("assessments", AssessmentsSettings)
    apps = {
        "assessments": assessments_app(assessments),
        "interventions": interventions_app(await settings_of("interventions", InterventionsSettings)),
        "goals": goals_app(await settings_of("goals", GoalsSettings)),
        "reviews": reviews_app(await settings_of("reviews", ReviewsSettings)),
    }
    async with contextlib.AsyncExitStack() as stack:
        urls = {name: await stack.enter_async_context(serve_app(app)) for name, app in apps.items()}
        gateway_settings = GatewaySettings(
            database_url=await migrated_database(create_database, GATEWAY), kafka=kafka, auth=AUTH,
            log_level="WARNING", upstreams={**urls, "web": "http://127.0.0.1:9"},
        )  # fmt: skip
        gateway_url = await stack.enter_async_context(serve_app(gateway_app(gateway_settings)))
        gateway = await stack.enter_async_context(httpx.AsyncClient(base_url=gateway_url, timeout=30))
        direct = {
            n: await stack.enter_async_context(httpx.AsyncClient(base_url=u, timeout=30))
            for n, u in urls.items()
        }
        statuses: dict[str, str] = {}
        listener = asyncio.create_task(listen(kafka, statuses))
        try:
            yield Stack(gateway, direct, assessments, statuses)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


@dataclass
class School:
    """One district with one program school (leadership team, entered by the district admin)."""

    district: District
    admin: dict[str, str]
    goals: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.district.schools[0]


@pytest.fixture(scope="module")
async def school(stack):
    district = await District(stack.gateway, stack.settings).build()
    sid, klass = district.schools[0], district.classes[0]
    staff = [(f"{sid}-admin", "administrator")] + [(f"{sid}-t{n}", "teacher") for n in range(3)]
    enrollments = [
        {"sourced_id": f"e-{user}", "class_id": klass, "school_id": sid, "user_id": user, "role": role}
        for user, role in staff
    ]
    assert (
        await district.put("/assessments/roster/enrollments", {"records": enrollments})
    ).status_code == 200
    admin = district.token(Role.DISTRICT_ADMIN)
    team = {"kind": "leadership", "name": "Leadership team", "member_ids": [u for u, _ in staff]}

    async def ok(method: str, path: str, body: dict, status: int) -> bool:
        return (await stack.gateway.request(method, path, json=body, headers=admin)).status_code == status

    assert await eventually(lambda: ok("POST", f"/goals/v1/schools/{sid}/teams", team, 201), timeout_s=30)
    entry = {"regional_center": "Central", "entry_year": 2024}
    assert await eventually(lambda: ok("PUT", f"/reviews/v1/program/schools/{sid}", entry, 200), timeout_s=30)
    return School(district, admin)


# --- what the SIS and the district do ---------------------------------------------------------------------------
points = st.sampled_from([0, 2, 5, 7, 8, 9, 10])  # of 10 per objective: below, around and above the cuts
days = st.integers(0, 12)  # few days: retakes and corrections often fall on the day of another attempt
# A wave: every student sits one assessment as one attempt on one day (a bulk upload). Another wave of the same
# attempt is a correction of it (back-dated when its day is earlier); attempt 2 may come in before attempt 1.
wave = st.tuples(
    st.integers(0, 1), st.integers(1, 3), days, st.lists(st.tuples(points, points), min_size=6, max_size=6)
)
put = st.tuples(
    st.just("put"),
    st.integers(0, 5),  # student (0-2 in the program school, 3-5 in the other one)
    st.integers(0, 1),  # assessment
    st.integers(1, 3),  # attempt
    days,  # assessment day (a write to a key held with another day moves it: back-dated too)
    st.sampled_from(["both", "both", "both", "one standard", "exempt", "not submitted"]),
    points,
    points,
)
void = st.tuples(st.just("void"), st.integers(0, 5), st.integers(0, 1), st.integers(1, 3))
thresholds = st.tuples(st.just("thresholds"), st.sampled_from(THRESHOLDS))
plans = st.tuples(
    st.lists(wave, min_size=3, max_size=6), st.lists(st.one_of(put, put, put, void, thresholds), max_size=10)
)


@dataclass
class Example:
    assessments: list[dict]
    goals: list[str]


async def new_example(stack: Stack, school: School) -> Example:
    d = school.district
    made = [await d.assessment(name=uuid.uuid4().hex[:8]) for _ in range(2)]
    a, b = made
    measures = [  # baselines near what the waves give, so the thresholds decide some statuses
        ({"kind": "proficient", "assessment_id": a["id"]}, 50.0, 90.0),
        ({"kind": "average", "assessment_id": b["id"]}, 60.0, 95.0),
        ({"kind": "proficient", "standard_id": a["standards"][1]}, 30.0, 80.0),
        (
            {"kind": "growth", "pre_assessment_id": a["id"], "post_assessment_id": b["id"], "min_growth": 5},
            0.0,
            50.0,
        ),
    ]
    goals = []
    for measure, baseline, target in measures:
        body = {"title": f"Goal {len(school.goals) + 1}", "measure": measure, "population": {"kind": "school"},
                "baseline": {"value": baseline}, "target": target, "start": "2026-09-01", "deadline": "2027-05-31"}  # fmt: skip
        made_goal = await stack.gateway.post(
            f"/goals/v1/schools/{school.id}/goals", json=body, headers=school.admin
        )
        assert made_goal.status_code == 201, made_goal.text
        goal_id = made_goal.json()["id"]

        async def activated(goal_id=goal_id) -> bool:  # once goals has the assessments' events (the letter M)
            response = await stack.gateway.post(f"/goals/v1/goals/{goal_id}/activate", headers=school.admin)
            return response.status_code == 200

        assert await eventually(activated, timeout_s=30, interval_s=0.2)
        goals.append(goal_id)
    school.goals += goals
    return Example(made, goals)


async def sit(stack: Stack, school: School, example: Example, waves: list) -> None:
    for assessment, attempt, day, scores in waves:
        rows = [
            {"assessment_id": example.assessments[assessment]["id"], "student_id": student, "attempt": attempt,
             "assessed_on": (DAY0 + timedelta(days=day)).isoformat(), "objective_scores": {"O1": o1, "O2": o2}}
            for student, (o1, o2) in zip(school.district.students, scores, strict=True)
        ]  # fmt: skip
        sent = await stack.gateway.post(
            "/assessments/results/bulk", json={"results": rows}, headers=school.district.sis
        )
        assert sent.json()["accepted"] == len(rows), sent.text


async def apply(stack: Stack, school: School, example: Example, op: tuple) -> None:
    d = school.district
    if op[0] == "thresholds":
        on_track, at_risk = op[1]
        body = {"on_track": on_track, "at_risk": at_risk}
        assert (
            await stack.gateway.put("/goals/v1/thresholds", json=body, headers=school.admin)
        ).status_code == 200
        return
    student, assessment = d.students[op[1]], example.assessments[op[2]]["id"]
    if op[0] == "void":
        response = await stack.gateway.delete(
            f"/assessments/results/{assessment}/{student}/{op[3]}", headers=d.sis
        )
        assert response.status_code in (204, 404), response.text
        return
    _, _, _, attempt, day, kind, o1, o2 = op
    row = {"assessment_id": assessment, "student_id": student, "attempt": attempt,
           "assessed_on": (DAY0 + timedelta(days=day)).isoformat()}  # fmt: skip
    if kind == "not submitted":
        row["score_status"] = "not submitted"
    else:
        row["objective_scores"] = {"O1": o1} if kind == "one standard" else {"O1": o1, "O2": o2}
        row["score_status"] = "exempt" if kind == "exempt" else "fully graded"
    response = await stack.gateway.put("/assessments/results", json=row, headers=d.sis)
    assert response.status_code in (200, 201), response.text


# --- the two sides of each figure ------------------------------------------------------------------------------
async def meeting_and_flags(http: dict[str, httpx.AsyncClient], school: School, example: Example) -> tuple:
    """(per standard: below the cut, at mastery) from the data meeting and from the open flags."""
    meeting, flags = {}, {}
    for a in example.assessments:
        path = f"/assessments/assessments/{a['id']}/analysis"
        analysis = (await http["assessments"].get(path, headers=school.admin)).json()
        for listed in (*analysis["below_cut"], *analysis["enrichment"], analysis["student_results"]):
            ids = listed["student_ids"] if isinstance(listed, dict) else [s["student_id"] for s in listed]
            assert len(ids) == len(set(ids)), ids  # each student once
        below = {b["standard_id"]: set(b["student_ids"]) for b in analysis["below_cut"]}
        mastered = {b["standard_id"]: set(b["student_ids"]) for b in analysis["enrichment"]}
        for standard in a["standards"]:
            meeting[standard] = (below.get(standard, set()), mastered.get(standard, set()))
            support = await _flags(http["interventions"], school, standard, "support")
            enrichment = await _flags(http["interventions"], school, standard, "enrichment")
            flags[standard] = ({f["student_id"] for f in support}, {f["student_id"] for f in enrichment})
    return meeting, flags


async def _flags(http: httpx.AsyncClient, school: School, standard: str, kind: str) -> list[dict]:
    params = {"standard_id": standard, "kind": kind, "status": "open", "limit": 1000}
    response = await http.get("/interventions/v1/flags", params=params, headers=school.admin)
    assert response.status_code == 200, response.text
    return response.json()


async def goals_and_evidence(stack: Stack, school: School) -> tuple:
    """(per goal the API status, the evidence's goal figures as the API's listing gives them) and (per goal
    the last announced status, the reviews evidence's goal figures)."""
    listed = (await stack.gateway.get(f"/goals/v1/schools/{school.id}/goals", headers=school.admin)).json()
    active = [g for g in listed if g["status"] == "active"]
    api = {g["id"]: g["progress_status"] for g in active}
    for goal_id in school.goals:
        series = (await stack.gateway.get(f"/goals/v1/goals/{goal_id}/progress", headers=school.admin)).json()
        assert series["status"] == api[goal_id], goal_id  # one status per goal on every route
    on_track = sum(s == "on track" for s in api.values())
    api_share = round(on_track / len(api), 4) if api else None
    path = f"/reviews/v1/schools/{school.id}/evidence/2026"
    evidence = (await stack.gateway.get(path, headers=school.admin)).json()["goals"]
    announced = {g: stack.statuses.get(g, "insufficient data") for g in api}  # none yet: as created
    return (api, len(api), api_share), (announced, evidence["active_goals"], evidence["goals_on_track_share"])


async def agree(stack: Stack, school: School, example: Example) -> None:
    """Both sides of every figure equal, and still equal a second later (the consumers are done)."""
    loop, since, last = asyncio.get_running_loop(), None, None
    deadline = loop.time() + 45
    while loop.time() < deadline:
        meeting, flags = await meeting_and_flags({"assessments": stack.gateway, "interventions": stack.gateway},
                                                 school, example)  # fmt: skip
        owner, readers = await goals_and_evidence(stack, school)
        last = (meeting, flags, owner, readers)
        if meeting == flags and owner == readers:
            since = since or loop.time()
            if loop.time() - since >= 1.0:
                assert await meeting_and_flags(stack.direct, school, example) == (meeting, flags)  # straight
                if os.environ.get("COUNTING_SHOW"):  # what the examples cover
                    print(
                        "statuses",
                        sorted(owner[0].values()),
                        "below/mastery",
                        [(len(b), len(m)) for b, m in meeting.values()],
                    )
                return
        else:
            since = None
        await asyncio.sleep(0.2)
    meeting, flags, owner, readers = last
    assert meeting == flags, "the data meeting and the open flags disagree"
    assert owner == readers, "the goals API and what the events told reviews disagree"


# No shrinking: an example is seconds of real services; a failure prints its plan as it was generated.
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans)
async def test_one_number_everywhere(stack, school, plan):
    waves, ops = plan
    example = await new_example(stack, school)
    await sit(stack, school, example, waves)
    for op in ops:
        await apply(stack, school, example, op)
    await agree(stack, school, example)


async def test_the_issues_retake_scenario_agrees_everywhere(stack, school):
    """The issue's data meeting, written out: attempt 2 of every student, then a correction of attempt 1 and a
    void of one attempt 2; a threshold change at the end."""
    example = await new_example(stack, school)
    plan = [("put", s, 0, 1, 0, "both", 3 + s, 4) for s in range(6)]
    plan += [("put", s, 0, 2, 3, "both", 9 - s, 9) for s in range(6)]
    plan += [("put", 0, 0, 1, 5, "both", 0, 0), ("void", 1, 0, 2), ("thresholds", (0.6, 0.3))]
    for op in plan:
        await apply(stack, school, example, op)
    await agree(stack, school, example)
    a = example.assessments[0]
    analysis = (
        await stack.gateway.get(f"/assessments/assessments/{a['id']}/analysis", headers=school.admin)
    ).json()
    assert (analysis["students"], analysis["attempts"]) == (6, 11)
    assert len({s["student_id"] for s in analysis["student_results"]}) == 6
