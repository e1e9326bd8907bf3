"""The school dashboard, a leader's current reality: the tier distribution week by week, the students with an
open support flag by grade and class, and how each intervention of the pyramid works (exits with the goal met,
the median rate of improvement, the next result at proficiency). Figures from the interventions service's JSON
with the user's token (each answer as scoped for that user), names from the roster."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from markupsafe import Markup

from web.charts import dashboard as charts
from web.client import Api, seg
from web.export import Table, percent
from web.roster import Names, names_for

IV = "/interventions/v1"
WEEKS = 12


@dataclass
class Dashboard:
    school_id: str
    names: Names
    history: dict
    flags: list[dict]  # per class: grade, class, label, students, flags
    effectiveness: list[dict] | None
    charts: dict[str, Markup] = field(default_factory=dict)

    @property
    def school(self) -> str:
        return self.names.school(self.school_id)


async def dashboard(api: Api, school_id: str, *, drawn: bool = True) -> Dashboard:
    history, flags, effectiveness, names, classes = await asyncio.gather(
        api.get(
            f"{IV}/schools/{seg(school_id)}/tiers/history", weeks=WEEKS
        ),  # a school out of scope: its 404
        # every open support flag of the school counted per class by the service (not a page of them counted here)
        api.get_or([], f"{IV}/flags/by-class", school_id=school_id, status="open", kind="support"),
        api.get_or(None, f"{IV}/schools/{seg(school_id)}/effectiveness"),
        names_for(api, school_id),
        api.get_or([], "/assessments/roster/classes", school_id=school_id),
    )
    grades = {c["sourced_id"]: ", ".join(c.get("grades") or []) for c in classes}
    found = Dashboard(
        school_id, names, history, by_class(flags, grades, names), _effectiveness(effectiveness)
    )
    if drawn:
        if history["weeks"]:
            found.charts["tiers"] = await charts.tiers_over_time_chart(history, school=found.school)
        if found.flags:
            found.charts["flags"] = await charts.flags_chart(found.flags)
        if found.effectiveness and any(r["exited"] for r in found.effectiveness):
            found.charts["effectiveness"] = await charts.effectiveness_chart(found.effectiveness)
    return found


def by_class(counts: list[dict], grades: dict[str, str], names: Names) -> list[dict]:
    """The service's counts per class (a flag of a student in two classes counts in both) as the page shows
    them: students and flags, by grade then class name; the flags of no class are under "No class"."""
    rows = []
    for count in counts:
        class_id = count["class_id"] or ""
        grade = grades.get(class_id, "")
        name = names.class_with_teachers(class_id) if class_id else "No class"
        label = f"Grade {grade} · {name}" if grade else name
        rows.append(
            {
                "grade": grade,
                "class": name,
                "label": label,
                "students": count["students"],
                "flags": count["flags"],
            }
        )
    return sorted(rows, key=lambda r: (r["grade"] or "~", r["class"].lower()))


def _effectiveness(rows: list[dict] | None) -> list[dict] | None:
    if rows is None:
        return None
    return [
        {"name": r["name"], "assigned": r["assigned"], "exited": r.get("exited", 0),
         "goal_met": r.get("exited_goal_met", 0), "share": r.get("goal_met_share"),
         "monitored": r.get("monitored", 0), "rate": r.get("median_rate_of_improvement"),
         "measured": r["with_next_result"], "proficient_share": r["share"]}
        for r in rows
    ]  # fmt: skip


def tables(d: Dashboard) -> dict[str, Table]:
    """The dashboard's tables, as their CSV exports write them."""
    weeks = d.history["weeks"]
    return {
        "tiers": (
            ("Week ending", "Tier 1 students", "Tier 2 students", "Tier 3 students",
             "Tier 1 %", "Tier 2 %", "Tier 3 %"),
            [(w["week_ending"], *(t["count"] for t in w["tiers"]), *(percent(t["share"] * 100) for t in w["tiers"]))
             for w in weeks],
        ),
        "flags": (
            ("Grade", "Class", "Students with an open support flag", "Open support flags"),
            [(r["grade"], r["class"], r["students"], r["flags"]) for r in d.flags],
        ),
        "effectiveness": (
            ("Intervention", "Assigned", "Exited", "Exited with the goal met", "Goal met % of exits",
             "Monitored", "Median rate of improvement (points a week)", "Next result proficient %"),
            [(r["name"], r["assigned"], r["exited"], r["goal_met"],
              percent(None if r["share"] is None else r["share"] * 100), r["monitored"], r["rate"],
              percent(None if r["proficient_share"] is None else r["proficient_share"] * 100))
             for r in d.effectiveness or []],
        ),
    }  # fmt: skip
