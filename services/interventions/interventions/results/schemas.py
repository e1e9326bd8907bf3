"""Row shapes of the results consumer's tables as the set-based statements of results/repository.py write
them: the column lists (COPY and UPDATE ... FROM unnest) and the conversions from the engine's dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Text, Uuid

from interventions.flags import rules
from interventions.results.rules import Flag, Tier

SEP = "\x1f"


PG_TYPES = {
    Uuid: "uuid",
    Text: "text",
    Integer: "int",
    Float: "float8",
    Boolean: "bool",
    Date: "date",
    DateTime: "timestamptz",
}


UPDATABLE = (
    "status",
    "result_id",
    "result_revision",
    "assessment_id",
    "score",
    "cut",
    "evidence_recorded_at",
    "resolution",
    "resolved_by_result_id",
    "resolved_event_at",
    "resolved_at",
)


SCORE_COLUMNS = (
    "result_id",
    "revision",
    "percent",
    "proficiency_cut",
    "mastery_cut",
    "assessed_on",
    "first_recorded_at",
    "recorded_at",
    "assessment_id",
    "attempt",
)


def score_values(score: rules.Score) -> tuple:
    """The fields of a Score in SCORE_COLUMNS order (its own field order)."""
    return (
        score.result_id,
        score.revision,
        score.percent,
        score.proficiency_cut,
        score.mastery_cut,
        score.assessed_on,
        score.first_recorded_at,
        score.recorded_at,
        score.assessment_id,
        score.attempt,
    )


# The columns of an open flag, in the order of Flag's fields.
FLAG_READ = (
    "id",
    "student_id",
    "district_id",
    "school_id",
    "class_ids",
    "standard_id",
    "kind",
    "rule",
    "result_id",
    "result_revision",
    "assessment_id",
    "score",
    "cut",
    "evidence_recorded_at",
    "status",
)


FLAG_COLUMNS = (
    "id",
    "student_id",
    "district_id",
    "school_id",
    "class_ids",
    "standard_id",
    "kind",
    "status",
    "rule",
    "result_id",
    "result_revision",
    "assessment_id",
    "score",
    "cut",
    "evidence_recorded_at",
    "resolution",
    "resolved_by_result_id",
    "resolved_event_at",
    "resolved_at",
)


def flag_values(f: Flag) -> tuple:
    """A flag's row in FLAG_COLUMNS order (a tuple: COPY takes it as it is, UPDATE transposes them)."""
    return (
        f.flag_id,
        f.student_id,
        f.district_id,
        f.school_id,
        list(f.class_ids),
        f.standard_id,
        f.kind,
        f.status,
        f.rule,
        f.result_id,
        f.result_revision,
        f.assessment_id,
        f.score,
        f.cut,
        f.evidence_recorded_at,
        f.resolution,
        f.resolved_by_result_id,
        f.resolved_event_at,
        resolved_at(f),
    )


def resolved_at(f: Flag) -> datetime | None:
    return datetime.now(UTC) if f.status == "resolved" else None


def tier_row(t: Tier) -> dict:
    return {
        "student_id": t.student_id,
        "district_id": t.district_id,
        "school_id": t.school_id,
        "tier": t.tier,
        "reason": t.reason,
        "rule": t.rule,
        "since": t.since,
    }
