"""The PLC process as the pages show it: where a school stands on the Missouri process chart (fact sheets 001
and 004: clarify priorities → examine current reality → form teams → create quality assessments → set and
monitor SMART goals with the PDSA wheel → develop a pyramid of interventions), each step with its evidence from
the services' data and the reviews rubric's indicators in the rubric's own words; and the forms of the steps
(a school's foundation, a team's norms and checklist, an assessment's quality check) turned into API bodies,
with the service's field errors put back next to their fields."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from web.client import Api, ApiError, seg

GV, IV, RV = "/goals/v1", "/interventions/v1", "/reviews/v1"
# pydantic's wording for the usual refusals of these forms, as a person reads them
PLAIN = {
    "string_too_short": "cannot be blank",
    "too_short": "write at least one line",
    "missing": "is required",
}
IN_PLACE, UNDER_WAY, NOT_STARTED = "In place", "Under way", "Not started"


@dataclass
class Step:
    id: str
    title: str
    indicators: tuple[str, ...]  # the reviews rubric's indicator ids this step is judged by
    status: str = NOT_STARTED
    evidence: list[tuple[str, str | None]] = field(default_factory=list)  # (words, link)


def _status(done: bool, started: bool) -> str:
    return IN_PLACE if done else UNDER_WAY if started else NOT_STARTED


def chart(school_id: str, process: dict, quality: list[dict], pyramid: list[dict] | None) -> list[Step]:
    """The six steps with their status and evidence (pure: the services' answers in, the page's steps out)."""
    s = seg(school_id)
    steps = [
        _priorities(s, process),
        _current_reality(s, quality, process),
        _teams(s, process),
        _assessments(quality),
        _goals(s, process),
        _pyramid(s, pyramid),
    ]
    return steps


def _priorities(s: str, process: dict) -> Step:
    version = process["foundation_version"]
    step = Step("priorities", "Clarify priorities", ("culture.mission", "culture.commitments"))
    step.status = _status(version is not None, False)
    words = f"Foundation version {version} (mission, vision, values, collective commitments)" if version else (
        "No mission, vision, values or collective commitments written yet"
    )  # fmt: skip
    step.evidence.append((words, f"/app/schools/{s}/foundation"))
    return step


def _current_reality(s: str, quality: list[dict], process: dict) -> Step:
    """The picture painted with data (the leaders' school dashboard, the data meetings) and the school-wide goals
    set from it."""
    step = Step("reality", "Examine current reality", ("culture.current_reality",))
    given, school_goals = len(quality), process["goals_active"]["school"]
    step.evidence.append(
        ("The school dashboard: the picture of the school in data", f"/app/dashboard?school_id={s}")
    )
    step.evidence.append(
        (f"{given} common assessment(s) to analyse in data meetings", f"/app/meetings?school_id={s}")
    )
    step.evidence.append(
        (f"{school_goals} school-wide goal(s) set from the data", f"/app/goals/new?school_id={s}")
    )
    step.status = _status(given > 0 and school_goals > 0, given > 0)
    return step


def _teams(s: str, process: dict) -> Step:
    step = Step(
        "teams",
        "Form leadership and collaborative teams",
        ("leadership.team", "teams.norms", "teams.critical_issues"),
    )
    teams = process["teams"]
    leadership = [t for t in teams if t["kind"] == "leadership"]
    collaborative = [t for t in teams if t["kind"] == "collaborative"]
    with_norms = [t for t in collaborative if t["has_norms"]]
    done = sum(t["issues"]["done"] for t in collaborative)
    step.evidence.append(
        ("A leadership team" if leadership else "No leadership team yet", f"/app/teams?school_id={s}")
    )
    step.evidence.append(
        (f"{len(with_norms)} of {len(collaborative)} collaborative team(s) with norms and protocols", None)
    )
    for t in collaborative:
        issues = t["issues"]
        step.evidence.append(
            (f"{t['name']}: {issues['done']} of 18 critical issues done, {issues['in progress']} in progress",
             f"/app/teams/{seg(t['team_id'])}/practice")
        )  # fmt: skip
    complete = bool(leadership and collaborative and len(with_norms) == len(collaborative))
    step.status = _status(complete, bool(teams) or done > 0)
    return step


def _assessments(quality: list[dict]) -> Step:
    step = Step("assessments", "Create quality assessments", ("know.common_formative",))
    cfas = [q for q in quality if q["kind"] == "common_formative"]
    checked = [q for q in cfas if q["checked"]]
    step.evidence.append(
        (f"{len(checked)} of {len(cfas)} common formative assessment(s) checked against the five keys", None)
    )
    for q in cfas:
        words = "checked" if q["checked"] else f"{q['rated']} of 5 keys rated"
        step.evidence.append(
            (f"{q['assessment_id']}: {words}", f"/app/assessments/{seg(q['assessment_id'])}/quality")
        )
    step.status = _status(bool(cfas) and len(checked) == len(cfas), any(q["rated"] for q in cfas))
    return step


def _goals(s: str, process: dict) -> Step:
    step = Step(
        "goals",
        "Set and monitor SMART goals, with the PDSA wheel",
        ("culture.smart_goals", "leadership.monitoring"),
    )
    active, cycles = process["goals_active"], process["cycles"]
    step.evidence.append(
        (
            f"{active['school']} active school goal(s), {active['team']} active team goal(s)",
            f"/app/goals?school_id={s}",
        )
    )
    step.evidence.append((f"{cycles['open']} PDSA cycle(s) under way, {cycles['closed']} closed", None))
    step.status = _status(
        active["school"] > 0 and cycles["open"] + cycles["closed"] > 0, active["school"] + active["team"] > 0
    )
    return step


def _pyramid(s: str, pyramid: list[dict] | None) -> Step:
    step = Step("pyramid", "Develop a pyramid of interventions", ("respond.pyramid",))
    if pyramid is None:
        step.evidence.append(("The pyramid is visible to the school's staff only", None))
        return step
    tiers = sorted({i["tier"] for i in pyramid})
    by_tier = ", ".join(f"tier {t}: {sum(i['tier'] == t for i in pyramid)}" for t in tiers)
    step.evidence.append(
        (f"{len(pyramid)} intervention(s) in the pyramid" + (f" ({by_tier})" if by_tier else ""), None)
    )
    step.status = _status(len(tiers) >= 2, bool(pyramid))
    return step


async def standing(api: Api, school_id: str) -> tuple[list[Step], dict[str, str]]:
    """The school's steps and the rubric's indicator texts (id → words)."""
    process, quality, pyramid, rubric = await asyncio.gather(
        api.get(f"{GV}/schools/{seg(school_id)}/process"),
        api.get_or([], "/assessments/quality-checks", school_id=school_id),
        api.get_or(None, f"{IV}/schools/{seg(school_id)}/interventions"),
        api.get_or({"strands": []}, f"{RV}/rubrics/current"),
    )
    words = {i["id"]: i["text"] for strand in rubric["strands"] for i in strand["indicators"]}
    return chart(school_id, process, quality, pyramid), words


def lines(text: str) -> list[str]:
    """A textarea of one item per line as a list (blank lines dropped)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def field_errors(problem: ApiError | None, names: list[str] | None = None) -> dict[str, str]:
    """The problem's errors by form field: `["body", "mission"]` → "mission"; a row of a list
    (`["body", "items", 3, "note"]`) → "note_" + `names[3]`, so the message lands next to that row's field."""
    found: dict[str, str] = {}
    for error in (problem.errors if problem else None) or []:
        where = [p for p in error.get("location") or [] if p != "body"]
        if len(where) >= 3 and isinstance(where[1], int) and names and where[1] < len(names):
            key = f"{where[2]}_{names[where[1]]}"
        elif where:
            key = str(where[0])
        else:
            continue
        found.setdefault(key, PLAIN.get(error.get("type", ""), error.get("message", "")))
    return found


def checklist_body(form: Any) -> dict[str, Any]:
    """The checklist form (status_<n>, note_<n> for each of the 18 issues) as the API's body."""
    return {
        "items": [
            {"issue": n, "status": form.get(f"status_{n}", "not started"), "note": form.get(f"note_{n}", "")}
            for n in range(1, 19)
        ]
    }


def quality_body(form: Any, keys: list[str]) -> dict[str, Any]:
    """The quality form (rating_<key>, note_<key>) as the API's body: keys left unrated are left out."""
    return {
        "ratings": [
            {"key": k, "rating": form.get(f"rating_{k}"), "note": form.get(f"note_{k}", "")}
            for k in keys
            if form.get(f"rating_{k}")
        ]
    }
