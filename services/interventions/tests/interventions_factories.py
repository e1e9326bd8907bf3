"""Result events as the assessments service publishes them (its real event models)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from plc_shared.events.assessments import ResultCorrected, ResultRecorded, ResultVoided, StandardScore

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def standard(
    standard_id: str, percent: float, proficiency: float = 70.0, mastery: float = 90.0
) -> StandardScore:
    return StandardScore(
        standard_id=standard_id,
        points=percent,
        max_points=100,
        percent=percent,
        proficiency_cut=proficiency,
        mastery_cut=mastery,
        proficient=percent >= proficiency,
        mastered=percent >= mastery,
    )


def recorded(
    student: str,
    scores: dict[str, float],
    *,
    result_id: uuid.UUID | None = None,
    revision: int = 1,
    school: str = "school-1",
    assessed_on: date | None = None,
    recorded_at: datetime | None = None,
    assessment: str = "assessment-1",
    corrected: bool = False,
    classes: tuple[str, ...] = ("class-1",),
) -> ResultRecorded | ResultCorrected:
    model = ResultCorrected if corrected else ResultRecorded
    at = recorded_at or datetime.now(UTC)
    return model(
        result_id=result_id or uuid.uuid4(),
        revision=revision,
        student_id=student,
        district_id="district-1",
        school_id=school,
        class_ids=list(classes),
        assessment_id=assessment,
        attempt=1,
        score_status="fully graded",
        total_score=None,
        max_score=100,
        percent=None,
        proficiency_cut=70,
        mastery_cut=90,
        standards=[standard(s, p) for s, p in scores.items()],
        assessed_on=assessed_on or (at.date()),
        recorded_at=at,
    )


def voided(
    event: ResultRecorded | ResultCorrected, revision: int, at: datetime | None = None
) -> ResultVoided:
    return ResultVoided(
        result_id=event.result_id,
        revision=revision,
        student_id=event.student_id,
        district_id=event.district_id,
        school_id=event.school_id,
        class_ids=event.class_ids,
        assessment_id=event.assessment_id,
        attempt=1,
        standard_ids=[s.standard_id for s in event.standards],
        voided_at=at or datetime.now(UTC),
    )


def later(days: int) -> datetime:
    return T0 + timedelta(days=days)
