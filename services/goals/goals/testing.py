"""Test helpers of the goals service, importable by its tests and benchmarks: roster, assessment and result
events as the assessments service publishes them (its real event models), a generated school year, an
in-process API client and a raw publisher."""

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
    ClassRostered,
    ResultCorrected,
    ResultRecorded,
    ResultVoided,
    SchoolRostered,
    StandardScore,
    StudentRostered,
    UserRostered,
)
from plc_shared.ids import new_id

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
YEAR_START, YEAR_END = date(2026, 8, 20), date(2027, 5, 28)


def school(district: str, school_id: str) -> SchoolRostered:
    return SchoolRostered(district_id=district, school_id=school_id, status="active", occurred_at=NOW)


def staff(district: str, user_id: str, role: str, *schools: str) -> UserRostered:
    return UserRostered(
        district_id=district,
        user_id=user_id,
        role=role,
        school_ids=list(schools),
        status="active",
        occurred_at=NOW,
    )


def klass(district: str, class_id: str, school_id: str, *grades: str) -> ClassRostered:
    return ClassRostered(
        district_id=district, class_id=class_id, school_id=school_id, grades=list(grades), status="active",
        occurred_at=NOW,
    )  # fmt: skip


def student(district: str, student_id: str, school_id: str, grade: str) -> StudentRostered:
    return StudentRostered(
        district_id=district, student_id=student_id, school_ids=[school_id], grades=[grade], status="active",
        occurred_at=NOW,
    )  # fmt: skip


def assessment(district: str, assessment_id: str, standards: list[str]) -> AssessmentPublished:
    return AssessmentPublished(
        assessment_id=assessment_id, district_id=district, kind="common_formative", standard_ids=standards,
        proficiency_cut=70, mastery_cut=90, occurred_at=NOW,
    )  # fmt: skip


def result(
    district: str, student_id: str, school_id: str, assessment_id: str, scores: dict[str, float], *,
    on: date, classes: tuple[str, ...] = (), result_id: uuid.UUID | None = None, revision: int = 1,
    corrected: bool = False, exempt: bool = False, attempt: int = 1,
) -> ResultRecorded | ResultCorrected:  # fmt: skip
    """A result event; its id is time-ordered like the assessments service's (a later one sorts after)."""
    model = ResultCorrected if corrected else ResultRecorded
    percent = sum(scores.values()) / len(scores) if scores else None
    return model(
        result_id=result_id or new_id(), revision=revision, student_id=student_id, district_id=district,
        school_id=school_id, class_ids=list(classes), assessment_id=assessment_id, attempt=attempt,
        score_status="exempt" if exempt else "fully graded", total_score=percent, max_score=100, percent=percent,
        proficiency_cut=70, mastery_cut=90,
        standards=[
            StandardScore(standard_id=s, points=p, max_points=100, percent=p, proficiency_cut=70, mastery_cut=90,
                          proficient=p >= 70, mastered=p >= 90)
            for s, p in scores.items()
        ],
        assessed_on=on, recorded_at=datetime.now(UTC),
    )  # fmt: skip


def voided(event: ResultRecorded | ResultCorrected, revision: int) -> ResultVoided:
    return ResultVoided(
        result_id=event.result_id, revision=revision, student_id=event.student_id, district_id=event.district_id,
        school_id=event.school_id, class_ids=event.class_ids, assessment_id=event.assessment_id,
        attempt=event.attempt,
        standard_ids=[s.standard_id for s in event.standards], voided_at=datetime.now(UTC),
    )  # fmt: skip


@dataclass
class SchoolYear:
    """Roster, assessments and a stream of results (with corrections and voids), and goal definitions."""

    district: str
    setup: list = field(default_factory=list)  # roster and assessment events
    results: list = field(default_factory=list)
    teams: list[dict] = field(default_factory=list)  # {school_id, body}
    goals: list[dict] = field(default_factory=list)  # {school_id, team index | None, body}


def school_year(
    district: str = "d1", *, schools: int = 2, students: int = 60, results: int = 3000, seed: int = 13
):
    rng, year = random.Random(seed), SchoolYear(district)
    assessments = {f"a{i}": [f"std{i % 4}", f"std{(i + 1) % 4}"] for i in range(6)}
    year.setup += [assessment(district, a, s) for a, s in assessments.items()]
    pupils = []
    for s in range(schools):
        sid = f"s{s + 1}"
        year.setup.append(school(district, sid))
        year.setup.append(staff(district, f"{sid}-admin", "administrator", sid))
        year.setup += [staff(district, f"{sid}-t{t}", "teacher", sid) for t in range(10)]
        for n in range(students):
            grade, stu = str(3 + n % 3), f"{sid}-stu{n:04d}"
            year.setup.append(student(district, stu, sid, grade))
            pupils.append((stu, sid, (f"{sid}-g{grade}-c{n % 2}",)))
        members = [f"{sid}-admin", f"{sid}-t0", f"{sid}-t1", f"{sid}-t2"]
        year.teams.append(
            {
                "school_id": sid,
                "body": {"kind": "leadership", "name": f"Leadership {sid}", "member_ids": members},
            }
        )
        for grade in ("3", "4", "5"):
            classes = [f"{sid}-g{grade}-c0", f"{sid}-g{grade}-c1"]
            year.setup += [klass(district, c, sid, grade) for c in classes]
            body = {"kind": "collaborative", "name": f"Grade {grade}", "member_ids": [f"{sid}-t3", f"{sid}-t{3 + int(grade)}"],
                    "grades": [grade], "class_ids": classes, "standard_ids": ["std0"]}  # fmt: skip
            year.teams.append({"school_id": sid, "body": body})
    span = (YEAR_END - YEAR_START).days
    for _ in range(results):
        stu, sid, classes = rng.choice(pupils)
        a = rng.choice(list(assessments))
        scores = {s: float(rng.randint(30, 100)) for s in assessments[a]}
        event = result(
            district,
            stu,
            sid,
            a,
            scores,
            on=YEAR_START + timedelta(days=rng.randrange(span)),
            classes=classes,
        )
        year.results.append(event)
        roll = rng.random()
        if roll < 0.08:  # a correction, sometimes of a correction
            fixed = {s: float(rng.randint(30, 100)) for s in scores}
            year.results.append(result(district, stu, sid, a, fixed, on=event.assessed_on, classes=classes,
                                       result_id=event.result_id, revision=2, corrected=True))  # fmt: skip
        elif roll < 0.12:
            year.results.append(voided(event, 2))
    year.goals = _goals(schools)
    return year


def _goals(schools: int) -> list[dict]:
    out = []
    start, deadline = date(2026, 9, 1), date(2027, 5, 20)
    for s in range(schools):
        sid = f"s{s + 1}"
        measures = [
            {"kind": "proficient", "assessment_id": "a0"}, {"kind": "proficient", "standard_id": "std1"},
            {"kind": "average", "assessment_id": "a2"}, {"kind": "average", "standard_id": "std3"},
            {"kind": "growth", "pre_assessment_id": "a1", "post_assessment_id": "a4", "min_growth": 5},
            {"kind": "proficient", "assessment_id": "a5"}, {"kind": "proficient", "standard_id": "std2"},
        ]  # fmt: skip
        for i, m in enumerate(measures):
            pop = {"kind": "grades", "grades": ["4"]} if i == 6 else {"kind": "school"}
            out.append(
                {"school_id": sid, "team": None, "body": _body(f"{sid} goal {i}", m, pop, start, deadline)}
            )
        for t in range(1, 4):  # team goals on the collaborative teams' classes
            for i, m in enumerate(measures[:3]):
                body = _body(f"{sid} team {t} goal {i}", m, {"kind": "team"}, start, deadline)
                out.append(
                    {"school_id": sid, "team": (s * 4) + t, "parent": len(out) - len(out) % 1, "body": body}
                )
    return out


def _body(title: str, measure: dict, population: dict, start: date, deadline: date) -> dict:
    return {
        "title": title, "measure": measure, "population": population, "target": 95.0,
        "baseline": {"value": 10.0, "source": "given"}, "start": start.isoformat(), "deadline": deadline.isoformat(),
    }  # fmt: skip


def api(app, role: str, district: str, schools=(), subject: str | None = None) -> httpx.AsyncClient:
    """An HTTP client of the app (in process) with a dev token of `role` in `district`."""
    token = mint_dev_token(
        app.state.settings.auth, role=role, district_id=district, school_ids=schools, subject=subject
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://svc/goals/v1",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


async def apply(sessionmaker, *events) -> None:
    """Events through the consumers' handlers, in one transaction (no broker)."""
    from goals.consumers import handle_flags, handle_results, handle_roster

    envelopes = [CloudEvent.wrap(e) for e in events]
    async with sessionmaker() as session, session.begin():
        await handle_roster(session, envelopes)
        await handle_results(session, envelopes)
        await handle_flags(session, envelopes)
