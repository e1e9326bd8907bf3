"""Which of a student's results counts: the one rule every service that derives a figure from results applies
(the data meeting's analysis in assessments, flags in interventions, goal progress in goals, evidence and
achievement in reviews), so every screen shows the same number for the same student.

A student may have several results on one assessment (attempts: a retake is attempt 2). For every figure — an
assessment's overall percent and level, one standard's score, one item's points — each student counts ONCE,
with the **latest live attempt that scored that figure**:

- *live*: not voided. Voiding the attempt that counts brings back the one before it; voiding every attempt
  takes the student out of the figure.
- *scored that figure*: the result carries a value for it (a percent; a score on that standard; points on that
  item) and its `score_status` is not `exempt` (an exempt student is excused: whatever score came with it never
  counts). So a retake that re-tested only some standards replaces the earlier attempt on those standards
  only, and a retake without a score yet (not submitted, submitted and awaiting grading, exempt) leaves the
  earlier score counting.
- *latest*: the later `assessed_on`; on the same date the higher `attempt`; then the higher result id (only
  results of different assessments can tie on both — one standard measured by two assessments on one day —
  and result ids are time-ordered UUIDs, so that is the one first recorded later).

Corrections never reorder: a correction (`result.corrected`, a higher `revision`) changes a result's scores in
place but keeps its attempt, so correcting an older attempt after a newer one exists changes nothing that
counts — unless the correction moves the attempt's `assessed_on` past the newer one's. When a result was
recorded or corrected plays no part: re-sending or correcting a result never changes which one counts.

Every input of the rule travels in the result events (`attempt`, `assessed_on`, `result_id`, `score_status`,
the scores, and the void), so each service applies it on its own copy of the facts, never another's tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

T = TypeVar("T")

# Score statuses whose scores never count (the student was excused from the assessment).
NOT_COUNTED_STATUSES = frozenset({"exempt"})


def order(assessed_on: date, attempt: int, result_id: uuid.UUID) -> tuple[date, int, int]:
    """The sort key of the rule: the maximum is the latest (`result_id.int` orders as its text does)."""
    return (assessed_on, attempt, result_id.int)


def scores(score_status: str | None, value: object) -> bool:
    """Does a live result with this status score a figure for which it carries `value` (None: no value)?"""
    return value is not None and score_status not in NOT_COUNTED_STATUSES


def latest(candidates: Iterable[T], key: Callable[[T], tuple]) -> T | None:
    """The candidate that counts among live results that scored the figure (None when there is none)."""
    return max(candidates, key=key, default=None)
