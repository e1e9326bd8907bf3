"""An intervention's progress-monitoring chart: the student's score at each check against the goal line
(baseline on the start date to the goal on the goal date), from the interventions service's assignment and
progress JSON. The student's name in the title is the roster's, from the page (never a query parameter)."""

from __future__ import annotations

from datetime import date

import altair as alt
from markupsafe import Markup

from web.charts.render import draw

DATA, GOAL = "#1f5f99", "#b03a2e"  # both above 4.5:1 on white
MAX_LABELLED = 12  # more points than this: the values are in the table and the text alternative, not on dots


def _num(value: float) -> str:
    return f"{value:g}"


def series_names(assignment: dict) -> tuple[str, str]:
    return "Score at each check", f"Goal line: {_num(assignment['baseline'])} → {_num(assignment['goal'])}"


def progress_spec(assignment: dict, progress: dict, *, title: str) -> alt.LayerChart:
    scored, goal_line = series_names(assignment)
    points = sorted(progress["points"], key=lambda p: p["measured_on"])
    dates = [assignment["start_on"], assignment["goal_date"], *(p["measured_on"] for p in points)]
    values = [assignment["baseline"], assignment["goal"], *(p["score"] for p in points)]
    x = alt.X(
        "on:T",
        title=f"Date of the progress check ({_years(dates)})",
        scale=alt.Scale(type="utc", domain=[min(dates), max(dates)]),
        axis=alt.Axis(format="%b %-d", tickCount={"interval": "week", "step": _weeks_per_tick(dates)}),
    )
    y = alt.Y("value:Q", title="Score (%)", scale=alt.Scale(domain=[min(0, *values), max(100, *values)]))
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[scored, goal_line], range=[DATA, GOAL]),
        legend=alt.Legend(symbolType="stroke"),
    )
    dash = alt.StrokeDash(
        "series:N", title=None, scale=alt.Scale(domain=[scored, goal_line], range=[[1, 0], [6, 4]])
    )
    line = [
        {"on": assignment["start_on"], "value": assignment["baseline"], "series": goal_line},
        {"on": assignment["goal_date"], "value": assignment["goal"], "series": goal_line},
    ]
    drawn = [{"on": p["measured_on"], "value": p["score"], "series": scored} for p in points]
    goal = alt.Chart(alt.Data(values=line)).encode(x=x, y=y, color=colour, strokeDash=dash)
    layers = [
        goal.mark_line(strokeWidth=2),
        alt.Chart(alt.Data(values=line[1:])).mark_text(align="right", dx=-6, dy=-10, color=GOAL).encode(
            x=x, y=y, text=alt.value(f"Goal {_num(assignment['goal'])}")),
        alt.Chart(alt.Data(values=drawn)).mark_line(point=alt.OverlayMarkDef(size=50, filled=True), strokeWidth=2)
        .encode(x=x, y=y, color=colour, strokeDash=dash),
    ]  # fmt: skip
    if 0 < len(drawn) <= MAX_LABELLED:
        layers.append(alt.Chart(alt.Data(values=drawn)).mark_text(dy=-10, color=DATA).encode(
            x=x, y=y, text=alt.Text("value:Q", format="~g")))  # fmt: skip
    return alt.layer(*layers).properties(title=title, width=480, height=240)


def progress_words(assignment: dict, progress: dict) -> str:
    """The text alternative: every figure of the chart, and the rate against the goal line's."""
    start, goal_date = assignment["start_on"], assignment["goal_date"]
    said = [f"Baseline {_num(assignment['baseline'])} on {start}; goal {_num(assignment['goal'])} by {goal_date}"
            f" (the goal line rises {progress['goal_rate']:.1f} points a week)."]  # fmt: skip
    points = sorted(progress["points"], key=lambda p: p["measured_on"])
    if not points:
        return " ".join([*said, "No progress check yet."])
    checks = ", ".join(f"{p['measured_on']}: {_num(p['score'])}" for p in points)
    said.append(f"{len(points)} progress check{'s' if len(points) != 1 else ''}: {checks}.")
    rate = progress.get("rate_of_improvement")
    if rate is not None:
        pace = "at or above" if rate >= progress["goal_rate"] else "below"
        said.append(
            f"Rate of improvement {rate:.1f} points a week, {pace} the goal line's {progress['goal_rate']:.1f}."
        )
    return " ".join(said)


async def progress_chart(
    assignment: dict, progress: dict, *, student: str, chart_id: str, intervention: str | None = None
) -> Markup:
    title = f"Progress of {student}" + (f" in {intervention}" if intervention else "")
    spec = progress_spec(assignment, progress, title=title)
    return await draw(spec, chart_id=chart_id, title=title, description=progress_words(assignment, progress))


def _weeks_per_tick(dates: list[str]) -> int:
    """A tick every week, or every 2, 4, 8 ... weeks on a long span (about eight ticks at most)."""
    weeks, every = (date.fromisoformat(max(dates)) - date.fromisoformat(min(dates))).days / 7, 1
    while weeks / every > 8:
        every *= 2
    return every


def _years(dates: list[str]) -> str:
    first, last = date.fromisoformat(min(dates)).year, date.fromisoformat(max(dates)).year
    return f"{first}" if first == last else f"{first}-{last}"
