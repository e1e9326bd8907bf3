"""Goal rules: a draft may fail the SMART check; activation may not; editing an active goal's measure,
target or dates makes a new version (the old ones stay readable)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime

from plc_shared import scope
from plc_shared.auth import Principal
from plc_shared.errors import Conflict
from plc_shared.events.goals import GoalActivated, GoalVersioned, PdsaCycleCompleted
from sqlalchemy.ext.asyncio import AsyncSession

from goals import auth, models
from goals import rules as rules_pdsa
from goals.exceptions import (
    CycleNotFound,
    GoalNotFound,
    InvalidField,
    NotSmart,
    PhaseOrder,
    TeamNotFound,
)
from goals.plans import rules, schemas
from goals.plans.repository import CycleRepository, GoalRepository
from goals.points import service as point_service
from goals.points.repository import PointRepository
from goals.progress import rules as progress_rules
from goals.progress import service as progress
from goals.schemas import merge_patch
from goals.support import service as support
from goals.teams.service import check_roster

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
    body = merge_patch(schemas.GoalBody, goal.body, data)
    new_version = goal.status == "active" and any(k in changes for k in VERSIONED)
    if new_version:
        check = await check_goal(session, goal, body)
        if not check.passed:
            raise NotSmart(goal.id, [f.model_dump() for f in check.letters if not f.passed])
        goal.version += 1
    await _set_body(session, goal, body, team)
    if new_version:
        await _rebuild(session, goal, body)
        await models.outbox.add(session, _event(GoalVersioned, goal, body))
        await point_service.announce(session, goal.district_id, [goal], datetime.now(UTC))  # a new aimline
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
    await _rebuild(session, goal, body)
    await models.outbox.add(session, _event(GoalActivated, goal, body))
    await point_service.announce(session, goal.district_id, [goal], datetime.now(UTC))  # its results so far
    return await read(session, goal)


async def _rebuild(session: AsyncSession, goal: models.Goal, body: schemas.GoalBody) -> None:
    await (support if body.measure.kind == "support_exit" else progress).rebuild(session, goal)


async def check_draft(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.GoalCreate
) -> schemas.SmartCheck:
    """The SMART check of a goal as it is being written, saving nothing (the form checks as the user types);
    the baseline is computed from the results when none is given, as creating the goal would."""
    district = await auth.check_school(session, principal, school_id)
    team = await _team(session, district, school_id, data.team_id)
    auth.check_team_writer(principal, team, school_id)
    body = schemas.GoalBody.model_validate(data.model_dump(exclude={"team_id", "parent_goal_id"}))
    goal = models.Goal(  # transient: never added to the session
        district_id=district, school_id=school_id, team_id=data.team_id, parent_goal_id=data.parent_goal_id
    )
    await _columns(session, goal, body, team)
    return await check_goal(session, goal, await _with_baseline(session, goal, body))


async def _columns(session: AsyncSession, goal: models.Goal, body: schemas.GoalBody, team) -> None:
    """The goal's columns from its body; classes and grades of its population must be on the roster."""
    m, p = body.measure, body.population
    if p.kind in ("classes", "grades"):
        classes, grades = (p.class_ids, []) if p.kind == "classes" else ([], p.grades)
        await check_roster(
            session, goal.district_id, goal.school_id, class_ids=classes, grades=grades, prefix="population."
        )
    goal.assessment_ids = [a for a in (m.assessment_id, m.pre_assessment_id, m.post_assessment_id) if a]
    goal.standard_id = m.standard_id
    goal.deadline = body.deadline
    goal.class_ids = (team.class_ids if team is not None else []) if p.kind == "team" else p.class_ids
    goal.grades = p.grades if p.kind == "grades" else []


async def _with_baseline(
    session: AsyncSession, goal: models.Goal, body: schemas.GoalBody
) -> schemas.GoalBody:
    """The body with a baseline computed from the data when none is given (not for process goals)."""
    kind = body.measure.kind
    if (body.baseline is None or body.baseline.value is None) and kind != "process":
        measure = support if kind == "support_exit" else progress
        value, n, on = await measure.computed_baseline(session, goal, body)
        if value is not None:
            body = body.model_copy(
                update={"baseline": schemas.Baseline(value=value, n=n, on=on, source="computed")}
            )
    return body


async def _set_body(session: AsyncSession, goal: models.Goal, body: schemas.GoalBody, team) -> None:
    """The current version's body (a computed baseline when none is given), the matching columns and the
    version row."""
    if body.deadline <= body.start:
        raise InvalidField("deadline", f"{body.deadline} is not after the start {body.start}")
    await _columns(session, goal, body, team)
    body = await _with_baseline(session, goal, body)
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
    m = body.measure
    named = [i for i in (m.assessment_id, m.pre_assessment_id, m.post_assessment_id) if i is not None]
    assessments, standards = await repo.known(goal.district_id, named, m.standard_id)
    ctx = rules.Context(
        level="team" if goal.team_id else "school",
        linked_to_school_goal=goal.parent_goal_id is not None,
        assessments=assessments,
        standards=standards,
        largest_gain=await PointRepository(session).largest_gain(goal.district_id, goal.school_id),
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
    scope.check_school(principal, goal.district_id, goal.school_id, GoalNotFound(goal_id))
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
    thresholds = await point_service.thresholds_of(session, district)
    return [await read(session, g, smart=False, thresholds=thresholds) for g in goals]


async def versions(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID
) -> list[schemas.VersionRead]:
    goal = await get_goal(session, principal=principal, goal_id=goal_id)
    rows = await GoalRepository(session).versions(goal.district_id, goal.id)
    return [schemas.VersionRead(version=v.version, created_at=v.created_at, **v.body) for v in rows]


async def read(
    session: AsyncSession, goal: models.Goal, *, smart: bool = True, thresholds=None
) -> schemas.GoalRead:
    body = schemas.GoalBody.model_validate(goal.body)
    thresholds = thresholds or await point_service.thresholds_of(session, goal.district_id)
    points = await point_service.series(session, goal)
    today = date.today()
    projection = progress_rules.projection([(p[0], p[1]) for p in points], body.deadline)
    return schemas.GoalRead(
        **body.model_dump(), id=goal.id, school_id=goal.school_id, team_id=goal.team_id,
        parent_goal_id=goal.parent_goal_id, level="team" if goal.team_id else "school", status=goal.status,
        version=goal.version, value=progress_rules.value(body.measure.kind, goal.numerator, goal.denominator),
        n=goal.denominator, progress_status=point_service.status_now(goal, body, points, today, thresholds),
        projection=projection, smart=await check_goal(session, goal, body) if smart else None,
    )  # fmt: skip


def _event(model, goal: models.Goal, body: schemas.GoalBody):
    extra = {"baseline": body.baseline.value} if model is GoalActivated else {}
    return model(
        district_id=goal.district_id, goal_id=goal.id, school_id=goal.school_id, team_id=goal.team_id,
        occurred_at=datetime.now(UTC), version=goal.version, target=body.target, start=body.start,
        deadline=body.deadline, **extra,
    )  # fmt: skip


# PDSA cycles: Plan → Do → Study → Act. Each step needs the one before it (rules.next_phase); Do needs a
# prediction, Study a progress point on or after the Do start. Act closes the cycle (PdsaCycleCompleted in
# the outbox of the same transaction); `adapt` opens the next cycle with the plan prefilled.


async def create_cycle(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID, data: schemas.CyclePlan
) -> schemas.CycleRead:
    goal, _team_row = await _writable(session, principal, goal_id)
    if goal.status == "draft":
        raise Conflict(f"Goal {goal_id} is a draft; activate it before its PDSA cycles.")
    cycle = _new_cycle(goal, data.model_dump(mode="json"))
    await CycleRepository(session).add(cycle, flush=True)
    return await _cycle_read(session, cycle)


async def list_cycles(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID
) -> list[schemas.CycleRead]:
    goal = await get_goal(session, principal=principal, goal_id=goal_id)
    cycles = await CycleRepository(session).of_goal(goal.district_id, goal.id)
    return [_as_read(c, i) for i, c in enumerate(cycles, 1)]


async def get_cycle(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID, cycle_id: uuid.UUID
) -> schemas.CycleRead:
    goal = await get_goal(session, principal=principal, goal_id=goal_id)
    return await _cycle_read(session, await _cycle(session, goal, cycle_id))


async def update_plan(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID, cycle_id: uuid.UUID,
    data: schemas.CyclePlanUpdate,
) -> schemas.CycleRead:  # fmt: skip
    goal, _team_row = await _writable(session, principal, goal_id)
    cycle = await _cycle(session, goal, cycle_id)
    if cycle.phase != "plan":
        raise PhaseOrder(cycle.id, cycle.phase, "plan", "is done; the plan no longer changes")
    plan = merge_patch(schemas.CyclePlan, cycle.body["plan"], data)
    cycle.body = {**cycle.body, "plan": plan.model_dump(mode="json")}
    await session.flush()
    return await _cycle_read(session, cycle)


async def record_do(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID, cycle_id: uuid.UUID,
    data: schemas.CycleDo,
) -> schemas.CycleRead:  # fmt: skip
    goal, _team_row = await _writable(session, principal, goal_id)
    cycle = await _cycle(session, goal, cycle_id)
    _check_step(cycle, "do")
    if cycle.body["plan"].get("prediction") is None:
        raise PhaseOrder(
            cycle.id, cycle.phase, "do", "needs a prediction in the plan first", field="plan.prediction"
        )
    if data.ended_on is not None and data.ended_on < data.started_on:
        raise InvalidField("ended_on", f"{data.ended_on} is before the start {data.started_on}")
    cycle.phase, cycle.started_on = "do", data.started_on
    cycle.body = {**cycle.body, "do": data.model_dump(mode="json")}
    await session.flush()
    return await _cycle_read(session, cycle)


async def record_study(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID, cycle_id: uuid.UUID,
    data: schemas.CycleStudyCreate,
) -> schemas.CycleRead:  # fmt: skip
    goal, _team_row = await _writable(session, principal, goal_id)
    cycle = await _cycle(session, goal, cycle_id)
    _check_step(cycle, "study")
    study = await _study(session, goal, cycle, data.notes)
    if not [p for p in study.points if p.value is not None]:
        raise PhaseOrder(
            cycle.id, cycle.phase, "study",
            f"needs a result (a progress point) on or after the Do start {cycle.started_on}", field="result",
        )  # fmt: skip
    cycle.phase = "study"
    cycle.body = {**cycle.body, "study": study.model_dump(mode="json")}
    await session.flush()
    return await _cycle_read(session, cycle)


async def record_act(
    session: AsyncSession, *, principal: Principal, goal_id: uuid.UUID, cycle_id: uuid.UUID,
    data: schemas.CycleAct,
) -> schemas.CycleRead:  # fmt: skip
    goal, _team_row = await _writable(session, principal, goal_id)
    cycle = await _cycle(session, goal, cycle_id)
    _check_step(cycle, "act")
    body = {**cycle.body, "act": data.model_dump(mode="json")}
    if data.decision == "adapt":
        plan = {**cycle.body["plan"], "prediction": None}  # the next prediction is the team's to make
        nxt = _new_cycle(goal, plan, previous=cycle.id)
        await CycleRepository(session).add(nxt, flush=True)
        body["next_cycle_id"] = str(nxt.id)
    cycle.phase, cycle.body = rules_pdsa.next_phase("act"), body
    study = cycle.body["study"]
    event = PdsaCycleCompleted(
        district_id=goal.district_id, goal_id=goal.id, school_id=goal.school_id, team_id=goal.team_id,
        occurred_at=datetime.now(UTC), cycle_id=cycle.id, decision=data.decision,
        predicted=study["predicted"], observed=study["observed"],
    )  # fmt: skip
    await models.outbox.add(session, event)
    await session.flush()
    return await _cycle_read(session, cycle)


def _new_cycle(goal: models.Goal, plan: dict, previous: uuid.UUID | None = None) -> models.Cycle:
    body = {"plan": plan, **({"previous_cycle_id": str(previous)} if previous else {})}
    return models.Cycle(
        district_id=goal.district_id, id=uuid.uuid4(), goal_id=goal.id, phase="plan", body=body
    )


def _check_step(cycle: models.Cycle, step: str) -> None:
    if cycle.phase == "closed":
        raise PhaseOrder(cycle.id, cycle.phase, step, "comes too late: the cycle is closed")
    expected = rules_pdsa.next_phase(cycle.phase)
    if expected != step:
        raise PhaseOrder(cycle.id, cycle.phase, step, f"is out of order: the next step is {expected}")


async def _cycle(session: AsyncSession, goal: models.Goal, cycle_id: uuid.UUID) -> models.Cycle:
    cycle = await CycleRepository(session).get_in_district(goal.district_id, cycle_id)
    if cycle is None or cycle.goal_id != goal.id:
        raise CycleNotFound(cycle_id)
    return cycle


async def _study(
    session: AsyncSession, goal: models.Goal, cycle: models.Cycle, notes: str | None
) -> schemas.CycleStudy:
    """The window's points: on or after the Do start, up to its end and the prediction's date when given
    (what the prediction is compared with is the measure by the date it was made for)."""
    prediction = cycle.body["plan"].get("prediction") or {}
    bounds = [cycle.body["do"].get("ended_on"), prediction.get("by")]
    end = min((date.fromisoformat(b) for b in bounds if b), default=date.max)
    points = [
        schemas.StudyPoint(on=on, value=value, n=n)
        for on, value, n, _version in await point_service.series(session, goal)
        if cycle.started_on <= on <= end
    ]
    values = [p.value for p in points if p.value is not None]
    predicted = prediction.get("value")
    observed = values[-1] if values else None
    run = rules_pdsa.run_chart(values)
    return schemas.CycleStudy(
        points=points, observed=observed, predicted=predicted,
        difference=None if observed is None or predicted is None else round(observed - predicted, 9),
        run_chart=schemas.RunChartRead(**asdict(run)), notes=notes,
    )  # fmt: skip


async def _cycle_read(session: AsyncSession, cycle: models.Cycle) -> schemas.CycleRead:
    cycles = await CycleRepository(session).of_goal(cycle.district_id, cycle.goal_id)
    number = next(i for i, c in enumerate(cycles, 1) if c.id == cycle.id)
    return _as_read(cycle, number)


def _as_read(cycle: models.Cycle, number: int) -> schemas.CycleRead:
    b = cycle.body
    return schemas.CycleRead(
        id=cycle.id, goal_id=cycle.goal_id, number=number, phase=cycle.phase, plan=b["plan"], do=b.get("do"),
        study=b.get("study"), act=b.get("act"), previous_cycle_id=b.get("previous_cycle_id"),
        next_cycle_id=b.get("next_cycle_id"), created_at=cycle.created_at,
    )  # fmt: skip
