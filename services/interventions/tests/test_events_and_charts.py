"""The event contract of this service, and the SVG charts as documents."""

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from interventions.pyramid import rules as progress_rules
from interventions.tiers import rules as tier_rules
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
