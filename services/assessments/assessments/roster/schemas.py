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


RecordT = TypeVar("RecordT", bound=RosterRecord)


class RosterUpsert(Schema, Generic[RecordT]):
    records: list[RecordT] = Field(max_length=50_000)


class SchoolRead(Schema):
    sourced_id: str
    name: str
    identifier: str | None


class ClassRead(Schema):
    sourced_id: str
    title: str
    class_code: str | None
    school_id: str
    course_id: str | None
    grades: list[str]
    subjects: list[str]
    teacher_ids: list[str]


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
