"""The review's evidence from data in words: the JSON is the reviews service's own (built by its evidence rules
from the same inputs its service gathers), and every figure comes out with its label and unit, teams and
standards by name: no team UUID, no Python dict, no days read as a percent (issue 24)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from reviews.evidence import rules
from web.reviews.evidence import in_words, said
from web.roster import Names

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def evidence() -> tuple[dict, str]:
    team = uuid.uuid4()
    teams = [
        SimpleNamespace(team_id=team, kind="collaborative", class_ids=["c1"], standard_ids=["s-nf1", "s-nf2"])
    ]
    goals = [SimpleNamespace(team_id=team, status="active", progress="on track"),
             SimpleNamespace(team_id=team, status="active", progress="at risk")]  # fmt: skip
    flags = [("st0", T0), ("st1", T0)]
    assignments = [("st0", T0 + timedelta(hours=7, minutes=12), False)]  # 0.3 days after the flag
    data = {
        "goals": rules.goals_evidence(teams, goals),
        "common_assessments": rules.common_assessments(teams, [("a1", ["c1"], ["s-nf1"])]),
        "support": rules.support_evidence(flags, assignments),
        "informs": rules.INFORMS,
    }
    return data, str(team)


def shown(words) -> str:
    """Every text the page shows of the evidence."""
    pairs = [p for _, lines in words.sections for p in lines] + [
        p for ps in words.beside.values() for p in ps
    ]
    return " ".join(f"{what}: {value}" for what, value in pairs)


def test_every_figure_is_said_with_its_label_and_unit_and_teams_and_standards_by_name():
    data, team = evidence()
    names = Names(
        standards={"s-nf1": "4.NF.A.1 — Equivalent fractions", "s-nf2": "4.NF.A.2 — Compare fractions"}
    )
    words = in_words(data, {team: "Grade 4 math team"}, names)
    sections = dict(words.sections)
    assert dict(sections["Support for students who need it"]) == {
        "Students flagged for support": "2",
        "Median time from a flag to an intervention": "0.3 days",
        "Flagged students with an intervention": "50 %",
        "Students with an intervention who have exited it": "0 %",
    }
    assert dict(sections["SMART goals"])["Active goals on track"] == "50 %"
    assert sections["Common formative assessments"] == [
        ("Grade 4 math team",
         "1 assessment on 4.NF.A.1 — Equivalent fractions, 0 assessments on 4.NF.A.2 — Compare fractions")
    ]  # fmt: skip
    assert words.beside["respond.identification"] == [
        ("Median time from a flag to an intervention", "0.3 days")
    ]
    everything = shown(words)
    assert team not in everything and "{'" not in everything
    assert not re.search(r"\b[0-9a-f]{8}-[0-9a-f]{4}-", everything)


def test_a_team_the_user_may_not_read_is_not_named_by_its_id_and_missing_figures_say_so():
    data, team = evidence()
    words = in_words(data, {}, Names())
    assert dict(words.sections)["Common formative assessments"][0][0] == "A collaborative team"
    assert team not in shown(words)
    assert said("median_days_flag_to_intervention", None) == "no data yet"
    assert said("median_days_flag_to_intervention", 1) == "1 day"
    assert said("exited_share", 1.0) == "100 %"
