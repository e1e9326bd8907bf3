"""Settling goals at their deadline: once a goal's deadline has passed, its final status (`achieved` when the
current version's value reached its target in its direction, else `missed`) is stored and GoalAchieved or
GoalMissed is written to the outbox in the same transaction: exactly once, whatever the number of replicas
running the sweep (rows are claimed with FOR UPDATE SKIP LOCKED and the claim requires `active`).

A settled goal is no longer active, so a late correction or void (after the deadline) does not move it and
nothing is published again. The value at the deadline is the running value: results assessed after the
deadline never count for a goal (progress.rules: outside the window)."""

from __future__ import annotations

from datetime import datetime

from plc_shared.events.goals import GoalAchieved, GoalMissed
from plc_shared.periodic import Periodic
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.deadlines.repository import DeadlineRepository
from goals.plans.schemas import GoalBody
from goals.progress import rules

BATCH = 500


def settle_job(interval_s: float) -> Periodic:
    return Periodic(name="goals-settle", job=settle_due, interval_s=interval_s, batch=BATCH)


async def settle_due(session: AsyncSession, now: datetime, *, limit: int = BATCH) -> int:
    """Settle up to `limit` goals whose deadline is before today (UTC); returns how many were settled."""
    goals = await DeadlineRepository(session).claim_due(now.date(), limit)
    events = [_settle(goal, now) for goal in goals]
    if events:
        await models.outbox.add_all(session, events)
        await session.flush()
    return len(goals)


def _settle(goal: models.Goal, now: datetime) -> GoalAchieved | GoalMissed:
    body = GoalBody.model_validate(goal.body)
    value = rules.value(body.measure.kind, goal.numerator, goal.denominator)
    reached = rules.reached(value, body.target, body.direction)
    goal.status = goal.progress_status = "achieved" if reached else "missed"
    model = GoalAchieved if reached else GoalMissed
    return model(
        district_id=goal.district_id, goal_id=goal.id, school_id=goal.school_id, team_id=goal.team_id,
        occurred_at=now, value=value, target=body.target,
    )  # fmt: skip
