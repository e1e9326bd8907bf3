"""Progress of a goal, pure: what a result contributes to a goal's measure, a student's contribution from
their entries, the value, the expected value on the aimline, the status and the OLS projection (the web app
draws the chart from `GET /goals/v1/goals/{id}/progress`).

A goal's value is numerator / denominator over students: each student contributes (numerator, 1) from their
latest entries, so an event moves the sums by the difference between the student's contribution before and
after it (O(goals touched); corrections and voids move the value back by the same difference).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from plc_shared import counting

PERCENT_KINDS = frozenset({"proficient", "growth", "support_exit"})


@dataclass(frozen=True)
class Thresholds:
    """Share of the expected gain: at or above `on_track` is on track, at or above `at_risk` at risk."""

    on_track: float = 0.9
    at_risk: float = 0.7


def threshold_errors(on_track: float, at_risk: float) -> list[tuple[str, str]]:
    """(field, why) for thresholds a district may not set: they must satisfy 0 < at_risk < on_track <= 1."""
    errors = []
    if not (0 < on_track <= 1):
        errors.append(("on_track", f"{on_track:g} is not in (0, 1]"))
    if not (0 < at_risk < 1):
        errors.append(("at_risk", f"{at_risk:g} is not in (0, 1)"))
    elif at_risk >= on_track:
        errors.append(("at_risk", f"{at_risk:g} is not below on_track {on_track:g}"))
    return errors


@dataclass(frozen=True)
class Spec:
    """What a goal's measure matches in a result event (built from the goal's current version)."""

    goal_id: uuid.UUID
    kind: str  # proficient | average | growth
    start: date
    deadline: date
    school_id: str
    assessment_id: str | None = None
    standard_id: str | None = None
    pre_assessment_id: str | None = None
    post_assessment_id: str | None = None
    min_growth: float = 0.0
    class_ids: frozenset[str] = frozenset()  # empty: any class
    grades: frozenset[str] = frozenset()  # empty: any grade


@dataclass(frozen=True)
class Fact:
    """A result's latest revision, as the events carry it (percent None: not scored, e.g. exempt)."""

    result_id: uuid.UUID
    revision: int
    student_id: str
    school_id: str
    class_ids: tuple[str, ...]
    assessment_id: str
    attempt: int
    assessed_on: date
    percent: float | None
    cut: float | None
    standards: dict[str, tuple[float, float]] = field(default_factory=dict)  # id → (percent, cut)
    voided: bool = False


@dataclass
class Entry:
    result_id: uuid.UUID
    revision: int
    role: str | None  # score | pre | post | None (counts for nothing: voided, out of window, not scored)
    assessed_on: date
    attempt: int
    percent: float | None
    cut: float | None

    @property
    def order(self) -> tuple:
        """The counting rule's order (plc_shared.counting): assessment date, then attempt, then result id."""
        return counting.order(self.assessed_on, self.attempt, self.result_id)


def entry_for(spec: Spec, fact: Fact, grades: frozenset[str] = frozenset()) -> Entry:
    """What `fact` contributes to the goal (role None when nothing)."""
    role, percent, cut = part(spec, fact, grades)
    return Entry(fact.result_id, fact.revision, role, fact.assessed_on, fact.attempt, percent, cut)


def part(spec: Spec, fact: Fact, grades: frozenset[str]) -> tuple[str | None, float | None, float | None]:
    """(role, percent, cut) of the fact in the goal (role None: it counts for nothing)."""
    if fact.voided or not (spec.start <= fact.assessed_on <= spec.deadline):
        return None, None, None
    if fact.school_id != spec.school_id or (
        spec.class_ids and not spec.class_ids.intersection(fact.class_ids)
    ):
        return None, None, None
    if spec.grades and not spec.grades & grades:
        return None, None, None
    if spec.kind == "growth":
        if fact.percent is None:
            return None, None, None
        if fact.assessment_id == spec.pre_assessment_id:
            return "pre", fact.percent, None
        if fact.assessment_id == spec.post_assessment_id:
            return "post", fact.percent, None
        return None, None, None
    if spec.standard_id is not None:
        if spec.standard_id not in fact.standards:
            return None, None, None
        percent, cut = fact.standards[spec.standard_id]
        return "score", percent, cut
    if fact.assessment_id != spec.assessment_id or fact.percent is None:
        return None, None, None
    return "score", fact.percent, fact.cut


def relevant(spec: Spec, fact: Fact) -> bool:
    """Could the fact count for this goal (cheap pre-filter on what the goal is matched on)?"""
    if spec.kind == "growth":
        return fact.assessment_id in (spec.pre_assessment_id, spec.post_assessment_id)
    if spec.standard_id is not None:
        return spec.standard_id in fact.standards
    return fact.assessment_id == spec.assessment_id


def contribution(spec: Spec, entries: list[Entry]) -> tuple[float, int]:
    """(numerator, denominator) of one student from their entries for the goal."""
    if spec.kind == "growth":
        pre = _latest([e for e in entries if e.role == "pre"])
        return counted(spec, pre, _latest([e for e in entries if e.role == "post"]))
    return counted(spec, _latest([e for e in entries if e.role == "score"]))


def counted(spec: Spec, latest: Entry | None, post: Entry | None = None) -> tuple[float, int]:
    """(numerator, denominator) of one student from the entries that count: the latest score, or for a growth
    goal the latest pre and post entries."""
    if spec.kind == "growth":
        if latest is None or post is None:
            return 0.0, 0
        return (1.0 if post.percent - latest.percent >= spec.min_growth else 0.0), 1
    if latest is None:
        return 0.0, 0
    if spec.kind == "average":
        return float(latest.percent), 1
    return (1.0 if latest.percent >= latest.cut else 0.0), 1


def _latest(entries: list[Entry]) -> Entry | None:
    """The entry that counts: the latest of the student's scored ones (voided and unscored ones have no role)."""
    return counting.latest(entries, key=lambda e: e.order)


def student_points(spec: Spec, entries: list[Entry]) -> tuple[dict[date, tuple[float, int]], dict[date, int]]:
    """One student's contribution as it stood on each date of their counting entries (as of that date: the
    entries assessed up to it), and how many entries each date holds (progress.points). One pass over the
    entries in the counting rule's order: as of a date, the latest entry of each role is the last one seen (the
    order starts with the date), and those are the entries that count."""
    timeline: dict[date, tuple[float, int]] = {}
    per_day: dict[date, int] = {}
    latest: dict[str | None, Entry] = {}
    first, second = ("pre", "post") if spec.kind == "growth" else ("score", None)
    for e in sorted((e for e in entries if e.role is not None), key=_order):
        latest[e.role] = e
        on = e.assessed_on
        per_day[on] = per_day.get(on, 0) + 1
        timeline[on] = counted(spec, latest.get(first), latest.get(second))
    return timeline, per_day


def _order(e: Entry) -> tuple:
    return e.order


def value(kind: str, numerator: float, denominator: int) -> float | None:
    if denominator == 0:
        return None
    share = numerator / denominator
    return 100.0 * share if kind in PERCENT_KINDS else share


def expected(baseline: float, target: float, start: date, deadline: date, on: date) -> float:
    """The aimline: baseline at the start, target at the deadline, straight in between."""
    span = (deadline - start).days or 1
    t = min(max((on - start).days / span, 0.0), 1.0)
    return baseline + (target - baseline) * t


def reached(value_: float | None, target: float, direction: str) -> bool:
    if value_ is None:
        return False
    return value_ >= target if direction == "increase" else value_ <= target


def status(
    points: list[tuple[date, float | None]],
    *,
    baseline: float,
    target: float,
    start: date,
    deadline: date,
    direction: str = "increase",
    today: date,
    thresholds: Thresholds = Thresholds(),
) -> str:
    """`achieved`/`missed` after the deadline; before it, the actual gain as a share of the expected gain
    at the last point (fewer than 3 points: insufficient data, unless the last already reaches the target)."""
    known = [(d, v) for d, v in points if v is not None]
    last = known[-1] if known else None
    return status_of(len(known), last, baseline, target, start, deadline, direction, today, thresholds)


def status_of(
    count: int,
    last: tuple[date, float] | None,
    baseline: float,
    target: float,
    start: date,
    deadline: date,
    direction: str,
    today: date,
    thresholds: Thresholds = Thresholds(),
) -> str:
    if today > deadline:
        return "achieved" if last is not None and reached(last[1], target, direction) else "missed"
    if last is not None and reached(last[1], target, direction):
        return "on track"  # at the target already: no trend is needed to say so (even from 1 or 2 points)
    if count < 3 or last is None:
        return "insufficient data"
    on, actual = last
    expected_gain = expected(baseline, target, start, deadline, on) - baseline
    actual_gain = actual - baseline
    if expected_gain == 0:
        share = 1.0 if actual_gain * (1 if direction == "increase" else -1) >= 0 else 0.0
    else:
        share = actual_gain / expected_gain
    if share >= thresholds.on_track:
        return "on track"
    return "at risk" if share >= thresholds.at_risk else "off track"


def projection(points: list[tuple[date, float | None]], deadline: date) -> float | None:
    """Ordinary least squares over the points (day number → value), evaluated at the deadline."""
    known = [(d.toordinal(), v) for d, v in points if v is not None]
    if len(known) < 2:
        return None
    n = len(known)
    mx = sum(x for x, _ in known) / n
    my = sum(y for _, y in known) / n
    sxx = sum((x - mx) ** 2 for x, _ in known)
    if sxx == 0:
        return my
    slope = sum((x - mx) * (y - my) for x, y in known) / sxx
    return my + slope * (deadline.toordinal() - mx)
