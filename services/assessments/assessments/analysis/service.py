"""The analysis of one assessment over the results the caller may see (aggregates; student ids only for roles
that read student data, and then audited)."""

from __future__ import annotations

from typing import Any

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth
from assessments.analysis.repository import AnalysisRepository
from assessments.analysis.rules import ResultRow, aggregates, analyse
from assessments.catalog.repository import AssessmentRepository
from assessments.exceptions import AssessmentNotFound


async def analyse_assessment(
    session: AsyncSession,
    *,
    principal: Principal,
    assessment_id: str,
    school_id: str | None,
    class_id: str | None,
    grade: str | None,
) -> dict[str, Any]:
    """Aggregates over the results the caller may see; student ids only for roles that read student data."""
    district_id = principal.tenant
    assessment = await AssessmentRepository(session).get_in_district(district_id, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    results = AnalysisRepository(session)
    with_students = principal.role in auth.STUDENT_READERS
    if not with_students:  # aggregates only: one set-based statement, never every attempt in Python
        return await _aggregates(session, principal, assessment, school_id, class_id, grade)
    found = await results.for_analysis(
        district_id,
        assessment_id,
        schools=principal.visible_schools(),
        school_id=school_id,
        class_id=class_id,
        grade=grade,
    )
    rows = [
        ResultRow(
            r.student_id,
            r.school_id,
            tuple(r.class_ids),
            r.percent,
            r.performance_level,
            tuple(r.standard_scores),
            r.item_scores,
            attempt=r.attempt,
            assessed_on=r.assessed_on,
            score_status=r.score_status,
            result_id=r.id,
        )
        for r in found
    ]
    items = await AssessmentRepository(session).items(district_id, [assessment_id])
    teachers = await results.teachers(district_id, {c for r in rows for c in r.class_ids})
    report = analyse(
        rows,
        proficiency_cut=assessment.proficiency_cut,
        mastery_cut=assessment.mastery_cut,
        levels=[lv["name"] for lv in assessment.performance_levels],
        items={i.code: (i.max_points, i.standard_id) for i in items},
        teachers=teachers,
        with_students=with_students,
    )
    filters = {"school_id": school_id, "class_id": class_id, "grade": grade}
    if principal.role in auth.STUDENT_READERS:  # every student in scope is named (their attempts listed)
        visible = await auth.students_in_scope(session, principal, district_id, {r.student_id for r in rows})
        named = sorted(only_students_in_scope(report, visible))
        audit_read(principal, "analysis.read", named, assessment_id=assessment_id)
    return {"assessment_id": assessment_id, "filters": filters, **report}


async def _aggregates(
    session: AsyncSession,
    principal: Principal,
    assessment: Any,
    school_id: str | None,
    class_id: str | None,
    grade: str | None,
) -> dict[str, Any]:
    """The report of a role that reads aggregates only (no student ids): the database picks the values that
    count and groups them per figure (AnalysisRepository.aggregates); rules.aggregates applies analyse's
    formulas to them."""
    district_id, results = principal.tenant, AnalysisRepository(session)
    rows = await results.aggregates(
        district_id,
        assessment.id,
        schools=principal.visible_schools(),
        school_id=school_id,
        class_id=class_id,
        grade=grade,
    )
    items = await AssessmentRepository(session).items(district_id, [assessment.id])
    classes = {r["key"] for r in rows if r["kind"] == "class"}
    report = aggregates(
        [dict(r) for r in rows],
        proficiency_cut=assessment.proficiency_cut,
        mastery_cut=assessment.mastery_cut,
        levels=[lv["name"] for lv in assessment.performance_levels],
        items={i.code: (i.max_points, i.standard_id) for i in items},
        teachers=await results.teachers(district_id, classes),
    )
    filters = {"school_id": school_id, "class_id": class_id, "grade": grade}
    return {"assessment_id": assessment.id, "filters": filters, **report}


ID_LISTS = frozenset({"student_ids", "mastered_all"})
RECORD_LISTS = frozenset({"student_results"})


def only_students_in_scope(report: Any, visible: set[str]) -> set[str]:
    """Every student list of the report keeps the students the caller may see (a teacher: those of their
    classes; plc_shared.scope): lists of ids (`student_ids`, `mastered_all`) and lists of per-student records
    (`student_results`), wherever they are; the aggregates stay the school's, as a team's data meeting compares
    classes. Returns the students named."""
    named: set[str] = set()
    if isinstance(report, dict):
        for key, value in report.items():
            if key in ID_LISTS and isinstance(value, list):
                report[key] = [s for s in value if s in visible]
                named.update(report[key])
            elif key in RECORD_LISTS and isinstance(value, list):
                report[key] = [r for r in value if r.get("student_id") in visible]
                named.update(r["student_id"] for r in report[key])
            else:
                named |= only_students_in_scope(value, visible)
    elif isinstance(report, list):
        for value in report:
            named |= only_students_in_scope(value, visible)
    return named
