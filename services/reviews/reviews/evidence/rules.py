"""Evidence from data, pure: what the other services' events say about a school's implementation, next to
the indicators it informs."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

# indicator of the default rubric → the evidence keys that inform it
INFORMS = {
    "culture.smart_goals": ["teams_with_active_goal", "goals_on_track_share"],
    "leadership.monitoring": ["teams_with_active_goal", "goals_on_track_share"],
    "know.common_formative": ["common_assessments"],
    "know.data_use": ["common_assessments"],
    "respond.identification": ["median_days_flag_to_intervention"],
    "respond.pyramid": ["flagged_with_intervention_share", "exited_share"],
}


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def goals_evidence(teams: list[Any], goals: list[Any]) -> dict[str, Any]:
    collaborative = [t.team_id for t in teams if t.kind == "collaborative"]
    active = [g for g in goals if g.status == "active"]
    with_goal = {g.team_id for g in active if g.team_id in collaborative}
    on_track = sum(1 for g in active if g.progress == "on track")
    return {
        "collaborative_teams": len(collaborative),
        "teams_with_active_goal": len(with_goal),
        "teams_with_active_goal_share": share(len(with_goal), len(collaborative)),
        "active_goals": len(active),
        "goals_on_track_share": share(on_track, len(active)),
    }


def common_assessments(
    teams: list[Any], given: list[tuple[str, list[str], list[str]]]
) -> dict[str, dict[str, int]]:
    """Per collaborative team and its standard: distinct common formative assessments given to its classes.
    `given`: (assessment id, class ids it was given to, the assessment's standards)."""
    out: dict[str, dict[str, int]] = {}
    for t in teams:
        if t.kind != "collaborative":
            continue
        classes, per = set(t.class_ids), {}
        for s in t.standard_ids:
            per[s] = len({a for a, cls, stds in given if s in stds and classes & set(cls)})
        out[str(t.team_id)] = per
    return out


def support_evidence(
    flags: list[tuple[str, datetime]], assignments: list[tuple[str, datetime | None, bool]]
) -> dict:
    """flags: (student, flagged at) of support flags; assignments: (student, assigned at, exited)."""
    first: dict[str, datetime] = {}
    for student, at in flags:
        first[student] = min(at, first.get(student, at))
    days = []
    for student, at in first.items():
        later = [a for s, a, _ in assignments if s == student and a is not None and a >= at]
        if later:
            days.append((min(later) - at).total_seconds() / 86400)
    assigned = {s for s, _, _ in assignments}
    exited = {s for s, _, e in assignments if e}
    return {
        "flagged_students": len(first),
        "median_days_flag_to_intervention": round(statistics.median(days), 2) if days else None,
        "flagged_with_intervention_share": share(len(assigned & set(first)), len(first)),
        "exited_share": share(len(exited & assigned), len(assigned)),
    }
