"""The shared body base: text PostgreSQL cannot store is a 422 naming the field."""

import pytest
from plc_shared.schemas import Schema
from pydantic import ValidationError


class Row(Schema):
    student_id: str
    tags: list[str] = []
    scores: dict[str, float] = {}


class Bulk(Schema):
    rows: list[Row]


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"rows": [{"student_id": "ok"}, {"student_id": "s\x001"}]}, ("rows", 1, "student_id")),
        ({"rows": [{"student_id": "ok", "tags": ["a", "b\x00"]}]}, ("rows", 0, "tags")),
        ({"rows": [{"student_id": "ok", "scores": {"O\x001": 1}}]}, ("rows", 0, "scores")),
    ],
)
def test_a_nul_character_is_refused_naming_the_field_and_row(data, location):
    with pytest.raises(ValidationError) as raised:
        Bulk.model_validate(data)
    (error,) = raised.value.errors()
    assert error["loc"] == location and error["type"] == "nul_character"


def test_ordinary_text_passes_untouched():
    bulk = Bulk.model_validate({"rows": [{"student_id": "s1", "tags": ["é", "\t"], "scores": {"O1": 2}}]})
    assert bulk.rows[0].student_id == "s1"
