"""The support-exit measure, incremental: a batch of the interventions' flag events (support flags raised
and resolved, exits from interventions) updates each student's support state and moves every active
support-exit goal of the student's school by the difference the event makes to that student's contribution.
Enrichment flags count for nothing. An event applied twice leaves the state as it was (flags and exits are
keyed by their ids), and the inbox makes redelivery a no-op anyway."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, datetime, timedelta

from plc_shared.events.interventions import (
    EXITS,
    FlagResolved,
    StudentExited,
    StudentExitedV2,
    StudentFlagged,
)
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.plans.schemas import GoalBody
from goals.points import rules as point_rules
from goals.points.repository import PointRepository
from goals.progress import rules as progress_rules
from goals.progress import service as progress
from goals.progress.repository import ProgressRepository
from goals.support import rules
from goals.support.repository import SupportRepository

FlagEvent = StudentFlagged | FlagResolved | StudentExited | StudentExitedV2  # both versions of an exit


async def apply_flags(session: AsyncSession, district_id: str, events: list[FlagEvent], now: datetime) -> int:
    """Apply one district's flag events (in partition order) to its support-exit goals; returns goals moved."""
    events = [e for e in events if isinstance(e, EXITS) or e.kind == "support"]
    if not events:
        return 0
    repo, students = SupportRepository(session), {e.student_id for e in events}
    states = await repo.states(district_id, students)
    goals = await repo.active_goals(
        district_id, {e.school_id for e in events} | {s.school_id for s in states.values()}
    )
    if goals:  # read again under the row locks: replicas move the same goals' sums (see lock_goals)
        goals = await ProgressRepository(session).lock_goals(district_id, {g.id for g in goals})
    touched = {g.id: progress.Touched(g, GoalBody.model_validate(g.body), progress.spec_of(g)) for g in goals}
    grades = {}
    if any(t.spec.grades for t in touched.values()):
        grades = await ProgressRepository(session).grades(district_id, students)
    moved, initial = set(), {s: copy.deepcopy(states.get(s)) for s in students}
    for e in events:
        state = states.setdefault(e.student_id, rules.State(e.student_id, e.school_id))
        mine = [t for t in touched.values() if t.spec.school_id in (state.school_id, e.school_id)]
        g = grades.get(e.student_id, frozenset())
        before = [rules.contribution(t.spec, state, g) for t in mine]
        _apply(state, e)
        for t, (num0, den0) in zip(mine, before, strict=True):
            num, den = rules.contribution(t.spec, state, g)
            if (num, den) != (num0, den0):
                t.goal.numerator += num - num0
                t.goal.denominator += den - den0
                moved.add(t.goal.id)
    for student in students:  # the points: each student's days before the batch and after it
        _points(touched, initial[student], states.get(student), grades.get(student, frozenset()), moved)
    await repo.save_states(district_id, [states[s] for s in students if s in states])
    await progress.record(session, district_id, [touched[g] for g in sorted(moved)], now)
    return len(moved)


def _points(touched: dict, before: rules.State | None, after: rules.State | None, grades, moved: set) -> None:
    """Add one student's change to the points of the goals of their school (before or after the batch)."""
    for t in touched.values():
        old = rules.student_points(t.spec, before, grades) if before else ({}, Counter())
        new = rules.student_points(t.spec, after, grades) if after else ({}, Counter())
        if old != new:
            point_rules.add_student(t.changes, old, new)
            moved.add(t.goal.id)


def _apply(state: rules.State, e: FlagEvent) -> None:
    state.school_id = e.school_id
    if isinstance(e, StudentFlagged):
        rules.flagged(state, str(e.flag_id), e.flagged_at.date())
    elif isinstance(e, FlagResolved):
        rules.resolved(state, str(e.flag_id), e.resolved_at.date())
    else:
        rules.exited(state, str(e.assignment_id), e.exited_on)


def measure_over(spec: progress_rules.Spec, states: list[rules.State], grades: dict) -> tuple[float, int]:
    num, den = 0.0, 0
    for state in states:
        n, d = rules.contribution(spec, state, grades.get(state.student_id, frozenset()))
        num, den = num + n, den + d
    return num, den


async def rebuild(session: AsyncSession, goal: models.Goal) -> None:
    """A support-exit goal's sums from its school's support states (on activation or a new version)."""
    spec = progress.spec_of(goal)
    states = await SupportRepository(session).states_of_school(goal.district_id, goal.school_id)
    grades = await _grades(session, goal.district_id, spec, states)
    num, den = measure_over(spec, states, grades)
    goal.numerator, goal.denominator = round(num, 9), den
    changes: point_rules.Changes = {}
    for state in states:
        new = rules.student_points(spec, state, grades.get(state.student_id, frozenset()))
        point_rules.add_student(changes, ({}, Counter()), new)
    await PointRepository(session).replace_points(goal.district_id, goal.id, goal.version, changes)


async def computed_baseline(
    session: AsyncSession, goal: models.Goal, body: GoalBody
) -> tuple[float | None, int, date | None]:
    """The measure over the support flags raised before the goal's start."""
    spec = progress.spec_of(goal, body)
    before = progress_rules.Spec(
        **{**spec.__dict__, "start": date.min, "deadline": body.start - timedelta(days=1)}
    )
    states = await SupportRepository(session).states_of_school(goal.district_id, goal.school_id)
    num, den = measure_over(before, states, await _grades(session, goal.district_id, spec, states))
    on = max((d for s in states for d, _ in s.flags.values() if d and d <= before.deadline), default=None)
    return progress_rules.value(spec.kind, num, den), den, on


async def _grades(session: AsyncSession, district_id: str, spec, states: list[rules.State]) -> dict:
    if not spec.grades:
        return {}
    return await ProgressRepository(session).grades(district_id, {s.student_id for s in states})
