"""The event contract of this service, and the SVG charts as documents."""

import io
import os
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import cairosvg
import pytest
from interventions.pyramid import rules as progress_rules
from interventions.tiers import rules as tier_rules
from PIL import Image
from plc_shared.events import CloudEvent, parse_event
from plc_shared.events.interventions import (
    FlagResolved,
    InterventionAssigned,
    StudentExited,
    StudentFlagged,
    TierChanged,
)
from plc_shared.topics import FLAGS

NOW = datetime(2026, 10, 1, tzinfo=UTC)
WHO = {"student_id": "stu-1", "district_id": "d-1", "school_id": "s-1"}
EXAMPLES = [
    StudentFlagged(
        **WHO,
        flag_id=uuid.uuid4(),
        kind="support",
        standard_id="A",
        result_id=uuid.uuid4(),
        result_revision=1,
        assessment_id="a-1",
        score=40,
        cut=70,
        rule="support: percent < proficiency cut",
        flagged_at=NOW,
    ),
    FlagResolved(
        **WHO, flag_id=uuid.uuid4(), kind="support", standard_id="A", reason="decision", resolved_at=NOW
    ),
    TierChanged(**WHO, from_tier=1, to_tier=2, reason="escalation", rule="x", changed_at=NOW),
    InterventionAssigned(
        **WHO,
        assignment_id=uuid.uuid4(),
        intervention_id=uuid.uuid4(),
        tier=2,
        directive=True,
        start_on=date(2026, 10, 1),
        planned_weeks=6,
        assigned_at=NOW,
    ),
    StudentExited(
        **WHO,
        assignment_id=uuid.uuid4(),
        intervention_id=uuid.uuid4(),
        reason="goal met",
        evidence="3 results above the cut",
        exited_on=date(2026, 11, 1),
    ),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_is_versioned_on_the_flags_topic_keyed_by_district_and_student_and_round_trips(event):
    assert re.fullmatch(r"org\.plc\.interventions\.[a-z]+\.[a-z]+\.v1", event.type)
    assert (event.topic, event.key()) == (FLAGS.name, "d-1/stu-1")
    assert parse_event(CloudEvent.wrap(event).to_bytes()).payload() == event


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_no_event_has_a_field_for_names(event):
    assert not [f for f in type(event).model_fields if "name" in f]


def test_the_progress_chart_is_svg_with_one_dot_per_point_and_a_goal_line():
    svg = progress_rules.progress_svg(
        [(date(2026, 9, 7), 40), (date(2026, 9, 14), 48)],
        start=date(2026, 9, 7),
        baseline=40,
        goal_date=date(2026, 10, 19),
        goal=70,
        title="Progress of <stu-1>",
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 2
    [goal] = [line for line in root.findall(f"{ns}line") if line.get("class") == "goal"]
    assert float(goal.get("y2")) < float(goal.get("y1"))  # the goal is above the baseline
    assert root.find(f"{ns}title").text == "Progress of <stu-1>"


def test_the_distribution_chart_has_a_bar_and_a_guidance_mark_per_tier():
    chart = tier_rules.distribution_svg([(1, 0.7, 0.8), (2, 0.2, 0.15), (3, 0.1, 0.05)], title="t")
    root = ET.fromstring(chart)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in root.findall(f"{ns}rect") if r.get("class") == "tier"]
    heights = [float(r.get("height")) for r in bars]
    assert len(bars) == 3 and heights[0] > heights[1] > heights[2]


def test_the_distribution_chart_reads_without_help_axis_legend_values_and_a_text_alternative():
    chart = tier_rules.distribution_svg(
        [(1, 0.7, 0.8), (2, 0.2, 0.15), (3, 0.1, 0.05)], title="Tiers at <s1>"
    )
    root = ET.fromstring(chart)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert {"0 %", "50 %", "100 %", "Share of students"} <= set(texts)  # the y axis, in percent
    assert {"Tier 1", "Tier 2", "Tier 3", "70%", "20%", "10%"} <= set(texts)  # names and values
    assert {"Students in the tier", "Guidance (RTI)"} <= set(texts)  # the legend
    assert root.find(f"{ns}title").text == "Tiers at <s1>"
    desc = root.find(f"{ns}desc").text
    assert "tier 1: 70% of students (guidance 80%)" in desc and "tier 3: 10%" in desc


def _png(svg: str, name: str) -> Image.Image:
    """The chart as a PNG, as a browser would paint it (cairosvg), kept in .plc/screenshots/charts to look at."""
    png = cairosvg.svg2png(bytestring=svg.encode(), output_width=1280)
    folder = Path(os.environ.get("PLC_SCREENSHOTS", ".plc/screenshots")) / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.png").write_bytes(png)
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_the_progress_chart_reads_without_help_axes_dates_legend_values_and_a_text_alternative():
    svg = progress_rules.progress_svg(
        [(date(2026, 9, 21), 52), (date(2026, 9, 7), 40), (date(2026, 9, 14), 48)],
        start=date(2026, 9, 7),
        baseline=40,
        goal_date=date(2026, 10, 19),
        goal=70,
        title="Progress of Ana Lopez",
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"

    def texts(cls: str) -> list[str]:
        return [t.text for g in root.iter(f"{ns}g") if g.get("class") == cls for t in g.iter(f"{ns}text")]

    assert texts("y-axis") == ["0", "20", "40", "60", "80", "100", "Score (%)"]  # percents: the whole scale
    assert texts("x-axis")[:3] == ["Sep 7", "Sep 14", "Sep 21"] and texts("x-axis")[-2] == "Oct 19"
    assert texts("x-axis")[-1] == "Date of the progress check (2026)"
    assert texts("legend") == ["Score at each check", "Goal line: 40 → 70"]
    values = [t.text for t in root.iter(f"{ns}text") if t.get("class") == "value"]
    assert values == ["40", "48", "52"]  # the score on each point, in date order
    assert [t.text for t in root.iter(f"{ns}text") if t.get("class") == "goal-label"] == ["Goal 70"]
    desc = root.find(f"{ns}desc").text
    assert "Baseline 40 on 2026-09-07; goal 70 by 2026-10-19" in desc
    assert "3 progress checks: 2026-09-07: 40, 2026-09-14: 48, 2026-09-21: 52." in desc
    assert "Rate of improvement 6.0 points a week, at or above the goal line's 5.0." in desc
    image = _png(svg, "interventions-progress")
    assert image.size == (1280, 640)
    colours = {c for _, c in image.getcolors(maxcolors=1 << 20)}
    assert (0x1F, 0x5F, 0x99) in colours and (0xB0, 0x3A, 0x2E) in colours  # the scores and the goal line


def test_the_progress_chart_without_checks_still_has_its_goal_line_axes_and_says_so():
    svg = progress_rules.progress_svg(
        [], start=date(2026, 9, 7), baseline=12, goal_date=date(2027, 1, 25), goal=30, title="t"
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    assert root.findall(f".//{ns}circle[@class='point']") == []
    assert "No progress check yet." in root.find(f"{ns}desc").text
    dates = [t.text for g in root.iter(f"{ns}g") if g.get("class") == "x-axis" for t in g.iter(f"{ns}text")]
    assert len(dates) <= 10 and dates[0] == "Sep 7"  # every 2 weeks or more on a long span, not crowded
    assert dates[-1] == "Date of the progress check (2026-2027)"
    _png(svg, "interventions-progress-empty")
