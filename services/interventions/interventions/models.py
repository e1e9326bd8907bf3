"""Tables of the interventions database. The outbox and inbox come from plc_shared so every service has the same ones.

The consumer keeps, per result, the latest revision it applied (`results`) and that revision's per-standard
scores (`result_scores`): "the latest result on a standard" is always computed from them, so corrections and
voids re-evaluate and stale revisions are ignored.

Tenancy: every id a SIS or a user chooses is unique within its district only, so every key and every index
starts with `district_id` (two districts' `stu-1` never meet), and every query filters by the caller's district.
`schools` and `students` are the districts' rosters as far as this service knows them (roster events, and
the schools and students seen in result events).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from plc_shared.db import finite, make_metadata
from plc_shared.inbox import inbox_table
from plc_shared.outbox import Outbox, outbox_table
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NOW = text("now()")
NEVER = text("'-infinity'")
CURRENT_XID = text("pg_current_xact_id()::text::bigint")


class Base(DeclarativeBase):
    metadata = make_metadata()


outbox = Outbox(outbox_table(Base.metadata))
inbox = inbox_table(Base.metadata)


class Result(Base):
    __tablename__ = "results"

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    result_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    student_id: Mapped[str] = mapped_column(Text)
    first_recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


class ResultScore(Base):
    __tablename__ = "result_scores"
    __table_args__ = (
        Index("ix_result_scores_district_student_standard", "district_id", "student_id", "standard_id"),
    )

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    result_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    standard_id: Mapped[str] = mapped_column(Text, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    assessment_id: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float] = mapped_column(Float)
    proficiency_cut: Mapped[float] = mapped_column(Float)
    mastery_cut: Mapped[float] = mapped_column(Float)
    assessed_on: Mapped[date] = mapped_column(Date)
    first_recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempt: Mapped[int] = mapped_column(Integer, server_default="1")  # orders by the counting rule


class Flag(Base):
    __tablename__ = "flags"
    __table_args__ = (
        Index(
            "uq_flags_open_district_student_standard_kind",
            "district_id",
            "student_id",
            "standard_id",
            "kind",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        # School first: the consumer's (district, student, standard) lookups must not match it on district and
        # status alone (the planner took that, without statistics, and read the district's open flags per pair)
        Index("ix_flags_school_district_status", "school_id", "district_id", "status"),
        Index("ix_flags_district_student_standard", "district_id", "student_id", "standard_id"),
        Index("ix_flags_district_change", "district_id", "change_xid", "id"),
        # A school's list, oldest first, read in order up to the page's LIMIT (not all its open flags sorted),
        # and a school's changes feed (its tail and its end) without filtering the district's whole history.
        Index(
            "ix_flags_district_school_status_opened", "district_id", "school_id", "status", "opened_at", "id"
        ),
        Index("ix_flags_district_school_change", "district_id", "school_id", "change_xid", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text)
    district_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    class_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    standard_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text, comment="support | enrichment")
    status: Mapped[str] = mapped_column(Text, comment="open | resolved")
    rule: Mapped[str] = mapped_column(Text)
    result_id: Mapped[uuid.UUID] = mapped_column(Uuid, comment="evidence: the latest result behind the flag")
    result_revision: Mapped[int] = mapped_column(Integer)
    assessment_id: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    cut: Mapped[float] = mapped_column(Float)
    evidence_recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    resolution: Mapped[str | None] = mapped_column(Text, comment="result | correction | void | decision")
    resolved_by_result_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolved_event_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(Text, comment="subject id, for a decision")
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # The changes feed's position of the row's last change is (change_xid, id) (see flags/service.py): the
    # id of the transaction that wrote it, set by the database on insert (default) and update (a trigger).
    change_xid: Mapped[int] = mapped_column(BigInteger, server_default=CURRENT_XID)


class StudentTier(Base):
    __tablename__ = "student_tiers"
    __table_args__ = (Index("ix_student_tiers_district_school_tier", "district_id", "school_id", "tier"),)

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    tier: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, comment="escalation | decision | exit")
    rule: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TierChange(Base):
    """A student's tier history: one row per change of `student_tiers` (an escalation by the results consumer,
    a leader's decision, an exit), written by database triggers (per statement, over the transition tables) so every path that sets a tier records it."""

    __tablename__ = "tier_changes"
    __table_args__ = (Index("ix_tier_changes_district_student", "district_id", "student_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    district_id: Mapped[str] = mapped_column(Text)
    student_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    from_tier: Mapped[int | None] = mapped_column(Integer, comment="NULL: the tier held before history began")
    to_tier: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, comment="escalation | decision | exit")
    rule: Mapped[str | None] = mapped_column(Text, comment="the escalation rule, or the decision's reason")
    decided_by: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SchoolRules(Base):
    __tablename__ = "school_rules"

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    proficiency_cut: Mapped[float | None] = mapped_column(Float)
    mastery_cut: Mapped[float | None] = mapped_column(Float)
    escalation_open_flags: Mapped[int] = mapped_column(Integer)
    reflag_weeks: Mapped[int] = mapped_column(Integer)
    overdue_school_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class AssessmentRules(Base):
    __tablename__ = "assessment_rules"

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    proficiency_cut: Mapped[float] = mapped_column(Float)
    mastery_cut: Mapped[float] = mapped_column(Float)


class Intervention(Base):
    __tablename__ = "interventions"
    __table_args__ = (Index("ix_interventions_district_school", "district_id", "school_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    district_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    tier: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(Text)
    dosage_minutes_per_week: Mapped[int] = mapped_column(Integer)
    staff: Mapped[list[str]] = mapped_column(ARRAY(Text))
    schedule: Mapped[str] = mapped_column(Text)
    directive: Mapped[bool] = mapped_column(Boolean)
    # Retired: no longer offered for new assignments; the assignments made keep it and its name.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_district_student", "district_id", "student_id"),
        CheckConstraint(finite("baseline"), name="baseline_finite"),
        CheckConstraint(finite("goal"), name="goal_finite"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    district_id: Mapped[str] = mapped_column(Text)
    intervention_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interventions.id"), index=True)
    school_id: Mapped[str] = mapped_column(Text)
    student_id: Mapped[str] = mapped_column(Text)
    standard_id: Mapped[str | None] = mapped_column(Text)
    start_on: Mapped[date] = mapped_column(Date)
    planned_weeks: Mapped[int] = mapped_column(Integer)
    champion: Mapped[str] = mapped_column(Text, comment="staff id")
    baseline: Mapped[float] = mapped_column(Float)
    goal: Mapped[float] = mapped_column(Float)
    goal_date: Mapped[date] = mapped_column(Date)
    monitoring_every_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, default="active", comment="active | exited")
    exited_on: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(Text)
    exit_evidence: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class ProgressPoint(Base):
    __tablename__ = "progress_points"
    __table_args__ = (CheckConstraint(finite("score"), name="score_finite"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assignments.id"), index=True)
    measured_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class School(Base):
    """A school of a district: from `SchoolRostered`, or first seen in a result event (then `active`)."""

    __tablename__ = "schools"

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(Text, default="active", comment="active | tobedeleted (OneRoster)")
    rostered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=NEVER, comment="occurred_at of the roster event applied"
    )


class Student(Base):
    """A student of a district: from `StudentRostered`, or first seen in a result event (its school and classes)."""

    __tablename__ = "students"

    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    # The roster's classes of the student (`StudentRostered.class_ids`; first seen in a result: its classes):
    # what scopes a teacher to the students of their classes (plc_shared.scope).
    class_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    status: Mapped[str] = mapped_column(Text, default="active", comment="active | tobedeleted (OneRoster)")
    rostered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=NEVER, comment="occurred_at of the roster event applied"
    )
