"""Line items as assessments, pure: the cuts and performance levels a OneRoster line item gets (from its score
scale or its resultValue range). Used by the catalog when the CSV import or the gradebook binding creates one.

- Cuts: from the line item's score scale when it names a proficient / advanced level (scale_levels), else 70 %
  and 90 % of the way from resultValueMin (default 0) to resultValueMax, as percent of the maximum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SCORE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*\d+(?:\.\d+)?)?\s*$")  # `3` or a range `80-89`
PROFICIENT_NAMES = ("proficien", "meets", "on track", "at standard", "secure")
MASTERY_NAMES = ("advanced", "exceed", "master", "distinguish", "exemplary")
NEGATIVE_NAMES = ("not ", "non", "below", "partial", "approach", "un", "basic")
DEFAULT_PROFICIENCY_CUT, DEFAULT_MASTERY_CUT = 70.0, 90.0
DESCRIPTIVE = (
    "title",
    "description",
    "class_id",
    "category_id",
    "grading_period_id",
    "assign_date",
    "due_date",
    "result_value_min",
    "score_scale_id",
    "source_modified_at",
)


@dataclass
class LineItem:
    sourced_id: str
    title: str
    kind: str
    max_score: float
    fields: dict[str, Any] = field(default_factory=dict)  # DESCRIPTIVE columns besides the title
    objectives: list[tuple[str, str]] = field(default_factory=list)  # (source, learningObjectiveId)
    scale: list[dict[str, str]] | None = None  # the score scale's values, when it has one


def default_cuts(minimum: float | None, maximum: float) -> tuple[float, float]:
    low = minimum or 0.0
    return tuple(round((low + share * (maximum - low)) * 100.0 / maximum, 2) for share in (0.7, 0.9))  # type: ignore[return-value]


def cuts_and_levels(item: LineItem) -> tuple[list[dict], float, float, str | None]:
    """(levels, proficiency cut, mastery cut, why the scale was not used)."""
    proficiency, mastery = default_cuts(item.fields.get("result_value_min"), item.max_score)
    if not item.scale:
        return [], proficiency, mastery, None
    try:
        levels, named_p, named_m = scale_levels(item.scale, item.max_score)
    except ValueError as exc:
        return [], proficiency, mastery, f"score scale not used ({exc}); default cuts"
    proficiency = named_p if named_p is not None else proficiency
    mastery = max(named_m if named_m is not None else mastery, proficiency)
    return levels, proficiency, mastery, None


def scale_levels(
    values: list[dict[str, str]], max_score: float
) -> tuple[list[dict], float | None, float | None]:
    """(performance levels, proficiency cut, mastery cut) from a score scale whose itemValueLHS are scores on
    the line item's scale (`3`, or a range `80-89` whose lower end counts). Each value becomes a level from its
    score up to the next one (the top one open-ended); the lowest level named like "Proficient" / "Meets" sets
    the proficiency cut and the lowest named like "Advanced" / "Exceeds" / "Mastered" the mastery cut, as
    percent of the maximum. A cut the scale does not name is None (the caller's default applies).
    ValueError when the scale is not numeric or does not fit 0..max_score."""
    lows = []
    for v in values:
        match = _SCORE.match(v["itemValueLHS"])
        if match is None:
            raise ValueError(f"itemValueLHS '{v['itemValueLHS']}' is not a score or a score range")
        low = float(match.group(1))
        if low > max_score:
            raise ValueError(f"itemValueLHS '{v['itemValueLHS']}' is above the maximum {max_score:g}")
        lows.append((low, v["itemValueRHS"]))
    lows.sort()
    if len({low for low, _ in lows}) != len(lows):
        raise ValueError("two values start at the same score")
    levels = [
        {"name": name, "min": low, "max": lows[i + 1][0] if i + 1 < len(lows) else None}
        for i, (low, name) in enumerate(lows)
    ]
    proficiency = _first_named(lows, PROFICIENT_NAMES, max_score)
    mastery = _first_named(lows, MASTERY_NAMES, max_score)
    if proficiency is not None and mastery is not None and mastery < proficiency:
        mastery = None
    return levels, proficiency, mastery


def _first_named(lows: list[tuple[float, str]], names: tuple[str, ...], max_score: float) -> float | None:
    for low, label in lows:
        text = label.lower()
        if any(n in text for n in names) and not any(text.startswith(n) for n in NEGATIVE_NAMES):
            return round(low * 100.0 / max_score, 2)
    return None
