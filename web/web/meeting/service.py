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
from operator import attrgetter

from markupsafe import Markup

from web.charts import meeting as charts
from web.client import Api, seg
from web.export import Table, percent
from web.roster import Names, names_for

# The level grid is drawn as a picture for a class- or school-sized meeting; beyond that (a district-wide CFA:
# 3,333 students at 20,000) a picture of thousands of rows helps nobody and Vega's spec overflows its stack (the
# page answered 500): the table below it has every student.
GRID_CHART_MAX = 300


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
    codes: dict[str, str] = field(default_factory=dict)  # standard id → its code (the grid's columns)
    distribution: Markup | None = None
    grid: Markup | None = None

    @property
    def grid_too_big(self) -> bool:
        """Too many students for the grid's picture (GRID_CHART_MAX): the table shows them."""
        return len(self.students) > GRID_CHART_MAX

    def grid_cells(self, student: dict) -> list[tuple[float, str] | None]:
        """The student's (percent, level) on each standard of `codes`, in its order (None: not scored)."""
        scores = {s["standard_id"]: s for s in student["standards"]}
        return [
            (scores[sid]["percent"], charts.level_of(scores[sid])) if sid in scores else None
            for sid in self.codes
        ]


async def meeting(api: Api, assessment_id: str, school_id: str | None, *, drawn: bool = True) -> Meeting:
    """`drawn`: with the charts (the page; a CSV export needs the tables only)."""
    base = f"/assessments/assessments/{seg(assessment_id)}"
    assessment, analysis, names = await asyncio.gather(
        api.get(base),
        api.get(f"{base}/analysis", school_id=school_id),
        names_for(api, school_id, assessment_id),
    )
    per_student = {s["student_id"]: s for s in analysis.get("student_results") or []}
    below = []
    for entry in analysis["below_cut"]:
        evidence = [
            _evidence(per_student[sid], entry["standard_id"], names)
            for sid in entry.get("student_ids") or []
            if sid in per_student
        ]
        evidence.sort(key=attrgetter("percent", "name"))
        below.append((entry, evidence))
    ready = sorted(
        ((sid, names.student(sid)) for sid in analysis.get("mastered_all") or []), key=lambda p: p[1]
    )
    students = sorted(((s, names.student(s["student_id"])) for s in per_student.values()), key=lambda p: p[1])
    codes = {s["standard_id"]: s["code"] or names.standard(s["standard_id"]) for s in analysis["standards"]}
    found = Meeting(assessment, analysis, names, below, ready, students, codes)
    if drawn and analysis["scored"]:
        found.distribution = await charts.distribution_chart(analysis, assessment)
    if drawn and students and codes and not found.grid_too_big:
        rows = charts.grid_rows(students, codes)
        found.grid = await charts.grid_chart(rows) if rows else None
    return found


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


def tables(m: Meeting) -> dict[str, Table]:
    """Every table of the page, as its CSV export writes it (the same rows, names where the page shows them)."""
    a = m.analysis
    return {
        "standards": (
            ("Standard", "Essential", "Students", "Mean %", "Proficient %", "Mastery %"),
            [(m.names.standard(s["standard_id"]), "yes" if s["essential"] else "no", s["students"],
              percent(s["mean_percent"]), percent(s["percent_proficient"]), percent(s["percent_mastered"]))
             for s in a["standards"]],
        ),
        "teachers": (
            ("Teacher", "Students", "Mean %", "Proficient %"),
            [(m.names.teacher(t["teacher_id"]), t["students"], percent(t["mean_percent"]),
              percent(t["percent_proficient"])) for t in a["teachers"]],
        ),
        "grid": (
            ("Student", *(f"{code} (level, %)" for code in m.codes.values())),
            [(name, *("" if c is None else f"{c[1]} ({c[0]:.0f} %)" for c in m.grid_cells(s)))
             for s, name in m.students],
        ),
        "below": (
            ("Standard", "Student", "Points", "Max points", "Score %", "Attempt", "Attempts"),
            [(m.names.standard(entry["standard_id"]), e.name, e.points, e.max_points, percent(e.percent),
              e.attempt, e.attempts) for entry, students in m.below for e in students],
        ),
        "enrichment": (("Student",), [(name,) for _, name in m.enrichment]),
        "items": (
            ("Item", "Standard", "Responses", "Correct %", "Full credit %", "Most missed"),
            [(i["code"], m.names.standard(i["standard_id"]), i["responses"], percent(i["percent_correct"]),
              percent(i["percent_full_credit"]), "yes" if i["most_missed"] else "") for i in a["items"]],
        ),
    }  # fmt: skip
