"""The process steps before goals, pure: the 18 critical issues a collaborative team works through, and where a
team stands on them.

The issues follow "Critical Issues for Team Consideration" (DuFour, DuFour, Eaker & Many, *Learning by Doing*,
Solution Tree), which the Missouri PLC fact sheets name as the guide of every collaborative team ("Use 18
critical issues for teams as a guide"); the wording is PLC Suite's own short form, as the reviews rubric's is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Status = Literal["not started", "in progress", "done"]
STATUSES: tuple[Status, ...] = ("not started", "in progress", "done")

CRITICAL_ISSUES: dict[int, str] = {
    1: "We have norms and protocols that say how we work together, and we keep them.",
    2: "We analyse our students' results and set SMART goals we work on together.",
    3: "We agree on the essential learnings of each unit: what every student must know and be able to do.",
    4: "Our essential learnings are aligned with state and district standards and the state tests.",
    5: "We agree on content we can drop to give the essential learnings more time.",
    6: "We agree on the order of the content and keep a common pacing guide.",
    7: "We know the prior knowledge and skills students need for each essential learning.",
    8: "We check whether students have that prior knowledge before a unit.",
    9: "We help students who lack the prior knowledge acquire it.",
    10: "We write and give frequent common formative assessments on the essential learnings.",
    11: "We agree on the proficiency each student must reach on each common formative assessment.",
    12: "We write and give common summative assessments.",
    13: "We agree on the proficiency each student must reach on each common summative assessment.",
    14: "We agree on the criteria for judging student work and apply them consistently.",
    15: "We teach students the criteria so they can judge their own work.",
    16: "We use our common results to learn from each other's strengths and improve our teaching.",
    17: "We use our common results to identify students who need more time and support, and get it to them.",
    18: "We review our norms and how well we keep them at least twice a year.",
}


def progress(statuses: Iterable[str]) -> dict[str, int]:
    """How many of the 18 issues are done and in progress (an issue without a status is not started)."""
    counts = {s: 0 for s in STATUSES}
    for status in statuses:
        counts[status] += 1
    counts["not started"] = len(CRITICAL_ISSUES) - counts["done"] - counts["in progress"]
    return counts
