"""The analysis of one assessment over the results the caller may see (aggregates; student ids only for roles
that read student data, and then audited)."""

from __future__ import annotations

from typing import Any

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth
from assessments.analysis.repository import AnalysisRepository
from assessments.analysis.rules import ResultRow, analyse
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
        with_students=principal.role in auth.STUDENT_READERS,
    )
    filters = {"school_id": school_id, "class_id": class_id, "grade": grade}
    if principal.role in auth.STUDENT_READERS:  # every student in scope is named (their attempts listed)
        named = [s["student_id"] for s in report["student_results"]]
        audit_read(principal, "analysis.read", named, assessment_id=assessment_id)
    return {"assessment_id": assessment_id, "filters": filters, **report}
