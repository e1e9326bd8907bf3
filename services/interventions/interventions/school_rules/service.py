"""A school's rules and an assessment's cut overrides, set by the school's leaders.

Functions take the session first and keyword-only arguments after it; they never commit."""

from __future__ import annotations

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.auth import check_school
from interventions.flags import rules
from interventions.school_rules import schemas
from interventions.school_rules.repository import RulesRepository


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
