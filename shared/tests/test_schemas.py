"""The shared body base: text PostgreSQL cannot store is a 422 naming the field."""

import pytest
from plc_shared.schemas import Patch, Schema
from pydantic import Field, ValidationError


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


class Limits(Schema):
    student_id: str
    class_ids: list[str] = []
    notes: str | None = None
    narrative: str = ""
    scores: dict[str, float] = {}


@pytest.mark.parametrize(
    ("data", "location", "kind"),
    [
        ({"student_id": "s" * 256}, ("student_id",), "string_too_long"),  # an id: 255
        ({"student_id": "s", "class_ids": ["c", "c" * 256]}, ("class_ids",), "string_too_long"),
        ({"student_id": "s", "notes": "n" * 10_001}, ("notes",), "string_too_long"),  # other text: 10,000
        ({"student_id": "\ud800"}, ("student_id",), "surrogate_character"),
        ({"student_id": "s", "notes": "a\udfffb"}, ("notes",), "surrogate_character"),
        ({"student_id": "s", "scores": {"O1": float("nan")}}, ("scores", "O1"), "finite_number"),
        ({"student_id": "s", "scores": {"O1": float("inf")}}, ("scores", "O1"), "finite_number"),
    ],
)
def test_unstorable_text_and_non_finite_numbers_are_refused_naming_the_field(data, location, kind):
    with pytest.raises(ValidationError) as raised:
        Limits.model_validate(data)
    (error,) = raised.value.errors()
    assert error["loc"] == location and error["type"] == kind


def test_a_field_with_its_own_max_length_keeps_it_and_the_limits_are_in_the_json_schema():
    class Narrative(Schema):
        text: str = Field(max_length=50_000)

    assert len(Narrative(text="t" * 20_000).text) == 20_000
    properties = Limits.model_json_schema()["properties"]
    assert properties["student_id"]["maxLength"] == 255
    assert properties["class_ids"]["items"]["maxLength"] == 255
    assert "maxLength" not in properties["notes"]["anyOf"][0]  # 10,000 is enforced, not documented
    assert Narrative.model_json_schema()["properties"]["text"]["maxLength"] == 50_000


class GoalPatch(Patch):
    title: str = Field(None, min_length=1)
    baseline: float | None = None


def test_a_patch_takes_null_only_for_a_field_that_may_be_empty():
    assert GoalPatch.model_validate({"baseline": None}).model_dump(exclude_unset=True) == {"baseline": None}
    with pytest.raises(ValidationError) as raised:
        GoalPatch.model_validate({"title": None})
    (error,) = raised.value.errors()
    assert error["loc"] == ("title",) and error["type"] == "null_not_allowed"
    assert "default" not in GoalPatch.model_json_schema()["properties"]["title"]


def test_a_stored_row_skips_the_input_checks_but_not_the_types():
    """Schema.from_stored (rows the service stored: they passed the input checks when written) skips the
    per-field Python checks, nested models too; model_validate of the same values still applies them, and a
    stored row of the wrong type is still refused."""

    class Inner(Schema):
        name: str

    class Row(Schema):
        name: str
        count: int
        inner: Inner

    row = {"name": "a\x00b", "count": 1, "inner": {"name": "c\x00"}}
    assert Row.from_stored(row).inner.name == "c\x00"
    with pytest.raises(ValidationError, match="NUL"):
        Row.model_validate(row)
    with pytest.raises(ValidationError):
        Row.from_stored({**row, "count": "many"})
    with pytest.raises(ValidationError, match="NUL"):  # the context is not left behind
        Row.model_validate(row)
