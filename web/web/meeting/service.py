"""The data meeting for one common assessment: the analysis, with names and evidence from the results.

Question 3 (who needs more time and support): the students below the cut on each standard, with their score
on it. Question 4 (who is ready for more): the students at or above the mastery cut on every standard."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from web.client import Api
from web.roster import Names, names_for

PAGE = 1000


@dataclass
class Evidence:
    student_id: str
    name: str
    points: float
    max_points: float
    percent: float


@dataclass
class Meeting:
    assessment: dict
    analysis: dict
    names: Names
    below: list[tuple[dict, list[Evidence]]] = field(default_factory=list)  # (below_cut entry, students)
    enrichment: list[tuple[str, str]] = field(default_factory=list)  # (student id, name)


async def meeting(api: Api, assessment_id: str, school_id: str | None) -> Meeting:
    base = f"/assessments/assessments/{assessment_id}"
    assessment, analysis, results, names = await asyncio.gather(
        api.get(base),
        api.get(f"{base}/analysis", school_id=school_id),
        _results(api, f"{base}/results", school_id),
        names_for(api, school_id),
    )
    scores = _standard_scores(results)
    below = []
    for entry in analysis["below_cut"]:
        evidence = []
        for student_id in entry.get("student_ids") or []:
            score = scores.get(student_id, {}).get(entry["standard_id"])
            if score is not None:
                evidence.append(
                    Evidence(
                        student_id,
                        names.student(student_id),
                        score["points"],
                        score["max_points"],
                        score["percent"],
                    )
                )
        evidence.sort(key=lambda e: (e.percent, e.name))
        below.append((entry, evidence))
    return Meeting(assessment, analysis, names, below, _enrichment(scores, names))


async def _results(api: Api, path: str, school_id: str | None) -> list[dict]:
    """Every result of the assessment the user may read (pages of 1000), in the school when one is chosen."""
    found: list[dict] = []
    while True:
        page = await api.get_or([], path, limit=PAGE, offset=len(found))
        found += page
        if len(page) < PAGE:
            return [r for r in found if school_id is None or r["school_id"] == school_id]


def _standard_scores(results: list[dict]) -> dict[str, dict[str, dict]]:
    """student id → standard id → the standard score of the student's latest scored attempt."""
    latest: dict[str, dict] = {}
    for result in results:
        if result.get("score_status") in ("exempt", "not submitted") or not result.get("standard_scores"):
            continue
        if result["student_id"] not in latest or result["attempt"] > latest[result["student_id"]]["attempt"]:
            latest[result["student_id"]] = result
    return {sid: {s["standard_id"]: s for s in r.get("standard_scores", [])} for sid, r in latest.items()}


def _enrichment(scores: dict[str, dict[str, dict]], names: Names) -> list[tuple[str, str]]:
    ready = [
        sid
        for sid, standards in scores.items()
        if standards and all(s["percent"] >= s["mastery_cut"] for s in standards.values())
    ]
    return sorted(((sid, names.student(sid)) for sid in ready), key=lambda pair: pair[1])
