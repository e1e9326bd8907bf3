"""Roster rules: OneRoster records upserted by (district, sourcedId), references checked within the district,
and the id-only facts (schools, students) other services key their view of the roster by."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.db import json_list
from plc_shared.events.assessments import ClassRostered, SchoolRostered, StudentRostered, UserRostered
from plc_shared.events.envelope import Event
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.exceptions import ClassNotFound, StaffNotFound
from assessments.roster import schemas
from assessments.roster.repository import RosterReader, RosterRepository

ROSTER_KINDS: dict[str, tuple[type[models.Base], type[schemas.RosterRecord]]] = {
    "orgs": (models.Org, schemas.OrgWrite),
    "academic-sessions": (models.AcademicSession, schemas.AcademicSessionWrite),
    "courses": (models.Course, schemas.CourseWrite),
    "classes": (models.Class, schemas.ClassWrite),
    "students": (models.Student, schemas.StudentWrite),
    "enrollments": (models.Enrollment, schemas.EnrollmentWrite),
    "staff": (models.Staff, schemas.StaffWrite),
}


async def upsert_roster(
    session: AsyncSession, *, principal: Principal, kind: str, records: list[schemas.RosterRecord]
) -> schemas.RosterUpserted:
    """Upsert by (district, sourcedId). A record that names a school, class or student its district does not
    have is rejected with its index and reason; the valid ones are written."""
    district_id = principal.tenant  # a district writer (auth.DistrictWriter on the route)
    model, _schema = ROSTER_KINDS[kind]
    rows = [{**r.model_dump(), "district_id": district_id} for r in records]
    rejected = sorted(
        repeated_records(rows) + await roster_references(session, district_id, kind, rows),
        key=lambda e: e["index"],
    )
    bad = {e["index"] for e in rejected}
    valid = [r for i, r in enumerate(rows) if i not in bad]
    await RosterRepository(session).upsert(model, valid)
    await models.outbox.add_all(session, await roster_change_events(session, kind, valid, datetime.now(UTC)))
    return schemas.RosterUpserted(kind=kind, upserted=len(valid), rejected=rejected)


def repeated_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A sourcedId sent twice in one request: the first record counts, each repeat is a row error (one
    upsert cannot write a key twice)."""
    first: dict[str, int] = {}
    errors = []
    for index, row in enumerate(rows):
        seen = first.setdefault(row["sourced_id"], index)
        if seen != index:
            errors.append({"index": index, "field": "sourced_id", "reason": f"repeats record {seen}"})
    return errors


# What each roster kind references: (field, referenced kind, many?) — checked within the caller's district.
REFERENCES: dict[str, tuple[tuple[str, type[models.Base], bool], ...]] = {
    "courses": (("school_id", models.Org, False),),
    "classes": (("school_id", models.Org, False), ("course_id", models.Course, False)),
    "students": (("school_ids", models.Org, True),),
    "staff": (("school_ids", models.Org, True),),
    "enrollments": (("class_id", models.Class, False), ("school_id", models.Org, False)),
}


async def roster_references(
    session: AsyncSession, district_id: str, kind: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Row-level errors for references to objects the district does not have (ids are per district, so
    another district's object is as unknown here as a missing one)."""
    repo, errors = RosterRepository(session), []
    checks = list(REFERENCES.get(kind, ()))
    for field, model, many in checks:
        wanted = {v for r in rows for v in (r[field] if many else [r[field]]) if v}
        known = await repo.existing_ids(model, district_id, list(wanted)) if wanted else set()
        for index, row in enumerate(rows):
            values = row[field] if many else [row[field]]
            for value in (v for v in values if v and v not in known):
                noun = field.removesuffix("_ids").removesuffix("_id")  # school_ids → school
                errors.append({"index": index, "field": field, "reason": f"unknown {noun} '{value}'"})
    if kind == "enrollments":
        students = [r["user_id"] for r in rows if r["role"] == "student"]
        known = await repo.existing_ids(models.Student, district_id, students) if students else set()
        for index, row in enumerate(rows):
            if row["role"] == "student" and row["user_id"] not in known:
                errors.append(
                    {"index": index, "field": "user_id", "reason": f"unknown student '{row['user_id']}'"}
                )
    return sorted(errors, key=lambda e: e["index"])


STAFF_ROLES = frozenset({"teacher", "administrator", "aide", "proctor"})


async def roster_change_events(
    session: AsyncSession, kind: str, rows: list[dict[str, Any]], now: datetime
) -> list[Event]:
    """The events of rows just written (in this transaction). A student's event says all of their classes, so
    it is built from the stored roster, and published again when their enrollments change: the services that
    scope teachers to their classes' students learn the classes from it (plc_shared.scope)."""
    events = [e for e in roster_events(kind, rows, now) if not isinstance(e, StudentRostered)]
    students = {r["sourced_id"] for r in rows} if kind == "students" else set()
    if kind == "enrollments":
        students = {r["user_id"] for r in rows if r["role"] == "student"}
    if students and rows:
        district_id = rows[0]["district_id"]
        found = await RosterReader(session).students_with_classes(district_id, sorted(students))
        events += [
            StudentRostered(
                district_id=district_id,
                student_id=student.sourced_id,
                school_ids=list(student.school_ids),
                grades=list(student.grades),
                class_ids=classes,
                status=student.status,
                occurred_at=now,
            )
            for student, classes in found
        ]
    return events


def roster_events(kind: str, rows: list[dict[str, Any]], now: datetime) -> list[Event]:
    """Id-only facts other services key their view of the roster by: schools, classes, students and staff."""
    if kind == "orgs":
        return [
            SchoolRostered(
                district_id=r["district_id"], school_id=r["sourced_id"], status=r["status"], occurred_at=now
            )
            for r in rows
            if r["type"] == "school"
        ]
    if kind == "students":
        return [
            StudentRostered(
                district_id=r["district_id"],
                student_id=r["sourced_id"],
                school_ids=r["school_ids"],
                grades=r["grades"],
                status=r["status"],
                occurred_at=now,
            )
            for r in rows
        ]
    if kind == "classes":
        return [
            ClassRostered(
                district_id=r["district_id"],
                class_id=r["sourced_id"],
                school_id=r["school_id"],
                grades=r.get("grades") or [],
                status=r["status"],
                occurred_at=now,
            )
            for r in rows
        ]
    if kind == "staff":  # the id, primary role and schools: the names stay in this service
        return [
            UserRostered(
                district_id=r["district_id"],
                user_id=r["sourced_id"],
                role=r["roles"][0],
                school_ids=r["school_ids"],
                status=r["status"],
                occurred_at=now,
            )
            for r in rows
        ]
    if kind == "enrollments":  # staff (not students, not guardians): the roster users goals builds teams of
        return [
            UserRostered(
                district_id=r["district_id"],
                user_id=r["user_id"],
                role=r["role"],
                school_ids=[r["school_id"]],
                status=r["status"],
                occurred_at=now,
            )
            for r in rows
            if r["role"] in STAFF_ROLES
        ]
    return []


async def list_schools(session: AsyncSession, *, principal: Principal) -> list[schemas.SchoolRead]:
    found = await RosterReader(session).schools(principal.tenant, principal.visible_schools())
    return [schemas.SchoolRead.from_stored(o) for o in found]


async def list_classes(session: AsyncSession, *, principal: Principal, school_id: str | None) -> str:
    """The JSON text of the list (ClassRead), by title."""
    listed, _ids = await json_list(
        session,
        RosterReader(session).classes(principal.tenant, principal.visible_schools(), school_id),
        keys=list(schemas.ClassRead.model_fields),
        order_by=("title", "sourced_id"),
        ids="sourced_id",
    )
    return listed


async def list_staff(
    session: AsyncSession, *, principal: Principal, school_id: str | None
) -> list[schemas.StaffRead]:
    found = await RosterReader(session).staff(principal.tenant, principal.visible_schools(), school_id)
    return [schemas.StaffRead.from_stored(s) for s in found]


async def my_staff_record(session: AsyncSession, *, principal: Principal) -> schemas.StaffRead:
    """Who the signed-in person is on the roster: the active staff record of the caller's district whose
    sourcedId — or, for an identity provider whose subjects are not the SIS's ids, whose `identifier` — is the
    token's subject. Whatever schools it names, it is the caller's own: no school scope applies."""
    found = await RosterReader(session).staff_of_subject(principal.tenant, principal.subject)
    if found is None:
        raise StaffNotFound(principal.subject)
    return schemas.StaffRead.from_stored(found)


async def get_staff(session: AsyncSession, *, principal: Principal, staff_id: str) -> schemas.StaffRead:
    """One staff member of the caller's district at a school the caller sees; anything else is a 404."""
    found = await session.get(models.Staff, (principal.tenant, staff_id))
    if (
        found is None
        or found.status != "active"
        or not any(auth.sees_school(principal, found.district_id, s) for s in found.school_ids)
    ):
        raise StaffNotFound(staff_id)
    return schemas.StaffRead.from_stored(found)


async def list_students(
    session: AsyncSession, *, principal: Principal, school_id: str | None, assessment_id: str | None = None
) -> str:
    """The students the caller may see (plc_shared.scope), of one school or of all the caller's schools; a
    school out of scope lists nobody, as one with no students; with `assessment_id`, those with a live result
    on it (an assessment another district's or unknown lists nobody). The JSON text of the list (StudentRead)."""
    listed, ids = await json_list(
        session,
        RosterReader(session).students_in_scope(principal, school_id, assessment_id),
        keys=list(schemas.StudentRead.model_fields),
        order_by=("family_name", "given_name", "sourced_id"),
        ids="sourced_id",
    )
    audit_read(principal, "students.read", ids, school_id=school_id, assessment_id=assessment_id)
    return listed


async def class_students(
    session: AsyncSession, *, principal: Principal, class_id: str
) -> list[schemas.StudentRead]:
    """A class list (student-level data: audited; not for analysts)."""
    found = await session.get(models.Class, (principal.tenant, class_id))
    if found is None or found.status != "active":
        raise ClassNotFound(class_id)
    # The class's students are the class's: whoever may see a student enrolled in it sees the list (a teacher,
    # their own classes only; plc_shared.scope). Out of scope is the same 404 as a class nobody has.
    scope.check_student(
        principal,
        district_id=found.district_id,
        school_ids=[found.school_id],
        class_ids=[class_id],
        missing=ClassNotFound(class_id),
    )
    students = await RosterReader(session).class_students(principal.tenant, class_id)
    audit_read(principal, "class.students.read", [s.sourced_id for s in students], class_id=class_id)
    return [schemas.StudentRead.from_stored(s) for s in students]
