"""The evidence from data on a review, in words: each figure of the reviews service's evidence JSON
(`GET /reviews/v1/schools/{id}/evidence/{year}`, or the review's own copy once finalized) with its label and unit,
teams and standards by name. A key this module does not know yet is shown by its name, its value as is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web.roster import Names

SECTIONS = {
    "goals": "SMART goals",
    "common_assessments": "Common formative assessments",
    "support": "Support for students who need it",
}
# key → (what the figure is, its unit: count, share (0-1), days)
FIGURES = {
    "collaborative_teams": ("Collaborative teams", "count"),
    "teams_with_active_goal": ("Collaborative teams with an active SMART goal", "count"),
    "teams_with_active_goal_share": ("Share of collaborative teams with an active SMART goal", "share"),
    "active_goals": ("Active SMART goals", "count"),
    "goals_on_track_share": ("Active goals on track", "share"),
    "flagged_students": ("Students flagged for support", "count"),
    "median_days_flag_to_intervention": ("Median time from a flag to an intervention", "days"),
    "flagged_with_intervention_share": ("Flagged students with an intervention", "share"),
    "exited_share": ("Students with an intervention who have exited it", "share"),
}


def said(key: str, value: Any) -> str:
    """One figure with its unit: 3 → "3", 0.25 → "25 %", 0.4 days → "0.4 days"; no data → "no data yet"."""
    if value is None:
        return "no data yet"
    unit = FIGURES.get(key, ("", "count"))[1]
    if unit == "share":
        return f"{value * 100:.0f} %"
    if unit == "days":
        return "1 day" if value == 1 else f"{value:g} days"
    return str(value)


def label(key: str) -> str:
    return FIGURES.get(key, (key.replace("_", " ").capitalize(), ""))[0]


@dataclass
class Evidence:
    sections: list[tuple[str, list[tuple[str, str]]]]  # (section title, [(label, figure in words)])
    beside: dict[str, list[tuple[str, str]]]  # indicator id → the figures that inform it, in words


def in_words(data: dict, teams: dict[str, str], names: Names) -> Evidence:
    """`teams`: team id → name (the goals service's teams of the school)."""
    sections, flat = [], {}
    for key, figures in data.items():
        if not isinstance(figures, dict) or key == "informs" or not figures:
            continue
        if key == "common_assessments":
            lines = _assessments(figures, teams, names)
            flat[key] = "; ".join(f"{who}: {what}" for who, what in lines) or "no collaborative team yet"
        else:
            lines = [(label(k), said(k, v)) for k, v in figures.items()]
            flat.update({k: said(k, v) for k, v in figures.items()})
        sections.append((SECTIONS.get(key, key.replace("_", " ").capitalize()), lines))
    beside = {
        indicator: [(label(k) if k in FIGURES else SECTIONS.get(k, k), flat[k]) for k in keys if k in flat]
        for indicator, keys in (data.get("informs") or {}).items()
    }
    return Evidence(sections, beside)


def _assessments(
    per_team: dict[str, dict[str, int]], teams: dict[str, str], names: Names
) -> list[tuple[str, str]]:
    """Per collaborative team: how many common formative assessments its classes took on each of its standards."""
    out = []
    for team_id, per_standard in per_team.items():
        counts = [
            f"{n} assessment{'' if n == 1 else 's'} on {names.standard(sid)}"
            for sid, n in per_standard.items()
        ]
        out.append(
            (teams.get(team_id, "A collaborative team"), ", ".join(counts) or "no standard chosen yet")
        )
    return out
