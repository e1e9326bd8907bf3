"""Scoring rules, pure functions without I/O (unit-tested in tests/test_scoring.py; shared by catalog and results).

- Percent: points / max points * 100, rounded to 2 decimals.
- Performance level (Ed-Fi semantics): a level applies when `minimum <= score < maximum`; a level without a
  maximum is open-ended (the top level, so that a perfect score has a level).
- Per standard: the points of the items aligned to it when the result has item scores for them, else the
  points of the objectives aligned to it. Proficient at or above the proficiency cut, mastered at or above the
  mastery cut; the cuts are those of the aligned objective (or of the objective an aligned item belongs
  to) when it has its own, else the assessment's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Level:
    name: str
    minimum: float
    maximum: float | None = None

    def contains(self, score: float) -> bool:
        return score >= self.minimum and (self.maximum is None or score < self.maximum)


@dataclass(frozen=True)
class ObjectiveDef:
    id: str
    max_points: float
    standard_ids: tuple[str, ...] = ()
    proficiency_cut: float | None = None
    mastery_cut: float | None = None
    parent: str | None = None


@dataclass(frozen=True)
class ItemDef:
    id: str
    max_points: float
    standard_id: str | None = None
    objective: str | None = None


@dataclass(frozen=True)
class StandardInfo:
    id: str
    code: str | None = None
    essential: bool = False


@dataclass(frozen=True)
class AssessmentDef:
    """What scoring needs to know about an assessment (built once per request, shared by every row)."""

    id: str
    max_score: float
    proficiency_cut: float
    mastery_cut: float
    levels: tuple[Level, ...] = ()
    objectives: Mapping[str, ObjectiveDef] = field(default_factory=dict)
    items: Mapping[str, ItemDef] = field(default_factory=dict)
    standards: Mapping[str, StandardInfo] = field(default_factory=dict)


def percent(points: float, max_points: float) -> float:
    if max_points <= 0:
        raise ValueError("max points must be positive")
    return round(points * 100.0 / max_points, 2)


def performance_level(score: float, levels: Sequence[Level]) -> str | None:
    for level in levels:
        if level.contains(score):
            return level.name
    return None


def levels_overlap(levels: Sequence[Level]) -> str | None:
    """Why a set of levels is inconsistent (overlapping or inverted), or None when it is fine."""
    ordered = sorted(levels, key=lambda lv: lv.minimum)
    for level in ordered:
        if level.maximum is not None and level.maximum <= level.minimum:
            return f"level '{level.name}' has maximum <= minimum"
    for lower, upper in itertools.pairwise(ordered):
        if lower.maximum is None or lower.maximum > upper.minimum:
            return f"levels '{lower.name}' and '{upper.name}' overlap"
    return None


def standard_scores(
    assessment: AssessmentDef,
    objective_scores: Mapping[str, float],
    item_scores: Mapping[str, float],
    total_score: float | None = None,
) -> list[dict]:
    """Per-standard points, percent and proficient/mastered, in the shape of the event's StandardScore.
    Part scores decide; a total alone scores a standard only when the assessment measures exactly one."""
    if not objective_scores and not item_scores and total_score is not None:
        return _from_total(assessment, total_score)
    sums: dict[str, list[float]] = {}  # standard id -> [points, max, proficiency cut, mastery cut]
    from_items: set[str] = set()
    for item_id, points in item_scores.items():
        item = assessment.items[item_id]
        if item.standard_id is not None:
            objective = assessment.objectives.get(item.objective) if item.objective else None
            _accumulate(sums, item.standard_id, points, item.max_points, objective, assessment)
            from_items.add(item.standard_id)
    for objective_id, points in objective_scores.items():
        objective = assessment.objectives[objective_id]
        for standard_id in objective.standard_ids:
            if standard_id not in from_items:
                _accumulate(sums, standard_id, points, objective.max_points, objective, assessment)
    return [_standard_score(assessment, sid, *values) for sid, values in sorted(sums.items())]


def measured_standards(assessment: AssessmentDef) -> set[str]:
    return {s for o in assessment.objectives.values() for s in o.standard_ids} | {
        i.standard_id for i in assessment.items.values() if i.standard_id is not None
    }


def _from_total(assessment: AssessmentDef, total: float) -> list[dict]:
    """A common formative assessment often targets one essential standard and teams record only the total:
    that total is the student's score on the standard (against the assessment's cuts), so the student can be
    flagged for support or enrichment. With several standards a total cannot be apportioned: none."""
    measured = measured_standards(assessment)
    if len(measured) != 1:
        return []
    (standard_id,) = measured
    return [
        _standard_score(
            assessment,
            standard_id,
            total,
            assessment.max_score,
            assessment.proficiency_cut,
            assessment.mastery_cut,
            False,
        )
    ]


def _accumulate(
    sums: dict[str, list[float]],
    standard_id: str,
    points: float,
    max_points: float,
    objective: ObjectiveDef | None,
    assessment: AssessmentDef,
) -> None:
    entry = sums.setdefault(
        standard_id, [0.0, 0.0, assessment.proficiency_cut, assessment.mastery_cut, False]
    )
    entry[0] += points
    entry[1] += max_points
    if objective is not None and not entry[4] and objective.proficiency_cut is not None:
        entry[2] = objective.proficiency_cut
        entry[3] = objective.mastery_cut if objective.mastery_cut is not None else entry[3]
        entry[4] = True  # the first aligned objective with its own cuts decides


def _standard_score(
    assessment: AssessmentDef,
    standard_id: str,
    points: float,
    max_points: float,
    proficiency_cut: float,
    mastery_cut: float,
    _own_cut: bool,
) -> dict:
    info = assessment.standards.get(standard_id) or StandardInfo(standard_id)
    pct = percent(points, max_points)
    return {
        "standard_id": standard_id,
        "code": info.code,
        "essential": info.essential,
        "points": points,
        "max_points": max_points,
        "percent": pct,
        "proficiency_cut": proficiency_cut,
        "mastery_cut": mastery_cut,
        "proficient": pct >= proficiency_cut,
        "mastered": pct >= mastery_cut,
    }


def check_score(value: object, max_points: float) -> tuple[float | None, str | None]:
    """(score, None) for a number within 0..max_points (numeric strings accepted, as CSV sends them),
    else (None, reason)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, f"score {value!r} is not numeric"
    try:
        score = float(value)
    except ValueError:
        return None, f"score {value!r} is not numeric"
    if not math.isfinite(score):
        return None, f"score {value!r} is not a finite number"
    if not 0 <= score <= max_points:
        return None, f"score {score:g} is outside 0..{max_points:g}"
    return score, None
