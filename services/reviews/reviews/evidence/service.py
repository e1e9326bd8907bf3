"""Evidence from data: computed from the events the other services published, shown while a reviewer rates
and stored with a finalized review as it was then."""

from __future__ import annotations

from datetime import date
from typing import Any

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from reviews import auth
from reviews.evidence import rules, schemas
from reviews.evidence.repository import EvidenceRepository


async def gather(session: AsyncSession, district_id: str, school_id: str, school_year: int) -> dict[str, Any]:
    repo = EvidenceRepository(session)
    teams = await repo.teams(district_id, school_id)
    given = await repo.common_formative_given(
        district_id, school_id, date(school_year, 7, 1), date(school_year + 1, 7, 1)
    )
    flags, assignments = await repo.support(district_id, school_id)
    return {
        "school_id": school_id,
        "school_year": school_year,
        "goals": rules.goals_evidence(teams, await repo.goals(district_id, school_id)),
        "common_assessments": rules.common_assessments(teams, given),
        "support": rules.support_evidence(flags, assignments),
        "informs": rules.INFORMS,
    }


async def get_evidence(
    session: AsyncSession, *, principal: Principal, school_id: str, school_year: int
) -> schemas.EvidenceRead:
    await auth.check_program_school(session, principal, school_id)
    return schemas.EvidenceRead.model_validate(
        await gather(session, principal.tenant, school_id, school_year)
    )
