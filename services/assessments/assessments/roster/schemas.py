"""Roster bodies: OneRoster records written by sourcedId, and what the roster reads return."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import Field

from assessments.schemas import Schema, Status


class RosterRecord(Schema):
    sourced_id: str = Field(min_length=1)
    status: Status = "active"


class OrgWrite(RosterRecord):
    name: str
    type: str = Field(description="district, school, department, ... (OneRoster orgType)")
    parent_id: str | None = None
    identifier: str | None = None


class AcademicSessionWrite(RosterRecord):
    title: str
    type: str = Field(description="schoolYear, semester, term, gradingPeriod")
    start_date: date | None = None
    end_date: date | None = None
    school_year: str | None = None
    parent_id: str | None = None


class CourseWrite(RosterRecord):
    title: str
    course_code: str | None = None
    school_id: str | None = None
    grades: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)


class ClassWrite(RosterRecord):
    title: str
    class_code: str | None = None
    school_id: str
    course_id: str | None = None
    term_ids: list[str] = Field(default_factory=list)
    grades: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    teacher_ids: list[str] = Field(default_factory=list)


class StudentWrite(RosterRecord):
    school_ids: list[str] = Field(min_length=1)
    grades: list[str] = Field(default_factory=list)
    identifier: str | None = None
    given_name: str | None = None
    family_name: str | None = None


class EnrollmentWrite(RosterRecord):
    class_id: str
    school_id: str
    user_id: str
    role: Literal["student", "teacher", "administrator", "aide", "guardian", "proctor"]
    primary: bool | None = None
    begin_date: date | None = None
    end_date: date | None = None


StaffRole = Literal["teacher", "administrator", "aide", "proctor"]


class StaffWrite(RosterRecord):
    """A OneRoster user who works at the district's schools: names are kept here and never leave the service
    in an event (the roster event carries the id, the first role and the schools)."""

    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(min_length=1, max_length=200)
    roles: list[StaffRole] = Field(min_length=1, description="the first one is the primary role")
    school_ids: list[str] = Field(min_length=1)
    email: str | None = Field(None, max_length=320)
    identifier: str | None = None


RecordT = TypeVar("RecordT", bound=RosterRecord)


class RosterUpsert(Schema, Generic[RecordT]):
    records: list[RecordT] = Field(max_length=50_000)


class SchoolRead(Schema):
    sourced_id: str
    name: str
    identifier: str | None


class TeacherRead(Schema):
    """A class's teacher: the names when the roster has the staff member, else only the id."""

    sourced_id: str
    given_name: str | None = None
    family_name: str | None = None


class ClassRead(Schema):
    sourced_id: str
    title: str
    class_code: str | None
    school_id: str
    course_id: str | None
    grades: list[str]
    subjects: list[str]
    teacher_ids: list[str]
    teachers: list[TeacherRead] = Field(
        default_factory=list, description="teacher_ids in order, with names where the roster has them"
    )


class StaffRead(Schema):
    sourced_id: str
    given_name: str
    family_name: str
    roles: list[str]
    school_ids: list[str]
    email: str | None
    identifier: str | None


class StudentRead(Schema):
    sourced_id: str
    school_ids: list[str]
    grades: list[str]
    identifier: str | None
    given_name: str | None
    family_name: str | None


class RosterUpserted(Schema):
    kind: str
    upserted: int
    rejected: list[dict[str, Any]] = Field(
        default_factory=list, description="records not written: index, field and reason"
    )
