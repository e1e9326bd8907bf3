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
from assessments.catalog.rules import DESCRIPTIVE, LineItem, cuts_and_levels
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


# --- OneRoster line items (the CSV import and the gradebook binding create and update them alike) ------------------
# A line item (lineItems; assessmentLineItems) becomes a published common formative (summative) assessment with max
# score `resultValueMax`; its OneRoster fields are kept and returned. Its learning objectives align it to the
# district's standards: one objective per learningObjectiveId (code = that id, max points = the line item's
# maximum) measuring the standard whose id, CASE identifier or code it is. A CASE id the district does not have is
# created as a non-essential standard (id and code = the CASE id): the alignment is fixed when the line item is
# published, so dropping it would lose the per-standard scores (and the flags) for good. An id of another source
# ("unknown") that the district does not have is refused.
async def resolve_standards(
    session: AsyncSession, *, district_id: str, objectives: list[tuple[str, str]]
) -> tuple[dict[str, str], list[str], list[str]]:
    """({learningObjectiveId: standard id}, CASE ids created as standards, ids refused). A learning objective
    names a standard by its id, its CASE identifier or its code, in the caller's district only."""
    ids = {lo for _source, lo in objectives}
    if not ids:
        return {}, [], []
    guids = {g for g in map(_uuid, ids) if g is not None}
    repo = StandardRepository(session)
    found = await repo.named(district_id, ids, guids)
    by_id = {x.id: x.id for x in found} | {str(x.case_identifier): x.id for x in found if x.case_identifier}
    by_code = {x.code: x.id for x in found}
    resolved, created, refused = {}, [], []
    for source, lo in objectives:
        standard_id = by_id.get(lo) or by_id.get(str(_uuid(lo))) or by_code.get(lo)
        if standard_id is None and lo not in resolved and source.strip().lower() == "case":
            await repo.add(
                models.Standard(
                    district_id=district_id,
                    id=lo,
                    code=lo,
                    statement=f"CASE item {lo} (created by OneRoster; no statement was sent)",
                    case_identifier=_uuid(lo),
                )
            )
            standard_id = lo
            created.append(lo)
        if standard_id is None:
            refused.append(lo)
        else:
            resolved[lo] = standard_id
    await session.flush()
    return resolved, created, refused


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def create_line_item(
    session: AsyncSession, *, principal: Principal, item: LineItem, standards: dict[str, str]
) -> str | None:
    """Create the published assessment with its objectives; returns why the scale was not used, if it was not."""
    levels, proficiency, mastery, scale_problem = cuts_and_levels(item)
    assessment = models.Assessment(
        id=item.sourced_id,
        district_id=principal.tenant,
        title=item.title,
        kind=item.kind,
        grades=[],
        performance_levels=levels,
        max_score=item.max_score,
        proficiency_cut=proficiency,
        mastery_cut=mastery,
        status="draft",
        created_by=principal.subject,
        created_at=datetime.now(UTC),
        oneroster=True,
        **{k: v for k, v in item.fields.items() if k != "title"},
    )
    await AssessmentRepository(session).add(assessment, flush=True)
    objectives = [
        {
            "district_id": principal.tenant,
            "id": f"{item.sourced_id}/{lo}",
            "assessment_id": item.sourced_id,
            "parent_id": None,
            "code": lo,
            "description": f"OneRoster learning objective ({source})",
            "max_points": item.max_score,
            "proficiency_cut": None,
            "mastery_cut": None,
            "standard_ids": [standards[lo]],
        }
        for source, lo in dict.fromkeys(item.objectives)
        if lo in standards
    ]
    await AssessmentRepository(session).replace_structure(principal.tenant, item.sourced_id, objectives, [])
    await transition(session, principal=principal, assessment_id=item.sourced_id, to="published")
    return scale_problem


async def objective_codes(session: AsyncSession, *, district_id: str, assessment_id: str) -> set[str]:
    return {o.code for o in await AssessmentRepository(session).objectives(district_id, [assessment_id])}


def update_line_item(existing: models.Assessment, item: LineItem) -> str | None:
    """Apply the descriptive fields to a stored line item (not its school, maximum, cuts or standards: results
    were scored against them); why not, when the write is older than what is stored."""
    modified = item.fields.get("source_modified_at")
    if (
        modified is not None
        and existing.source_modified_at is not None
        and modified < existing.source_modified_at
    ):
        return "stale: the stored line item comes from a later change at the source"
    for name in DESCRIPTIVE:
        if name == "title":
            existing.title = item.title
        elif name in item.fields and (item.fields[name] is not None or name != "source_modified_at"):
            setattr(existing, name, item.fields[name])
    return None
