"""The SMART check, pure: one verdict per letter with its reasons (a draft may fail; activation may not)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from goals.plans.schemas import GoalBody, Letter, SmartCheck

TEAM_MAX_DAYS = 366  # a team goal spans at most one school year
SCHOOL_MAX_DAYS = 3 * 366  # a school goal at most three


@dataclass(frozen=True)
class Context:
    """What the check knows beyond the goal: the district's assessments and standards, whether the goal
    is a team goal linked to an existing school goal, and the largest gain the data has shown."""

    level: str  # school | team
    linked_to_school_goal: bool = False
    assessments: frozenset[str] = frozenset()
    standards: frozenset[str] = frozenset()
    largest_gain: float | None = None
    extra: dict = field(default_factory=dict)


def smart(goal: GoalBody, ctx: Context) -> SmartCheck:
    letters = [
        _letter("S", _specific(goal, ctx)),
        _letter("M", _measurable(goal, ctx)),
        _letter("A", *_attainable(goal, ctx)),
        _letter("R", _results(goal)),
        _letter("T", _time_bound(goal, ctx)),
    ]
    return SmartCheck(passed=all(letter.passed for letter in letters), letters=letters)


def _letter(name: str, reasons: list[str], warnings: list[str] | None = None) -> Letter:
    return Letter(letter=name, passed=not reasons, reasons=reasons, warnings=warnings or [])


def _specific(goal: GoalBody, ctx: Context) -> list[str]:
    out, m, p = [], goal.measure, goal.population
    if p.kind == "grades" and not p.grades:
        out.append("population: the grades are not named")
    if p.kind == "classes" and not p.class_ids:
        out.append("population: the classes are not named")
    if p.kind == "team" and ctx.level != "team":
        out.append("population: a team's classes is a population of team goals only")
    if m.kind == "process" and not m.description:
        out.append("measure: not defined")
    if ctx.level == "team" and not ctx.linked_to_school_goal:
        out.append("parent_goal_id: a team goal names the school goal it serves")
    return out


def _measurable(goal: GoalBody, ctx: Context) -> list[str]:
    m = goal.measure
    if m.kind == "process":
        return ["measure: an activity, not a number computable from results"]
    if m.kind == "support_exit":  # the flag events carry a student's school, not their classes
        if goal.population.kind not in ("school", "grades"):
            return ["population: a support-exit goal counts a school or grades (flags carry no classes)"]
        return []
    if m.kind == "growth":
        out = [
            f"measure.{f}: unknown assessment {getattr(m, f)!r}"
            for f in ("pre_assessment_id", "post_assessment_id")
            if getattr(m, f) not in ctx.assessments
        ]
        if m.min_growth is None:
            out.append("measure.min_growth: the growth in points is not given")
        return out
    if (m.assessment_id is None) == (m.standard_id is None):
        return ["measure: name an assessment or a standard (one of them)"]
    if m.assessment_id is not None and m.assessment_id not in ctx.assessments:
        return [f"measure.assessment_id: unknown assessment {m.assessment_id!r}"]
    if m.standard_id is not None and m.standard_id not in ctx.standards:
        return [f"measure.standard_id: unknown standard {m.standard_id!r}"]
    return []


def _attainable(goal: GoalBody, ctx: Context) -> tuple[list[str], list[str]]:
    base = goal.baseline.value if goal.baseline else None
    if base is None:
        return ["baseline: no current reality to measure the target against"], []
    up = goal.direction == "increase"
    if (goal.target <= base) if up else (goal.target >= base):
        return [f"target: {goal.target:g} is not better than the baseline {base:g}"], []
    warnings = []
    if goal.target >= 100 and goal.measure.kind != "average":
        warnings.append("target: 100 % leaves no room for a single student")
    gain = abs(goal.target - base)
    if ctx.largest_gain is not None and gain > ctx.largest_gain:
        warnings.append(
            f"target: a gain of {gain:g} is above the largest the data has shown ({ctx.largest_gain:g})"
        )
    return [], warnings


def _results(goal: GoalBody) -> list[str]:
    if goal.measure.kind == "process":
        return ["measure: an adult activity is a process goal, not a student-learning result"]
    return []


def _time_bound(goal: GoalBody, ctx: Context) -> list[str]:
    if goal.deadline <= goal.start:
        return [f"deadline: {goal.deadline} is not after the start {goal.start}"]
    limit = TEAM_MAX_DAYS if ctx.level == "team" else SCHOOL_MAX_DAYS
    if (goal.deadline - goal.start).days > limit:
        years = "one school year" if ctx.level == "team" else "three school years"
        return [f"deadline: a {ctx.level} goal spans at most {years}"]
    return []


def span_days(start: date, deadline: date) -> int:
    return (deadline - start).days
