"""Tables of the assessments database. The outbox and inbox come from plc_shared so every service has the same ones.

Identifiers are the SIS's sourcedIds (text) wherever an integration names the thing (orgs, students, classes,
assessments, standards); results get a UUID of our own. Those ids are unique **within a district only** (SIS
sourcedIds collide between districts, and any number of districts adopt the same CASE identifier), so every key
starts with `district_id`: primary keys are (district_id, id), foreign keys carry the district, and a row can
only ever reference rows of its own district.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from plc_shared.db import make_metadata
from plc_shared.inbox import inbox_table
from plc_shared.outbox import Outbox, outbox_table
from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = make_metadata()


outbox = Outbox(outbox_table(Base.metadata))
inbox = inbox_table(Base.metadata)

TextArray = ARRAY(Text)


class RosterMixin:
    """OneRoster bookkeeping shared by every roster table."""

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    sourced_id: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(Text, server_default="active")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Org(RosterMixin, Base):
    """A district (`type='district'`, its own district_id) or a school below it."""

    __tablename__ = "orgs"
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Text)
    identifier: Mapped[str | None] = mapped_column(Text)


class AcademicSession(RosterMixin, Base):
    __tablename__ = "academic_sessions"
    title: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    school_year: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Text)


class Course(RosterMixin, Base):
    __tablename__ = "courses"
    title: Mapped[str] = mapped_column(Text)
    course_code: Mapped[str | None] = mapped_column(Text)
    school_id: Mapped[str | None] = mapped_column(Text)
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    subjects: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")


class Class(RosterMixin, Base):
    __tablename__ = "classes"
    title: Mapped[str] = mapped_column(Text)
    class_code: Mapped[str | None] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    course_id: Mapped[str | None] = mapped_column(Text)
    term_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    subjects: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    teacher_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")


class Student(RosterMixin, Base):
    """A student as the SIS knows them, identified by the SIS sourcedId. Names never leave this database."""

    __tablename__ = "students"
    school_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    identifier: Mapped[str | None] = mapped_column(Text)
    given_name: Mapped[str | None] = mapped_column(Text)
    family_name: Mapped[str | None] = mapped_column(Text)


class Staff(RosterMixin, Base):
    """A staff member (teacher, administrator, aide, proctor) with the name the SIS gave. Names stay in this
    database: the roster's events carry the id, role and schools only (UserRostered)."""

    __tablename__ = "staff"
    given_name: Mapped[str] = mapped_column(Text)
    family_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    identifier: Mapped[str | None] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    school_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")


class Enrollment(RosterMixin, Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        Index("ix_enrollments_district_id_user_id_class_id", "district_id", "user_id", "class_id"),
        Index("ix_enrollments_district_id_class_id", "district_id", "class_id"),
    )
    class_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    user_id: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    primary: Mapped[bool | None] = mapped_column()
    begin_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class ScoreScale(RosterMixin, Base):
    """A OneRoster score scale (scoreScales.csv): `values` maps scores (itemValueLHS) to labels (itemValueRHS);
    a line item on it takes its performance levels and cuts from it (oneroster_rules.scale_levels)."""

    __tablename__ = "score_scales"
    title: Mapped[str] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(Text)
    org_id: Mapped[str | None] = mapped_column(Text)
    course_id: Mapped[str | None] = mapped_column(Text)
    class_id: Mapped[str | None] = mapped_column(Text)
    values: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, server_default="[]", comment="scoreScaleValue: [{itemValueLHS, itemValueRHS}]"
    )


class Category(RosterMixin, Base):
    """A OneRoster gradebook category (categories.csv): what a line item's `category` names."""

    __tablename__ = "categories"
    title: Mapped[str] = mapped_column(Text)
    weight: Mapped[float | None] = mapped_column(Float)


class Standard(Base):
    """A learning standard / essential outcome (CASE CFItem when it comes from a CASE framework)."""

    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("district_id", "code"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    code: Mapped[str] = mapped_column(Text, comment="humanCodingScheme")
    statement: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    grade: Mapped[str | None] = mapped_column(Text)
    case_identifier: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    case_uri: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EssentialFlag(Base):
    """A team marks a standard essential for a course or for a grade (`scope` says which)."""

    __tablename__ = "essential_flags"
    __table_args__ = (
        CheckConstraint("scope IN ('course', 'grade')", name="scope"),
        UniqueConstraint("district_id", "standard_id", "scope", "scope_value"),
        ForeignKeyConstraint(
            ["district_id", "standard_id"], ["standards.district_id", "standards.id"], ondelete="CASCADE"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    district_id: Mapped[str] = mapped_column(Text)
    standard_id: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    scope_value: Mapped[str] = mapped_column(Text)
    marked_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Assessment(Base):
    """An Ed-Fi Assessment: performance levels are on the score scale, minimum inclusive, maximum exclusive."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("kind IN ('common_formative', 'common_summative', 'benchmark')", name="kind"),
        CheckConstraint("status IN ('draft', 'published', 'closed')", name="status"),
    )
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str | None] = mapped_column(Text)
    team_id: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    max_score: Mapped[float] = mapped_column(Float)
    performance_levels: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    proficiency_cut: Mapped[float] = mapped_column(Float)
    mastery_cut: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # OneRoster lineItem / assessmentLineItem fields, kept as the SIS sent them (see gradebook/).
    description: Mapped[str | None] = mapped_column(Text, comment="OneRoster lineItem description")
    class_id: Mapped[str | None] = mapped_column(Text, comment="OneRoster lineItem class sourcedId")
    category_id: Mapped[str | None] = mapped_column(Text, comment="OneRoster lineItem category sourcedId")
    grading_period_id: Mapped[str | None] = mapped_column(
        Text, comment="OneRoster lineItem gradingPeriod / academicSession sourcedId"
    )
    assign_date: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="OneRoster lineItem assignDate"
    )
    due_date: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="OneRoster lineItem dueDate"
    )
    result_value_min: Mapped[float | None] = mapped_column(
        Float, comment="OneRoster resultValueMin (the maximum is max_score)"
    )
    score_scale_id: Mapped[str | None] = mapped_column(
        Text, comment="OneRoster lineItem scoreScale sourcedId"
    )
    source_modified_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="the source's modification time (dateLastModified)"
    )
    oneroster: Mapped[bool] = mapped_column(
        server_default="false",
        comment="created through OneRoster (gradebook binding or CSV); a CFA made here (native) is not, and "
        "is served as an assessmentLineItem (gradebook.rules.collection_of)",
    )


class Objective(Base):
    """An Ed-Fi ObjectiveAssessment: nestable (`parent_id`), aligned to standards, with its own cuts."""

    __tablename__ = "objectives"
    __table_args__ = (
        ForeignKeyConstraint(
            ["district_id", "assessment_id"],
            ["assessments.district_id", "assessments.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["district_id", "parent_id"], ["objectives.district_id", "objectives.id"], ondelete="CASCADE"
        ),
        Index("ix_objectives_district_id_assessment_id", "district_id", "assessment_id"),
    )
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    max_points: Mapped[float] = mapped_column(Float)
    proficiency_cut: Mapped[float | None] = mapped_column(Float)
    mastery_cut: Mapped[float | None] = mapped_column(Float)
    standard_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")


class Item(Base):
    """An Ed-Fi AssessmentItem: max points, aligned to one standard, optionally inside an objective."""

    __tablename__ = "items"
    __table_args__ = (
        ForeignKeyConstraint(
            ["district_id", "assessment_id"],
            ["assessments.district_id", "assessments.id"],
            ondelete="CASCADE",
        ),
        # No ON DELETE action: SET NULL would null the district too. Objectives and items are replaced
        # together, items first (repository.replace_structure).
        ForeignKeyConstraint(["district_id", "objective_id"], ["objectives.district_id", "objectives.id"]),
        Index("ix_items_district_id_assessment_id", "district_id", "assessment_id"),
    )
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text)
    objective_id: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(Text)
    max_points: Mapped[float] = mapped_column(Float)
    standard_id: Mapped[str | None] = mapped_column(Text)


class Result(Base):
    """An Ed-Fi StudentAssessment / OneRoster result, one per assessment, student and attempt.

    A void keeps the row (`voided_at`) so the revision keeps growing if the result is recorded again.
    """

    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("district_id", "assessment_id", "student_id", "attempt"),
        UniqueConstraint("district_id", "sourced_id"),
        ForeignKeyConstraint(["district_id", "assessment_id"], ["assessments.district_id", "assessments.id"]),
        Index("ix_results_district_id_school_id", "district_id", "school_id"),
        Index("ix_results_district_id_student_id", "district_id", "student_id"),  # a student's record
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text)
    student_id: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    class_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    score_status: Mapped[str] = mapped_column(Text)
    total_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    performance_level: Mapped[str | None] = mapped_column(Text)
    objective_scores: Mapped[dict[str, float]] = mapped_column(JSONB, server_default="{}")
    item_scores: Mapped[dict[str, float]] = mapped_column(JSONB, server_default="{}")
    standard_scores: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    assessed_on: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer)
    sourced_id: Mapped[str | None] = mapped_column(Text, comment="OneRoster result sourcedId")
    text_score: Mapped[str | None] = mapped_column(Text, comment="OneRoster textScore")
    comment: Mapped[str | None] = mapped_column(Text, comment="OneRoster comment")
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_modified_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="the source's modification time (OneRoster dateLastModified)"
    )
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnalysisStudent(Base):
    """One student's counting values on one assessment (analysis.rules: the attempt each figure counts), kept as
    the results change: what the district-wide analysis aggregates instead of every attempt (issue 25). The
    standards' and items' values are parallel arrays; `record` is the student's record in the analysis (JSON)."""

    __tablename__ = "analysis_students"
    __table_args__ = (
        ForeignKeyConstraint(
            ["district_id", "assessment_id"],
            ["assessments.district_id", "assessments.id"],
            ondelete="CASCADE",
        ),
        {"info": {"derived": True}},  # computed from `results` by reads and a job: scope_matrix.table_rows
    )
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    class_ids: Mapped[list[str]] = mapped_column(TextArray)
    attempts: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(
        Float, comment="the overall figure's counting attempt; NULL: not scored"
    )
    performance_level: Mapped[str | None] = mapped_column(Text)
    standard_ids: Mapped[list[str]] = mapped_column(TextArray)
    standard_percents: Mapped[list[float]] = mapped_column(ARRAY(Float))
    standard_codes: Mapped[list[str | None]] = mapped_column(TextArray)
    standard_essential: Mapped[list[bool]] = mapped_column(ARRAY(Boolean))
    standard_proficient: Mapped[list[bool]] = mapped_column(ARRAY(Boolean))
    standard_mastered: Mapped[list[bool]] = mapped_column(ARRAY(Boolean))
    item_codes: Mapped[list[str]] = mapped_column(TextArray)
    item_points: Mapped[list[float]] = mapped_column(ARRAY(Float))
    record: Mapped[str] = mapped_column(Text, comment="the student's record in the analysis, as JSON")


class AnalysisStale(Base):
    """A (district, assessment, student) whose results changed since its AnalysisStudent row was computed:
    appended by triggers on `results` (migration 5c1e7a9d3b20; no unique key, so a writer never waits), taken
    by analysis.service."""

    __tablename__ = "analysis_stale"
    __table_args__ = (
        Index("ix_analysis_stale_district_id_assessment_id", "district_id", "assessment_id"),
        {"info": {"derived": True}},
    )
    __mapper_args__ = {"primary_key": ["district_id", "assessment_id", "student_id"]}  # no key in the table
    district_id: Mapped[str] = mapped_column(Text)
    assessment_id: Mapped[str] = mapped_column(Text)
    student_id: Mapped[str] = mapped_column(Text)


class IdempotencyKey(Base):
    """The first answer to a request carrying an `Idempotency-Key`, replayed to retries of that request."""

    __tablename__ = "idempotency_keys"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    request_hash: Mapped[str] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class QualityRating(Base):
    """An assessment's rating on one of the five keys of quality assessment (quality.rules.KEYS): one row per
    key rated, re-stamped when its rating or note changes."""

    __tablename__ = "assessment_quality"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    rating: Mapped[str] = mapped_column(Text)  # not met | partly met | met
    note: Mapped[str] = mapped_column(Text, server_default="")
    rated_by: Mapped[str] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
