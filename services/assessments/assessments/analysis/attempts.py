"""Each student once: a student's live attempts on one assessment, and which of them counts for each figure
(pure). The rule is `plc_shared.counting`, the same interventions, goals and reviews apply: per figure, the
latest live attempt that scored it (by assessment date, then attempt number; `exempt` never scores)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from plc_shared import counting


@dataclass(frozen=True)
class ResultRow:
    """One live (not voided) result: one attempt of one student."""

    student_id: str
    school_id: str
    class_ids: tuple[str, ...]
    percent: float | None
    level: str | None
    standards: tuple[dict[str, Any], ...]
    items: Mapping[str, float]
    attempt: int = 1
    assessed_on: date = date.min
    score_status: str = "fully graded"
    result_id: uuid.UUID = field(default_factory=lambda: uuid.UUID(int=0))

    @property
    def order(self) -> tuple[date, int, int]:
        return counting.order(self.assessed_on, self.attempt, self.result_id)


@dataclass
class Student:
    """One student's attempts (oldest first, by the rule's order) and the attempt that counts per figure."""

    student_id: str
    attempts: list[ResultRow]
    overall: ResultRow | None = None  # percent, level, distribution, classes, teachers
    standards: dict[str, tuple[ResultRow, dict[str, Any]]] = field(default_factory=dict)
    items: dict[str, float] = field(default_factory=dict)

    @property
    def school_id(self) -> str:
        return (self.overall or self.attempts[-1]).school_id

    @property
    def class_ids(self) -> tuple[str, ...]:
        return (self.overall or self.attempts[-1]).class_ids


def students(rows: Iterable[ResultRow]) -> list[Student]:
    """Every student with a live result, once, by student id."""
    by_student: dict[str, list[ResultRow]] = defaultdict(list)
    for row in rows:
        by_student[row.student_id].append(row)
    return [_counted(sid, attempts) for sid, attempts in sorted(by_student.items())]


def _counted(student_id: str, attempts: list[ResultRow]) -> Student:
    """Walking the attempts oldest first, a later attempt that scored a figure replaces the earlier one for
    that figure: what is left is, per figure, the latest attempt that scored it (`counting.latest`)."""
    attempts.sort(key=lambda r: r.order)
    student = Student(student_id, attempts)
    for row in attempts:
        if row.score_status in counting.NOT_COUNTED_STATUSES:
            continue  # exempt: counted as a result, never as a score
        if row.percent is not None:
            student.overall = row
        for score in row.standards:
            student.standards[score["standard_id"]] = (row, score)
        student.items.update(row.items)
    return student


def attempt_view(row: ResultRow) -> dict[str, Any]:
    return {
        "attempt": row.attempt,
        "assessed_on": row.assessed_on,
        "score_status": row.score_status,
        "percent": row.percent,
        "performance_level": row.level,
    }


def student_view(student: Student) -> dict[str, Any]:
    """What the data meeting shows of one student: the figures that count, and every attempt behind them."""
    overall = student.overall
    return {
        "student_id": student.student_id,
        "school_id": student.school_id,
        "class_ids": list(student.class_ids),
        "attempts": len(student.attempts),
        "counted_attempt": overall.attempt if overall else None,
        "percent": overall.percent if overall else None,
        "performance_level": overall.level if overall else None,
        "standards": [
            {
                "standard_id": sid,
                "attempt": row.attempt,
                **{k: score.get(k) for k in ("points", "max_points", "percent", "proficient", "mastered")},
            }
            for sid, (row, score) in sorted(student.standards.items())
        ],
        "history": [attempt_view(r) for r in student.attempts],
    }
