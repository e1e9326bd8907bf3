"""Who may do what here; every read and write is filtered to the caller's district (`Principal.tenant`) and
schools. Leaders write their schools' teams and goals; a teacher writes the goals of the teams they are a
member of (`subject` is their roster user id); analysts read aggregates. Another district's school is a 404."""

from typing import Annotated

from fastapi import Depends
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from plc_shared.errors import Forbidden
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.exceptions import SchoolNotFound

LEADERS = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER)
WRITERS = (*LEADERS, Role.TEACHER)
READERS = (*WRITERS, Role.REVIEWER, Role.ANALYST, Role.OPERATOR)

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
    """The caller's district when the school is its district's and the caller may see it: 404 for a school the
    district does not have (another district's included), 403 for one of its own out of scope."""
    district = principal.tenant
    if await session.get(models.School, (district, school_id)) is None:
        raise SchoolNotFound(school_id)
    if not principal.can_see_school(district, school_id):
        raise Forbidden(f"No access to school {school_id}.")
    return district


def check_team_writer(principal: Principal, team: models.Team | None, school_id: str) -> None:
    """Leaders write any goal of their schools; a teacher only the goals of a team they are a member of."""
    if principal.role in LEADERS:
        return
    members = {m["user_id"] for m in (team.members if team else [])}
    if principal.subject not in members:
        where = f"team {team.id}" if team else f"school {school_id}'s school goals"
        raise Forbidden(f"Only leaders and members of {where} may write them.")
