"""Bodies of goals: the definition (a version), create / update / read, the SMART check."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from goals.schemas import Patch, Schema

MeasureKind = Literal["proficient", "average", "growth", "support_exit", "process"]


class Measure(Schema):
    """proficient: % of tested students at or above the proficiency cut on an assessment, or on a standard
    across assessments in the goal's window; average: average percent; growth: % of students who grew by at
    least `min_growth` points from the pre to the post assessment; support_exit: % of students flagged for support
    (interventions' flags) in the window who exited an intervention or whose flags were all resolved; process: an
    adult activity (no measure)."""

    kind: MeasureKind
    assessment_id: str | None = None
    standard_id: str | None = None
    pre_assessment_id: str | None = None
    post_assessment_id: str | None = None
    min_growth: float | None = Field(None, ge=0, le=100)
    description: str | None = Field(None, max_length=2000)


class Population(Schema):
    kind: Literal["school", "grades", "classes", "team"]
    grades: list[str] = Field(default_factory=list)
    class_ids: list[str] = Field(default_factory=list)


class Baseline(Schema):
    value: float | None = None
    n: int | None = None
    on: date | None = None
    source: str | None = None


class InterimTarget(Schema):
    on: date
    value: float


class Strategy(Schema):
    what: str = Field(max_length=2000)
    who: str | None = Field(None, max_length=200)
    when: date | None = None
    evidence: str | None = Field(None, max_length=2000, description="evidence of effectiveness")


class GoalBody(Schema):
    title: str = Field(min_length=1, max_length=500)
    measure: Measure
    population: Population
    direction: Literal["increase", "decrease"] = "increase"
    baseline: Baseline | None = None
    target: float
    interim_targets: list[InterimTarget] = Field(default_factory=list)
    start: date
    deadline: date
    strategies: list[Strategy] = Field(default_factory=list)


_PARSED: dict[str, GoalBody] = {}


def stored_body(body: dict) -> GoalBody:
    """A goal's stored body (`goals.body`), validated once per distinct content in this process: the results
    consumer reads every goal it moves on each batch (keyed by the body's repr, which equal JSON gives equally;
    the cached object is shared, so read it, never change it)."""
    key = repr(body)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= 10_000:
            _PARSED.clear()
        parsed = _PARSED[key] = GoalBody.model_validate(body)
    return parsed


class GoalCreate(GoalBody):
    team_id: uuid.UUID | None = Field(None, description="the owner team; a team goal when given")
    parent_goal_id: uuid.UUID | None = Field(None, description="the school goal a team goal serves")


class GoalUpdate(Patch):
    """JSON merge patch of a goal: a field left out keeps its value; `baseline: null` clears the baseline;
    `null` for any other field is a 422."""

    title: str = Field(None, min_length=1, max_length=500)
    measure: Measure = None
    population: Population = None
    direction: Literal["increase", "decrease"] = None
    baseline: Baseline | None = None
    target: float = None
    interim_targets: list[InterimTarget] = None
    start: date = None
    deadline: date = None
    strategies: list[Strategy] = None


class Letter(Schema):
    letter: Literal["S", "M", "A", "R", "T"]
    passed: bool
    reasons: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class SmartCheck(Schema):
    passed: bool
    letters: list[Letter]


class GoalRead(GoalBody):
    id: uuid.UUID
    school_id: str
    team_id: uuid.UUID | None
    parent_goal_id: uuid.UUID | None = None
    level: Literal["school", "team"]
    status: str
    version: int
    value: float | None = None
    n: int = 0
    progress_status: str
    projection: float | None = None
    smart: SmartCheck | None = None


class VersionRead(GoalBody):
    version: int
    created_at: datetime


# PDSA cycles of a goal: Plan → Do → Study → Act, each step in order (a step out of order is a 422).
Phase = Literal["plan", "do", "study", "act", "closed"]
Decision = Literal["adopt", "adapt", "abandon"]


class Prediction(Schema):
    value: float = Field(description="the measure's value predicted (the goal's unit)")
    by: date = Field(description="the date the prediction is for")


class Task(Schema):
    who: str = Field(min_length=1, max_length=200)
    what: str = Field(min_length=1, max_length=2000)
    when: date | None = None


class CyclePlan(Schema):
    question: str = Field(min_length=1, max_length=2000)
    change_idea: str = Field(min_length=1, max_length=2000)
    prediction: Prediction | None = None
    tasks: list[Task] = Field(default_factory=list)


class CyclePlanUpdate(Patch):
    """JSON merge patch of a plan: `prediction: null` clears the prediction; `null` elsewhere is a 422."""

    question: str = Field(None, min_length=1, max_length=2000)
    change_idea: str = Field(None, min_length=1, max_length=2000)
    prediction: Prediction | None = None
    tasks: list[Task] = None


class CycleDo(Schema):
    started_on: date
    ended_on: date | None = None
    as_planned: bool = Field(description="was the change carried out as planned?")
    observations: str | None = Field(None, max_length=4000)


class CycleStudyCreate(Schema):
    notes: str | None = Field(None, max_length=4000)


class StudyPoint(Schema):
    on: date
    value: float | None
    n: int


class RunChartRead(Schema):
    n: int
    median: float | None
    longest_run: int
    crossings: int
    longest_run_limit: int | None
    crossings_limit: int | None
    shift: bool
    too_few_crossings: bool


class CycleStudy(Schema):
    """The cycle window's progress points (from the Do start to its end, or to now), observed vs predicted
    and Anhøj's run-chart signals over the window's points."""

    points: list[StudyPoint]
    observed: float | None
    predicted: float | None
    difference: float | None = Field(description="observed minus predicted")
    run_chart: RunChartRead
    notes: str | None = None


class CycleAct(Schema):
    decision: Decision
    rationale: str = Field(min_length=1, max_length=4000)


class CycleRead(Schema):
    id: uuid.UUID
    goal_id: uuid.UUID
    number: int = Field(description="1 for the goal's first cycle")
    phase: Phase
    plan: CyclePlan
    do: CycleDo | None = None
    study: CycleStudy | None = None
    act: CycleAct | None = None
    previous_cycle_id: uuid.UUID | None = None
    next_cycle_id: uuid.UUID | None = Field(None, description="the cycle an `adapt` opened, prefilled")
    created_at: datetime
