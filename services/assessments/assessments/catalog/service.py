"""Assessment rules: drafts with their objectives and items, and the lifecycle draft → published → closed
(each step an event)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from plc_shared.auth import Principal
from plc_shared.events.assessments import AssessmentClosed, AssessmentPublished
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models, rules
from assessments.catalog import schemas
from assessments.catalog.repository import AssessmentRepository
from assessments.exceptions import (
    AssessmentExists,
    AssessmentNotDraft,
    AssessmentNotFound,
    InvalidAssessment,
    InvalidLifecycle,
)
from assessments.standards.repository import StandardRepository


async def create_assessment(
    session: AsyncSession, *, principal: Principal, body: schemas.AssessmentCreate
) -> schemas.AssessmentRead:
    district_id = principal.tenant
    auth.check_assessment_manager(principal, district_id, body.school_id)
    repo = AssessmentRepository(session)
    assessment_id = body.id or str(uuid.uuid4())
    if await repo.get_in_district(district_id, assessment_id) is not None:
        raise AssessmentExists(assessment_id)
    await _validate_structure(session, district_id, body)
    fields = body.model_dump(exclude={"id", "objectives", "items"})
    assessment = models.Assessment(
        id=assessment_id, district_id=district_id, status="draft", created_by=principal.subject, **fields
    )
    await repo.add(assessment, flush=True)
    await repo.replace_structure(
        district_id, assessment_id, *_structure_rows(district_id, assessment_id, body)
    )
    return await get_assessment(session, principal=principal, assessment_id=assessment_id)


async def update_assessment(
    session: AsyncSession, *, principal: Principal, assessment_id: str, body: schemas.AssessmentUpdate
) -> schemas.AssessmentRead:
    assessment = await _managed(session, principal=principal, assessment_id=assessment_id)
    if assessment.status != "draft":
        raise AssessmentNotDraft(assessment_id, assessment.status)
    auth.check_assessment_manager(principal, assessment.district_id, body.school_id)
    await _validate_structure(session, assessment.district_id, body)
    for name, value in body.model_dump(exclude={"objectives", "items"}).items():
        setattr(assessment, name, value)
    await session.flush()
    district_id = assessment.district_id
    await AssessmentRepository(session).replace_structure(
        district_id, assessment_id, *_structure_rows(district_id, assessment_id, body)
    )
    return await get_assessment(session, principal=principal, assessment_id=assessment_id)


async def transition(
    session: AsyncSession, *, principal: Principal, assessment_id: str, to: str
) -> schemas.AssessmentRead:
    """draft → published (results accepted) → closed; each step is an event."""
    assessment = await _managed(session, principal=principal, assessment_id=assessment_id)
    expected, event_type, stamp = {
        "published": ("draft", AssessmentPublished, "published_at"),
        "closed": ("published", AssessmentClosed, "closed_at"),
    }[to]
    if assessment.status != expected:
        raise InvalidLifecycle(assessment_id, assessment.status, expected)
    now = datetime.now(UTC)
    repo = AssessmentRepository(session)
    await repo.set_status(assessment, to, **{stamp: now})
    objectives = await repo.objectives(assessment.district_id, [assessment_id])
    items = await repo.items(assessment.district_id, [assessment_id])
    standard_ids = sorted(
        {s for o in objectives for s in o.standard_ids} | {i.standard_id for i in items if i.standard_id}
    )
    event = event_type(
        assessment_id=assessment.id,
        district_id=assessment.district_id,
        school_id=assessment.school_id,
        kind=assessment.kind,
        subject_area=assessment.subject,
        grades=list(assessment.grades),
        standard_ids=standard_ids,
        proficiency_cut=assessment.proficiency_cut,
        mastery_cut=assessment.mastery_cut,
        occurred_at=now,
    )
    await models.outbox.add(session, event)
    session.expire(assessment)
    return await get_assessment(session, principal=principal, assessment_id=assessment_id)


async def get_assessment(
    session: AsyncSession, *, principal: Principal, assessment_id: str
) -> schemas.AssessmentRead:
    repo = AssessmentRepository(session)
    district_id = principal.tenant
    assessment = await repo.get_in_district(district_id, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    await session.refresh(assessment)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    read = schemas.AssessmentRead.model_validate(assessment, from_attributes=True)
    objectives = await repo.objectives(district_id, [assessment_id])
    read.objectives = [schemas.ObjectiveRead.model_validate(o) for o in objectives]
    read.items = [schemas.ItemRead.model_validate(i) for i in await repo.items(district_id, [assessment_id])]
    return read


async def list_assessments(
    session: AsyncSession, *, principal: Principal, status: str | None, school_id: str | None
) -> list[schemas.AssessmentRead]:
    where = [models.Assessment.district_id == principal.tenant]
    if status:
        where.append(models.Assessment.status == status)
    if school_id:
        where.append(models.Assessment.school_id == school_id)
    found = await AssessmentRepository(session).list(*where, order_by=[models.Assessment.created_at])
    return [
        schemas.AssessmentRead.model_validate(a, from_attributes=True)
        for a in found
        if auth.sees_school(principal, a.district_id, a.school_id)
    ]


async def _managed(session: AsyncSession, *, principal: Principal, assessment_id: str) -> models.Assessment:
    assessment = await AssessmentRepository(session).for_update(principal.tenant, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    auth.check_assessment_manager(principal, assessment.district_id, assessment.school_id)
    return assessment


async def _validate_structure(
    session: AsyncSession, district_id: str, body: schemas.AssessmentFields
) -> None:
    errors: list[dict[str, Any]] = []
    levels = [rules.Level(lv.name, lv.min, lv.max) for lv in body.performance_levels]
    problem = rules.levels_overlap(levels)
    if problem:
        errors.append({"field": "performance_levels", "reason": problem})
    if any(lv.minimum > body.max_score for lv in levels):
        errors.append({"field": "performance_levels", "reason": "a level starts above max_score"})
    objectives = list(_flatten(body.objectives, None))
    codes = [o.code for o, _ in objectives]
    if len(codes) != len(set(codes)):
        errors.append({"field": "objectives", "reason": "objective codes must be unique"})
    if len({i.code for i in body.items}) != len(body.items):
        errors.append({"field": "items", "reason": "item codes must be unique"})
    for index, item in enumerate(body.items):
        if item.objective_code is not None and item.objective_code not in codes:
            errors.append({"field": f"items[{index}].objective_code", "reason": "no such objective"})
    wanted = {s for o, _ in objectives for s in o.standard_ids} | {
        i.standard_id for i in body.items if i.standard_id
    }
    owned = await _standards_of(session, district_id, wanted)
    for missing in sorted(wanted - owned):
        errors.append({"field": "standard_ids", "reason": f"unknown standard '{missing}'"})
    if errors:
        raise InvalidAssessment(errors)


async def _standards_of(session: AsyncSession, district_id: str, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    found = await StandardRepository(session).list(
        models.Standard.id.in_(ids), models.Standard.district_id == district_id
    )
    return {s.id for s in found}


def _flatten(objectives: list[schemas.ObjectiveWrite], parent: str | None):
    """Depth-first, parents first: (objective, parent code)."""
    for objective in objectives:
        yield objective, parent
        yield from _flatten(objective.objectives, objective.code)


def _structure_rows(
    district_id: str, assessment_id: str, body: schemas.AssessmentFields
) -> tuple[list[dict], list[dict]]:
    def oid(code: str) -> str:
        return f"{assessment_id}/{code}"

    objectives = [
        {
            "district_id": district_id,
            "id": oid(o.code),
            "assessment_id": assessment_id,
            "parent_id": oid(parent) if parent else None,
            "code": o.code,
            "description": o.description,
            "max_points": o.max_points,
            "proficiency_cut": o.proficiency_cut,
            "mastery_cut": o.mastery_cut,
            "standard_ids": o.standard_ids,
        }
        for o, parent in _flatten(body.objectives, None)
    ]
    items = [
        {
            "district_id": district_id,
            "id": f"{assessment_id}/item/{i.code}",
            "assessment_id": assessment_id,
            "objective_id": oid(i.objective_code) if i.objective_code else None,
            "code": i.code,
            "max_points": i.max_points,
            "standard_id": i.standard_id,
        }
        for i in body.items
    ]
    return objectives, items
