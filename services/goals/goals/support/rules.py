"""The support-exit measure, pure: "percent of students flagged for support who exited or were resolved".

Each student's latest state of support (from the interventions' flag events) is kept once per student: their
support flags (raised on, resolved on) and their exits from interventions. A goal counts a student of its
school (and grades) when a support flag was raised for them in the goal's window (start..deadline): in the
numerator when, by the deadline, every such flag was resolved or the student exited an intervention on or
after the last of them was raised. A flag event moves a goal by the difference it makes to that student's
contribution (as result events do for the other measures), so a goal is never recomputed over all flags.
"""

from __future__ import annotations

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


def to_json(state: State) -> tuple[dict, dict]:
    flags = {k: [d.isoformat() if d else None for d in v] for k, v in state.flags.items()}
    return flags, {k: v.isoformat() for k, v in state.exits.items()}


def from_json(student_id: str, school_id: str, flags: dict, exits: dict) -> State:
    return State(
        student_id, school_id,
        {k: [date.fromisoformat(d) if d else None for d in v] for k, v in flags.items()},
        {k: date.fromisoformat(v) for k, v in exits.items()},
    )  # fmt: skip
