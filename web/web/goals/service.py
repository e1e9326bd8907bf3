"""Goals as the pages show them: the school's goals with their teams' names, a goal form turned into the API's
body (empty fields left out, so the SMART check can say what is still missing), a team form, what changed from
one version of a goal to the next, and a PDSA cycle's study in a teacher's words."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from pydantic import BaseModel, Field

from web.client import Api, seg

GV = "/goals/v1"
# The form's measures: the service's kinds, with "proficient" split into on an assessment / on a standard.
MEASURES = {
    "proficient": "Percent of students proficient on an assessment",
    "standard": "Percent of students proficient on a standard, across the assessments in the goal's window",
    "average": "Average percent score on an assessment",
    "growth": "Percent of students who grew between a pre-test and a post-test",
    "support_exit": "Percent of students flagged for support who exited or were resolved",
}


class GoalForm(BaseModel):
    """The goal form's fields as typed (strings: a half-filled form is still checked)."""

    school_id: str = Field("", max_length=100)
    team_id: str = Field("", max_length=100)
    parent_goal_id: str = Field("", max_length=100)
    title: str = Field("", max_length=500)
    measure_kind: str = Field("proficient", pattern="^(proficient|standard|average|growth|support_exit)$")
    assessment_id: str = Field("", max_length=200)
    standard_id: str = Field("", max_length=200)
    pre_assessment_id: str = Field("", max_length=200)
    post_assessment_id: str = Field("", max_length=200)
    min_growth: str = Field("", max_length=30)
    grades: str = Field("", max_length=200)
    direction: str = Field("increase", pattern="^(increase|decrease)$")
    baseline: str = Field("", max_length=30)
    target: str = Field("", max_length=30)
    start: str = Field("", max_length=10)
    deadline: str = Field("", max_length=10)

    def measure(self) -> dict[str, Any]:
        kind = self.measure_kind
        if kind in ("proficient", "average"):
            return {"kind": kind, "assessment_id": self.assessment_id or None}
        if kind == "standard":
            return {"kind": "proficient", "standard_id": self.standard_id or None}
        if kind == "growth":
            return {
                "kind": "growth",
                "pre_assessment_id": self.pre_assessment_id or None,
                "post_assessment_id": self.post_assessment_id or None,
                "min_growth": float(self.min_growth) if _number(self.min_growth) else None,
            }
        return {"kind": "support_exit"}

    def body(self) -> dict[str, Any]:
        grades = [g.strip() for g in self.grades.split(",") if g.strip()]
        if self.team_id:
            population: dict[str, Any] = {"kind": "team"}
        else:
            population = {"kind": "grades", "grades": grades} if grades else {"kind": "school"}
        body: dict[str, Any] = {
            "title": self.title.strip(),
            "measure": self.measure(),
            "population": population,
            "direction": self.direction,
            "baseline": {"value": float(self.baseline)} if _number(self.baseline) else None,
        }
        if self.team_id:
            body["team_id"] = self.team_id
            body["parent_goal_id"] = self.parent_goal_id or None
        if _number(self.target):
            body["target"] = float(self.target)
        body.update({k: v for k, v in (("start", self.start), ("deadline", self.deadline)) if v})
        return body


def form_kind(measure: dict) -> str:
    """The form's measure choice for a saved measure."""
    if (
        measure.get("kind") == "proficient"
        and measure.get("standard_id")
        and not measure.get("assessment_id")
    ):
        return "standard"
    return measure.get("kind", "proficient")


class EditForm(BaseModel):
    """What an edit may change from the page: the title, the target, the dates and the interim targets (an
    active goal's target, dates or interim targets make a new version)."""

    title: str = Field(min_length=1, max_length=500)
    target: float = Field(allow_inf_nan=False)  # NaN / Infinity cannot be sent as JSON
    start: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    deadline: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    interim_value: list[str] = Field(default_factory=list, max_length=12)
    interim_on: list[str] = Field(default_factory=list, max_length=12)

    def interim_targets(self) -> list[dict[str, Any]]:
        """The filled rows, by date (a row missing its value or date is the service's to refuse, naming it)."""
        rows = [
            {"on": on or None, "value": float(value) if _number(value) else None}
            for value, on in zip(self.interim_value, self.interim_on, strict=False)
            if value.strip() or on
        ]
        return sorted(rows, key=lambda r: str(r["on"]))

    def changes(self, goal: dict) -> dict[str, Any]:
        """Only the fields that differ from the goal as it is (an unchanged field makes no version)."""
        mine = {"title": self.title.strip(), "target": self.target, "start": self.start, "deadline": self.deadline,
                "interim_targets": self.interim_targets()}  # fmt: skip
        return {k: v for k, v in mine.items() if goal.get(k) != v}


class TeamForm(BaseModel):
    school_id: str = Field("", max_length=100)
    kind: str = Field("collaborative", pattern="^(leadership|collaborative)$")
    name: str = Field("", max_length=200)
    member_ids: list[str] = Field(default_factory=list, max_length=50)
    other_members: str = Field("", max_length=2000)
    class_ids: list[str] = Field(default_factory=list, max_length=500)
    standard_ids: list[str] = Field(default_factory=list, max_length=500)
    grades: str = Field("", max_length=200)

    def body(self) -> dict[str, Any]:
        others = [m.strip() for m in self.other_members.replace("\n", ",").split(",") if m.strip()]
        return {
            "kind": self.kind,
            "name": self.name.strip(),
            "member_ids": list(dict.fromkeys([*self.member_ids, *others])),
            "grades": [g.strip() for g in self.grades.split(",") if g.strip()],
            "class_ids": self.class_ids,
            "standard_ids": self.standard_ids,
        }


def _number(text: str) -> bool:
    """A finite number (`nan`, `inf`, `1e999` are text to Python's float, but cannot be sent as JSON)."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


async def school_goals(api: Api, school_id: str) -> tuple[list[dict], dict[str, str]]:
    goals, teams = await asyncio.gather(
        api.get(f"{GV}/schools/{seg(school_id)}/goals"),
        api.get_or([], f"{GV}/schools/{seg(school_id)}/teams"),
    )
    return goals, {t["id"]: t["name"] for t in teams}


def missing_fields(problem_errors: list[dict] | None) -> list[str]:
    """The form fields a 422 of the API names (its `location` is the body path), in the form's words."""
    words = {"title": "title", "target": "target", "start": "start date", "deadline": "deadline",
             "measure": "measure", "assessment_id": "assessment", "standard_id": "standard",
             "pre_assessment_id": "pre-test", "post_assessment_id": "post-test"}  # fmt: skip
    found = []
    for error in problem_errors or []:
        location = error.get("location") or []
        named = next((words[str(p)] for p in reversed(location) if str(p) in words), None)
        if named and named not in found:
            found.append(named)
    return found


# --- versions ---------------------------------------------------------------------------------------------------
LABELS = {"title": "title", "target": "target", "start": "start", "deadline": "deadline",
          "direction": "direction", "measure": "measure", "population": "population",
          "interim_targets": "interim targets", "baseline": "baseline", "strategies": "strategies"}  # fmt: skip


def _show(key: str, value: Any) -> str:
    if value is None or value == []:
        return "none"
    if key == "target":
        return f"{value:g}"
    if key == "baseline":
        return "none" if value.get("value") is None else f"{value['value']:g}"
    if key == "interim_targets":
        return ", ".join(f"{t['value']:g} by {t['on']}" for t in value)
    if key == "measure":
        return MEASURES.get(form_kind(value), value.get("kind", ""))
    if key == "population":
        return value.get("kind", "")
    if key == "strategies":
        return f"{len(value)} strategies"
    return str(value)


def version_changes(versions: list[dict]) -> list[dict]:
    """Each version (newest first) with what changed from the one before it, in words."""
    out = []
    for i, v in enumerate(versions):
        if i == 0:
            changes = ["first version"]
        else:
            before = versions[i - 1]
            changes = [
                f"{label}: {_show(key, before.get(key))} → {_show(key, v.get(key))}"
                for key, label in LABELS.items()
                if before.get(key) != v.get(key)
            ] or ["no change to the definition"]
        out.append({**v, "changes": changes})
    return list(reversed(out))


# --- PDSA -------------------------------------------------------------------------------------------------------
def _pct(value: float) -> str:
    return f"{value:.0f} %" if abs(value - round(value)) < 0.05 else f"{value:.1f} %"


def study_words(study: dict) -> list[str]:
    """Observed vs predicted and the run-chart signals (Anhøj's rules), as a teacher reads them."""
    words = []
    observed, predicted, diff = study.get("observed"), study.get("predicted"), study.get("difference")
    if observed is not None and predicted is not None and diff is not None:
        side = "above" if diff > 0 else "below" if diff < 0 else "exactly at"
        gap = f"{abs(diff):.1f}".rstrip("0").rstrip(".") + " points " if round(diff, 1) else ""
        words.append(
            f"The measure reached {_pct(observed)}: {gap}{side} the prediction of {_pct(predicted)}."
        )
    elif observed is not None:
        words.append(f"The measure reached {_pct(observed)}.")
    run = study.get("run_chart") or {}
    points = len([p for p in study.get("points", []) if p.get("value") is not None])
    if run.get("longest_run_limit") is None:
        words.append(
            f"With {points} progress point{'s' if points != 1 else ''} in the cycle, the run chart cannot tell a "
            "real change from chance yet: it needs more results."
        )
        return words
    median = _pct(run["median"])
    if run.get("shift"):
        words.append(
            f"Shift: {run['longest_run']} points in a row on the same side of the median ({median}); more than "
            f"{run['longest_run_limit']} in a row rarely happens by chance, so something really changed."
        )
    if run.get("too_few_crossings"):
        words.append(
            f"Too few crossings: the line crossed the median ({median}) only {run['crossings']} times; fewer than "
            f"{run['crossings_limit']} rarely happens by chance, so the measure is moving, not just varying."
        )
    if not run.get("shift") and not run.get("too_few_crossings"):
        words.append(
            f"No signal yet: over {points} points the line crossed the median ({median}) {run['crossings']} "
            f"times and its longest run on one side was {run['longest_run']} points, as chance alone would give."
        )
    return words
