"""One assignment's page data: the assignment, its progress (and its chart), and names for every id on it
(student, standard, intervention, champion), read with the user's token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from web.charts.progress import progress_chart
from web.client import Api, seg
from web.flags.service import IV
from web.roster import Names, names_for, teacher_name

# The form fields of the two forms, as their labels say them (a problem's field errors name the label).
LABELS = {
    "measured_on": "Date measured",
    "score": "Score (%)",
    "exited_on": "Exit date",
    "reason": "Reason",
    "evidence": "Evidence",
    "to_tier": "Tier after the exit",
    "goal_met_confirmed": "The goal is met although the last point is below it",
}
EXIT_REASONS = (
    "Goal met",
    "Goal not met: a more intensive intervention",
    "Goal not met: a different intervention",
    "Left the school",
)


@dataclass
class AssignmentView:
    assignment: dict
    progress: dict
    names: Names
    intervention: str
    champion: str
    chart: Markup  # the progress chart, titled with the student's name from the roster

    @property
    def active(self) -> bool:
        return self.assignment["status"] == "active"

    @property
    def student(self) -> str:
        return self.names.student(self.assignment["student_id"])

    @property
    def today(self) -> str:
        return date.today().isoformat()


async def assignment_view(api: Api, assignment_id: str) -> AssignmentView:
    base = f"{IV}/assignments/{seg(assignment_id)}"
    assignment, progress = await asyncio.gather(api.get(base), api.get(f"{base}/progress"))
    school = assignment["school_id"]
    names, pyramid, staff = await asyncio.gather(
        names_for(api, school),
        api.get_or([], f"{IV}/schools/{seg(school)}/interventions", include_retired="true"),
        api.get_or([], "/assessments/roster/staff", school_id=school),
    )
    intervention = next((i for i in pyramid if i["id"] == assignment["intervention_id"]), None)
    champions = {s["sourced_id"]: teacher_name(s) for s in staff}
    chart = await progress_chart(
        assignment, progress, student=names.student(assignment["student_id"]), chart_id="progress-chart",
        intervention=intervention["name"] if intervention else None,
    )  # fmt: skip
    return AssignmentView(
        assignment,
        progress,
        names,
        f"Tier {intervention['tier']}: {intervention['name']}" if intervention else "an intervention",
        champions.get(assignment["champion"]) or names.teacher(assignment["champion"]),
        chart,
    )
