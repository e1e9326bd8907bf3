"""The reviews pages' pure parts: readiness in plain words, the level a mean rating has reached."""

from __future__ import annotations

import pytest
from web.reviews.service import level_of, plain, school_year


def test_unmet_criteria_read_as_sentences_with_indicator_names_and_school_years():
    names = {"culture.mission": "A shared mission", "teams.norms": "Teams keep norms"}
    assert plain(
        "indicators below Proficient on the 2026 site review: culture.mission, teams.norms", names
    ) == (
        "2 indicators rated below Proficient on the 2026-27 site review: A shared mission; Teams keep norms"
    )
    assert plain("no reflective narrative for 2026", names) == "The school's reflective narrative for 2026-27"
    assert plain("no finalized site review", names) == "A finalized site review (none yet)"
    assert plain("indicators below Proficient on the 2026 site review: x.y", names).startswith(
        "1 indicator rated"
    )
    assert school_year(2099) == "2099-00" and school_year(None) == "—"


@pytest.mark.parametrize(("points", "level"), [(None, "Not rated"), (0.0, "Minimal/No"), (1 / 3, "Partial"),
                                               (0.66, "Partial"), (2 / 3, "Proficient"), (1.0, "Deep Implementation")])  # fmt: skip
def test_the_level_is_the_rubric_level_the_mean_rating_has_reached(points, level):
    assert level_of(points)[1] == level
