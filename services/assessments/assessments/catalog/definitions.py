"""An assessment as scoring needs it (objectives and items by code, standards with their essential flag),
loaded once per request for every assessment the request names, filtered by the caller's scope."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from plc_shared.auth import Principal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models, rules
from assessments.catalog.repository import AssessmentRepository
from assessments.standards.repository import StandardRepository


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
    stmt = select(models.Assessment).where(
        models.Assessment.district_id == district_id, models.Assessment.id.in_(ids)
    )
    found = [
        a
        for a in (await session.scalars(stmt)).all()
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
    codes = {}
    if measured:
        standard = models.Standard
        stmt = select(standard.id, standard.code).where(
            standard.district_id == district_id, standard.id.in_(measured)
        )
        codes = dict((await session.execute(stmt)).tuples().all())
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
