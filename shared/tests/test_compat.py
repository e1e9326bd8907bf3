"""The schema compatibility rule (plc_shared.events.compat), case by case, without I/O."""

import pytest
from plc_shared.events import compat

STR = {"type": "string"}
INT = {"type": "integer"}
NULLABLE_STR = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}


def obj(required=(), **props):
    return {"type": "object", "additionalProperties": False, "properties": props, "required": list(required)}


BASE = obj(["student_id", "score"], student_id=STR, score=INT, note=NULLABLE_STR)
SCORE = {
    "$defs": {"S": obj(["code"], code=STR)},
    **obj(["scores"], scores={"type": "array", "items": {"$ref": "#/$defs/S"}}),
}

CASES = [
    # (name, old, new, breaks)
    ("identical", BASE, BASE, False),
    (
        "an optional field added",
        BASE,
        obj(["student_id", "score"], student_id=STR, score=INT, note=NULLABLE_STR, extra=NULLABLE_STR),
        False,
    ),
    (
        "a description changed",
        BASE,
        obj(["student_id", "score"], student_id={**STR, "description": "x"}, score=INT, note=NULLABLE_STR),
        False,
    ),
    ("a field removed", BASE, obj(["student_id", "score"], student_id=STR, score=INT), True),
    (
        "a field retyped",
        BASE,
        obj(["student_id", "score"], student_id=STR, score={"type": "number"}, note=NULLABLE_STR),
        True,
    ),
    (
        "a required field added",
        BASE,
        obj(["student_id", "score", "x"], student_id=STR, score=INT, note=NULLABLE_STR, x=STR),
        True,
    ),
    (
        "optional made required",
        BASE,
        obj(["student_id", "score", "note"], student_id=STR, score=INT, note=NULLABLE_STR),
        True,
    ),
    ("required made optional", BASE, obj(["student_id"], student_id=STR, score=INT, note=NULLABLE_STR), True),
    (
        "a format added",
        BASE,
        obj(["student_id", "score"], student_id={**STR, "format": "uuid"}, score=INT, note=NULLABLE_STR),
        True,
    ),
    ("nullable made non-null", BASE, obj(["student_id", "score"], student_id=STR, score=INT, note=STR), True),
    (
        "a constraint changed",
        obj(["n"], n={"type": "integer", "minimum": 1}),
        obj(["n"], n={"type": "integer", "minimum": 0}),
        True,
    ),
    (
        "an enum gains a value",
        obj(["s"], s={"enum": ["a", "b"], "type": "string"}),
        obj(["s"], s={"enum": ["a", "b", "c"], "type": "string"}),
        False,
    ),
    (
        "an enum loses a value",
        obj(["s"], s={"enum": ["a", "b"], "type": "string"}),
        obj(["s"], s={"enum": ["a"], "type": "string"}),
        True,
    ),
    (
        "array items retyped",
        obj(["c"], c={"type": "array", "items": STR}),
        obj(["c"], c={"type": "array", "items": INT}),
        True,
    ),
    (
        "nested optional field added",
        SCORE,
        {
            "$defs": {"S": obj(["code"], code=STR, pts=NULLABLE_STR)},
            **obj(["scores"], scores={"type": "array", "items": {"$ref": "#/$defs/S"}}),
        },
        False,
    ),
    (
        "nested field removed",
        SCORE,
        {
            "$defs": {"S": obj([], pts=NULLABLE_STR)},
            **obj(["scores"], scores={"type": "array", "items": {"$ref": "#/$defs/S"}}),
        },
        True,
    ),
    (
        "nested definition inlined unchanged",
        SCORE,
        obj(["scores"], scores={"type": "array", "items": obj(["code"], code=STR)}),
        False,
    ),
    ("object became a string", SCORE, obj(["scores"], scores=STR), True),
]


@pytest.mark.parametrize(("name", "old", "new", "breaks"), CASES, ids=[c[0] for c in CASES])
def test_the_rule(name, old, new, breaks):
    found = compat.problems(old, new)
    assert bool(found) == breaks, found


def test_a_problem_names_the_field():
    assert compat.problems(BASE, obj(["student_id"], student_id=STR, note=NULLABLE_STR)) == [
        "data.score: removed"
    ]


def test_a_committed_type_that_is_gone_is_a_problem_and_a_new_type_is_not(tmp_path):
    (tmp_path / "org.plc.x.v1.json").write_text('{"type": "object", "properties": {}}')
    assert compat.check_directory(tmp_path, {"org.plc.x.v2": BASE})[0].startswith(
        "org.plc.x.v1: the type is gone"
    )
    assert (
        compat.check_directory(tmp_path, {"org.plc.x.v1": obj([], a=NULLABLE_STR), "org.plc.x.v2": BASE})
        == []
    )
