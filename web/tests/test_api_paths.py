"""Every value the web app puts into an API path goes through `seg()` (percent-encoded, `/` included).

Without it, a crafted id in a page's URL or form (`school_id=s1/../../assessments/...`) makes the web app call
another GET route of the API with the signed-in user's token. An AST scan of web/web: an f-string that starts
an API path (a literal `/assessments`, `/goals`, `/interventions`, `/reviews`, or one of the prefix constants,
or a `base` path built the same way) may interpolate nothing but `seg(...)` calls; a new route of the web app
that forgets it fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from web.client import seg

import web

SOURCE = Path(web.__file__).parent
API = ("/assessments", "/goals", "/interventions", "/reviews", "/ims")
PREFIXES = {"GV", "RV", "IV", "base"}  # constants holding a service prefix; `base`: an API path built here


def _starts_api_path(node: ast.JoinedStr) -> bool:
    first = node.values[0] if node.values else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value.startswith(API)
    return (
        isinstance(first, ast.FormattedValue)
        and isinstance(first.value, ast.Name)
        and first.value.id in PREFIXES
    )


def _encoded(value: ast.FormattedValue, position: int) -> bool:
    inner = value.value
    if position == 0 and isinstance(inner, ast.Name) and inner.id in PREFIXES:
        return True
    return isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "seg"


def unencoded_segments() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr) or not _starts_api_path(node):
                continue
            for position, value in enumerate(node.values):
                if isinstance(value, ast.FormattedValue) and not _encoded(value, position):
                    found.append(f"{path.relative_to(SOURCE)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_every_interpolated_api_path_segment_is_encoded():
    assert unencoded_segments() == []


def test_the_scan_finds_an_unencoded_segment(tmp_path, monkeypatch):
    """The scan itself: an f-string API path with a bare value is reported, one with seg() is not."""
    (tmp_path / "page.py").write_text(
        'GV = "/goals/v1"\n'
        'bad = f"{GV}/schools/{school_id}/goals"\n'
        'also_bad = f"/assessments/assessments/{assessment_id}"\n'
        'good = f"{GV}/schools/{seg(school_id)}/goals"\n'
        'page = f"/app/goals/{goal_id}"\n'
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SOURCE"]), "SOURCE", tmp_path)
    assert [line.split(":")[1] for line in unencoded_segments()] == ["2", "3"]


def test_seg_encodes_every_reserved_character():
    assert (
        seg("s1/../../assessments/roster/staff?x=1#y")
        == "s1%2F..%2F..%2Fassessments%2Froster%2Fstaff%3Fx%3D1%23y"
    )
    assert seg("..") == "%2E%2E" and seg(".") == "%2E"  # httpx would resolve a bare dot segment away
    assert seg(42) == "42"
