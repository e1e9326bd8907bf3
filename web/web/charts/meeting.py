"""The data meeting's two pictures, from the assessments service's analysis JSON: the distribution of the
students' scores with the assessment's two cut lines, and the student-by-standard grid coloured by level, each
cell also saying its level in text (a letter and the percent), so colour is never the only sign. The page
carries both as tables besides (web/web/meeting)."""

from __future__ import annotations

import asyncio

import altair as alt
from markupsafe import Markup

from web.charts.render import draw, inline, spec_of, svg_of, title_lines

BAR, PROFICIENT, MASTERY = "#4f83c2", "#8a4b00", "#0d4d1d"  # bars light, so the cut lines show on them
# Levels of one student on one standard, each with the colour of its cell and the letter drawn in it.
LEVELS = {"Below the cut": ("#f4c7c3", "B"), "Proficient": ("#fbe3a6", "P"), "Mastery": ("#a8d5b1", "M")}


def level_of(score: dict) -> str:
    """A counting score on one standard (the analysis' `proficient` and `mastered` at the standard's cuts)."""
    return "Mastery" if score["mastered"] else "Proficient" if score["proficient"] else "Below the cut"


def distribution_spec(analysis: dict, assessment: dict, *, title: str) -> alt.LayerChart:
    bins = [
        {"from": b["from"], "to": b["to"], "students": b["students"]}
        for b in analysis["distribution"]["bins"]
    ]
    cuts = [
        {"at": assessment["proficiency_cut"], "cut": f"Proficiency cut {assessment['proficiency_cut']:g} %"},
        {"at": assessment["mastery_cut"], "cut": f"Mastery cut {assessment['mastery_cut']:g} %"},
    ]
    x = alt.X("from:Q", title="Score on the assessment (%)", scale=alt.Scale(domain=[0, 100], padding=0, nice=False),
              axis=alt.Axis(values=list(range(0, 101, 10))))  # fmt: skip
    most = max([b["students"] for b in bins] + [1])
    step = max(1, -(-most // 5))  # whole students, at most about 6 ticks
    y = alt.Y("students:Q", title="Students", scale=alt.Scale(domain=[0, most]),
              axis=alt.Axis(values=list(range(0, most + 1, step)), format="d"))  # fmt: skip
    bars = (
        alt.Chart(alt.Data(values=bins))
        .mark_bar(color=BAR, orient="vertical", stroke="#ffffff", strokeWidth=1)
        .encode(x=x, x2="to:Q", y=y, y2=alt.datum(0))
    )
    colour = alt.Color("cut:N", title=None, legend=alt.Legend(symbolType="stroke"),
                       scale=alt.Scale(domain=[c["cut"] for c in cuts], range=[PROFICIENT, MASTERY]))  # fmt: skip
    dash = alt.StrokeDash("cut:N", title=None, scale=alt.Scale(domain=[c["cut"] for c in cuts],
                                                               range=[[6, 3], [2, 2]]))  # fmt: skip
    rules = (
        alt.Chart(alt.Data(values=cuts))
        .mark_rule(strokeWidth=3)
        .encode(x="at:Q", color=colour, strokeDash=dash)
    )
    return alt.layer(bars, rules).properties(title=title_lines(title, 420), width=420, height=200)


def distribution_words(analysis: dict, assessment: dict) -> str:
    d = analysis["distribution"]
    counted = "; ".join(f"{b['from']}-{b['to']} %: {b['students']}" for b in d["bins"] if b["students"])
    centre = "" if d["median"] is None else f" Median {d['median']:g} %, mean {d['mean']:g} %."
    return (
        f"{analysis['scored']} students scored. Proficiency cut {assessment['proficiency_cut']:g} %, mastery cut "
        f"{assessment['mastery_cut']:g} %.{centre} Students per score band: {counted or 'none yet'}."
    )


async def distribution_chart(analysis: dict, assessment: dict) -> Markup:
    title = f"Scores on {assessment['title']}"
    return await draw(distribution_spec(analysis, assessment, title=title), chart_id="distribution-chart",
                      title=title, description=distribution_words(analysis, assessment))  # fmt: skip


def grid_rows(students: list[tuple[dict, str]], codes: dict[str, str]) -> list[dict]:
    """One row per student and standard scored: (student name, standard code, percent, level)."""
    return [
        {"student": name, "standard": codes.get(score["standard_id"], score["standard_id"]),
         "percent": score["percent"], "level": level_of(score)}
        for student, name in students for score in student["standards"]
    ]  # fmt: skip


def grid_spec(rows: list[dict], *, title: str, data: alt.Data | None = None) -> alt.LayerChart:
    """`data`: where the cells come from (default: `rows` inline; grid_chart names them and adds them after)."""
    names = sorted({r["student"] for r in rows})
    standards = sorted({r["standard"] for r in rows})
    x = alt.X("standard:N", title="Standard", sort=standards,
              axis=alt.Axis(orient="top", labelAngle=0, labelLimit=104))  # fmt: skip
    y = alt.Y("student:N", title=None, sort=names)
    colour = alt.Color("level:N", title="Level on the standard", legend=alt.Legend(symbolType="square"),
                       scale=alt.Scale(domain=list(LEVELS), range=[c for c, _ in LEVELS.values()]))  # fmt: skip
    base = alt.Chart(data or alt.Data(values=rows)).encode(x=x, y=y)
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=2).encode(color=colour)
    letters = (
        base.transform_calculate(
            label=" + ".join(
                f"(datum.level == '{name}' ? '{letter} ' : '')" for name, (_, letter) in LEVELS.items()
            )
            + " + format(datum.percent, '.0f') + ' %'"
        )
        .mark_text(fontSize=12, color="#1b1f24")
        .encode(text="label:N")
    )
    return alt.layer(cells, letters).properties(
        title=title, width=max(110 * len(standards), 260), height=max(26 * len(names), 40)
    )


def grid_words(rows: list[dict]) -> str:
    counts = {name: sum(r["level"] == name for r in rows) for name in LEVELS}
    said = ", ".join(f"{n} {name.lower()}" for name, n in counts.items())
    return (f"{len(rows)} scores of {len({r['student'] for r in rows})} students on "
            f"{len({r['standard'] for r in rows})} standards: {said}. Letters in the cells: B below the cut, "
            "P proficient, M mastery. Every score is in the table that follows.")  # fmt: skip


async def grid_chart(rows: list[dict]) -> Markup:
    """The grid's cells go into the spec as a named dataset after altair has built it: altair copies and hashes
    inline values (300 students' 1,200 cells: 0.86 s of the page; 0.18 s so; the same SVG)."""
    title = "Level per student and standard"
    spec = spec_of(grid_spec(rows, title=title, data=alt.Data(name="grid")))
    spec["datasets"] = {**spec.get("datasets", {}), "grid": rows}
    svg = await asyncio.to_thread(svg_of, spec)
    return inline(svg, chart_id="grid-chart", title=title, description=grid_words(rows))
