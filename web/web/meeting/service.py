"""The data meeting for one common assessment: the analysis, with names.

Every figure and list is the assessments service's own (`GET .../analysis`): each student counted once, with
the result the suite's counting rule picks (the latest live attempt that scored the figure), and their
attempts listed. The page adds names from the roster the user may read; it never picks results itself.

Question 3 (who needs more time and support): the students below the cut on each standard, with the score that
counts on it and the attempt it comes from. Question 4 (who is ready for more): the students at or above the
mastery cut on every standard."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from web.client import Api, seg
from web.roster import Names, names_for


@dataclass
class Evidence:
    student_id: str
    name: str
    points: float | None
    max_points: float | None
    percent: float
    attempt: int  # the attempt whose score counts
    attempts: int  # the student's live attempts


@dataclass
class Meeting:
    assessment: dict
    analysis: dict
    names: Names
    below: list[tuple[dict, list[Evidence]]] = field(default_factory=list)  # (below_cut entry, students)
    enrichment: list[tuple[str, str]] = field(default_factory=list)  # (student id, name)
    students: list[tuple[dict, str]] = field(default_factory=list)  # (student result, name), by name


async def meeting(api: Api, assessment_id: str, school_id: str | None) -> Meeting:
    base = f"/assessments/assessments/{seg(assessment_id)}"
    assessment, analysis, names = await asyncio.gather(
        api.get(base),
        api.get(f"{base}/analysis", school_id=school_id),
        names_for(api, school_id),
    )
    per_student = {s["student_id"]: s for s in analysis.get("student_results") or []}
    below = []
    for entry in analysis["below_cut"]:
        evidence = [
            _evidence(per_student[sid], entry["standard_id"], names)
            for sid in entry.get("student_ids") or []
            if sid in per_student
        ]
        evidence.sort(key=lambda e: (e.percent, e.name))
        below.append((entry, evidence))
    ready = sorted(
        ((sid, names.student(sid)) for sid in analysis.get("mastered_all") or []), key=lambda p: p[1]
    )
    students = sorted(((s, names.student(s["student_id"])) for s in per_student.values()), key=lambda p: p[1])
    return Meeting(assessment, analysis, names, below, ready, students)


def _evidence(student: dict, standard_id: str, names: Names) -> Evidence:
    score = next(s for s in student["standards"] if s["standard_id"] == standard_id)
    return Evidence(
        student["student_id"],
        names.student(student["student_id"]),
        score.get("points"),
        score.get("max_points"),
        score["percent"],
        score["attempt"],
        student["attempts"],
    )
