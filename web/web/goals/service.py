"""Goals as the pages show them: the school's goals with their teams' names, and a goal form turned into the
API's body (empty fields left out, so the SMART check can say what is still missing)."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, Field

from web.client import Api

GV = "/goals/v1"


class GoalForm(BaseModel):
    """The goal form's fields as typed (strings: a half-filled form is still checked)."""

    school_id: str = Field("", max_length=100)
    title: str = Field("", max_length=500)
    measure_kind: str = Field("proficient", pattern="^(proficient|average)$")
    assessment_id: str = Field("", max_length=200)
    grades: str = Field("", max_length=200)
    direction: str = Field("increase", pattern="^(increase|decrease)$")
    baseline: str = Field("", max_length=30)
    target: str = Field("", max_length=30)
    start: str = Field("", max_length=10)
    deadline: str = Field("", max_length=10)

    def body(self) -> dict[str, Any]:
        grades = [g.strip() for g in self.grades.split(",") if g.strip()]
        body: dict[str, Any] = {
            "title": self.title.strip(),
            "measure": {"kind": self.measure_kind, "assessment_id": self.assessment_id or None},
            "population": {"kind": "grades", "grades": grades} if grades else {"kind": "school"},
            "direction": self.direction,
            "baseline": {"value": float(self.baseline)} if _number(self.baseline) else None,
        }
        if _number(self.target):
            body["target"] = float(self.target)
        body.update({k: v for k, v in (("start", self.start), ("deadline", self.deadline)) if v})
        return body


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def school_goals(api: Api, school_id: str) -> tuple[list[dict], dict[str, str]]:
    goals, teams = await asyncio.gather(
        api.get(f"{GV}/schools/{school_id}/goals"), api.get_or([], f"{GV}/schools/{school_id}/teams")
    )
    return goals, {t["id"]: t["name"] for t in teams}


def missing_fields(problem_errors: list[dict] | None) -> list[str]:
    """The form fields a 422 of the API names (its `location` is the body path), in the form's words."""
    words = {"title": "title", "target": "target", "start": "start date", "deadline": "deadline",
             "measure": "measure", "assessment_id": "assessment"}  # fmt: skip
    found = []
    for error in problem_errors or []:
        location = error.get("location") or []
        named = next((words[str(p)] for p in reversed(location) if str(p) in words), None)
        if named and named not in found:
            found.append(named)
    return found
