"""Tables of the goals database. The outbox and inbox come from plc_shared so every service has the same ones.

Tenancy: ids are unique within a district only, so every key and index starts with `district_id` and every
query filters by the caller's district. Goals never reads another service's tables: `schools`, `staff`,
`students`, `assessments` and `results` are its own copy of the facts the assessments events carry (ids,
scores and dates only).

Progress is incremental: `goal_entries` holds, per goal, student and result, the latest revision of what that
result contributes to the goal's measure; `goals.numerator` / `goals.denominator` are the running sums of the
students' contributions, moved by the difference each event makes (never recomputed over all results).
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
    __tablename__ = "schools"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(Text, default="active")


class Staff(Base):
    """Roster users with a staff role (UserRostered): who may be a team member, and with which role."""

    __tablename__ = "staff"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    role: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="active")


class RosterClass(Base):
    """Classes of the district's roster (ClassRostered): what a team's classes and a goal's population of
    classes may name."""

    __tablename__ = "classes"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    class_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    status: Mapped[str] = mapped_column(Text, default="active")


class Student(Base):
    __tablename__ = "students"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, primary_key=True)
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    status: Mapped[str] = mapped_column(Text, default="active")


class Assessment(Base):
    """Assessments published in the district (AssessmentPublished): what a goal's measure may name."""

    __tablename__ = "assessments"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str | None] = mapped_column(Text)
    standard_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    status: Mapped[str] = mapped_column(Text, default="published")


class Result(Base):
    """The latest revision of each result (for a goal activated after its results arrived, and baselines)."""

    __tablename__ = "results"
    __table_args__ = (Index("ix_results_district_assessment", "district_id", "assessment_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    result_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    student_id: Mapped[str] = mapped_column(Text)
    school_id: Mapped[str] = mapped_column(Text)
    class_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    assessment_id: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    assessed_on: Mapped[date | None] = mapped_column(Date)
    percent: Mapped[float | None] = mapped_column(Float)
    proficiency_cut: Mapped[float | None] = mapped_column(Float)
    standards: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")  # id → [percent, cut]
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


class SupportState(Base):
    """One student's support from the interventions' flag events (support.rules.State): their support flags
    (id → [raised on, resolved on]) and exits (assignment id → exited on). Ids and dates only."""

    __tablename__ = "support_states"
    __table_args__ = (Index("ix_support_states_district_school", "district_id", "school_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text)
    flags: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    exits: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (Index("ix_teams_district_school", "district_id", "school_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    school_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)  # leadership | collaborative
    name: Mapped[str] = mapped_column(Text)
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    class_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    standard_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")  # [{user_id, role}]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_district_school", "district_id", "school_id"),
        Index("ix_goals_district_status", "district_id", "status"),
        Index("ix_goals_status_deadline", "status", "deadline"),
    )
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    school_id: Mapped[str] = mapped_column(Text)
    team_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(Text, default="draft")  # draft | active | achieved | missed
    version: Mapped[int] = mapped_column(Integer, default=1)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the current version's definition (schemas.GoalBody)
    # what a result event is matched on (copied from the measure, indexed)
    assessment_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    standard_id: Mapped[str | None] = mapped_column(Text)
    # the population resolved when the version was made (a team population: the team's classes then)
    class_ids: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    grades: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    parent_goal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # the current version's deadline (what the settling sweep reads: deadlines.repository)
    deadline: Mapped[date | None] = mapped_column(Date)
    numerator: Mapped[float] = mapped_column(Float, default=0.0)
    denominator: Mapped[int] = mapped_column(Integer, default=0)
    progress_status: Mapped[str] = mapped_column(Text, default="insufficient data")
    progress_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class DistrictThresholds(Base):
    """A district's status thresholds (share of the expected gain); a district without a row uses the defaults
    of progress.rules.Thresholds."""

    __tablename__ = "district_thresholds"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    on_track: Mapped[float] = mapped_column(Float)
    at_risk: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class GoalVersion(Base):
    __tablename__ = "goal_versions"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    goal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class GoalEntry(Base):
    """What one result (latest revision) contributes to one goal for one student; a void keeps the row
    (voided) so a stale revision arriving later is recognised and ignored."""

    __tablename__ = "goal_entries"
    __table_args__ = (Index("ix_goal_entries_district_result", "district_id", "result_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    goal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, primary_key=True)
    result_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(Text)  # score | pre | post; None: counts for nothing
    assessed_on: Mapped[date] = mapped_column(Date)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    percent: Mapped[float | None] = mapped_column(Float)
    cut: Mapped[float | None] = mapped_column(Float)


class ProgressPoint(Base):
    """One date of a goal's series, stored as what that date changes (progress.points): a point's numerator
    and denominator are the running sums of `dnum` / `dden` up to its date; `entries` counts the results (for
    support-exit goals, the flag events) of that date, and a date without any has no row."""

    __tablename__ = "progress_points"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    goal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    on: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    dnum: Mapped[float] = mapped_column(Float, server_default="0")
    dden: Mapped[int] = mapped_column(Integer, server_default="0")
    entries: Mapped[int] = mapped_column(Integer, server_default="0")


class Cycle(Base):
    """A PDSA cycle of a goal; each phase's fields in `body` (schemas of pdsa), `phase` says how far it got."""

    __tablename__ = "pdsa_cycles"
    __table_args__ = (Index("ix_pdsa_cycles_district_goal", "district_id", "goal_id"),)
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    goal_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    phase: Mapped[str] = mapped_column(Text, default="plan")  # plan | do | study | act | closed
    body: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    started_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class FoundationVersion(Base):
    """One saved version of a school's foundation (mission, vision, values, collective commitments): each save
    is a new row, so the history is the table; the current foundation is the highest version."""

    __tablename__ = "foundation_versions"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    school_id: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)  # process.schemas.FoundationWrite
    saved_by: Mapped[str] = mapped_column(Text)  # the saver's subject (a roster user id)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class TeamNorms(Base):
    """A collaborative team's norms and protocols (one row per team, rewritten by its members)."""

    __tablename__ = "team_norms"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    norms: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    protocols: Mapped[list[str]] = mapped_column(TextArray, server_default="{}")
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class CriticalIssue(Base):
    """Where a team stands on one of the 18 critical issues for teams (process.rules.CRITICAL_ISSUES); an
    issue without a row is not started."""

    __tablename__ = "team_critical_issues"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    issue: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(Text)  # not started | in progress | done
    note: Mapped[str] = mapped_column(Text, server_default="")
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
