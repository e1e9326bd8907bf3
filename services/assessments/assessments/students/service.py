"""One student's record (student-level: audited), scoped by plc_shared.scope like every student-level read: the
caller's district; school roles only a student of one of their schools; teachers only a student enrolled in one
of their classes. A student out of scope, of another district or not on the roster is the same 404."""

from __future__ import annotations

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models
from assessments.exceptions import StudentNotFound
from assessments.students import schemas
from assessments.students.repository import StudentRepository


async def student_record(
    session: AsyncSession, *, principal: Principal, student_id: str
) -> schemas.StudentRecord:
    district_id, repo = principal.tenant, StudentRepository(session)
    student = await repo.student(district_id, student_id)
    if student is None:
        raise StudentNotFound(student_id)
    classes = await repo.classes(district_id, student_id)
    schools = {*student.school_ids, *(c.school_id for c in classes)}
    scope.check_student(
        principal,
        district_id=district_id,
        school_ids=schools,
        class_ids=[c.sourced_id for c in classes],
        missing=StudentNotFound(student_id),
    )
    schools = {s for s in schools if scope.sees_school(principal, district_id, s)}
    names = await repo.schools(district_id, schools)
    found = await repo.results(district_id, student_id, schools)
    standards = await repo.standards(
        district_id, {s["standard_id"] for r, _ in found for s in r.standard_scores}
    )
    audit_read(principal, "student.read", [student_id])
    return schemas.StudentRecord(
        student_id=student_id,
        given_name=student.given_name,
        family_name=student.family_name,
        name=f"{student.given_name or ''} {student.family_name or ''}".strip() or student_id,
        grades=list(student.grades),
        schools=[schemas.StudentSchool(school_id=s, name=names.get(s, s)) for s in sorted(schools)],
        classes=[
            schemas.StudentClass(class_id=c.sourced_id, title=c.title, school_id=c.school_id)
            for c in classes
            if c.school_id in schools
        ],
        results=[result_read(r, a, standards) for r, a in found],
    )


def result_read(
    result: models.Result, assessment: models.Assessment, standards: dict[str, models.Standard]
) -> schemas.StudentResult:
    return schemas.StudentResult(
        result_id=result.id,
        assessment_id=result.assessment_id,
        assessment_title=assessment.title,
        assessed_on=result.assessed_on,
        attempt=result.attempt,
        score_status=result.score_status,
        total_score=result.total_score,
        max_score=assessment.max_score,
        percent=result.percent,
        performance_level=result.performance_level,
        standards=[standard_read(s, standards.get(s["standard_id"])) for s in result.standard_scores],
    )


def standard_read(score: dict, standard: models.Standard | None) -> schemas.StandardResult:
    return schemas.StandardResult(
        standard_id=score["standard_id"],
        code=standard.code if standard else score.get("code"),
        title=standard.statement if standard else None,
        points=score["points"],
        max_points=score["max_points"],
        percent=score["percent"],
        proficient=score["proficient"],
        mastered=score["mastered"],
    )
