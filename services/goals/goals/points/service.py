"""A goal's series and status, the one place both are read from: the progress API, the goal's reads and the
GoalProgressUpdated events (`announce`) all take the points of `series` and the status of `status_now`
(the events through the same running sums, summed up in PostgreSQL: points.repository.summaries)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from plc_shared.events.goals import GoalProgressUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.plans.schemas import GoalBody, stored_body
from goals.points import rules as point_rules
from goals.points.repository import PointRepository
from goals.progress import rules
from goals.progress.repository import ProgressRepository

THROTTLE = timedelta(minutes=1)  # progress events: on a status change, else at most once a minute per goal


async def series(session: AsyncSession, goal: models.Goal) -> list[tuple]:
    """The goal's progress points (on, value, n, version), oldest first (points.rules)."""
    rows = (await PointRepository(session).points(goal.district_id, [goal.id])).get(goal.id, [])
    kind = GoalBody.model_validate(goal.body).measure.kind
    return point_rules.series(rows, lambda num, den: rules.value(kind, num, den))


def status_now(
    goal: models.Goal, body: GoalBody, points: list[tuple], today: date, thresholds: rules.Thresholds
) -> str:
    """The status the API shows: what `announce` publishes, from the same series."""
    count, last = point_rules.summary(points)
    return _status(goal, body, count, last, today, thresholds)


def _status(
    goal: models.Goal,
    body: GoalBody,
    count: int,
    last: tuple[date, float] | None,
    today: date,
    thresholds: rules.Thresholds,
) -> str:
    """From the points with a value (`count`) and the last of them, read against the aimline at its date."""
    if goal.status == "draft":
        return "insufficient data"
    if goal.status in ("achieved", "missed"):
        return goal.status  # settled at the deadline (deadlines.service)
    baseline = body.baseline.value if body.baseline and body.baseline.value is not None else 0.0
    return rules.status_of(
        count, last, baseline, body.target, body.start, body.deadline, body.direction, today, thresholds
    )


async def announce(
    session: AsyncSession, district_id: str, goals: list[models.Goal], now: datetime, *, moved: bool = False
) -> None:
    """GoalProgressUpdated for every goal whose status is no longer the one last announced (and for goals that
    `moved`, at least once a minute): the status the goals API shows, from the same series (`status_now`); its
    value, n and as_of are the series' last point with a value. Sets each goal's `progress_status`; the caller
    saves the goals."""
    summaries = await PointRepository(session).summaries(district_id, [g.id for g in goals])
    thresholds, events = await thresholds_of(session, district_id), []
    for g in sorted(goals, key=lambda g: g.id):
        body = stored_body(g.body)
        count, on, num, den = summaries.get(g.id, (0, None, 0.0, 0))
        last = None if on is None else (on, rules.value(body.measure.kind, round(num, 9), den))
        status = _status(g, body, count, last, now.date(), thresholds)
        due = moved and (g.progress_sent_at is None or now - g.progress_sent_at >= THROTTLE)
        if status != g.progress_status or due:
            g.progress_status, g.progress_sent_at = status, now
            value = last[1] if last else None
            events.append(_progress_event(g, value, den, status, on or now.date(), now))
    if events:
        await models.outbox.add_all(session, events)


def _progress_event(
    g: models.Goal, value, n: int, status: str, on: date, now: datetime
) -> GoalProgressUpdated:
    return GoalProgressUpdated(
        district_id=g.district_id, goal_id=g.id, school_id=g.school_id, team_id=g.team_id, occurred_at=now,
        version=g.version, value=value, n=n, status=status, as_of=on,
    )  # fmt: skip


async def thresholds_of(session: AsyncSession, district_id: str) -> rules.Thresholds:
    """The district's status thresholds, or the defaults when it has not set its own."""
    row = await ProgressRepository(session).thresholds(district_id)
    return rules.Thresholds() if row is None else rules.Thresholds(on_track=row.on_track, at_risk=row.at_risk)
