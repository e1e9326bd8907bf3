"""Who may do what, scoped by district and school (the token's claims; see plc_shared.auth.Principal).

- Roster and standards are written by the district's SIS integration and district admins, only in their own
  district; everyone in the district reads standards.
- Assessments: district admins and the SIS integration manage the district's; school leaders and teachers
  manage their own schools' (a teacher's team writes its common formative assessments).
- Results: written by the SIS integration, district admins, school leaders and teachers, for students of
  schools they can see. Student-level reads are for district admins, school leaders and teachers (their
  schools) and the SIS integration; analysts see aggregates only.
- Another district's data is "not found" (404), never "forbidden": its existence is not revealed.
- Every student-level read is audited (plc_shared.audit: one record shape for every service).

Endpoints declare the role a route needs with the aliases below (403 before anything is read). The checks that
need the row (its school, its district) stay functions, called by the services; so do the role checks of service
functions that other sub-domains call too (the ingest pipeline, reading and voiding a result, managing an
assessment), since those are reached from routes that admit more than one role.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from plc_shared.errors import Forbidden

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
__all__ = [
    "AnalysisReader",
    "AssessmentManager",
    "CurrentPrincipal",
    "DistrictWriter",
    "ResultWriter",
    "StudentReader",
    "check_assessment_manager",
    "check_assessment_visible",
    "require_district_writer",
    "require_role",
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
