"""Who may do what here; every read and write is filtered to the caller's district (`Principal.tenant`) and
schools (`plc_shared.scope`, the one rule of every service). Leaders write their schools' teams and goals; a
teacher writes the goals of the teams they are a member of (`subject` is their roster user id); reviewers and
analysts read (goals and progress are aggregates: no student is named here). A school out of the caller's
scope, another district's or unknown is the same 404 (its teams and goals too)."""

from typing import Annotated

from fastapi import Depends
from plc_shared import scope
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from plc_shared.errors import Forbidden
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.exceptions import SchoolNotFound

LEADERS = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER)
WRITERS = (*LEADERS, Role.TEACHER)
READERS = (*WRITERS, Role.REVIEWER, Role.ANALYST)

Leader = Annotated[Principal, Depends(require_roles(*LEADERS))]
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
DistrictAdmin = Annotated[Principal, Depends(require_roles(Role.DISTRICT_ADMIN))]
__all__ = [
    "CurrentPrincipal",
    "DistrictAdmin",
    "Leader",
    "Reader",
    "Writer",
    "check_school",
    "check_team_writer",
]


async def check_school(session: AsyncSession, principal: Principal, school_id: str) -> str:
    """The caller's district when the school is its district's and in the caller's scope; else 404."""
    district = principal.tenant
    if await session.get(models.School, (district, school_id)) is None:
        raise SchoolNotFound(school_id)
    scope.check_school(principal, district, school_id, SchoolNotFound(school_id))
    return district


def check_team_writer(principal: Principal, team: models.Team | None, school_id: str) -> None:
    """Leaders write any goal of their schools; a teacher only the goals of a team they are a member of."""
    if principal.role in LEADERS:
        return
    members = {m["user_id"] for m in (team.members if team else [])}
    if principal.subject not in members:
        where = f"team {team.id}" if team else f"school {school_id}'s school goals"
        raise Forbidden(f"Only leaders and members of {where} may write them.")
