"""Every chart of the app: its Vega-Lite spec is valid against the official Vega-Lite schema (the one the
Vega-Lite project publishes, shipped inside altair), vl-convert draws it, and what reaches the page is one
image with a title, a text alternative that says every figure, axes and a legend, and nothing active.

The JSON each chart is drawn from is checked against the services' own response models first, so the
fixtures are what the services answer, not what the charts would like."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from importlib import resources

import cairosvg
import jsonschema
import pytest
from goals.plans.schemas import CycleRead, GoalRead, VersionRead
from goals.progress.schemas import Series
from interventions.pyramid.schemas import AssignmentRead, ProgressRead
from interventions.tiers.schemas import Distribution, TierHistory
from PIL import Image
from reviews.analytics.schemas import DistrictImplementation, ImplementationAchievement, Trends
from web.charts import dashboard as dashboard_charts
from web.charts import meeting as meeting_charts
from web.charts import render
from web.charts import reviews as review_charts
from web.charts.goals import GoalChart, goal_words
from web.charts.progress import progress_spec, progress_words
from web.charts.tiers import tiers_spec, tiers_words

NS = "{http://www.w3.org/2000/svg}"
VEGA_LITE_SCHEMA = json.loads(
    resources.files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json").read_text()
)
ASSIGNMENT = AssignmentRead.model_validate({
    "id": "0190f000-0000-7000-8000-000000000001", "intervention_id": "0190f000-0000-7000-8000-000000000002",
    "student_id": "st0", "standard_id": "std1", "school_id": "s1", "status": "active", "start_on": "2026-09-01",
    "planned_weeks": 6, "champion": "t1", "baseline": 20, "goal": 70, "goal_date": "2026-10-13",
}).model_dump(mode="json")  # fmt: skip
PROGRESS = ProgressRead.model_validate({
    "assignment_id": ASSIGNMENT["id"], "rate_of_improvement": 18.0, "goal_rate": 8.33, "on_track": True,
    "points": [{"measured_on": "2026-09-15", "score": 48}, {"measured_on": "2026-09-08", "score": 30}],
}).model_dump(mode="json")  # fmt: skip
GOAL = GoalRead.model_validate({
    "id": "0190f000-0000-7000-8000-000000000003", "school_id": "s1", "team_id": None, "level": "school",
    "status": "active", "version": 2, "progress_status": "on track", "title": "Grade 4 fractions",
    "measure": {"kind": "proficient", "assessment_id": "a2"}, "population": {"kind": "school"},
    "baseline": {"value": 20}, "target": 80, "start": "2026-09-01", "deadline": "2027-05-20",
    "interim_targets": [{"on": "2027-01-15", "value": 50}],
}).model_dump(mode="json")  # fmt: skip
SERIES = Series.model_validate({
    "goal_id": GOAL["id"], "version": 2, "baseline": 20, "target": 80, "start": "2026-09-01",
    "deadline": "2027-05-20", "status": "on track", "projection": 91.5,
    "points": [{"on": on, "value": v, "n": 5, "version": 2, "expected": None}
               for on, v in (("2026-10-01", 60), ("2026-11-02", 70), ("2026-11-20", None), ("2026-12-01", 80))],
}).model_dump(mode="json")  # fmt: skip
CYCLES = [CycleRead.model_validate({
    "id": "0190f000-0000-7000-8000-000000000004", "goal_id": GOAL["id"], "number": 1, "phase": "do",
    "plan": {"question": "q", "change_idea": "c"}, "do": {"started_on": "2026-11-15", "as_planned": True},
    "created_at": "2026-11-01T10:00:00Z",
}).model_dump(mode="json")]  # fmt: skip
BODY = {k: v for k, v in GOAL.items() if k in VersionRead.model_fields}
VERSIONS = [
    VersionRead.model_validate({**BODY, "version": v, "target": t, "created_at": "2026-09-01T00:00:00Z"}).model_dump(mode="json")
    for v, t in ((1, 70), (2, 80))
]  # fmt: skip
TIERS = Distribution.model_validate({"school_id": "s1", "students": 40, "tiers": [
    {"tier": 1, "count": 30, "share": 0.75, "guidance": 0.8}, {"tier": 2, "count": 8, "share": 0.2, "guidance": 0.15},
    {"tier": 3, "count": 2, "share": 0.05, "guidance": 0.05}]}).model_dump(mode="json")  # fmt: skip
GROUP = {"label": "program schools", "k": 3, "n": 5, "p": 0.6, "wilson_95": [0.23, 0.88]}
COMPARISON = {"a": GROUP, "b": {**GROUP, "label": "Exemplary/Sustaining", "k": 1, "n": 1, "p": 1.0},
              "method": "m", "difference": 0.4, "verdict": "v"}  # fmt: skip
DI = DistrictImplementation.model_validate({"scope": "district", "schools": 5, "districts": 1,
    "program_vs_recognized": COMPARISON, "non_recognized_vs_recognized": COMPARISON}).model_dump(mode="json")  # fmt: skip
ACHIEVEMENT = ImplementationAchievement.model_validate({"scope": "district", "n": 2, "method": "m", "pearson": {"r": 0.5},
    "spearman": None, "verdict": "v", "points": [{"implementation": 50.0, "achievement": 60.0},
                                                 {"implementation": 80.0, "achievement": 75.0}]}).model_dump(mode="json")  # fmt: skip
TRENDS = Trends.model_validate({"scope": "district", "method": "m", "by_training_year": [], "by_district_implementation": [],
    "by_year": [{"group": "school year", "value": "2025", "n": 2, "indicators": {},
                 "strands": {"culture": {"points": 0.4}, "teams": {"points": 0.5}}},
                {"group": "school year", "value": "2026", "n": 3, "indicators": {},
                 "strands": {"culture": {"points": 0.6}, "teams": {"points": None}}}]}).model_dump(mode="json")  # fmt: skip
STRANDS = {"culture": "A culture of learning", "teams": "Collaborative teams"}
HISTORY = [("2026-09-15", "pre", 1.0), ("2027-03-02", "site", 2.0)]
SCORES = {
    "scored": 3,
    "distribution": {
        "median": 80.0,
        "mean": 66.67,
        "bins": [
            {"from": i * 10, "to": i * 10 + 10, "students": n}
            for i, n in enumerate([0, 0, 1, 0, 0, 0, 0, 0, 1, 1])
        ],
    },
}
CFA = {"title": "Fractions CFA", "proficiency_cut": 70.0, "mastery_cut": 90.0}
GRID = [
    {"student": who, "standard": code, "percent": p, "level": level}
    for who, p, level in (
        ("Ana Lopez", 20.0, "Below the cut"),
        ("Ben Okafor", 100.0, "Mastery"),
        ("Cleo Nguyen", 80.0, "Proficient"),
    )
    for code in ("4.NF.A.1", "4.NF.A.2")
]
WEEK = [
    {"tier": 1, "count": 36, "share": 0.9, "guidance": 0.8},
    {"tier": 2, "count": 3, "share": 0.075, "guidance": 0.15},
    {"tier": 3, "count": 1, "share": 0.025, "guidance": 0.05},
]
HISTORY_TIERS = TierHistory.model_validate(
    {
        "school_id": "s1",
        "students": 40,
        "weeks": [{"week_ending": "2026-11-30", "tiers": WEEK}, {"week_ending": "2026-12-07", "tiers": WEEK}],
    }
).model_dump(mode="json")
FLAGS_BY_CLASS = [{"grade": "04", "class": "Math 4 (Maria Rivera)", "label": "", "students": 2, "flags": 3}]
WORKS = [
    {"name": "Fractions small group", "exited": 2, "goal_met": 1, "share": 0.5},
    {"name": "Reading club", "exited": 0, "goal_met": 0, "share": None},
]

CHARTS = {
    "progress": lambda: progress_spec(ASSIGNMENT, PROGRESS, title="Progress of Ana Lopez"),
    "goal": lambda: GoalChart(GOAL, SERIES, CYCLES, VERSIONS).chart(),
    "tiers": lambda: tiers_spec(TIERS, title="Tiers at Maple Grove"),
    "history": lambda: review_charts.history_spec(HISTORY, title="Implementation level over time: Maple Grove"),
    "history-empty": lambda: review_charts.history_spec([], title="t"),
    "proportions": lambda: review_charts.proportions_spec([GROUP, GROUP], title="t"),
    "proportions-empty": lambda: review_charts.proportions_spec([{**GROUP, "k": 0, "n": 0, "p": None, "wilson_95": None}], title="t"),
    "scatter": lambda: review_charts.scatter_spec(ACHIEVEMENT["points"], title="t"),
    "scatter-empty": lambda: review_charts.scatter_spec([], title="t"),
    "trends": lambda: review_charts.trend_spec(TRENDS["by_year"], STRANDS, title="t"),
    "trends-empty": lambda: review_charts.trend_spec([], STRANDS, title="t"),
    "distribution": lambda: meeting_charts.distribution_spec(SCORES, CFA, title="Scores on Fractions CFA"),
    "grid": lambda: meeting_charts.grid_spec(GRID, title="Level per student and standard"),
    "tiers-history": lambda: dashboard_charts.tiers_over_time_spec(HISTORY_TIERS, title="Tiers at Maple Grove, week by week"),
    "flags-by-class": lambda: dashboard_charts.flags_spec(FLAGS_BY_CLASS, title="Open support flags by grade and class"),
    "effectiveness": lambda: dashboard_charts.effectiveness_spec(WORKS, title="Exits with the goal met, per intervention"),
}  # fmt: skip


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_is_a_valid_vega_lite_spec(name):
    jsonschema.validate(render.spec_of(CHARTS[name]()), VEGA_LITE_SCHEMA)


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - vl-convert's output in a test
    lines = [
        [s.text or "" for s in t.iter(f"{NS}tspan")] or ["".join(t.itertext())]
        for t in root.iter(f"{NS}text")
    ]
    return [line for text in lines for line in text]  # a label of several lines: one tspan each


def _drawn(name: str) -> str:
    return render.svg_of(render.spec_of(CHARTS[name]()))


@pytest.mark.parametrize(("name", "words"), [
    ("progress", ["Progress of Ana Lopez", "Score (%)", "Date of the progress check (2026)", "Score at each check",
                  "Goal line: 20 → 70", "Goal 70", "30", "48"]),
    ("goal", ["Grade 4 fractions", "% of tested students at or above proficient · on track", "Measured value", "Target",
              "Baseline", "Aimline (baseline → target)", "Interim target", "Earlier version's target",
              "Trend to the deadline", "PDSA 1", "Target 80 by 20 May 2027", "Baseline 20", "Projected 91.5",
              "v1 target 70", "Date"]),
    ("tiers", ["Tiers at Maple Grove", "Share of students", "Students in the tier", "Guidance (RTI: 80 / 15 / 5 %)",
               "Tier 1", "75% (30 students)", "5% (2 students)"]),
    ("history", ["Implementation level over time: Maple Grove", "2026-09-15", "2027-03-02", "1.0", "2.0",
                 "2 Proficient", "Mean rating (0-3)", "Site review", "Pre- or interim review"]),
    ("history-empty", ["No finalized review yet"]),
    ("proportions", ["program schools", "3 of 5 schools", "60%", "Share of schools", "95 % interval (Wilson)"]),
    ("proportions-empty", ["No program school yet"]),
    ("scatter-empty", ["No school with both a site review and results yet", "Students proficient (summative, %)"]),
    ("trends", ["2025-26", "2 reviews", "In 2026-27", "A culture of learning: 60%", "Collaborative teams: 50%",
                "Strand points (% of the maximum)"]),
    ("trends-empty", ["No finalized site review yet"]),
    ("distribution", ["Scores on Fractions CFA", "Score on the assessment (%)", "Students", "Proficiency cut 70 %",
                      "Mastery cut 90 %", "0", "100"]),
    ("grid", ["Level per student and standard", "Standard", "4.NF.A.1", "Ana Lopez", "B 20 %", "M 100 %", "P 80 %",
              "Level on the standard", "Below the cut", "Proficient", "Mastery"]),
    ("tiers-history", ["Tiers at Maple Grove, week by week", "Week ending", "Students", "Tier in force", "Tier 3",
                       "11-30", "12-07"]),
    ("flags-by-class", ["Open support flags by grade and class", "Grade 04", "Math 4 (Maria Rivera)",
                        "Students with an open support flag"]),
    ("effectiveness", ["Exits with the goal met, per intervention", "Fractions small group", "1 of 2 exits",
                       "Exits with the goal met", "50%"]),
])  # fmt: skip
def test_each_chart_draws_its_title_axes_legend_and_values(name, words):
    drawn = _texts(_drawn(name))
    missing = [w for w in words if w not in drawn]
    assert not missing, (missing, drawn)


def test_the_goal_chart_shows_only_known_points_and_its_legend_only_what_is_drawn():
    chart = GoalChart(GOAL, SERIES, CYCLES, VERSIONS)
    assert [p["on"] for p in chart.known] == [
        "2026-10-01",
        "2026-11-02",
        "2026-12-01",
    ]  # the empty point left out
    plain = GoalChart(
        {**GOAL, "interim_targets": []}, {**SERIES, "baseline": None, "projection": None}, [], VERSIONS[1:]
    )
    assert plain.names() == ["Measured value", "Target"]
    drawn = _texts(render.svg_of(render.spec_of(plain.chart())))
    assert "Aimline (baseline → target)" not in drawn and "PDSA 1" not in drawn


def test_the_text_alternatives_say_every_figure():
    assert progress_words(ASSIGNMENT, PROGRESS) == (
        "Baseline 20 on 2026-09-01; goal 70 by 2026-10-13 (the goal line rises 8.3 points a week). "
        "2 progress checks: 2026-09-08: 30, 2026-09-15: 48. Rate of improvement 18.0 points a week, at or above "
        "the goal line's 8.3."
    )
    said = goal_words(GoalChart(GOAL, SERIES, CYCLES, VERSIONS))
    for words in ("Baseline 20.", "Target 80 by 2027-05-20.", "50 by 2027-01-15", "3 progress points; latest 80",
                  "1 PDSA cycles, started 2026-11-15", "Trend projects 91.5", "Earlier versions: v1 target 70"):  # fmt: skip
        assert words in said, said
    assert tiers_words(TIERS).startswith("40 students. Share of students per tier: tier 1: 30 students, 75%")
    assert "2027-03-02 site review: mean rating 2.0 of 3 (Proficient)" in review_charts.history_words(HISTORY)
    assert "Collaborative teams: 2025-26 50%, 2026-27 no data" in review_charts.trend_words(
        TRENDS["by_year"], STRANDS
    )


async def test_a_chart_reaches_the_page_as_one_named_and_described_image_with_nothing_active():
    html = str(await render.draw(CHARTS["progress"](), chart_id="c1", title="Progress of Ana <Lopez>",
                                 description="Two checks & a goal line."))  # fmt: skip
    root = ET.fromstring(html)  # noqa: S314 - our own output
    assert (root.get("role"), root.get("class"), root.get("id")) == ("img", "chart", "c1")
    assert (root.get("aria-labelledby"), root.get("aria-describedby")) == ("c1-title", "c1-desc")
    title, desc = list(root)[:2]
    assert (title.tag, title.get("id"), title.text) == (f"{NS}title", "c1-title", "Progress of Ana <Lopez>")
    assert (desc.tag, desc.text) == (f"{NS}desc", "Two checks & a goal line.")
    assert (
        "&lt;Lopez&gt;" in html
        and "<script" not in html
        and "style=" not in html
        and "aria-label=" not in html
    )


def test_inlining_keeps_the_drawing_and_drops_anything_active():
    document = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"'
        ' onload="alert(1)"><script>alert(2)</script>'
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
        '<a xlink:href="javascript:alert(3)"><text>link</text></a>'
        '<g class="legend"><text x="1" y="2" onclick="alert(4)" style="x">Legend</text></g></svg>'
    )
    html = str(render.inline(document, chart_id="x", title="T", description="D"))
    assert "alert" not in html and "href" not in html and "foreignObject" not in html and "style" not in html
    assert _texts(html) == ["Legend"]
    with pytest.raises(ValueError):
        render.inline(
            '<html xmlns="http://www.w3.org/1999/xhtml"/>', chart_id="x", title="T", description="D"
        )


def test_each_series_of_the_goal_chart_is_painted_in_its_colour():
    """Painted by another renderer (cairosvg), as a browser would: every legend colour is on the canvas."""
    png = cairosvg.svg2png(bytestring=_drawn("goal").encode())
    raw = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    pixels = (raw[i : i + 3] for i in range(0, len(raw), 3))
    colours = {"#1f4e79", "#b03a2e", "#1e7e46", "#b35900", "#7b8a8b", "#7d3c98", "#5f6b6c"}
    found = {f"#{r:02x}{g:02x}{b:02x}" for r, g, b in pixels}
    assert colours <= found, colours - found


def test_the_same_spec_is_drawn_once():
    render._drawn.cache_clear()
    first, again = _drawn("tiers"), _drawn("tiers")
    assert first == again and render._drawn.cache_info().hits == 1


@pytest.mark.parametrize("title", [
    "Scores on Fractions CFA 1: equivalence and comparison",  # the demo's CFA: it touched the chart's edge
    "Scores on Grade 7 ratios and proportional relationships CFA 3: unit rates, tables, graphs and equations",
])  # fmt: skip
def test_a_long_title_wraps_within_the_chart_in_the_widest_font_a_browser_draws_it_with(title):
    """The distribution chart's title drawn by a browser without Liberation Sans (DejaVu Sans Bold, Debian's
    default face, wider): every line of it fits inside the drawing, its padding aside."""
    from PIL import ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 15)
    svg = render.svg_of(render.spec_of(meeting_charts.distribution_spec(SCORES, CFA, title=title)))
    root = ET.fromstring(svg)  # noqa: S314 - vl-convert's output in a test
    plot = 420  # the chart's plot width: the title must not run past it
    lines = [t for t in _texts(svg) if len(t) > 3 and t in title]  # not the axes' numbers
    assert " ".join(lines) == title
    assert all(font.getlength(line) <= plot for line in lines), [
        (line, font.getlength(line)) for line in lines
    ]
    assert float(root.get("width")) <= plot + 200  # the drawing is not widened by its title
