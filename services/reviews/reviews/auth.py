"""Who may do what here; every read and write is filtered to the caller's district (`Principal.tenant`) and
schools. Reviewers write reviews of the schools they are assigned to (the schools in their token); district
admins manage the program and the rubric; district staff read; analysts read aggregates only (analytics).
No route names a student. A school out of the caller's scope (`plc_shared.scope`), another district's or
unknown is a 404 exactly like a missing one, and so are its reviews."""

from typing import Annotated

from fastapi import Depends
from plc_shared import scope
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from plc_shared.errors import ProblemError
from sqlalchemy.ext.asyncio import AsyncSession

from reviews import models
from reviews.exceptions import ProgramSchoolNotFound

ADMINS = (Role.DISTRICT_ADMIN,)
REVIEW_WRITERS = (Role.DISTRICT_ADMIN, Role.REVIEWER)
NARRATIVE_WRITERS = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER)
READERS = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER, Role.REVIEWER)
AGGREGATE_READERS = (*READERS, Role.ANALYST)

Admin = Annotated[Principal, Depends(require_roles(*ADMINS))]
ReviewWriter = Annotated[Principal, Depends(require_roles(*REVIEW_WRITERS))]
NarrativeWriter = Annotated[Principal, Depends(require_roles(*NARRATIVE_WRITERS))]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
AggregateReader = Annotated[Principal, Depends(require_roles(*AGGREGATE_READERS))]
__all__ = ["Admin", "AggregateReader", "CurrentPrincipal", "NarrativeWriter", "Reader", "ReviewWriter"]


async def check_program_school(
    session: AsyncSession, principal: Principal, school_id: str
) -> models.ProgramSchool:
    """The caller's district's program school when the caller may see it; else (another district's, out of
    the caller's scope, not in the program) the same 404."""
    found = await session.get(models.ProgramSchool, (principal.tenant, school_id))
    if found is None:
        raise ProgramSchoolNotFound(school_id)
    check_school_scope(principal, school_id, ProgramSchoolNotFound(school_id))
    return found


def check_school_scope(principal: Principal, school_id: str, missing: ProblemError) -> None:
    """Raise `missing` (the 404 of what was asked for) unless the school is in the caller's scope."""
    scope.check_school(principal, principal.tenant, school_id, missing)
