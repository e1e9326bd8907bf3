"""Who may do what here; every read is filtered to the caller's district, schools and (teachers) classes."""

import logging
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends
from plc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from plc_shared.errors import Forbidden

AUDIT = logging.getLogger("plc.audit.interventions")

STAFF = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER)
LEADERS = (Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER)
READERS = (*STAFF, Role.REVIEWER, Role.ANALYST, Role.OPERATOR)

Staff = Annotated[Principal, Depends(require_roles(*STAFF))]
Leader = Annotated[Principal, Depends(require_roles(*LEADERS))]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
__all__ = ["CurrentPrincipal", "Leader", "Reader", "Staff", "audit_read", "check_school", "district_of"]


def district_of(principal: Principal) -> str:
    if principal.district_id is None:
        raise Forbidden("The token carries no district.")
    return principal.district_id


def check_school(principal: Principal, school_id: str) -> str:
    """The caller's district when they may see the school; 403 otherwise."""
    district = district_of(principal)
    if not principal.can_see_school(district, school_id):
        raise Forbidden(f"No access to school {school_id}.")
    return district


def class_filter(principal: Principal) -> frozenset[str] | None:
    """Teachers see the students of their classes only."""
    return principal.class_ids if principal.role is Role.TEACHER else None


def audit_read(principal: Principal, action: str, student_ids: Iterable[str]) -> None:
    """Student-level reads are audited: who (subject, role) read which students' data, and how."""
    students = sorted(set(student_ids))
    if students:
        AUDIT.info(
            "student-level read",
            extra={
                "subject": principal.subject,
                "role": str(principal.role),
                "action": action,
                "students": students,
            },
        )
