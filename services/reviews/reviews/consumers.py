"""The consumers, on the shared ConsumerRunner and inbox (effects and inbox rows in one transaction), each a
table event type → handler; every handler upserts the latest state the event tells (ids, roles, scores):

- results (`plc.assessments.results`): each result's latest revision (student, attempt, percent, cut, classes) —
  the achievement
  criterion and the common assessments given;
- facts: the roster (schools: a district's building count; staff roles: the leadership rule), assessments
  (kind, standards), goals' teams and goals (progress status), interventions' support flags, assignments, exits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from plc_shared import counting
from plc_shared.events import CloudEvent
from plc_shared.events import assessments as a
from plc_shared.events import goals as g
from plc_shared.events import interventions as i
from plc_shared.inbox import Consumer
from plc_shared.topics import ASSESSMENTS, FLAGS, GOALS, RESULTS, ROSTER
from sqlalchemy import or_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reviews import models

Rows = dict[type, dict[tuple, dict[str, Any]]]


def _result(e: a.ResultRecorded | a.ResultCorrected | a.ResultVoided) -> tuple[type, tuple, dict]:
    row = {"result_id": e.result_id, "revision": e.revision, "school_id": e.school_id, "student_id": e.student_id,
           "attempt": e.attempt, "assessment_id": e.assessment_id, "class_ids": e.class_ids}  # fmt: skip
    if isinstance(e, a.ResultVoided):
        row |= {"voided": True}
    else:
        percent = e.percent if counting.scores(e.score_status, e.percent) else None  # exempt: no score
        row |= {"assessed_on": e.assessed_on, "percent": percent, "cut": e.proficiency_cut, "voided": False}
    return models.Result, (e.district_id, e.result_id), row


def _school(e: a.SchoolRostered):
    return models.School, (e.district_id, e.school_id), {"school_id": e.school_id, "status": e.status}


def _assessment(e: a.AssessmentPublished | a.AssessmentClosed):
    row = {"assessment_id": e.assessment_id, "kind": e.kind, "standard_ids": e.standard_ids}
    return models.Assessment, (e.district_id, e.assessment_id), row


def _team(e: g.TeamChanged):
    row = {"team_id": e.team_id, "school_id": e.school_id, "kind": e.kind, "member_ids": e.member_ids,
           "class_ids": e.class_ids, "standard_ids": e.standard_ids}  # fmt: skip
    return models.Team, (e.district_id, e.team_id), row


def _goal(status: str | None):
    def make(e: g.GoalActivated | g.GoalProgressUpdated | g.GoalAchieved | g.GoalMissed):
        row = {
            "goal_id": e.goal_id,
            "school_id": e.school_id,
            "team_id": e.team_id,
            "status": status or "active",
        }
        progress = getattr(e, "status", status)  # GoalActivated carries none: the stored progress stays
        if progress is not None:
            row["progress"] = progress
        if status is not None:
            row["decided_on"] = e.occurred_at.date()
        return models.Goal, (e.district_id, e.goal_id), row

    return make


def _flag(e: i.StudentFlagged):
    row = {"flag_id": e.flag_id, "student_id": e.student_id, "school_id": e.school_id, "kind": e.kind,
           "flagged_at": e.flagged_at}  # fmt: skip
    return models.Flag, (e.district_id, e.flag_id), row


def _assigned(e: i.InterventionAssigned):
    row = {"assignment_id": e.assignment_id, "student_id": e.student_id, "school_id": e.school_id,
           "assigned_at": e.assigned_at}  # fmt: skip
    return models.Assignment, (e.district_id, e.assignment_id), row


def _exited(e: i.StudentExited | i.StudentExitedV2):  # an exit of either version: the ids and the date
    row = {"assignment_id": e.assignment_id, "student_id": e.student_id, "school_id": e.school_id,
           "exited_on": e.exited_on}  # fmt: skip
    return models.Assignment, (e.district_id, e.assignment_id), row


RESULT_HANDLERS: dict[str, Callable] = {
    t.type: _result for t in (a.ResultRecorded, a.ResultCorrected, a.ResultVoided)
}
FACT_HANDLERS: dict[str, Callable] = {
    a.SchoolRostered.type: _school,
    a.AssessmentPublished.type: _assessment,
    a.AssessmentClosed.type: _assessment,
    g.TeamChanged.type: _team,
    g.GoalActivated.type: _goal(None),
    g.GoalProgressUpdated.type: _goal(None),
    g.GoalAchieved.type: _goal("achieved"),
    g.GoalMissed.type: _goal("missed"),
    i.StudentFlagged.type: _flag,
    i.InterventionAssigned.type: _assigned,
    **{exit_version.type: _exited for exit_version in i.EXITS},
}


def results_consumer() -> Consumer:
    return Consumer(
        name="reviews-results",
        topics=(RESULTS,),
        batch_handler=handle_results,
        event_types=frozenset(RESULT_HANDLERS),
    )


def facts_consumer() -> Consumer:
    types = frozenset({*FACT_HANDLERS, a.UserRostered.type})
    return Consumer(
        name="reviews-facts",
        topics=(ROSTER, ASSESSMENTS, GOALS, FLAGS),
        batch_handler=handle_facts,
        event_types=types,
    )


async def handle_results(session: AsyncSession, envelopes: Sequence[CloudEvent]) -> None:
    await _apply(session, envelopes, RESULT_HANDLERS)


async def handle_facts(session: AsyncSession, envelopes: Sequence[CloudEvent]) -> None:
    """The latest state per key within the batch; staff (one row per school of a user) apart."""
    await _apply(session, envelopes, FACT_HANDLERS)
    staff: dict[tuple, dict] = {}
    for e in (x.payload() for x in envelopes if x.type == a.UserRostered.type):
        for school in e.school_ids:
            staff[(e.district_id, e.user_id, school)] = {"user_id": e.user_id, "school_id": school,
                                                         "role": e.role, "status": e.status}  # fmt: skip
    if staff:
        await _upsert(session, models.Staff, [{"district_id": k[0], **v} for k, v in staff.items()])


async def _apply(session: AsyncSession, envelopes: Sequence[CloudEvent], table: dict[str, Callable]) -> None:
    rows: Rows = {}
    for envelope in envelopes:
        if (handler := table.get(envelope.type)) is not None:
            model, key, row = handler(envelope.payload())
            merged = rows.setdefault(model, {}).get(key, {})
            if model is models.Result and merged and merged["revision"] > row["revision"]:
                continue  # a stale revision inside the batch
            rows[model][key] = {**merged, **row}
    for model, found in rows.items():
        await _upsert(session, model, [{"district_id": k[0], **v} for k, v in found.items()])


async def _upsert(session: AsyncSession, model: Any, rows: list[dict]) -> None:
    """Rows of one model grouped by their columns (an exit carries fewer than an assignment)."""
    by_columns: dict[tuple, list[dict]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(row)), []).append(row)
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    for columns, group in by_columns.items():
        stmt = insert(table)
        update = {c: stmt.excluded[c] for c in columns if c not in keys}
        upsert = stmt.on_conflict_do_update(
            index_elements=keys, set_=update, where=_newer(model, stmt, table)
        )
        # RETURNING makes SQLAlchemy send the rows as multi-row VALUES statements (1,000 rows each,
        # "insertmanyvalues") instead of one execution per row: a key occurs once per group (see _apply).
        await session.execute(upsert.returning(*(table.c[k] for k in keys)), group)


def _newer(model: Any, stmt: Any, table: Any) -> Any:
    """What may not go back: a result to an older revision, a decided goal (achieved / missed) to active."""
    if model is models.Result:
        return stmt.excluded.revision > table.c.revision
    if model is models.Goal:
        return or_(table.c.status == "active", stmt.excluded.status != "active")
    return None
