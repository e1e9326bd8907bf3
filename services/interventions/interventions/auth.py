"""Who may do what here; every read and write is filtered to the caller's district (`Principal.tenant`),
schools and (teachers) classes. Another district's school or student is a 404, exactly like a missing one."""

from typing import Annotated

from fastapi import Depends
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from plc_shared.errors import Forbidden
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.exceptions import SchoolNotFound
from interventions.roster.repository import RosterRepository

STAFF = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER)
LEADERS = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER)
READERS = (*STAFF, Role.REVIEWER, Role.ANALYST, Role.OPERATOR)

Staff = Annotated[Principal, Depends(require_roles(*STAFF))]
Leader = Annotated[Principal, Depends(require_roles(*LEADERS))]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
# The flags changes feed is also what a district's SIS integration polls (district-wide, like its other reads).
FeedReader = Annotated[Principal, Depends(require_roles(*READERS, Role.SIS_INTEGRATION))]
__all__ = ["CurrentPrincipal", "FeedReader", "Leader", "Reader", "Staff", "check_school"]


async def check_school(session: AsyncSession, principal: Principal, school_id: str) -> str:
    """The caller's district when the school is one of its district's and the caller may see it: 404 for a
    school the district does not have (another district's included), 403 for one of its own out of scope."""
    district = principal.tenant
    if not await RosterRepository(session).has_school(district, school_id):
        raise SchoolNotFound(school_id)
    if not principal.can_see_school(district, school_id):
        raise Forbidden(f"No access to school {school_id}.")
    return district
