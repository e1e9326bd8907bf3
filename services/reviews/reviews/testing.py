"""Test helpers of the reviews service, importable by its tests and benchmarks: the roster, assessment, result,
team and intervention events as their services publish them (their real event models), a full set of ratings,
an in-process API client and the events applied through the consumers' handlers."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx
from plc_shared.auth import mint_dev_token
from plc_shared.events import CloudEvent
from plc_shared.events.assessments import (
    AssessmentPublished,
    ResultRecorded,
    SchoolRostered,
    StandardScore,
    UserRostered,
)
from plc_shared.events.goals import GoalActivated, GoalProgressUpdated, TeamChanged
from plc_shared.events.interventions import InterventionAssigned, StudentFlagged
from plc_shared.ids import new_id

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def school(district: str, school_id: str) -> SchoolRostered:
    return SchoolRostered(district_id=district, school_id=school_id, status="active", occurred_at=NOW)


def staff(district: str, user_id: str, role: str, *schools: str) -> UserRostered:
    return UserRostered(district_id=district, user_id=user_id, role=role, school_ids=list(schools), status="active",
                        occurred_at=NOW)  # fmt: skip


def team(district: str, school_id: str, kind: str, members: list[str], team_id: uuid.UUID | None = None, *,
         classes: tuple[str, ...] = (), standards: tuple[str, ...] = ()) -> TeamChanged:  # fmt: skip
    return TeamChanged(district_id=district, team_id=team_id or uuid.uuid4(), school_id=school_id, kind=kind,
                       member_ids=members, class_ids=list(classes), standard_ids=list(standards), occurred_at=NOW)  # fmt: skip


def staffed_school(district: str, school_id: str, *, rule_met: bool = True) -> list:
    """A rostered school with an administrator, teachers and a leadership team (keeping the rule or not)."""
    members = [f"{school_id}-admin", f"{school_id}-t0", f"{school_id}-t1", f"{school_id}-t2"]
    return [
        school(district, school_id),
        staff(district, f"{school_id}-admin", "administrator", school_id),
        *[staff(district, f"{school_id}-t{i}", "teacher", school_id) for i in range(4)],
        team(district, school_id, "leadership", members if rule_met else members[1:]),
    ]


def assessment(district: str, assessment_id: str, kind: str = "common_summative", standards=("std1",)):
    return AssessmentPublished(assessment_id=assessment_id, district_id=district, kind=kind,
                               standard_ids=list(standards), proficiency_cut=70, mastery_cut=90, occurred_at=NOW)  # fmt: skip


def result(district: str, student: str, school_id: str, assessment_id: str, percent: float, on: date,
           classes: tuple[str, ...] = (), attempt: int = 1, status: str = "fully graded") -> ResultRecorded:  # fmt: skip
    return ResultRecorded(
        result_id=new_id(), revision=1, student_id=student, district_id=district, school_id=school_id,
        class_ids=list(classes), assessment_id=assessment_id, attempt=attempt, score_status=status,
        total_score=percent, max_score=100, percent=percent, proficiency_cut=70, mastery_cut=90,
        standards=[StandardScore(standard_id="std1", points=percent, max_points=100, percent=percent,
                                 proficiency_cut=70, mastery_cut=90, proficient=percent >= 70, mastered=percent >= 90)],
        assessed_on=on, recorded_at=NOW,
    )  # fmt: skip


def ratings(rubric: dict, level: int = 2, *, evidence: bool = True, overrides: dict | None = None) -> dict:
    """A rating of every indicator of a rubric (as the API returns it) at `level`, with evidence."""
    out = {}
    for strand in rubric["strands"]:
        for ind in strand["indicators"]:
            lv = (overrides or {}).get(ind["id"], level)
            out[ind["id"]] = {"level": lv, "notes": "", "evidence": ["minutes"] if evidence else []}
    return {"ratings": out}


def api(
    app, role: str, district: str, schools=(), subject: str | None = None, name: str | None = None
) -> httpx.AsyncClient:
    """An HTTP client of the app (in process) with a dev token of `role` in `district` (`name`: its name claim)."""
    token = mint_dev_token(
        app.state.settings.auth,
        role=role,
        district_id=district,
        school_ids=schools,
        subject=subject,
        name=name,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc/reviews/v1",
                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip


async def apply(sessionmaker, *events) -> None:
    """Events through the consumers' handlers, in one transaction (no broker)."""
    from reviews.consumers import handle_facts, handle_results

    envelopes = [CloudEvent.wrap(e) for e in events]
    async with sessionmaker() as session, session.begin():
        await handle_facts(session, envelopes)
        await handle_results(session, envelopes)


def support_and_goal(district: str, school_id: str) -> list:
    """A collaborative team with an on-track SMART goal, two students flagged for support on 2026-10-01 and
    one of them assigned an intervention five days later (the evidence from data of that school)."""
    team_id, goal_id = uuid.uuid4(), uuid.uuid4()
    flagged = datetime(2026, 10, 1, tzinfo=UTC)
    common = {"district_id": district, "school_id": school_id}
    return [
        team(district, school_id, "collaborative", [f"{school_id}-t3"], team_id, classes=("c1",), standards=("std1",)),
        GoalActivated(**common, goal_id=goal_id, team_id=team_id, occurred_at=NOW, version=1, baseline=10,
                      target=80, start=date(2026, 9, 1), deadline=date(2027, 5, 1)),
        GoalProgressUpdated(**common, goal_id=goal_id, team_id=team_id, occurred_at=NOW, version=1, value=50,
                            n=20, status="on track", as_of=date(2026, 11, 1)),
        *[StudentFlagged(**common, student_id=f"{school_id}-stu{n}", flag_id=uuid.uuid4(), kind="support",
                         standard_id="std1", result_id=uuid.uuid4(), result_revision=1, assessment_id="sum",
                         score=40, cut=70, rule="support: percent < proficiency cut", flagged_at=flagged)
          for n in range(2)],
        InterventionAssigned(**common, student_id=f"{school_id}-stu0", assignment_id=uuid.uuid4(),
                             intervention_id=uuid.uuid4(), tier=2, directive=True, start_on=date(2026, 10, 6),
                             planned_weeks=6, assigned_at=flagged + timedelta(days=5)),
    ]  # fmt: skip


YEARS = (2024, 2025, 2026)


@dataclass
class PlannedSchool:
    district: str
    school_id: str
    entry_year: int
    levels: dict[int, int]  # school year → the level every indicator gets that year (0-3), or below
    weak: dict[int, bool]  # school year → one indicator rated Partial that year
    proficient: dict[int, int]  # school year → proficient students of 20 on the summative assessment
    narrative: dict[int, bool]


@dataclass
class Program:
    buildings: dict[str, int] = field(default_factory=dict)  # district → rostered schools
    schools: list[PlannedSchool] = field(default_factory=list)
    roster: list = field(default_factory=list)  # roster, team and assessment events
    results: list = field(default_factory=list)


def generated_program(*, districts: int = 30, seed: int = 7) -> Program:
    """Districts of 1-9 buildings, some or all of them program schools, entering in 2024-2026; each program
    school gets a site review a year (some strong, some with a Partial indicator), summative results and
    sometimes a narrative — so that recognitions, sustaining ones and every unmet criterion occur."""
    rng, p = random.Random(seed), Program()
    for d in range(districts):
        district, buildings = f"d{d:02d}", rng.randint(1, 12)
        p.buildings[district] = buildings
        in_program = rng.choice([buildings, max(1, buildings // 2), rng.randint(1, buildings)])
        p.roster.append(assessment(district, "sum"))
        for b in range(buildings):
            sid = f"{district}-s{b}"
            if b >= in_program:
                p.roster.append(school(district, sid))
                continue
            p.roster += staffed_school(district, sid)
            strong = rng.random() < 0.55
            planned = PlannedSchool(
                district, sid, rng.choice(YEARS),
                levels={y: 3 if strong and rng.random() < 0.5 else (2 if strong else rng.choice([1, 2])) for y in YEARS},
                weak={y: strong and rng.random() < 0.15 for y in YEARS},
                proficient={y: rng.randint(15, 20) if strong else rng.randint(8, 17) for y in YEARS},
                narrative={y: rng.random() < 0.8 for y in YEARS},
            )  # fmt: skip
            p.schools.append(planned)
            if b == 0:
                p.roster += support_and_goal(district, sid)
            for y in YEARS:
                for n in range(20):
                    percent = 85.0 if n < planned.proficient[y] else 40.0
                    p.results.append(
                        result(district, f"{sid}-stu{n}", sid, "sum", percent, date(y + 1, 4, 1))
                    )
    return p


async def run_program(app, program: Program, rubric: dict) -> None:
    """Through the API: every planned school enters the program, then year by year each gets its site review
    (rated as planned, submitted, finalized) and, when planned, its narrative after it."""
    by_district: dict[str, list[PlannedSchool]] = {}
    for s in program.schools:
        by_district.setdefault(s.district, []).append(s)
    for district, schools in by_district.items():
        async with api(app, "district_admin", district) as admin:
            for s in schools:
                body = {"regional_center": f"rpdc-{int(district[1:]) % 9}", "entry_year": s.entry_year}
                assert (await admin.put(f"/program/schools/{s.school_id}", json=body)).status_code == 200
    for y in YEARS:
        for district, schools in by_district.items():
            async with api(app, "district_admin", district) as admin:
                for s in (s for s in schools if y >= s.entry_year):
                    await _site_review(admin, s, y, rubric)


async def _site_review(admin: httpx.AsyncClient, s: PlannedSchool, year: int, rubric: dict) -> None:
    created = await admin.post(
        f"/schools/{s.school_id}/reviews", json={"kind": "site", "on": f"{year + 1}-03-15"}
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    overrides = {"respond.pyramid": 1} if s.weak[year] else {}
    body = ratings(rubric, level=s.levels[year], overrides=overrides)
    assert (await admin.put(f"/reviews/{rid}/ratings", json=body)).status_code == 200
    assert (await admin.post(f"/reviews/{rid}/submit")).status_code == 200
    assert (await admin.post(f"/reviews/{rid}/finalize")).status_code == 200
    if s.narrative[year]:
        narrative = await admin.put(f"/schools/{s.school_id}/narratives/{year}", json={"text": "reflection"})
        assert narrative.status_code == 204
