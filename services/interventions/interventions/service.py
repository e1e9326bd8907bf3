"""The pyramid's rules on the HTTP side: catalog, assignments, progress, exits, tier decisions, views.

Functions take the session first and keyword-only arguments after it; they never commit (the request's
session does, once). Events go to the outbox in the same transaction as the change they describe.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.errors import Forbidden
from plc_shared.events.interventions import InterventionAssigned, StudentExited, TierChanged
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import models, rules, schemas
from interventions.auth import check_school
from interventions.exceptions import (
    AssignmentClosed,
    AssignmentNotFound,
    InterventionNotFound,
    StudentNotFound,
)
from interventions.models import Assignment, Intervention, ProgressPoint
from interventions.repository import (
    AssignmentRepository,
    FlagRepository,
    InterventionRepository,
    RosterRepository,
    RulesRepository,
    TierRepository,
)


async def get_rules(
    session: AsyncSession, *, principal: Principal, school_id: str, defaults: rules.Escalation
) -> schemas.RulesRead:
    district = await check_school(session, principal, school_id)
    row = await RulesRepository(session).get((district, school_id))
    if row is None:
        return schemas.RulesRead(
            school_id=school_id,
            escalation_open_flags=defaults.open_flags,
            reflag_weeks=defaults.reflag_weeks,
            overdue_school_days=defaults.overdue_school_days,
        )
    return schemas.RulesRead.model_validate(row, from_attributes=True)


async def set_rules(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.RulesUpdate
) -> schemas.RulesRead:
    district = await check_school(session, principal, school_id)
    await RulesRepository(session).upsert(
        {"school_id": school_id, "district_id": district, **data.model_dump()}
    )
    return schemas.RulesRead(school_id=school_id, **data.model_dump())


async def set_assessment_cuts(
    session: AsyncSession,
    *,
    principal: Principal,
    school_id: str,
    assessment_id: str,
    data: schemas.AssessmentCuts,
) -> None:
    district = await check_school(session, principal, school_id)
    values = {"district_id": district, "school_id": school_id, "assessment_id": assessment_id}
    values |= data.model_dump()
    await RulesRepository(session).upsert_assessment(values)


async def create_intervention(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.InterventionCreate
) -> Intervention:
    district = await check_school(session, principal, school_id)
    intervention = Intervention(
        id=uuid.uuid4(), district_id=district, school_id=school_id, **data.model_dump()
    )
    return await InterventionRepository(session).add(intervention, flush=True)


async def list_interventions(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> list[Intervention]:
    district = await check_school(session, principal, school_id)
    return await InterventionRepository(session).list(
        Intervention.district_id == district,
        Intervention.school_id == school_id,
        order_by=[Intervention.tier],
    )


async def assign(
    session: AsyncSession, *, principal: Principal, data: schemas.AssignmentCreate
) -> Assignment:
    intervention = await _intervention(session, principal, data.intervention_id)
    if await RosterRepository(session).student(intervention.district_id, data.student_id) is None:
        raise StudentNotFound(data.student_id)
    assignment = Assignment(
        id=uuid.uuid4(),
        district_id=intervention.district_id,
        school_id=intervention.school_id,
        status="active",
        **data.model_dump(),
    )
    await AssignmentRepository(session).add(assignment, flush=True)
    await models.outbox.add(
        session,
        InterventionAssigned(
            student_id=data.student_id,
            district_id=intervention.district_id,
            school_id=intervention.school_id,
            assignment_id=assignment.id,
            intervention_id=intervention.id,
            tier=intervention.tier,
            directive=intervention.directive,
            standard_id=data.standard_id,
            start_on=data.start_on,
            planned_weeks=data.planned_weeks,
            assigned_at=datetime.now(UTC),
        ),
    )
    return assignment


async def add_progress(
    session: AsyncSession, *, principal: Principal, assignment_id: uuid.UUID, data: schemas.ProgressCreate
) -> schemas.ProgressRead:
    assignment = await _assignment(session, principal, assignment_id)
    session.add(ProgressPoint(assignment_id=assignment.id, **data.model_dump()))
    await session.flush()
    return await progress(session, principal=principal, assignment_id=assignment_id)


async def progress(
    session: AsyncSession, *, principal: Principal, assignment_id: uuid.UUID
) -> schemas.ProgressRead:
    assignment = await _assignment(session, principal, assignment_id)
    audit_read(principal, "progress", [assignment.student_id], assignment_id=str(assignment.id))
    points = await AssignmentRepository(session).points(assignment.district_id, assignment.id)
    roi = rules.rate_of_improvement([(p.measured_on, p.score) for p in points])
    goal = rules.goal_rate(assignment.baseline, assignment.goal, assignment.start_on, assignment.goal_date)
    return schemas.ProgressRead(
        assignment_id=assignment.id,
        points=[schemas.ProgressCreate(measured_on=p.measured_on, score=p.score) for p in points],
        rate_of_improvement=roi,
        goal_rate=goal,
        on_track=None if roi is None else roi >= goal,
    )


async def assignment_with_progress(
    session: AsyncSession, *, principal: Principal, assignment_id: uuid.UUID
) -> tuple[Assignment, schemas.ProgressRead]:
    assignment = await _assignment(session, principal, assignment_id)
    return assignment, await progress(session, principal=principal, assignment_id=assignment_id)


async def exit_assignment(
    session: AsyncSession, *, principal: Principal, assignment_id: uuid.UUID, data: schemas.ExitCreate
) -> Assignment:
    assignment = await _assignment(session, principal, assignment_id)
    if assignment.status != "active":
        raise AssignmentClosed(assignment_id, assignment.exited_on)
    assignment.status, assignment.exited_on = "exited", data.exited_on
    assignment.exit_reason, assignment.exit_evidence = data.reason, data.evidence
    await models.outbox.add(
        session,
        StudentExited(
            student_id=assignment.student_id,
            district_id=assignment.district_id,
            school_id=assignment.school_id,
            assignment_id=assignment.id,
            intervention_id=assignment.intervention_id,
            reason=data.reason,
            evidence=data.evidence,
            exited_on=data.exited_on,
        ),
    )
    if data.to_tier is not None:
        await _set_tier(
            session,
            assignment.student_id,
            assignment.district_id,
            assignment.school_id,
            data.to_tier,
            "exit",
            principal,
        )
    await session.flush()
    return assignment


async def decide_tier(
    session: AsyncSession, *, principal: Principal, student_id: str, data: schemas.TierDecision
) -> schemas.TierRead:
    district = principal.tenant
    school = await _school_of(session, principal, district, student_id)
    if not principal.can_see_school(district, school):
        raise Forbidden(f"No access to school {school}.")
    await _set_tier(session, student_id, district, school, data.tier, "decision", principal, data.reason)
    await session.flush()
    row = await TierRepository(session).get((district, student_id))
    await session.refresh(row)
    return schemas.TierRead.model_validate(row, from_attributes=True)


async def _school_of(session: AsyncSession, principal: Principal, district: str, student_id: str) -> str:
    """Where a tier decision about the student belongs: the school of their tier, else of their latest flag,
    else of the roster (one the caller sees first). 404 for a student the district does not have."""
    student = await RosterRepository(session).student(district, student_id)
    if student is None:
        raise StudentNotFound(student_id)
    current = await TierRepository(session).get((district, student_id))
    school = current.school_id if current else await FlagRepository(session).school_of(district, student_id)
    if school is None:
        visible = [s for s in student.school_ids if principal.can_see_school(district, s)]
        school = next(iter(visible or student.school_ids), None)
    if school is None:
        raise StudentNotFound(student_id)
    return school


async def _set_tier(
    session: AsyncSession,
    student_id: str,
    district_id: str,
    school_id: str,
    tier: int,
    reason: str,
    principal: Principal,
    note: str | None = None,
) -> None:
    repo = TierRepository(session)
    current = await session.get(models.StudentTier, (district_id, student_id), with_for_update=True)
    before = current.tier if current else 1
    now = datetime.now(UTC)
    await repo.upsert(
        {
            "student_id": student_id,
            "district_id": district_id,
            "school_id": school_id,
            "tier": tier,
            "reason": reason,
            "rule": note,
            "decided_by": principal.subject,
            "since": now if tier != before else (current.since if current else now),
        }
    )
    if tier != before:
        await models.outbox.add(
            session,
            TierChanged(
                student_id=student_id,
                district_id=district_id,
                school_id=school_id,
                from_tier=before,
                to_tier=tier,
                reason=reason,
                rule=note,
                decided_by=principal.subject,
                changed_at=now,
            ),
        )


async def _intervention(
    session: AsyncSession, principal: Principal, intervention_id: uuid.UUID
) -> Intervention:
    intervention = await InterventionRepository(session).in_district(principal.tenant, intervention_id)
    if intervention is None or not principal.can_see_school(intervention.district_id, intervention.school_id):
        raise InterventionNotFound(intervention_id)
    return intervention


async def _assignment(session: AsyncSession, principal: Principal, assignment_id: uuid.UUID) -> Assignment:
    assignment = await AssignmentRepository(session).in_district(principal.tenant, assignment_id)
    if assignment is None or not principal.can_see_school(assignment.district_id, assignment.school_id):
        raise AssignmentNotFound(assignment_id)
    return assignment
