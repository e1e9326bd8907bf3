"""The school dashboard's pictures (a leader's current reality), from the services' JSON: the tier distribution
at the end of each week (interventions `GET .../tiers/history`), open flags per class (interventions `GET /flags`
with the roster's classes) and each intervention's exits with the goal met (interventions `GET .../effectiveness`).
Each has a title, axes, a legend where colour means something, and its figures in words; the page has the
same figures in tables besides."""

from __future__ import annotations

import altair as alt
from markupsafe import Markup

from web.charts.render import draw

TIERS = {"Tier 1": "#9ebfe0", "Tier 2": "#d9822b", "Tier 3": "#8c1d18"}
BAR = "#1f5f99"


def tiers_over_time_spec(history: dict, *, title: str) -> alt.Chart:
    rows = [{"week": w["week_ending"], "tier": f"Tier {t['tier']}", "count": t["count"], "order": t["tier"]}
            for w in history["weeks"] for t in w["tiers"]]  # fmt: skip
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(stroke="#ffffff", strokeWidth=0.5)
        .encode(
            x=alt.X("week:O", title="Week ending", axis=alt.Axis(labelAngle=-40, labelExpr="slice(datum.label, 5)")),
            y=alt.Y("count:Q", title="Students", stack="zero", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("tier:N", title="Tier in force", sort=list(TIERS),
                            scale=alt.Scale(domain=list(TIERS), range=list(TIERS.values())),
                            legend=alt.Legend(symbolType="square")),
            order=alt.Order("order:Q", sort="ascending"),
        )
        .properties(title=title, width=max(34 * len(history["weeks"]), 240), height=200)
    )  # fmt: skip


def tiers_over_time_words(history: dict) -> str:
    def week(w: dict) -> str:
        return ", ".join(f"tier {t['tier']} {t['count']} ({t['share']:.0%})" for t in w["tiers"])

    weeks = history["weeks"]
    if not weeks:
        return "No weeks yet."
    first, last = weeks[0], weeks[-1]
    return (f"{history['students']} students. Week ending {first['week_ending']}: {week(first)}. "
            f"Week ending {last['week_ending']}: {week(last)}. Every week is in the table that follows.")  # fmt: skip


async def tiers_over_time_chart(history: dict, *, school: str) -> Markup:
    title = f"Tiers at {school}, week by week"
    return await draw(tiers_over_time_spec(history, title=title), chart_id="tiers-history-chart", title=title,
                      description=tiers_over_time_words(history))  # fmt: skip


def flags_spec(rows: list[dict], *, title: str) -> alt.Chart:
    drawn = [{**r, "axis": f"Grade {r['grade']}|{r['class']}" if r["grade"] else r["class"]} for r in rows]
    return (
        alt.Chart(alt.Data(values=drawn))
        .mark_bar(color=BAR)
        .encode(
            # the grade over the class (two lines: `|` splits them), so long class names keep clear of the edge
            y=alt.Y("axis:N", title=None, sort=None,
                    axis=alt.Axis(labelLimit=220, labelExpr="split(datum.label, '|')", labelLineHeight=14)),
            x=alt.X("students:Q", title="Students with an open support flag", axis=alt.Axis(format="d", tickMinStep=1)),
        )
        .properties(title=title, width=320, height=max(36 * len(rows), 40))
    )  # fmt: skip


def flags_words(rows: list[dict]) -> str:
    said = "; ".join(f"{r['label']}: {r['students']} students, {r['flags']} flags" for r in rows)
    return f"Students with an open support flag per class: {said or 'none'}."


async def flags_chart(rows: list[dict]) -> Markup:
    title = "Open support flags by grade and class"
    return await draw(flags_spec(rows, title=title), chart_id="flags-by-class-chart", title=title,
                      description=flags_words(rows))  # fmt: skip


def effectiveness_spec(rows: list[dict], *, title: str) -> alt.LayerChart:
    drawn = [{**r, "label": f"{r['goal_met']} of {r['exited']} exits"} for r in rows if r["exited"]]
    y = alt.Y("name:N", title=None, sort=None, axis=alt.Axis(labelLimit=260))
    x = alt.X(
        "share:Q", title="Exits with the goal met", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
    )
    base = alt.Chart(alt.Data(values=drawn)).encode(y=y, x=x)
    return alt.layer(
        base.mark_bar(color=BAR),
        base.mark_text(align="left", dx=4, color="#1b1f24").encode(text="label:N"),
    ).properties(title=title, width=320, height=max(28 * len(drawn), 40))  # fmt: skip


def effectiveness_words(rows: list[dict]) -> str:
    said = "; ".join(
        f"{r['name']}: {r['goal_met']} of {r['exited']} exits with the goal met" for r in rows if r["exited"]
    )
    return f"Exits with the goal met per intervention: {said or 'no exit yet'}."


async def effectiveness_chart(rows: list[dict]) -> Markup:
    title = "Exits with the goal met, per intervention"
    return await draw(effectiveness_spec(rows, title=title), chart_id="effectiveness-chart", title=title,
                      description=effectiveness_words(rows))  # fmt: skip
