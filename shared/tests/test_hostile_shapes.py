"""The fuzzer's hostile shapes (plc_shared.fuzzing.hostile_requests) from a small OpenAPI document: every
parameter and every body leaf gets each hostile value, one at a time, and each body field `null`."""

import json

from plc_shared.fuzzing import hostile_requests

DOCUMENT = {
    "paths": {
        "/goals/{goal_id}": {
            "patch": {
                "parameters": [
                    {"name": "goal_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "note", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/P"}}}
                },
            }
        }
    },
    "components": {
        "schemas": {
            "P": {
                "type": "object",
                "required": ["title", "target", "tags"],
                "properties": {
                    "title": {"type": "string"},
                    "target": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "optional": {"type": "string"},
                },
            }
        }
    },
}


def test_each_parameter_and_leaf_gets_each_hostile_value_and_each_field_null():
    requests = hostile_requests(DOCUMENT, per_operation=100)
    shapes = {r.shape for r in requests}
    assert {"path goal_id=%00", "path goal_id=%ED%A0%80", "query note=\x00"} <= shapes
    assert {"body title=null", "body target=null", "body tags=null"} <= shapes
    bodies = [r.body for r in requests if r.body is not None]
    assert (
        '{"title": "\\ud800", "target": 1, "tags": ["x1"]}' in bodies
    )  # a lone surrogate, as JSON escapes it
    assert '{"title": "x1", "target": NaN, "tags": ["x1"]}' in bodies  # Python's json writes NaN
    assert '{"title": "x1", "target": -Infinity, "tags": ["x1"]}' in bodies
    assert '{"title": "x1", "target": 1, "tags": ["a\\u0000b"]}' in bodies
    assert any(len(json.loads(b).get("title") or "") > 100_000 for b in bodies)
    assert all(r.method == "PATCH" for r in requests)
    assert {r.path for r in requests if not r.shape.startswith("path")} == {"/goals/x1"}


def test_the_number_per_operation_is_bounded():
    assert len(hostile_requests(DOCUMENT, per_operation=5)) == 5
