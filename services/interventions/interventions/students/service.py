"""One student's interventions record (student-level: audited). Scoped by plc_shared.scope like every
student-level read: the caller's district and schools, and for teachers the students of their classes (the
roster's). A student out of scope, of another district or unknown here is the same 404.

Functions take the session first and keyword-only arguments after it; they never commit."""

from __future__ import annotations

from datetime import UTC, datetime

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.auth import check_student
from interventions.exceptions import StudentNotFound
from interventions.flags.service import flag_read
from interventions.models import Assignment, Flag, Intervention, ProgressPoint, StudentTier, TierChange
from interventions.pyramid import rules as pyramid_rules
from interventions.pyramid.schemas import ProgressCreate
from interventions.roster.repository import RosterRepository
from interventions.students import schemas
from interventions.students.repository import StudentRepository


async def student_interventions(
    session: AsyncSession, *, principal: Principal, student_id: str
) -> schemas.StudentInterventionsRead:
    district, repo = principal.tenant, StudentRepository(session)
    student = await RosterRepository(session).student(district, student_id)
    if student is None:
        raise StudentNotFound(student_id)
    flags, tier = await repo.flags(district, student_id), await repo.tier(district, student_id)
    assigned = await repo.assignments(district, student_id)
    schools = {*student.school_ids, *(f.school_id for f in flags), *(a.school_id for a, _ in assigned)}
    schools |= {tier.school_id} if tier else set()
    # The student at any school their record has data of; then only what the caller sees of each school.
    await check_student(session, principal, student_id, school_ids=sorted(schools))
    schools = {s for s in schools if scope.sees_school(principal, district, s)}
    flags = [f for f in flags if f.school_id in schools]
    assigned = [(a, i) for a, i in assigned if a.school_id in schools]
    points = await repo.points([a.id for a, _ in assigned])
    history = await repo.tier_changes(district, student_id)
    audit_read(principal, "student.interventions", [student_id])
    now, current = datetime.now(UTC), tier.tier if tier else 1
    flag_reads = [student_flag(f, current, now) for f in flags]
    return schemas.StudentInterventionsRead(
        student_id=student_id,
        school_ids=sorted(schools),
        tier=tier_read(tier, history),
        tier_in_force=max([current, *(i.tier for a, i in assigned if a.status == "active")]),
        open_flags=[f for f in flag_reads if f.status == "open"],
        resolved_flags=sorted(
            (f for f in flag_reads if f.status == "resolved"),
            key=lambda f: (f.resolution.resolved_at or f.opened_at) if f.resolution else f.opened_at,
            reverse=True,
        ),
        assignments=[assignment_read(a, i, points[a.id]) for a, i in assigned],
    )


def student_flag(flag: Flag, tier: int, now: datetime) -> schemas.StudentFlagRead:
    until = flag.resolved_at if flag.status == "resolved" and flag.resolved_at else now
    read = flag_read(flag, tier, (until - flag.opened_at).total_seconds() / 86400)
    return schemas.StudentFlagRead.model_validate(
        {
            **read.model_dump(),
            "assessment_id": flag.assessment_id,
            "evidence_recorded_at": flag.evidence_recorded_at,
        }
    )


def tier_read(tier: StudentTier | None, history: list[TierChange]) -> schemas.StudentTierRead:
    changes = [schemas.TierChangeRead.model_validate(c, from_attributes=True) for c in history]
    if tier is None:
        return schemas.StudentTierRead(
            tier=1, school_id=None, reason=None, rule=None, decided_by=None, since=None, history=changes
        )
    return schemas.StudentTierRead(
        tier=tier.tier,
        school_id=tier.school_id,
        reason=tier.reason,
        rule=tier.rule,
        decided_by=tier.decided_by,
        since=tier.since,
        history=changes,
    )


def assignment_read(
    assignment: Assignment, intervention: Intervention, points: list[ProgressPoint]
) -> schemas.StudentAssignmentRead:
    roi = pyramid_rules.rate_of_improvement([(p.measured_on, p.score) for p in points])
    goal = pyramid_rules.goal_rate(
        assignment.baseline, assignment.goal, assignment.start_on, assignment.goal_date
    )
    fields = {c: getattr(assignment, c) for c in schemas.AssignmentRead.model_fields}
    return schemas.StudentAssignmentRead(
        **fields,
        intervention_name=intervention.name,
        intervention_tier=intervention.tier,
        points=[ProgressCreate(measured_on=p.measured_on, score=p.score) for p in points],
        rate_of_improvement=roi,
        goal_rate=goal,
        on_track=None if roi is None else roi >= goal,
    )
