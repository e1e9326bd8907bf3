"""The reviews pages' pure parts: readiness in plain words, and the service's SVG made safe to inline."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from web.reviews.service import inline_svg, level_of, plain, school_year

NS = "{http://www.w3.org/2000/svg}"


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


def test_an_inlined_chart_keeps_its_drawing_and_text_alternative_and_loses_anything_active():
    document = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"'
        b' onload="alert(1)"><title>T &lt;1&gt;</title><desc>D</desc><script>alert(2)</script>'
        b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
        b'<a xlink:href="javascript:alert(3)"><text>link</text></a>'
        b'<g class="legend"><text x="1" y="2" onclick="alert(4)" style="x">Legend</text></g></svg>'
    )
    html = str(inline_svg(document, "chart-x"))
    root = ET.fromstring(html)  # noqa: S314 - our own output
    assert "alert" not in html and "href" not in html and "foreignObject" not in html and "style" not in html
    assert root.get("role") == "img" and root.get("class") == "chart"
    assert root.get("aria-labelledby") == "chart-x-title" and root.get("aria-describedby") == "chart-x-desc"
    assert root.find(f"{NS}title").text == "T <1>" and root.find(f"{NS}desc").get("id") == "chart-x-desc"
    assert [t.text for t in root.iter(f"{NS}text")] == ["Legend"]
    assert html.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    with pytest.raises(ValueError):
        inline_svg(b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "x")
