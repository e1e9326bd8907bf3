"""The data-meeting view of one assessment, computed from its live results (pure: rows in, numbers out).

Every figure counts students, each once, with the attempt the counting rule picks for that figure
(`students` below, `plc_shared.counting`): the overall figures (distribution, proficiency, levels, classes,
teachers) the latest attempt with a percent; a standard's figures (per standard, below the cut, mastery) the
latest attempt with a score on that standard; an item's figures the latest attempt with points on that item.
Shares are percentages of the students with a score (a student whose results are all exempt or unscored is
counted in `students`, not scored). `attempts` counts the live results behind the students.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from plc_shared import counting
from pydantic_core import to_json


# --- each student once: which attempt counts for each figure -------------------------------------------------
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


# --- the figures ---------------------------------------------------------------------------------------------


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
    """`rows`: the live results (every attempt); `with_students`: name the students (roles that read them)."""
    people = students(rows)
    scored = [s for s in people if s.overall is not None]
    percents = [s.overall.percent for s in scored]  # type: ignore[union-attr]
    by_standard = _by_standard(people)  # once: both the standards' figures and their lists read it
    below, mastered = _standard_lists(people, with_students, by_standard)
    return {
        "students": len(people),
        "results": len(people),
        "attempts": len(rows),
        "scored": len(scored),
        "distribution": _distribution(percents),
        "percent_proficient": share(sum(p >= proficiency_cut for p in percents), len(scored)),
        "percent_mastered": share(sum(p >= mastery_cut for p in percents), len(scored)),
        "levels": [
            {"level": name, "students": n, "percent": share(n, len(scored))}
            for name, n in ((name, sum(s.overall.level == name for s in scored)) for name in levels)  # type: ignore[union-attr]
        ],
        "standards": _standards(people, by_standard),
        "classes": _classes(scored, proficiency_cut, teachers),
        "teachers": _teachers(scored, proficiency_cut, teachers),
        "items": _items(people, items),
        "below_cut": below,
        "enrichment": mastered,
        "mastered_all": _mastered_all(people, below) if with_students else None,
        "student_results": [student_view(s) for s in people] if with_students else None,
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


def _by_standard(people: list[Student]) -> dict[str, list[tuple[str, dict]]]:
    """standard id → (student id, the student's counting score on it), one per student."""
    out: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for s in people:
        for standard_id, (_row, score) in s.standards.items():
            out[standard_id].append((s.student_id, score))
    return out


def _standards(
    people: list[Student], by_standard: dict[str, list[tuple[str, dict]]] | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "standard_id": sid,
            "code": scores[0][1]["code"],
            "essential": scores[0][1]["essential"],
            "students": len(scores),
            "mean_percent": round(statistics.fmean(s["percent"] for _, s in scores), 2),
            "percent_proficient": share(sum(s["proficient"] for _, s in scores), len(scores)),
            "percent_mastered": share(sum(s["mastered"] for _, s in scores), len(scores)),
        }
        for sid, scores in sorted((by_standard or _by_standard(people)).items())
    ]


def _classes(scored: list[Student], cut: float, teachers: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    by_class: dict[str, list[float]] = defaultdict(list)
    for s in scored:
        for class_id in s.class_ids:
            by_class[class_id].append(s.overall.percent)  # type: ignore[union-attr, arg-type]
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


def _teachers(scored: list[Student], cut: float, teachers: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """One common assessment compared across teachers (a student counts once per teacher)."""
    by_teacher: dict[str, dict[str, float]] = defaultdict(dict)
    for s in scored:
        for class_id in s.class_ids:
            for teacher_id in teachers.get(class_id, []):
                by_teacher[teacher_id][s.student_id] = s.overall.percent  # type: ignore[union-attr, assignment]
    return [
        {
            "teacher_id": teacher_id,
            "students": len(ps),
            "mean_percent": round(statistics.fmean(ps.values()), 2),
            "percent_proficient": share(sum(p >= cut for p in ps.values()), len(ps)),
        }
        for teacher_id, ps in sorted(by_teacher.items())
    ]


def _items(people: list[Student], items: Mapping[str, tuple[float, str | None]]) -> list[dict[str, Any]]:
    points: dict[str, list[float]] = defaultdict(list)
    for s in people:
        for code, value in s.items.items():
            points[code].append(value)
    analysed = []
    for code, (max_points, standard_id) in sorted(items.items()):
        values = points.get(code, [])
        analysed.append(
            {
                "code": code,
                "standard_id": standard_id,
                "responses": len(values),
                "percent_correct": round(math.fsum(values) * 100.0 / (max_points * len(values)), 1)
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


def _standard_lists(
    people: list[Student], with_students: bool, by_standard: dict[str, list[tuple[str, dict]]] | None = None
) -> tuple[list[dict], list[dict]]:
    """Per standard the students below the proficiency cut (question 3) and those at or above the mastery cut
    (question 4), on every standard the results measured: the essential standards first (marked), then the
    others, each by code (a team asks both questions of every standard)."""
    by_standard = by_standard or _by_standard(people)
    standards: dict[str, tuple[str | None, bool]] = {}
    for sid, scores in by_standard.items():
        code = next((s["code"] for _, s in scores if s["code"] is not None), None)
        standards[sid] = (code, any(s["essential"] for _, s in scores))
    order = sorted(standards, key=lambda sid: (not standards[sid][1], standards[sid][0] or "", sid))

    def listed(sid: str, wanted: str, keep: bool) -> dict[str, Any]:
        ids = sorted(student for student, s in by_standard[sid] if bool(s[wanted]) == keep)
        count_key = "students_below" if wanted == "proficient" else "students_mastered"
        return {
            "standard_id": sid,
            "code": standards[sid][0],
            "essential": standards[sid][1],
            count_key: len(ids),
            "student_ids": ids if with_students else None,
        }

    return [listed(sid, "proficient", False) for sid in order], [
        listed(sid, "mastered", True) for sid in order
    ]


def _mastered_all(people: list[Student], below: list[dict]) -> list[str]:
    """Ready for more: the students at or above the mastery cut on every standard the analysis reports."""
    every = {b["standard_id"] for b in below}
    return [
        s.student_id
        for s in people
        if every and set(s.standards) == every and all(sc["mastered"] for _, sc in s.standards.values())
    ]


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


# --- a student's standing: what the analysis needs of them, kept as their results change ---------------------


def standing(student: Student) -> dict[str, Any]:
    """The values that count for each figure (`_counted`) as the columns of `analysis_students`, and the
    student's record (`student_view`) as JSON: the district-wide analysis reads these, not every attempt."""
    overall = student.overall
    scores = [score for _sid, (_row, score) in sorted(student.standards.items())]
    items = sorted(student.items.items())
    return {
        "student_id": student.student_id,
        "school_id": student.school_id,
        "class_ids": list(student.class_ids),
        "attempts": len(student.attempts),
        "percent": overall.percent if overall else None,
        "performance_level": overall.level if overall else None,
        "standard_ids": [s["standard_id"] for s in scores],
        "standard_percents": [float(s["percent"]) for s in scores],
        "standard_codes": [s["code"] for s in scores],
        "standard_essential": [bool(s["essential"]) for s in scores],
        "standard_proficient": [bool(s["proficient"]) for s in scores],
        "standard_mastered": [bool(s["mastered"]) for s in scores],
        "item_codes": [code for code, _ in items],
        "item_points": [float(points) for _, points in items],
        "record": to_json(student_view(student)).decode(),
    }


def name_students(report: dict[str, Any], rows: list[Mapping[str, Any]]) -> None:
    """The student lists `analyse(..., with_students=True)` gives, filled into a report of `aggregates` from
    its rows: per standard the students below the cut and at mastery (each standard's `ids`, parallel to its
    `proficient` and `mastered`, in any order) and the students at mastery on every standard.
    `student_results` is the caller's (the stored records)."""
    by_standard = {r["key"]: r for r in rows if r["kind"] == "standard"}
    for entry in report["below_cut"]:
        r = by_standard[entry["standard_id"]]
        entry["student_ids"] = sorted(
            sid for sid, ok in zip(r["ids"], r["proficient"], strict=True) if not ok
        )
    mastered_on: dict[str, int] = defaultdict(int)
    for entry in report["enrichment"]:
        r = by_standard[entry["standard_id"]]
        entry["student_ids"] = sorted(sid for sid, ok in zip(r["ids"], r["mastered"], strict=True) if ok)
        for sid in entry["student_ids"]:
            mastered_on[sid] += 1
    every = len(report["below_cut"])  # a student appears once per standard: on all of them, mastered
    report["mastered_all"] = sorted(sid for sid, n in mastered_on.items() if every and n == every)


# --- the same figures from the counting values the database picked (analysis.repository.AGGREGATES) -----------


def aggregates(
    rows: list[Mapping[str, Any]],
    *,
    proficiency_cut: float,
    mastery_cut: float,
    levels: list[str],
    items: Mapping[str, tuple[float, str | None]],
    teachers: Mapping[str, list[str]],
) -> dict[str, Any]:
    """`analyse(..., with_students=False)` from one row per figure and key: `numbers` (and the standards'
    `texts`, `essential`, `proficient`, `mastered`) are the values that count, one per student, by student id.
    The formulas are analyse's, on the same values in the same order (tests compare the two)."""
    by: dict[str, dict[str | None, Mapping[str, Any]]] = defaultdict(dict)
    for row in rows:
        by[row["kind"]][row["key"]] = row
    people, overall = by["people"][None], by["overall"].get(None)
    percents = list(overall["numbers"] or []) if overall else []
    named = list(overall["texts"] or []) if overall else []
    scored = len(percents)
    standards = sorted(by["standard"].items())
    below, mastered = [], []
    meta = {
        sid: (next((c for c in r["texts"] if c is not None), None), any(r["essential"]))
        for sid, r in standards
    }
    for sid in sorted(meta, key=lambda sid: (not meta[sid][1], meta[sid][0] or "", sid)):
        r = by["standard"][sid]
        base = {"standard_id": sid, "code": meta[sid][0], "essential": meta[sid][1]}
        below.append({**base, "students_below": sum(not p for p in r["proficient"]), "student_ids": None})
        mastered.append(
            {**base, "students_mastered": sum(bool(m) for m in r["mastered"]), "student_ids": None}
        )
    analysed = []
    for code, (max_points, standard_id) in sorted(items.items()):
        values = list(by["item"][code]["numbers"]) if code in by["item"] else []
        analysed.append(
            {
                "code": code,
                "standard_id": standard_id,
                "responses": len(values),
                "percent_correct": round(math.fsum(values) * 100.0 / (max_points * len(values)), 1)
                if values
                else None,
                "percent_full_credit": share(sum(v >= max_points for v in values), len(values)),
                "most_missed": False,
            }
        )
    answered = [i for i in analysed if i["percent_correct"] is not None]
    for item in sorted(answered, key=lambda i: i["percent_correct"])[:3]:
        item["most_missed"] = item["percent_correct"] < 50

    def group(name: str, cut: float) -> list[tuple[str, dict[str, Any]]]:
        return [
            (key, {"students": len(ps), "mean_percent": round(statistics.fmean(ps), 2),
                   "percent_proficient": share(sum(p >= cut for p in ps), len(ps))})
            for key, ps in sorted((k, list(r["numbers"])) for k, r in by[name].items())
        ]  # fmt: skip

    return {
        "students": people["n"],
        "results": people["n"],
        "attempts": people["m"],
        "scored": scored,
        "distribution": _distribution(percents),
        "percent_proficient": share(sum(p >= proficiency_cut for p in percents), scored),
        "percent_mastered": share(sum(p >= mastery_cut for p in percents), scored),
        "levels": [
            {"level": name, "students": n, "percent": share(n, scored)}
            for name, n in ((name, sum(level == name for level in named)) for name in levels)
        ],
        "standards": [
            {
                "standard_id": sid,
                "code": r["texts"][0],
                "essential": r["essential"][0],
                "students": r["n"],
                "mean_percent": round(statistics.fmean(r["numbers"]), 2),
                "percent_proficient": share(sum(r["proficient"]), r["n"]),
                "percent_mastered": share(sum(r["mastered"]), r["n"]),
            }
            for sid, r in standards
        ],
        "classes": [
            {"class_id": k, "teacher_ids": teachers.get(k, []), **figures}
            for k, figures in group("class", proficiency_cut)
        ],
        "teachers": [{"teacher_id": k, **figures} for k, figures in group("teacher", proficiency_cut)],
        "items": analysed,
        "below_cut": below,
        "enrichment": mastered,
        "mastered_all": None,
        "student_results": None,
    }
