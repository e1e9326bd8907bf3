"""The analysis of one assessment over the results the caller may see (aggregates; student ids only for roles
that read student data, and then audited)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.db import without_jit
from plc_shared.periodic import Periodic
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth
from assessments.analysis.repository import AnalysisRepository
from assessments.analysis.rules import (
    ResultRow,
    aggregates,
    analyse,
    name_students,
    standing,
    students,
)
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
    await without_jit(session)
    with_students = principal.role in auth.STUDENT_READERS
    filters = {"school_id": school_id, "class_id": class_id, "grade": grade}
    everyone = principal.visible_schools() is None and principal.visible_classes() is None
    if everyone and not school_id and not class_id:  # the district-wide analysis: from the standings
        report = await _from_standings(session, principal, assessment, grade, with_students)
    elif not with_students:  # aggregates only: one set-based statement, never every attempt in Python
        report = await _aggregates(session, principal, assessment, school_id, class_id, grade)
    else:
        report = await from_attempts(session, principal, assessment, school_id, class_id, grade)
    return {"assessment_id": assessment_id, "filters": filters, **report}


async def from_attempts(
    session: AsyncSession,
    principal: Principal,
    assessment: Any,
    school_id: str | None,
    class_id: str | None,
    grade: str | None,
) -> dict[str, Any]:
    """The report of a role that reads students, from every live attempt the filters keep (a school's, a
    class's: bounded by a school's size), students named as far as the caller may see them."""
    district_id, assessment_id, results = principal.tenant, assessment.id, AnalysisRepository(session)
    found = await results.for_analysis(
        district_id,
        assessment_id,
        schools=principal.visible_schools(),
        school_id=school_id,
        class_id=class_id,
        grade=grade,
    )
    rows = _rows(found)
    items = await AssessmentRepository(session).items(district_id, [assessment_id])
    teachers = await results.teachers(district_id, {c for r in rows for c in r.class_ids})
    report = analyse(
        rows,
        proficiency_cut=assessment.proficiency_cut,
        mastery_cut=assessment.mastery_cut,
        levels=[lv["name"] for lv in assessment.performance_levels],
        items={i.code: (i.max_points, i.standard_id) for i in items},
        teachers=teachers,
        with_students=True,
    )
    # every student in scope is named (their attempts listed)
    visible = await auth.students_in_scope(session, principal, district_id, {r.student_id for r in rows})
    named = sorted(only_students_in_scope(report, visible))
    audit_read(principal, "analysis.read", named, assessment_id=assessment_id)
    return report


def _rows(found: list[Any]) -> list[ResultRow]:
    return [
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


class Records(str):
    """The students' records as one JSON array of the stored texts (analysis_students.record), written into the
    response as it is (analysis.endpoints), never parsed and serialised again."""


async def _from_standings(
    session: AsyncSession, principal: Principal, assessment: Any, grade: str | None, with_students: bool
) -> dict[str, Any]:
    """The district-wide report of a caller who sees the whole district: from each student's standing (one row
    per student, kept as results change: `refresh`), so a request never reads every attempt of a sixth of the
    district; the same figures and lists as analyse's from the attempts (tests compare the two)."""
    district_id, results = principal.tenant, AnalysisRepository(session)
    await refresh(results, district_id, assessment.id)
    found = await results.standing_aggregates(district_id, assessment.id, grade, with_ids=with_students)
    rows = [dict(r) for r in found]
    items = await AssessmentRepository(session).items(district_id, [assessment.id])
    classes = {r["key"] for r in rows if r["kind"] == "class"}
    report = aggregates(
        rows,
        proficiency_cut=assessment.proficiency_cut,
        mastery_cut=assessment.mastery_cut,
        levels=[lv["name"] for lv in assessment.performance_levels],
        items={i.code: (i.max_points, i.standard_id) for i in items},
        teachers=await results.teachers(district_id, classes),
    )
    if with_students:  # the whole district is in the caller's scope: every student is named
        name_students(report, rows)
        found = await results.records(district_id, assessment.id, grade)
        report["student_results"] = Records(found["records"])
        audit_read(principal, "analysis.read", sorted(found["ids"] or []), assessment_id=assessment.id)
    return report


# --- the standings, kept as results change --------------------------------------------------------------------

STALE_BATCH = 5_000


async def refresh(results: AnalysisRepository, district_id: str, assessment_id: str) -> int:
    """Bring the assessment's stale standings up to date (in the caller's transaction): what a write changed
    since the periodic job last ran. Returns how many students were computed."""
    stale = await results.take_stale(district_id, assessment_id)
    await _compute(results, district_id, assessment_id, stale)
    return len(stale)


async def refresh_stale(session: AsyncSession, now: datetime) -> int:
    """The periodic job: up to STALE_BATCH stale standings of any assessment, computed (so a read finds few)."""
    results = AnalysisRepository(session)
    by_assessment: dict[tuple[str, str], list[str]] = defaultdict(list)
    claimed = await results.claim_stale(STALE_BATCH)
    for district_id, assessment_id, student_id in claimed:
        by_assessment[district_id, assessment_id].append(student_id)
    for (district_id, assessment_id), student_ids in by_assessment.items():
        await _compute(results, district_id, assessment_id, student_ids)
    return len(claimed)


def standings_job(interval_s: float) -> Periodic:
    return Periodic(name="analysis-standings", job=refresh_stale, interval_s=interval_s, batch=STALE_BATCH)


async def _compute(results: AnalysisRepository, district_id: str, assessment_id: str, student_ids: list[str]):
    if not student_ids:
        return
    await results.lock_standings(district_id, assessment_id)
    found = await results.for_analysis(district_id, assessment_id, schools=None, student_ids=student_ids)
    people = students(_rows(found))
    await results.replace_standings(district_id, assessment_id, student_ids, [standing(p) for p in people])


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
    return report


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
