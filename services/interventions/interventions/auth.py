"""Who may do what here. Roles are checked by the endpoints' aliases (403 before anything is read); scope —
the caller's district, schools and (teachers) the students of their classes — by `plc_shared.scope`, the one
rule of every service, through the functions below. A school or student out of the caller's scope, of another
district or unknown here is the same 404 (same status, same body)."""

from typing import Annotated

from fastapi import Depends
from plc_shared import scope
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.exceptions import SchoolNotFound, StudentNotFound
from interventions.models import Student
from interventions.roster.repository import RosterRepository

STAFF = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER)
LEADERS = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER)
# A school's own data (rules, catalog, tier distribution, effectiveness): aggregates, no student.
READERS = (*STAFF, Role.REVIEWER, Role.ANALYST)

Staff = Annotated[Principal, Depends(require_roles(*STAFF))]
Leader = Annotated[Principal, Depends(require_roles(*LEADERS))]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
# Student-level reads: staff only (reviewers and analysts read aggregates; plc_shared.scope).
StudentReader = Staff
# The flags changes feed is also what a district's SIS integration polls (district-wide, like its other reads).
FeedReader = Annotated[Principal, Depends(require_roles(*STAFF, Role.SIS_INTEGRATION))]
__all__ = [
    "CurrentPrincipal",
    "FeedReader",
    "Leader",
    "Reader",
    "Staff",
    "StudentReader",
    "check_school",
    "check_student",
]


async def check_school(session: AsyncSession, principal: Principal, school_id: str) -> str:
    """The caller's district when the school is one of its district's and in the caller's scope; else 404."""
    district = principal.tenant
    if not await RosterRepository(session).has_school(district, school_id):
        raise SchoolNotFound(school_id)
    scope.check_school(principal, district, school_id, SchoolNotFound(school_id))
    return district


async def check_student(
    session: AsyncSession,
    principal: Principal,
    student_id: str,
    *,
    school_ids: list[str] | None = None,
    missing: Exception | None = None,
) -> Student:
    """The student when the caller may see their data at `school_ids` (the school of the row at hand; default:
    the student's schools) — for a teacher, the student is in one of their classes on the roster. Else
    `missing` (default: the student's 404), exactly as for a student the district does not have."""
    missing = missing or StudentNotFound(student_id)
    student = await RosterRepository(session).student(principal.tenant, student_id)
    if student is None:
        raise missing
    scope.check_student(
        principal,
        district_id=student.district_id,
        school_ids=student.school_ids if school_ids is None else school_ids,
        class_ids=student.class_ids,
        missing=missing,
    )
    return student
