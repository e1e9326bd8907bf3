"""The support-exit measure, pure: "percent of students flagged for support who exited or were resolved".

Each student's latest state of support (from the interventions' flag events) is kept once per student: their
support flags (raised on, resolved on) and their exits from interventions. A goal counts a student of its
school (and grades) when a support flag was raised for them in the goal's window (start..deadline): in the
numerator when, by the deadline, every such flag was resolved or the student exited an intervention on or
after the last of them was raised. A flag event moves a goal by the difference it makes to that student's
contribution (as result events do for the other measures), so a goal is never recomputed over all flags.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from goals.progress.rules import Spec

KIND = "support_exit"


@dataclass
class State:
    """One student's support: flag id → [raised on, resolved on | None]; assignment id → exited on."""

    student_id: str
    school_id: str
    flags: dict[str, list[date | None]] = field(default_factory=dict)
    exits: dict[str, date] = field(default_factory=dict)


def flagged(state: State, flag_id: str, on: date) -> None:
    state.flags.setdefault(flag_id, [on, None])[0] = on


def resolved(state: State, flag_id: str, on: date) -> None:
    """A flag closed (a resolution seen before its raise keeps the raise date unknown until it arrives)."""
    state.flags.setdefault(flag_id, [None, None])[1] = on


def exited(state: State, assignment_id: str, on: date) -> None:
    state.exits[assignment_id] = on


def contribution(spec: Spec, state: State, grades: frozenset[str] = frozenset()) -> tuple[float, int]:
    """(numerator, denominator) of one student for a support-exit goal."""
    if state.school_id != spec.school_id or (spec.grades and not spec.grades & grades):
        return 0.0, 0
    raised = [
        (on, done)
        for on, done in state.flags.values()
        if on is not None and spec.start <= on <= spec.deadline
    ]
    if not raised:
        return 0.0, 0
    last = max(on for on, _ in raised)
    all_resolved = all(done is not None and done <= spec.deadline for _, done in raised)
    left = any(last <= on <= spec.deadline for on in state.exits.values())
    return (1.0 if all_resolved or left else 0.0), 1


def as_of(state: State, on: date) -> State:
    """The state as it stood on `on`: flags raised by then (a resolution only if it came by then), exits by then."""
    flags = {
        k: [raised, done if done is not None and done <= on else None]
        for k, (raised, done) in state.flags.items()
        if raised is not None and raised <= on
    }
    return State(state.student_id, state.school_id, flags, {k: d for k, d in state.exits.items() if d <= on})


def student_points(
    spec: Spec, state: State, grades: frozenset[str] = frozenset()
) -> tuple[dict[date, tuple[float, int]], Counter]:
    """A student's contribution as it stood on each day of the goal's window on which they had a support flag
    raised or resolved or left an intervention, and how many such events each day holds (points.rules)."""
    if state.school_id != spec.school_id or (spec.grades and not spec.grades & grades):
        return {}, Counter()
    dated = [d for raised, done in state.flags.values() for d in (raised, done)] + list(state.exits.values())
    days = Counter(d for d in dated if d is not None and spec.start <= d <= spec.deadline)
    return {on: contribution(spec, as_of(state, on), grades) for on in sorted(days)}, days


def to_json(state: State) -> tuple[dict, dict]:
    flags = {k: [d.isoformat() if d else None for d in v] for k, v in state.flags.items()}
    return flags, {k: v.isoformat() for k, v in state.exits.items()}


def from_json(student_id: str, school_id: str, flags: dict, exits: dict) -> State:
    return State(
        student_id, school_id,
        {k: [date.fromisoformat(d) if d else None for d in v] for k, v in flags.items()},
        {k: date.fromisoformat(v) for k, v in exits.items()},
    )  # fmt: skip
