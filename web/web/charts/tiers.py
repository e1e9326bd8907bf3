"""A school's tier distribution against the 80 / 15 / 5 guidance, from the interventions service's
`GET /interventions/v1/schools/{id}/tiers`; the school's name in the title is the roster's, from the page."""

from __future__ import annotations

import altair as alt
from markupsafe import Markup

from web.charts.render import draw

BAR, GUIDE = "#1f5f99", "#b03a2e"
STUDENTS, GUIDANCE = "Students in the tier", "Guidance (RTI: 80 / 15 / 5 %)"


def tiers_spec(distribution: dict, *, title: str) -> alt.LayerChart:
    # Each tier's figures under its name (two lines: `|` splits them), clear of the bars and guidance marks.
    rows = [{"tier": f"Tier {t['tier']}|{t['share']:.0%} ({t['count']} students)", "share": t["share"],
             "guidance": t["guidance"]} for t in distribution["tiers"]]  # fmt: skip
    x = alt.X("tier:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '|')",
                                                             labelLineHeight=16, labelPadding=6))  # fmt: skip
    share = alt.Scale(domain=[0, 1])
    colour = alt.Color("series:N", title=None, legend=alt.Legend(symbolType="square"),
                       scale=alt.Scale(domain=[STUDENTS, GUIDANCE], range=[BAR, GUIDE]))  # fmt: skip
    base = alt.Chart(alt.Data(values=rows)).encode(x=x)
    bars = (
        base.transform_calculate(series=f"'{STUDENTS}'")
        .mark_bar(width={"band": 0.6})
        .encode(
            y=alt.Y("share:Q", title="Share of students", scale=share, axis=alt.Axis(format="%")),
            color=colour,
        )
    )
    guide = (
        base.transform_calculate(series=f"'{GUIDANCE}'")
        .mark_tick(thickness=3, size=64, opacity=1)
        .encode(y=alt.Y("guidance:Q", scale=share), color=colour)
    )
    return alt.layer(bars, guide).properties(title=title, width=360, height=220)


def tiers_words(distribution: dict) -> str:
    said = "; ".join(f"tier {t['tier']}: {t['count']} students, {t['share']:.0%} (guidance {t['guidance']:.0%})"
                     for t in distribution["tiers"])  # fmt: skip
    return f"{distribution['students']} students. Share of students per tier: {said or 'no students yet'}."


async def tiers_chart(distribution: dict, *, school: str) -> Markup:
    title = f"Tiers at {school}"
    return await draw(tiers_spec(distribution, title=title), chart_id="tiers-chart", title=title,
                      description=tiers_words(distribution))  # fmt: skip
