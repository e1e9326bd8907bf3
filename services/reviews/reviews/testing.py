"""Test helpers of the reviews service, importable by its tests and benchmarks: the roster, assessment, result,
team and intervention events as their services publish them (their real event models), a full set of ratings,
an in-process API client and the events applied through the consumers' handlers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

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
from plc_shared.events.goals import TeamChanged

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
           classes: tuple[str, ...] = ()) -> ResultRecorded:  # fmt: skip
    return ResultRecorded(
        result_id=uuid.uuid4(), revision=1, student_id=student, district_id=district, school_id=school_id,
        class_ids=list(classes), assessment_id=assessment_id, attempt=1, score_status="fully graded",
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


def api(app, role: str, district: str, schools=(), subject: str | None = None) -> httpx.AsyncClient:
    """An HTTP client of the app (in process) with a dev token of `role` in `district`."""
    token = mint_dev_token(
        app.state.settings.auth, role=role, district_id=district, school_ids=schools, subject=subject
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
