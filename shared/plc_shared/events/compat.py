"""When may an event's schema change? The rule, once, for `plc events export` and the contract tests.

A committed schema is a promise to two kinds of reader: consumers built against it (they read new events) and
consumers built against the new model (they replay old events). So, for every object in the schema, nested
ones included:

- a field that was there stays, with the same type (type, format, constraints, nesting);
- a field keeps its required-ness (required → optional would give old readers a missing value; optional →
  required would make old events invalid for new readers);
- a new field is optional (events written before it lack it);
- an enum may gain values (a warehouse stores it as text), never lose one;
- titles, descriptions, defaults and examples are documentation and may change.

Anything else breaks: publish it as a new type with the next version suffix (`.v2`) and keep the old model
registered, so old events stay readable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "$id", "$schema", "$defs", "deprecated"}
)
OBJECT_KEYS = frozenset({"properties", "required", "additionalProperties"})
COMBINATORS = ("anyOf", "oneOf", "allOf")


class Incompatible(Exception):
    """The models no longer keep the promise of the committed schemas."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "not backward compatible with the committed schemas (publish a new .v2 type instead):\n  "
            + "\n  ".join(problems)
        )


def problems(old: dict, new: dict, path: str = "data") -> list[str]:
    """Why `new` may not replace `old` (empty when it may). Both are JSON Schemas with local `$defs`."""
    return _compare(old, new, path, (old, new))


def check_directory(directory: Path, current: dict[str, dict]) -> list[str]:
    """Every committed `<type>.json` in `directory` against the current schema of its type."""
    found = []
    for path in sorted(directory.glob("*.json")):
        event_type = path.name.removesuffix(".json")
        if event_type not in current:
            found.append(f"{event_type}: the type is gone (keep its model registered; old events exist)")
            continue
        found += [f"{event_type}: {p}" for p in problems(json.loads(path.read_text()), current[event_type])]
    return found


def _compare(old: Any, new: Any, path: str, roots: tuple[dict, dict]) -> list[str]:
    old, new = _resolve(old, roots[0]), _resolve(new, roots[1])
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else [f"{path}: changed from {old!r} to {new!r}"]
    if "properties" in old or "properties" in new:
        return _compare_objects(old, new, path, roots)
    found = []
    for key in COMBINATORS:
        if key in old or key in new:
            branches_old, branches_new = old.get(key, []), new.get(key, [])
            if len(branches_old) != len(branches_new):
                return [f"{path}: retyped ({key} of {len(branches_old)} → {len(branches_new)} types)"]
            for a, b in zip(branches_old, branches_new, strict=True):
                found += _compare(a, b, path, roots)
    if "items" in old or "items" in new:
        found += _compare(old.get("items"), new.get("items"), f"{path}[]", roots)
    if "enum" in old and "enum" in new:
        lost = [v for v in old["enum"] if v not in new["enum"]]
        found += [f"{path}: enum lost {lost}"] if lost else []
    skip = {*ANNOTATIONS, *COMBINATORS, "items", "enum"}
    rest_old, rest_new = _strip(old, skip), _strip(new, skip)
    if rest_old != rest_new or ("enum" in old) != ("enum" in new):
        found.append(f"{path}: retyped from {_brief(old)} to {_brief(new)}")
    return list(dict.fromkeys(found))


def _compare_objects(old: dict, new: dict, path: str, roots: tuple[dict, dict]) -> list[str]:
    if "properties" not in old or "properties" not in new:
        return [f"{path}: retyped from {_brief(old)} to {_brief(new)}"]
    old_props, new_props = old["properties"], new["properties"]
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    found = []
    for name, schema in old_props.items():
        where = f"{path}.{name}"
        if name not in new_props:
            found.append(f"{where}: removed")
            continue
        found += _compare(schema, new_props[name], where, roots)
        if name in old_required and name not in new_required:
            found.append(f"{where}: no longer required")
        elif name not in old_required and name in new_required:
            found.append(f"{where}: now required")
    found += [
        f"{path}.{n}: added as required" for n in new_props.keys() - old_props.keys() if n in new_required
    ]
    if _strip(old, {*ANNOTATIONS, *OBJECT_KEYS}) != _strip(new, {*ANNOTATIONS, *OBJECT_KEYS}):
        found.append(f"{path}: object constraints changed")
    return found


def _resolve(schema: Any, root: dict) -> Any:
    """Follow local `$ref`s (`#/$defs/Name`), as pydantic writes them."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema, seen = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, seen + 1
    return schema


def _strip(schema: dict, keys: set[str] | frozenset[str]) -> dict:
    return {k: v for k, v in schema.items() if k not in keys}


def _brief(schema: dict) -> str:
    return json.dumps(_strip(schema, ANNOTATIONS), sort_keys=True)[:120]
