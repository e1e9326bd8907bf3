"""Scope: whose data a caller may read and write. The one rule, for every service and every route, writes as
reads (STYLE habit 17; Polar's `select_accessible_org_ids` is the model). Services ask it about one student or
school (`check_student`, `check_school`) and build the filter of their lists with it (`student_filter`).

District → school → class:

| role | a school's data (rules, catalog, goals, teams, reviews) | student-level data (a student, results, flags, tiers, assignments, progress, class lists) |
| --- | --- | --- |
| district admin | every school of the district | every student of the district |
| school leader | their schools | the students of their schools |
| teacher | their schools | the students enrolled in one of their classes (in their schools) |
| SIS integration | every school of the district | every student of the district, as far as an API key's permissions allow |
| reviewer | their schools (the reviews they are assigned to) | none: a review reads aggregates (evidence, goals) |
| analyst | every school, aggregates only | none |
| operator | none (403 by role: operators run the system, they do not read its data) | none |

Another district's object is simply missing, and so, within the district, is an object the caller may not see:
the service raises its own NotFound, so the answer (status and body) is exactly the one for an id nobody has.
403 is kept for what does not depend on any object: a role (or an API key's permission) that may never do this.

A student's classes are the roster's enrollments. A service other than the roster's owner (assessments) learns
them from `StudentRostered.class_ids`, never from another service's tables.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from sqlalchemy import ColumnElement, false

from plc_shared.auth import Principal, Role
from plc_shared.errors import Forbidden, ProblemError

# The roles that read (and write) data of individual students; the others see aggregates or nothing.
STUDENT_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER, Role.SIS_INTEGRATION})


def reads_students(principal: Principal) -> bool:
    return principal.role in STUDENT_ROLES


def require_student_reader(principal: Principal, permission: str | None = None) -> str:
    """The caller's district, or 403 when its role never reads student-level data (analysts, reviewers,
    operators) or an API key lacks `permission`: nothing about any object is revealed by that answer."""
    if principal.role not in STUDENT_ROLES:
        raise Forbidden(f"The role '{principal.role}' does not read or change the data of students.")
    if permission is not None and not principal.holds(permission):
        raise Forbidden(f"This API key lacks the permission '{permission}'.")
    return principal.tenant


def sees_school(principal: Principal, district_id: str, school_id: str) -> bool:
    """A school's own data: district-wide roles see every school of their district, the others their own."""
    return principal.can_see_school(district_id, school_id)


def sees_student(
    principal: Principal, *, district_id: str, school_ids: Collection[str], class_ids: Collection[str]
) -> bool:
    """Whether the caller may read or change the data of a student who is in `school_ids` (the school of the
    row at hand, or the student's schools) and, on the roster, in the classes `class_ids`."""
    if principal.role not in STUDENT_ROLES or not principal.can_see_district(district_id):
        return False
    if not any(principal.can_see_school(district_id, s) for s in school_ids):
        return False
    classes = principal.visible_classes()
    return classes is None or not classes.isdisjoint(class_ids)


class StudentScope:
    """`sees_student` for the many rows of one request (a bulk upload: tens of thousands of students of a few
    schools), each row's student in one school. Without a class filter (every role but a teacher) the answer
    depends on the school alone and is worked out once per school; a teacher's rows are each checked."""

    def __init__(self, principal: Principal, district_id: str) -> None:
        self.principal, self.district_id = principal, district_id
        self._by_class = principal.visible_classes() is not None
        self._by_school: dict[str, bool] = {}

    def sees(self, school_id: str, class_ids: Collection[str]) -> bool:
        if self._by_class:
            return sees_student(
                self.principal, district_id=self.district_id, school_ids=[school_id], class_ids=class_ids
            )
        seen = self._by_school.get(school_id)
        if seen is None:
            seen = self._by_school[school_id] = sees_student(
                self.principal, district_id=self.district_id, school_ids=[school_id], class_ids=()
            )
        return seen


def check_student(
    principal: Principal,
    *,
    district_id: str,
    school_ids: Collection[str],
    class_ids: Collection[str],
    missing: ProblemError,
) -> None:
    """Raise `missing` (the service's NotFound for the id asked for) unless the caller sees the student."""
    if not sees_student(principal, district_id=district_id, school_ids=school_ids, class_ids=class_ids):
        raise missing


def sees_class(principal: Principal, *, district_id: str, school_id: str, class_id: str) -> bool:
    """A class's student-level data (its gradebook): the class's school among the caller's and, for a
    teacher, one of their own classes."""
    if principal.role not in STUDENT_ROLES or not principal.can_see_school(district_id, school_id):
        return False
    classes = principal.visible_classes()
    return classes is None or class_id in classes


def check_class(
    principal: Principal, *, district_id: str, school_id: str, class_id: str, missing: ProblemError
) -> None:
    """Raise `missing` (the service's NotFound for the class) unless the caller sees the class."""
    if not sees_class(principal, district_id=district_id, school_id=school_id, class_id=class_id):
        raise missing


def check_school(principal: Principal, district_id: str, school_id: str, missing: ProblemError) -> None:
    """Raise `missing` (the service's NotFound) unless the caller sees the school."""
    if not sees_school(principal, district_id, school_id):
        raise missing


def student_filter(
    principal: Principal,
    *,
    school: ColumnElement | None,
    in_classes: Callable[[Sequence[str]], ColumnElement],
) -> list[ColumnElement]:
    """WHERE conditions that keep the rows of a student-level list the caller may see: the row's `school`
    among the caller's schools and, for a teacher, the row's student in one of their classes (`in_classes`
    builds that condition on the service's own tables). Roles that read no student data get no row. The
    district is the query's own first condition (every key starts with it)."""
    if principal.role not in STUDENT_ROLES:
        return [false()]
    conditions = []
    schools = principal.visible_schools()
    if schools is not None and school is not None:
        conditions.append(school.in_(sorted(schools)))
    classes = principal.visible_classes()
    if classes is not None:
        conditions.append(in_classes(sorted(classes)) if classes else false())
    return conditions
