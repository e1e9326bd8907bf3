"""The data-meeting view of one assessment, computed from its live results (pure: rows in, numbers out).

Shares are percentages of the students with a score (exempt / not submitted results are counted, not scored).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResultRow:
    student_id: str
    school_id: str
    class_ids: tuple[str, ...]
    percent: float | None
    level: str | None
    standards: tuple[dict[str, Any], ...]
    items: Mapping[str, float]


def share(part: int, whole: int) -> float | None:
    return round(part * 100.0 / whole, 1) if whole else None


def analyse(
    rows: list[ResultRow],
    *,
    proficiency_cut: float,
    mastery_cut: float,
    levels: list[str],
    items: Mapping[str, tuple[float, str | None]],
    teachers: Mapping[str, list[str]],
    with_students: bool,
) -> dict[str, Any]:
    scored = [r for r in rows if r.percent is not None]
    percents = [r.percent for r in scored]
    return {
        "results": len(rows),
        "scored": len(scored),
        "distribution": _distribution(percents),
        "percent_proficient": share(sum(p >= proficiency_cut for p in percents), len(scored)),
        "percent_mastered": share(sum(p >= mastery_cut for p in percents), len(scored)),
        "levels": [
            {"level": name, "students": n, "percent": share(n, len(scored))}
            for name, n in ((name, sum(r.level == name for r in scored)) for name in levels)
        ],
        "standards": _standards(scored),
        "classes": _classes(scored, proficiency_cut, teachers),
        "teachers": _teachers(scored, proficiency_cut, teachers),
        "items": _items(scored, items),
        "below_cut": _below_cut(scored, with_students),
    }


def _distribution(percents: list[float]) -> dict[str, Any]:
    bins = [0] * 10
    for p in percents:
        bins[min(int(p // 10), 9)] += 1
    return {
        "bins": [{"from": i * 10, "to": i * 10 + 10, "students": n} for i, n in enumerate(bins)],
        "mean": round(statistics.fmean(percents), 2) if percents else None,
        "median": round(statistics.median(percents), 2) if percents else None,
        "min": min(percents, default=None),
        "max": max(percents, default=None),
    }


def _standards(scored: list[ResultRow]) -> list[dict[str, Any]]:
    by_standard: dict[str, list[dict]] = defaultdict(list)
    for r in scored:
        for s in r.standards:
            by_standard[s["standard_id"]].append(s)
    return [
        {
            "standard_id": sid,
            "code": scores[0]["code"],
            "essential": scores[0]["essential"],
            "students": len(scores),
            "mean_percent": round(statistics.fmean(s["percent"] for s in scores), 2),
            "percent_proficient": share(sum(s["proficient"] for s in scores), len(scores)),
            "percent_mastered": share(sum(s["mastered"] for s in scores), len(scores)),
        }
        for sid, scores in sorted(by_standard.items())
    ]


def _classes(scored: list[ResultRow], cut: float, teachers: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    by_class: dict[str, list[float]] = defaultdict(list)
    for r in scored:
        for class_id in r.class_ids:
            by_class[class_id].append(r.percent)  # type: ignore[arg-type]
    return [
        {
            "class_id": class_id,
            "teacher_ids": teachers.get(class_id, []),
            "students": len(ps),
            "mean_percent": round(statistics.fmean(ps), 2),
            "percent_proficient": share(sum(p >= cut for p in ps), len(ps)),
        }
        for class_id, ps in sorted(by_class.items())
    ]


def _teachers(scored: list[ResultRow], cut: float, teachers: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """One common assessment compared across teachers (a student counts once per teacher)."""
    by_teacher: dict[str, dict[str, float]] = defaultdict(dict)
    for r in scored:
        for class_id in r.class_ids:
            for teacher_id in teachers.get(class_id, []):
                by_teacher[teacher_id][r.student_id] = r.percent  # type: ignore[assignment]
    return [
        {
            "teacher_id": teacher_id,
            "students": len(ps),
            "mean_percent": round(statistics.fmean(ps.values()), 2),
            "percent_proficient": share(sum(p >= cut for p in ps.values()), len(ps)),
        }
        for teacher_id, ps in sorted(by_teacher.items())
    ]


def _items(
    scored: Iterable[ResultRow], items: Mapping[str, tuple[float, str | None]]
) -> list[dict[str, Any]]:
    points: dict[str, list[float]] = defaultdict(list)
    for r in scored:
        for code, value in r.items.items():
            points[code].append(value)
    analysed = []
    for code, (max_points, standard_id) in sorted(items.items()):
        values = points.get(code, [])
        analysed.append(
            {
                "code": code,
                "standard_id": standard_id,
                "responses": len(values),
                "percent_correct": round(sum(values) * 100.0 / (max_points * len(values)), 1)
                if values
                else None,
                "percent_full_credit": share(sum(v >= max_points for v in values), len(values)),
                "most_missed": False,
            }
        )
    answered = [i for i in analysed if i["percent_correct"] is not None]
    for item in sorted(answered, key=lambda i: i["percent_correct"])[:3]:
        item["most_missed"] = item["percent_correct"] < 50  # the hardest items that most students missed
    return analysed


def _below_cut(scored: list[ResultRow], with_students: bool) -> list[dict[str, Any]]:
    """Students below the proficiency cut on every standard the results measured: the essential standards
    first (marked), then the others, each by code (question 3 of a PLC is asked of every standard)."""
    below: dict[str, list[str]] = defaultdict(list)
    standards: dict[str, tuple[str | None, bool]] = {}
    for r in scored:
        for s in r.standards:
            code, essential = standards.get(s["standard_id"], (s["code"], False))
            standards[s["standard_id"]] = (code, essential or s["essential"])
            if not s["proficient"]:
                below[s["standard_id"]].append(r.student_id)
    order = sorted(standards, key=lambda sid: (not standards[sid][1], standards[sid][0] or "", sid))
    return [
        {
            "standard_id": sid,
            "code": standards[sid][0],
            "essential": standards[sid][1],
            "students_below": len(below.get(sid, [])),
            "student_ids": sorted(below.get(sid, [])) if with_students else None,
        }
        for sid in order
    ]
