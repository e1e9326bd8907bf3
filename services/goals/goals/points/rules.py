"""Progress points, pure: what a point is, and how a batch's changes move every point they touch.

**A progress point** is the goal's measure as it stood on one date: over the results counting for the goal
that were assessed on or before that date (each at its latest revision, voids dropped, and per student the
result the counting rule picks among those — `plc_shared.counting`). There is a point on every date on which a
result counting for the goal was assessed (support-exit goals: a day on which a student of the goal had a
support flag raised or resolved, or left an intervention), so a point is dated by `assessed_on`, never by
when the result arrived. A point has no value while no student is measured yet as of its date (a growth goal
with pre-tests only): it is listed, never counted.

Stored as changes: the row of a date holds how much that date changes the goal's numerator and denominator
(`dnum`, `dden`) and how many results (flag events) it holds (`entries`); a point's value is the running sum of
the changes up to its date. A student's contribution is a step function of the date (it changes on the dates
of their own results), so a result written, corrected — back-dated too — or voided changes the rows of that
student's dates only, and thereby every point from the earliest date it touches on: nothing else is read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

Changes = dict[date, list]  # date → [dnum, dden, dentries]


def steps(timeline: Mapping[date, tuple[float, int]]) -> dict[date, tuple[float, int]]:
    """The changes of a step function given as its value on each of its dates (zero before the first)."""
    out, num, den = {}, 0.0, 0
    for on in sorted(timeline):
        n, d = timeline[on]
        out[on] = (n - num, d - den)
        num, den = n, d
    return out


def add_student(
    changes: Changes,
    before: tuple[Mapping[date, tuple[float, int]], Counter],
    after: tuple[Mapping[date, tuple[float, int]], Counter],
) -> None:
    """Add to a goal's `changes` what one student's change does: their steps and entries after minus before."""
    (timeline_0, entries_0), (timeline_1, entries_1) = before, after
    for sign, timeline, entries in ((-1, timeline_0, entries_0), (1, timeline_1, entries_1)):
        for on, (dn, dd) in steps(timeline).items():
            row = changes.setdefault(on, [0.0, 0, 0])
            row[0] += sign * dn
            row[1] += sign * dd
        for on, n in entries.items():
            changes.setdefault(on, [0.0, 0, 0])[2] += sign * n


def nonzero(changes: Changes) -> Changes:
    return {on: row for on, row in changes.items() if row[0] or row[1] or row[2]}


def series(
    rows: Sequence[tuple[date, float, int, int]], value: Callable[[float, int], float | None]
) -> list[tuple[date, float | None, int, int]]:
    """(on, value, n, version) per point from the rows' running sums (on, cumulative num, cumulative den,
    version), as the repository reads them: a point without students measured has no value."""
    return [(on, value(round(num, 9), den) if den > 0 else None, den, v) for on, num, den, v in rows]


def summary(points: Sequence[tuple[date, Any, int, int]]) -> tuple[int, tuple[date, float] | None]:
    """What the status reads of a series: the number of points with a value and the last of them."""
    known = [(on, v) for on, v, *_ in points if v is not None]
    return len(known), (known[-1] if known else None)
