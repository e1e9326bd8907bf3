"""Tables of the reviews database. The outbox and inbox come from plc_shared so every service has the same ones.

Tenancy: ids are unique within a district only, so every key starts with `district_id` and every query filters
by the caller's district. Reviews never reads another service's tables: `schools`, `staff`, `teams`,
`assessments` and `results` are its own copy of the facts the roster, goals and results events carry (ids,
roles, scores and dates only).

The shipped default rubric is copied into a district (version 1) the first time the district needs a rubric,
so a rubric's key has the same (district_id, id) shape as everything else and a district's own versions
simply follow it. A review keeps the rubric version it was made with.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from plc_shared.db import make_metadata
from plc_shared.inbox import inbox_table
from plc_shared.outbox import Outbox, outbox_table
from sqlalchemy import Boolean, Date, DateTime, Float, Index, Integer, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NOW = text("now()")
TextArray = ARRAY(Text)


class Base(DeclarativeBase):
    metadata = make_metadata()


outbox = Outbox(outbox_table(Base.metadata))
inbox = inbox_table(Base.metadata)


class School(Base):
    """The district's schools as the roster publishes them (SchoolRostered): its building count."""

    __tablename__ = "schools"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(Text, default="active")


class Staff(Base):
    """Roster staff (UserRostered) with their role: the leadership rule needs an administrator."""

    __tablename__ = "staff"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    role: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="active")


class Team(Base):
    """Leadership and collaborative teams as the goals service publishes them (TeamChanged)."""

    __tablename__ = "teams"
    __table_args__ = (Index("ix_teams_district_school", "district_id", "school_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    member_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    class_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    standard_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")


class Goal(Base):
    """SMART goals as goals publishes them (GoalActivated, GoalProgressUpdated, GoalAchieved/Missed)."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_district_school", "district_id", "school_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    goal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    team_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(Text)  # active | achieved | missed
    progress: Mapped[str] = mapped_column(Text, default="insufficient data")
    decided_on: Mapped[date | None] = mapped_column(Date)  # when it was achieved or missed


class Flag(Base):
    """Support and enrichment flags as interventions publishes them (StudentFlagged, FlagResolved)."""

    __tablename__ = "flags"
    __table_args__ = (Index("ix_flags_district_school", "district_id", "school_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    flag_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Assignment(Base):
    """Interventions assigned to students (InterventionAssigned) and their exits (StudentExited)."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_district_school", "district_id", "school_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    assignment_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exited_on: Mapped[date | None] = mapped_column(Date)


class ProgramDistrict(Base):
    """A district with schools in the program; `building_count` overrides the roster's count of schools."""

    __tablename__ = "program_districts"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    building_count: Mapped[int | None] = mapped_column(Integer)


class ProgramSchool(Base):
    __tablename__ = "program_schools"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    regional_center: Mapped[str] = mapped_column(Text)
    entry_year: Mapped[int] = mapped_column(Integer)  # the school year it entered (2026 = 2026-27)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class Rubric(Base):
    """One published version of a district's rubric; `body` is schemas.RubricBody (strands → indicators)."""

    __tablename__ = "rubrics"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class Review(Base):
    """A site review of a school. `ratings` maps indicator id → {level, notes, evidence}; `scores` and
    `evidence` are stored when it is finalized (as they were then). A correction is a new row whose
    `corrects_id` is the finalized review it replaces (which gets `superseded_by_id`)."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_district_school", "district_id", "school_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    rubric_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(Text)  # pre | interim | site
    on: Mapped[date] = mapped_column(Date)
    school_year: Mapped[int] = mapped_column(Integer)
    training_year: Mapped[str] = mapped_column(Text)  # 1 | 2 | 3 | continuing
    status: Mapped[str] = mapped_column(Text, default="draft")  # draft | submitted | finalized
    version: Mapped[int] = mapped_column(Integer, default=1)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reviewer_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    # reviewer id → display name (the token's `name` claim, recorded when they act on the review); never in events
    reviewer_names: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    ratings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Narrative(Base):
    """A school's reflective narrative for a school year (a recognition criterion)."""

    __tablename__ = "narratives"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class StateResult(Base):
    """An externally entered state-accountability result of a school for a year (met or not)."""

    __tablename__ = "state_results"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    met: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)


class Assessment(Base):
    """Assessments published in the district (AssessmentPublished): which ones are summative."""

    __tablename__ = "assessments"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    standard_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")


class Result(Base):
    """The latest revision of each result (student, attempt, percent and cut): a school's percent proficient per
    year, each student once per assessment by the counting rule."""

    __tablename__ = "results"
    __table_args__ = (
        Index("ix_results_district_school", "district_id", "school_id"),
        # the summative results that count, through the district's summative assessments (counted_summative)
        Index("ix_results_district_assessment", "district_id", "assessment_id"),
    )
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    result_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[str] = mapped_column(Text)
    student_id: Mapped[str | None] = mapped_column(Text)  # None: stored before 2026-12-07 (counts alone)
    attempt: Mapped[int] = mapped_column(Integer, server_default="1")
    assessment_id: Mapped[str] = mapped_column(Text)
    class_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    assessed_on: Mapped[date | None] = mapped_column(Date)
    percent: Mapped[float | None] = mapped_column(Float)  # None: not scored (exempt, none given)
    cut: Mapped[float | None] = mapped_column(Float)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


class Recognition(Base):
    """A school recognized Exemplary or Sustaining Exemplary on a finalized site review (full history)."""

    __tablename__ = "recognitions"
    __table_args__ = (
        Index("ix_recognitions_district_school", "district_id", "school_id"),
        # one recognition per school and school year, whatever races: evaluate() also locks the school
        Index("ux_recognitions_district_school_year", "district_id", "school_id", "school_year", unique=True),
    )
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(Text)  # exemplary | sustaining
    review_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_year: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recognized_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
