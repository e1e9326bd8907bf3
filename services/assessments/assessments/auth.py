"""Who may do what, scoped by district and school (the token's claims; see plc_shared.auth.Principal).

- Roster and standards are written by the district's SIS integration and district admins, only in their own
  district; everyone in the district reads standards.
- Assessments: district admins and the SIS integration manage the district's; school leaders and teachers
  manage their own schools' (a teacher's team writes its common formative assessments).
- Results: written by the SIS integration, district admins, school leaders and teachers, for students of
  schools they can see. Student-level reads are for district admins, school leaders and teachers (their
  schools) and the SIS integration; analysts see aggregates only.
- Student-level data (results, a student's record, class lists, the analysis' student lists), read or written,
  is scoped by `plc_shared.scope`, the one rule of every service: district → the caller's schools → for a
  teacher, the students enrolled in one of their classes (`enrollments`). Out of scope is exactly as missing
  (the same 404, or the same "unknown student" row error of a write).
- Another district's data is "not found" (404), never "forbidden": its existence is not revealed.
- An API key (a token with a `permissions` claim) needs the permission of the route's area
  (`plc_shared.auth.permission_area` on each router), as at the gateway.
- Every student-level read is audited (plc_shared.audit: one record shape for every service).

Endpoints declare the role a route needs with the aliases below (403 before anything is read). The checks that
need the row (its school, its district) stay functions, called by the services; so do the role checks of service
functions that other sub-domains call too (the ingest pipeline, reading and voiding a result, managing an
assessment), since those are reached from routes that admit more than one role.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import Depends
from plc_shared import scope
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from plc_shared.errors import Forbidden, ProblemError
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models
from assessments.exceptions import AssessmentNotFound

DISTRICT_WRITERS = frozenset({Role.DISTRICT_ADMIN, Role.SIS_INTEGRATION})
ASSESSMENT_MANAGERS = frozenset({Role.DISTRICT_ADMIN, Role.SIS_INTEGRATION, Role.SCHOOL_LEADER, Role.TEACHER})
RESULT_WRITERS = ASSESSMENT_MANAGERS
STUDENT_READERS = ASSESSMENT_MANAGERS
ANALYSIS_READERS = frozenset({*STUDENT_READERS, Role.ANALYST})
STAFF_READERS = (
    ASSESSMENT_MANAGERS  # staff names: for the people who work with them (and the SIS), not analysts
)

DistrictWriter = Annotated[Principal, Depends(require_roles(*DISTRICT_WRITERS))]
AssessmentManager = Annotated[Principal, Depends(require_roles(*ASSESSMENT_MANAGERS))]
ResultWriter = Annotated[Principal, Depends(require_roles(*RESULT_WRITERS))]
StudentReader = Annotated[Principal, Depends(require_roles(*STUDENT_READERS))]
AnalysisReader = Annotated[Principal, Depends(require_roles(*ANALYSIS_READERS))]
StaffReader = Annotated[Principal, Depends(require_roles(*STAFF_READERS))]
# Whoever signs in as a person (not the SIS): their own staff record, to be shown by name and scoped by it.
PEOPLE = frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER, Role.REVIEWER, Role.ANALYST})
Person = Annotated[Principal, Depends(require_roles(*PEOPLE))]
__all__ = [
    "AnalysisReader",
    "AssessmentManager",
    "CurrentPrincipal",
    "DistrictWriter",
    "ResultWriter",
    "StudentReader",
    "check_assessment_manager",
    "check_assessment_visible",
    "check_result",
    "require_district_writer",
    "require_role",
    "result_scope",
    "sees_school",
]


def require_district_writer(principal: Principal) -> str:
    if principal.role not in DISTRICT_WRITERS:
        raise Forbidden(f"The role '{principal.role}' may not change the roster or standards.")
    return principal.tenant


def require_role(principal: Principal, roles: frozenset[Role], action: str) -> str:
    if principal.role not in roles:
        raise Forbidden(f"The role '{principal.role}' may not {action}.")
    return principal.tenant


def sees_school(principal: Principal, district_id: str, school_id: str | None) -> bool:
    """District-level things (school_id None) are visible to the whole district."""
    if school_id is None:
        return principal.can_see_district(district_id)
    return principal.can_see_school(district_id, school_id)


def check_assessment_visible(principal: Principal, district_id: str, school_id: str | None, id_: str) -> None:
    if not sees_school(principal, district_id, school_id):
        raise AssessmentNotFound(id_)


def check_assessment_manager(principal: Principal, district_id: str, school_id: str | None) -> None:
    """Managing a district-wide assessment takes a district-wide role; a school's, a role in that school."""
    require_role(principal, ASSESSMENT_MANAGERS, "manage assessments")
    if school_id is None and not principal.district_wide:
        raise Forbidden("Only district admins and the SIS integration manage district-wide assessments.")
    if not sees_school(principal, district_id, school_id):
        raise Forbidden("The assessment belongs to a school outside your scope.")


def in_classes(district: ColumnElement, student: ColumnElement) -> Callable[[Sequence[str]], ColumnElement]:
    """For `plc_shared.scope.student_filter`: the row's student is actively enrolled in one of the classes."""

    def condition(classes: Sequence[str]) -> ColumnElement:
        e = models.Enrollment
        return exists().where(
            e.district_id == district,
            e.user_id == student,
            e.role == "student",
            e.status == "active",
            e.class_id.in_(list(classes)),
        )

    return condition


def result_scope(principal: Principal) -> list[ColumnElement]:
    """WHERE conditions that keep the results the caller may see (plc_shared.scope)."""
    r = models.Result
    return scope.student_filter(
        principal, school=r.school_id, in_classes=in_classes(r.district_id, r.student_id)
    )


async def student_classes(session: AsyncSession, district_id: str, student_id: str) -> list[str]:
    """The classes the student is actively enrolled in (what scopes a teacher to them)."""
    e = models.Enrollment
    stmt = select(e.class_id).where(
        e.district_id == district_id, e.user_id == student_id, e.role == "student", e.status == "active"
    )
    return list((await session.scalars(stmt)).all())


async def check_student(
    session: AsyncSession,
    principal: Principal,
    district_id: str,
    student_id: str,
    schools,
    missing: ProblemError,
) -> None:
    """Raise `missing` unless the caller may see this student's data at `schools` (plc_shared.scope)."""
    classes = await student_classes(session, district_id, student_id) if principal.visible_classes() else []
    scope.check_student(
        principal, district_id=district_id, school_ids=schools, class_ids=classes, missing=missing
    )


async def check_result(
    session: AsyncSession, principal: Principal, result: models.Result, missing: ProblemError
) -> None:
    """Raise `missing` unless the caller may see (and so change) this result: its school and student."""
    await check_student(
        session, principal, result.district_id, result.student_id, [result.school_id], missing
    )


async def students_in_scope(
    session: AsyncSession, principal: Principal, district_id: str, student_ids: set[str]
) -> set[str]:
    """Those of `student_ids` (students of the caller's schools) whose data the caller may see: for a teacher,
    the ones enrolled in one of their classes."""
    classes = principal.visible_classes()
    if classes is None or not student_ids:
        return set(student_ids) if scope.reads_students(principal) else set()
    e = models.Enrollment
    stmt = select(e.user_id).where(
        e.district_id == district_id,
        e.user_id.in_(sorted(student_ids)),
        e.role == "student",
        e.status == "active",
        e.class_id.in_(sorted(classes)),
    )
    return set((await session.scalars(stmt)).all())
