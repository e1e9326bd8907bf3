"""Goal rules: a draft may fail the SMART check; activation may not; editing an active goal's measure,
target or dates makes a new version (the old ones stay readable)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from plc_shared.auth import Principal
from plc_shared.errors import Conflict, Forbidden
from plc_shared.events.goals import GoalActivated, GoalVersioned
from sqlalchemy.ext.asyncio import AsyncSession

from goals import auth, models
from goals.exceptions import GoalNotFound, InvalidField, NotSmart, TeamNotFound
from goals.plans import rules, schemas
from goals.plans.repository import GoalRepository
from goals.progress import rules as progress_rules
from goals.progress import service as progress

VERSIONED = ("measure", "population", "target", "start", "deadline", "direction", "interim_targets")


async def create_goal(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.GoalCreate
) -> schemas.GoalRead:
    district = await auth.check_school(session, principal, school_id)
    team = await _team(session, district, school_id, data.team_id)
    auth.check_team_writer(principal, team, school_id)
    if data.parent_goal_id is not None:
        parent = await GoalRepository(session).get_in_district(district, data.parent_goal_id)
        if parent is None or parent.school_id != school_id or parent.team_id is not None:
            raise InvalidField(
                "parent_goal_id", f"no school goal {data.parent_goal_id} at school {school_id}"
            )
    body = schemas.GoalBody.model_validate(data.model_dump(exclude={"team_id", "parent_goal_id"}))
    goal = models.Goal(
        district_id=district, id=uuid.uuid4(), school_id=school_id, team_id=data.team_id, status="draft",
        version=1, parent_goal_id=data.parent_goal_id, numerator=0.0, denominator=0,
        progress_status="insufficient data",
    )  # fmt: skip
    await _set_body(session, goal, body, team)
    await GoalRepository(session).add(goal, flush=True)
    return await read(session, goal)


async def update_goal(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID, data: schemas.GoalUpdate
) -> schemas.GoalRead:
    goal, team = await _writable(session, principal, goal_id)
    if goal.status in ("achieved", "missed"):
        raise Conflict(f"Goal {goal_id} is {goal.status}; it no longer changes.")
    changes = data.model_dump(exclude_unset=True)
    body = schemas.GoalBody.model_validate({**goal.body, **changes})
    new_version = goal.status == "active" and any(k in changes for k in VERSIONED)
    if new_version:
        check = await check_goal(session, goal, body)
        if not check.passed:
            raise NotSmart(goal.id, [f.model_dump() for f in check.letters if not f.passed])
        goal.version += 1
    await _set_body(session, goal, body, team)
    if new_version:
        await progress.rebuild(session, goal)
        await models.outbox.add(session, _event(GoalVersioned, goal, body))
    return await read(session, goal)


async def activate(session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID) -> schemas.GoalRead:
    goal, _team_row = await _writable(session, principal, goal_id)
    if goal.status != "draft":
        raise Conflict(f"Goal {goal_id} is {goal.status}, not a draft.")
    body = schemas.GoalBody.model_validate(goal.body)
    check = await check_goal(session, goal, body)
    if not check.passed:
        raise NotSmart(goal.id, [f.model_dump() for f in check.letters if not f.passed])
    goal.status = "active"
    await progress.rebuild(session, goal)
    await models.outbox.add(session, _event(GoalActivated, goal, body))
    return await read(session, goal)


async def _set_body(session: AsyncSession, goal: models.Goal, body: schemas.GoalBody, team) -> None:
    """The current version's body (a computed baseline when none is given), the matching columns and the
    version row."""
    if body.deadline <= body.start:
        raise InvalidField("deadline", f"{body.deadline} is not after the start {body.start}")
    m, p = body.measure, body.population
    goal.assessment_ids = [a for a in (m.assessment_id, m.pre_assessment_id, m.post_assessment_id) if a]
    goal.standard_id = m.standard_id
    goal.class_ids = (team.class_ids if team is not None else []) if p.kind == "team" else p.class_ids
    goal.grades = p.grades if p.kind == "grades" else []
    if (body.baseline is None or body.baseline.value is None) and m.kind != "process":
        value, n, on = await progress.computed_baseline(session, goal, body)
        if value is not None:
            body = body.model_copy(
                update={"baseline": schemas.Baseline(value=value, n=n, on=on, source="computed")}
            )
    if body.baseline is not None and body.baseline.value is not None:
        base, up = body.baseline.value, body.direction == "increase"
        if (body.target <= base) if up else (body.target >= base):
            raise InvalidField(
                "target", f"{body.target:g} is not better than the baseline {base:g} (SMART letter A)"
            )
    goal.body = body.model_dump(mode="json")
    row = models.GoalVersion(
        district_id=goal.district_id, goal_id=goal.id, version=goal.version, body=goal.body
    )
    await session.merge(row)  # a draft's edits rewrite its version; an active goal's make a new one
    await session.flush()


async def check_goal(session: AsyncSession, goal: models.Goal, body: schemas.GoalBody) -> schemas.SmartCheck:
    repo = GoalRepository(session)
    assessments, standards = await repo.known(goal.district_id)
    ctx = rules.Context(
        level="team" if goal.team_id else "school",
        linked_to_school_goal=goal.parent_goal_id is not None,
        assessments=assessments,
        standards=standards,
        largest_gain=await repo.largest_gain(goal.district_id, goal.school_id),
    )
    return rules.smart(body, ctx)


async def smart_check(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID
) -> schemas.SmartCheck:
    goal = await get_goal(session, principal=principal, goal_id=goal_id)
    return await check_goal(session, goal, schemas.GoalBody.model_validate(goal.body))


async def get_goal(session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID) -> models.Goal:
    goal = await GoalRepository(session).get_in_district(principal.tenant, goal_id)
    if goal is None:
        raise GoalNotFound(goal_id)
    if not principal.can_see_school(goal.district_id, goal.school_id):
        raise Forbidden(f"No access to school {goal.school_id}.")
    return goal


async def _writable(session: AsyncSession, principal: Principal, goal_id: uuid.UUID):
    goal = await get_goal(session, principal=principal, goal_id=goal_id)
    team = await _team(session, goal.district_id, goal.school_id, goal.team_id)
    auth.check_team_writer(principal, team, goal.school_id)
    return goal, team


async def _team(session: AsyncSession, district: str, school_id: str, team_id: uuid.UUID | None):
    if team_id is None:
        return None
    team = await session.get(models.Team, (district, team_id))
    if team is None or team.school_id != school_id:
        raise TeamNotFound(team_id)
    return team


async def list_goals(
    session: AsyncSession, *, principal: Principal, school_id: str, team_id: uuid.UUID | None = None
) -> list[schemas.GoalRead]:
    district = await auth.check_school(session, principal, school_id)
    goals = await GoalRepository(session).of_school(district, school_id, team_id)
    return [await read(session, g, smart=False) for g in goals]


async def versions(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID
) -> list[schemas.VersionRead]:
    goal = await get_goal(session, principal=principal, goal_id=goal_id)
    rows = await GoalRepository(session).versions(goal.district_id, goal.id)
    return [schemas.VersionRead(version=v.version, created_at=v.created_at, **v.body) for v in rows]


async def read(session: AsyncSession, goal: models.Goal, *, smart: bool = True) -> schemas.GoalRead:
    body = schemas.GoalBody.model_validate(goal.body)
    points = await progress.series(session, goal)
    today = date.today()
    projection = progress_rules.projection([(p[0], p[1]) for p in points], body.deadline)
    return schemas.GoalRead(
        **body.model_dump(), id=goal.id, school_id=goal.school_id, team_id=goal.team_id,
        parent_goal_id=goal.parent_goal_id, level="team" if goal.team_id else "school", status=goal.status,
        version=goal.version, value=progress_rules.value(body.measure.kind, goal.numerator, goal.denominator),
        n=goal.denominator, progress_status=progress.status_now(goal, body, points, today),
        projection=projection, smart=await check_goal(session, goal, body) if smart else None,
    )  # fmt: skip


def _event(model, goal: models.Goal, body: schemas.GoalBody):
    extra = {"baseline": body.baseline.value} if model is GoalActivated else {}
    return model(
        district_id=goal.district_id, goal_id=goal.id, school_id=goal.school_id, team_id=goal.team_id,
        occurred_at=datetime.now(UTC), version=goal.version, target=body.target, start=body.start,
        deadline=body.deadline, **extra,
    )  # fmt: skip
