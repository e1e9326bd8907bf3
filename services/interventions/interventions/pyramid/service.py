"""The pyramid: a school's catalog of interventions, students' assignments, progress monitoring, exits (with
an optional new tier) and the interventions' effectiveness.

Functions take the session first and keyword-only arguments after it; they never commit (the request's
session does, once). Events go to the outbox in the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.events.interventions import InterventionAssigned, StudentExitedV2
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import models
from interventions.auth import check_school, check_student
from interventions.exceptions import (
    AlreadyAssigned,
    AssignmentClosed,
    AssignmentNotFound,
    ExitReasonAgainstData,
    InterventionNotFound,
    InterventionRetired,
    ProgressBeforeStart,
    ProgressInTheFuture,
    StudentNotFound,
)
from interventions.models import Assignment, Intervention, ProgressPoint
from interventions.pyramid import rules, schemas
from interventions.pyramid.repository import AssignmentRepository, InterventionRepository
from interventions.schemas import merge_patch
from interventions.tiers.service import set_tier

# "Today" is the server's UTC date plus a day: a school east of UTC is already a day ahead of it.
TIME_ZONES_AHEAD = timedelta(days=1)


async def create_intervention(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.InterventionCreate
) -> Intervention:
    district = await check_school(session, principal, school_id)
    intervention = Intervention(
        id=uuid.uuid4(), district_id=district, school_id=school_id, **data.model_dump()
    )
    return await InterventionRepository(session).add(intervention, flush=True)


async def update_intervention(
    session: AsyncSession,
    *,
    principal: Principal,
    intervention_id: uuid.UUID,
    data: schemas.InterventionUpdate,
) -> Intervention:
    """Edit or retire a catalog entry (JSON merge patch). Its assignments keep pointing at it: a retired entry
    and a renamed one show as they are now wherever its assignments are shown."""
    intervention = await _intervention(session, principal, intervention_id)
    current = {c: getattr(intervention, c) for c in schemas.InterventionRetirable.model_fields}
    body = merge_patch(schemas.InterventionRetirable, current, data)
    for field, value in body.model_dump().items():
        setattr(intervention, field, value)
    await session.flush()
    return intervention


async def list_interventions(
    session: AsyncSession, *, principal: Principal, school_id: str, include_retired: bool = False
) -> list[Intervention]:
    district = await check_school(session, principal, school_id)
    offered = () if include_retired else (Intervention.retired.is_(False),)
    return await InterventionRepository(session).list(
        Intervention.district_id == district,
        Intervention.school_id == school_id,
        *offered,
        order_by=[Intervention.tier, Intervention.created_at, Intervention.id],
    )


async def assign(
    session: AsyncSession, *, principal: Principal, data: schemas.AssignmentCreate
) -> Assignment:
    intervention = await _intervention(session, principal, data.intervention_id)
    if intervention.retired:
        raise InterventionRetired(intervention.id)
    # The student must be one of the intervention's school and one the caller may see there: else the same
    # 404 as for an unknown id (so ids of other schools or classes cannot be probed).
    student = await check_student(session, principal, data.student_id, school_ids=[intervention.school_id])
    if intervention.school_id not in student.school_ids:
        raise StudentNotFound(data.student_id)
    repository = AssignmentRepository(session)
    # One active assignment per intervention, student and standard: the lock (held to the commit) makes two
    # requests at once (a double-click, two replicas) queue, so the second one sees the first one's row.
    await repository.lock_student(intervention.district_id, data.student_id)
    existing = await repository.active(
        intervention.district_id, data.student_id, intervention.id, data.standard_id
    )
    if existing is not None:
        raise AlreadyAssigned(existing.id)
    assignment = Assignment(
        id=uuid.uuid4(),
        district_id=intervention.district_id,
        school_id=intervention.school_id,
        status="active",
        **data.model_dump(),
    )
    await repository.add(assignment, flush=True)
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
    if assignment.status != "active":
        raise AssignmentClosed(assignment_id, assignment.exited_on)
    if data.measured_on < assignment.start_on:
        raise ProgressBeforeStart(assignment_id, data.measured_on, assignment.start_on)
    if data.measured_on > datetime.now(UTC).date() + TIME_ZONES_AHEAD:
        raise ProgressInTheFuture(data.measured_on)
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
        points=[schemas.ProgressPointRead(measured_on=p.measured_on, score=p.score) for p in points],
        rate_of_improvement=roi,
        goal_rate=goal,
        on_track=None if roi is None else roi >= goal,
    )


async def get_assignment(
    session: AsyncSession, *, principal: Principal, assignment_id: uuid.UUID
) -> Assignment:
    """One assignment (student-level: audited)."""
    assignment = await _assignment(session, principal, assignment_id)
    audit_read(principal, "assignment", [assignment.student_id], assignment_id=str(assignment.id))
    return assignment


async def exit_assignment(
    session: AsyncSession, *, principal: Principal, assignment_id: uuid.UUID, data: schemas.ExitCreate
) -> Assignment:
    assignment = await _assignment(session, principal, assignment_id)
    if assignment.status != "active":
        raise AssignmentClosed(assignment_id, assignment.exited_on)
    if rules.exit_reason_code(data.reason) == "goal_met" and not data.goal_met_confirmed:
        points = await AssignmentRepository(session).points(assignment.district_id, assignment.id)
        last = points[-1].score if points else None
        if not rules.goal_met(last, assignment.goal):
            raise ExitReasonAgainstData(last, assignment.goal)
    assignment.status, assignment.exited_on = "exited", data.exited_on
    assignment.exit_reason, assignment.exit_evidence = data.reason, data.evidence
    await models.outbox.add(
        session,
        StudentExitedV2(  # the reason as a code; its words and the evidence stay in this service
            student_id=assignment.student_id,
            district_id=assignment.district_id,
            school_id=assignment.school_id,
            assignment_id=assignment.id,
            intervention_id=assignment.intervention_id,
            reason_code=rules.exit_reason_code(data.reason),
            exited_on=data.exited_on,
        ),
    )
    if data.to_tier is not None:
        await set_tier(
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


async def _intervention(
    session: AsyncSession, principal: Principal, intervention_id: uuid.UUID
) -> Intervention:
    intervention = await InterventionRepository(session).in_district(principal.tenant, intervention_id)
    if intervention is None:
        raise InterventionNotFound(intervention_id)
    scope.check_school(
        principal, intervention.district_id, intervention.school_id, InterventionNotFound(intervention_id)
    )
    return intervention


async def _assignment(session: AsyncSession, principal: Principal, assignment_id: uuid.UUID) -> Assignment:
    """The assignment when the caller may see its student at its school (plc_shared.scope), else the 404 of
    an assignment that does not exist: reads and writes (progress, exit) alike."""
    assignment = await AssignmentRepository(session).in_district(principal.tenant, assignment_id)
    if assignment is None:
        raise AssignmentNotFound(assignment_id)
    await check_student(
        session,
        principal,
        assignment.student_id,
        school_ids=[assignment.school_id],
        missing=AssignmentNotFound(assignment_id),
    )
    return assignment


async def effectiveness(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> list[schemas.EffectivenessRead]:
    district = await check_school(session, principal, school_id)
    repo = AssignmentRepository(session)
    rows = await repo.effectiveness(district, school_id)
    outcomes = rules.outcomes(await repo.monitored(district, school_id))
    return [
        schemas.EffectivenessRead(
            intervention_id=i,
            name=name,
            assigned=assigned,
            with_next_result=measured,
            reached_proficiency=reached,
            share=reached / measured if measured else None,
            **outcomes.get(i, {}),
        )
        for i, name, assigned, measured, reached in rows
    ]
