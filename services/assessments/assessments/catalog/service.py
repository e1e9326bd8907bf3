"""Assessment rules: drafts with their objectives and items, and the lifecycle draft → published → closed
(each step an event); and an assessment as scoring needs it (objectives and items by code, standards with their
essential flag), loaded once per request for every assessment the request names, filtered by the caller's
scope (`load_assessments`, used by the results pipeline)."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
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


# --- an assessment as scoring needs it ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    id: str
    status: str
    district_id: str
    school_id: str | None
    definition: rules.AssessmentDef


@dataclass(frozen=True)
class Structure:
    """What cannot change once an assessment is published (only a draft is edited; standards are never
    renamed): its objectives, items and the codes of the standards they measure."""

    objectives: dict[str, rules.ObjectiveDef]
    items: dict[str, rules.ItemDef]
    standard_codes: dict[str, str | None]


# Structures of published and closed assessments, per process. A result post reads the assessment row (status,
# scope, cuts) and the essential standards fresh every time, and the structure from here: three queries fewer
# per request. The key holds the district (ids are per district) and `published_at`, so an id reused in another
# database (tests) never matches.
STRUCTURES: OrderedDict[tuple[str, str, datetime], Structure] = OrderedDict()
STRUCTURES_MAX = 1_000


async def load_assessments(
    session: AsyncSession, *, principal: Principal, ids: Iterable[str]
) -> dict[str, Loaded]:
    """The named assessments the caller can see (others are simply absent: unknown to this caller)."""
    ids = list(ids)
    if not ids:
        return {}
    district_id = principal.tenant
    found = [
        a
        for a in await AssessmentRepository(session).in_district(district_id, ids)
        if auth.sees_school(principal, a.district_id, a.school_id)
    ]
    structures = {a.id: _cached(a) for a in found}
    if missing := [a for a in found if structures[a.id] is None]:
        structures.update(await _structures(session, district_id, missing))
    essential: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    loaded = {}
    for a in found:
        structure, marks = structures[a.id], set()
        if structure.standard_codes:  # essential flags change any time: read for every request
            scope = (a.district_id, tuple(a.grades))
            if scope not in essential:
                essential[scope] = await StandardRepository(session).essential_ids(a.district_id, a.grades)
            marks = essential[scope]
        loaded[a.id] = _loaded(a, structure, marks)
    return loaded


def _cached(a: models.Assessment) -> Structure | None:
    if a.published_at is None:
        return None
    structure = STRUCTURES.get((a.district_id, a.id, a.published_at))
    if structure is not None:
        STRUCTURES.move_to_end((a.district_id, a.id, a.published_at))
    return structure


async def _structures(
    session: AsyncSession, district_id: str, found: list[models.Assessment]
) -> dict[str, Structure]:
    repo = AssessmentRepository(session)
    objectives = await repo.objectives(district_id, [a.id for a in found])
    items = await repo.items(district_id, [a.id for a in found])
    measured = {s for o in objectives for s in o.standard_ids} | {
        i.standard_id for i in items if i.standard_id
    }
    codes = await StandardRepository(session).codes(district_id, measured) if measured else {}
    structures = {}
    for a in found:
        mine = [o for o in objectives if o.assessment_id == a.id]
        theirs = [i for i in items if i.assessment_id == a.id]
        code_of = {o.id: o.code for o in mine}
        standard_ids = {s for o in mine for s in o.standard_ids} | {
            i.standard_id for i in theirs if i.standard_id
        }
        structures[a.id] = structure = Structure(
            objectives={
                o.code: rules.ObjectiveDef(
                    o.code,
                    o.max_points,
                    tuple(o.standard_ids),
                    o.proficiency_cut,
                    o.mastery_cut,
                    code_of.get(o.parent_id) if o.parent_id else None,
                )
                for o in mine
            },
            items={
                i.code: rules.ItemDef(i.code, i.max_points, i.standard_id, code_of.get(i.objective_id or ""))
                for i in theirs
            },
            standard_codes={s: codes[s] for s in standard_ids if s in codes},
        )
        if a.status != "draft" and a.published_at is not None:
            STRUCTURES[(a.district_id, a.id, a.published_at)] = structure
            while len(STRUCTURES) > STRUCTURES_MAX:
                STRUCTURES.popitem(last=False)
    return structures


def _loaded(a: models.Assessment, structure: Structure, essential: set[str]) -> Loaded:
    definition = rules.AssessmentDef(
        id=a.id,
        max_score=a.max_score,
        proficiency_cut=a.proficiency_cut,
        mastery_cut=a.mastery_cut,
        levels=tuple(rules.Level(lv["name"], lv["min"], lv.get("max")) for lv in a.performance_levels),
        objectives=structure.objectives,
        items=structure.items,
        standards={
            s: rules.StandardInfo(s, code, s in essential) for s, code in structure.standard_codes.items()
        },
    )
    return Loaded(a.id, a.status, a.district_id, a.school_id, definition)
