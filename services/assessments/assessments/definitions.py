"""An assessment as scoring needs it (objectives and items by code, standards with their essential flag),
loaded once per request for every assessment the request names, filtered by the caller's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plc_shared.auth import Principal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models, scoring
from assessments.repository import AssessmentRepository, StandardRepository


@dataclass(frozen=True)
class Loaded:
    id: str
    status: str
    district_id: str
    school_id: str | None
    definition: scoring.AssessmentDef


async def load_assessments(
    session: AsyncSession, principal: Principal, ids: Iterable[str]
) -> dict[str, Loaded]:
    """The named assessments the caller can see (others are simply absent: unknown to this caller)."""
    ids = list(ids)
    if not ids:
        return {}
    stmt = select(models.Assessment).where(models.Assessment.id.in_(ids))
    found = [
        a
        for a in (await session.scalars(stmt)).all()
        if auth.sees_school(principal, a.district_id, a.school_id)
    ]
    if not found:
        return {}
    repo = AssessmentRepository(session)
    objectives = await repo.objectives([a.id for a in found])
    items = await repo.items([a.id for a in found])
    return {a.id: await _loaded(session, a, objectives, items) for a in found}


async def _loaded(
    session: AsyncSession, a: models.Assessment, objectives: list[models.Objective], items: list[models.Item]
) -> Loaded:
    mine = [o for o in objectives if o.assessment_id == a.id]
    code_of = {o.id: o.code for o in mine}
    standard_ids = {s for o in mine for s in o.standard_ids} | {
        i.standard_id for i in items if i.assessment_id == a.id and i.standard_id
    }
    standards = await _standards(session, a, standard_ids)
    definition = scoring.AssessmentDef(
        id=a.id,
        max_score=a.max_score,
        proficiency_cut=a.proficiency_cut,
        mastery_cut=a.mastery_cut,
        levels=tuple(scoring.Level(lv["name"], lv["min"], lv.get("max")) for lv in a.performance_levels),
        objectives={
            o.code: scoring.ObjectiveDef(
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
            i.code: scoring.ItemDef(i.code, i.max_points, i.standard_id, code_of.get(i.objective_id or ""))
            for i in items
            if i.assessment_id == a.id
        },
        standards=standards,
    )
    return Loaded(a.id, a.status, a.district_id, a.school_id, definition)


async def _standards(
    session: AsyncSession, a: models.Assessment, ids: set[str]
) -> dict[str, scoring.StandardInfo]:
    if not ids:
        return {}
    rows = (await session.scalars(select(models.Standard).where(models.Standard.id.in_(ids)))).all()
    essential = await StandardRepository(session).essential_ids(a.district_id, a.grades)
    return {s.id: scoring.StandardInfo(s.id, s.code, s.id in essential) for s in rows}
