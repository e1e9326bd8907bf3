"""Schemathesis against a running app, from a test: every check, every phase (examples, coverage, fuzzing,
stateful), a fixed seed, a bounded number of examples, as the `schemathesis run` CLI runs it.

The CLI's own engine does the work (`schemathesis.engine.from_schema(schema).execute()`, the call behind
`schemathesis run`) and its `Statistic` counts what the CLI summary prints: operations tested, test cases, unique
failures by check. The engine is blocking (requests), so it runs in a worker thread while the app under test
keeps serving from the test's event loop (`plc_shared.testing.serve_app`).

`FUZZ_EXAMPLES` and `FUZZ_SEED` override the bounds (`make fuzz` runs many more examples than CI).
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import schemathesis
from schemathesis.engine import from_schema
from schemathesis.engine.events import (
    EngineFinished,
    FatalError,
    NonFatalError,
    PhaseFinished,
    PhaseStarted,
    ScenarioFinished,
)
from schemathesis.engine.statistic import Statistic

CI_EXAMPLES, CI_SEED = 3, 20261202


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """A fresh Idempotency-Key per request, as a real client sends one per distinct request: the generator
    would otherwise reuse one value for different bodies, which the API rightly refuses (422)."""
    headers = case.headers or {}
    for name in [name for name in headers if name.lower() == "idempotency-key"]:
        headers[name] = uuid.uuid4().hex


def examples(default: int = CI_EXAMPLES) -> int:
    return int(os.environ.get("FUZZ_EXAMPLES", default))


def seed() -> int:
    return int(os.environ.get("FUZZ_SEED", CI_SEED))


ALL, NONE = ".*", "(?!)"  # regexes on operation names
# What each check accepts by default (schemathesis's own lists); an exemption adds to them.
EXPECTED = {
    "positive_data_acceptance": ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"],
    "negative_data_rejection": [
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "409",
        "415",
        "422",
        "428",
        "429",
        "5xx",
    ],
}


@dataclass(frozen=True)
class Exemption:
    """A check that is wrong for some operations, and why: `statuses` are added to what it accepts there."""

    operations: str  # a regex on the operation's name, "METHOD /path"
    check: str  # a key of EXPECTED
    statuses: tuple[str, ...]
    reason: str


def config(
    *,
    bearer: str,
    max_examples: int,
    exemptions: tuple[Exemption, ...] = (),
    coverage: str = ALL,
    stateful_steps: int = 6,
) -> dict[str, Any]:
    """Every check and every phase. Data generation is both positive and negative; a NUL byte is allowed
    (our schemas refuse it with a 422, which negative_data_rejection checks). The coverage phase (schemathesis's
    deterministic boundary values: most of a run's time, and independent of `max_examples`) runs on the
    operations `coverage` matches."""
    operations: list[dict[str, Any]] = [
        {
            "include-name-regex": e.operations,
            "checks": {e.check: {"expected-statuses": [*EXPECTED[e.check], *e.statuses]}},
        }
        for e in exemptions
    ]
    if coverage != ALL:
        operations.append({"exclude-name-regex": coverage, "phases": {"coverage": {"enabled": False}}})
    return {
        "operations": operations,
        "seed": seed(),
        # As auth, not as a plain header: the auth checks (ignored_auth, missing_required_header) leave it out.
        "auth": {"openapi": {"HTTPBearer": {"bearer": bearer}}},
        "request-timeout": 30,
        "checks": {"enabled": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": stateful_steps},
        },
        "generation": {"mode": "all", "max-examples": max_examples, "database": "none", "allow-x00": True},
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
    }


@dataclass
class FuzzReport:
    target: str
    operations: int = 0
    test_cases: int = 0
    failures_by_check: Counter = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # phase → seconds
    links: int = 0  # transitions the stateful phase walks (OpenAPI links, inferred or declared)

    @property
    def failures(self) -> int:
        return sum(self.failures_by_check.values())

    def summary(self) -> str:
        checks = ", ".join(f"{name} {n}" for name, n in sorted(self.failures_by_check.items())) or "none"
        return (
            f"{self.target}: {self.operations} operations, {self.test_cases} test cases, "
            f"{self.failures} unique failures ({checks}), {len(self.errors)} errors, {self.seconds:.0f} s "
            f"({', '.join(f'{name} {s:.0f} s' for name, s in self.phases.items())}; {self.links} stateful links)"
        )

    def explain(self) -> str:
        return "\n\n".join([self.summary(), *self.errors, *self.details])


def run(
    target: str,
    schema_url: str,
    *,
    bearer: str,
    max_examples: int,
    exemptions: tuple[Exemption, ...] = (),
    coverage: str = ALL,
) -> FuzzReport:
    """One blocking schemathesis run (call it through `fuzz`, or from a thread)."""
    settings = schemathesis.Config.from_dict(
        config(bearer=bearer, max_examples=max_examples, exemptions=exemptions, coverage=coverage)
    )
    schema = schemathesis.openapi.from_url(schema_url, config=settings, timeout=30)
    statistic, report = Statistic(), FuzzReport(target)
    started: dict[str, float] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, PhaseStarted):
            started[event.phase.name.value] = event.timestamp
            if event.payload is not None:
                report.links = event.payload.transitions_selected
        elif isinstance(event, PhaseFinished):
            name = event.phase.name.value
            report.phases[name] = event.timestamp - started.get(name, event.timestamp)
        elif isinstance(event, ScenarioFinished) and event.is_test_scenario:
            statistic.on_scenario_finished(event.recorder)
        elif isinstance(event, NonFatalError):
            report.errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, FatalError):
            report.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, EngineFinished):
            report.seconds = event.running_time
    report.operations = len(statistic.tested_operations | statistic.errored_operations)
    report.test_cases = statistic.total_cases
    for _failure, check in statistic.observed_failures.values():
        report.failures_by_check[check] += 1
    for label, groups in statistic.failures.items():
        for group in groups.values():
            for failure in group.failures:
                report.details.append(_detail(label, failure, group))
    return report


def _detail(label: str, failure: Any, group: Any) -> str:
    response = group.response
    status = response.status_code if response is not None else "-"
    body = response.content[:600].decode(errors="replace") if response is not None else ""
    return f"{label} [{status}]: {failure.title}\n{failure.message}\n{group.code_sample}\n-> {body}"


async def fuzz(
    target: str,
    base_url: str,
    *,
    bearer: str,
    max_examples: int,
    exemptions: tuple[Exemption, ...] = (),
    coverage: str = ALL,
) -> FuzzReport:
    """`run` in a worker thread, so the app under test keeps serving from this event loop."""
    return await asyncio.to_thread(
        functools.partial(
            run,
            target,
            f"{base_url}/openapi.json",
            bearer=bearer,
            max_examples=max_examples,
            exemptions=exemptions,
            coverage=coverage,
        )
    )


# --- hostile shapes: what a schema-driven generator rarely makes, sent to every operation ---------------------
# Each is a value JSON (or a URL) can carry that PostgreSQL cannot store or that a handler may not expect:
# non-finite numbers (Python's json reads NaN/Infinity literals), a lone surrogate (the `\ud800` escape), a NUL,
# a text far over every limit, and an explicit null (a PATCH body's "clear this field"). The fuzzer's own
# generation (hypothesis-jsonschema) keeps to valid Unicode and finite numbers, so these never come from it.
NON_FINITE = (math.nan, math.inf, -math.inf)
HOSTILE_TEXT = ("\ud800", "x\udfffy", "a\x00b", "x" * 100_001)
HOSTILE_PARAMETERS = ("%00", "%ED%A0%80", "x" * 1_000, "NaN", "-Infinity")


@dataclass(frozen=True)
class HostileRequest:
    method: str
    path: str  # with the path parameters filled in (already percent-encoded)
    params: dict[str, str]
    body: str | None  # raw JSON text (NaN and \ud800 as Python's json writes them)
    shape: str  # what was made hostile, for the failure message


def hostile_requests(document: dict[str, Any], per_operation: int = 24) -> list[HostileRequest]:
    """For every operation of an OpenAPI document: a plain request built from its schemas (required fields,
    simplest values), then that request with one hostile value at a time: in each path and query parameter,
    in each leaf of the body (a number made non-finite, a string made unstorable), and `null` for each of
    the body's top-level fields. At most `per_operation` hostile requests per operation."""
    resolver = _Resolver(document)
    found = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or not isinstance(operation, dict):
                continue
            found += _hostile_variants(method.upper(), path, operation, resolver)[:per_operation]
    return found


def _hostile_variants(method: str, path: str, operation: dict, resolver: _Resolver) -> list[HostileRequest]:
    parameters = [resolver.resolve(p) for p in operation.get("parameters", [])]
    in_path = {p["name"]: resolver.plain(p.get("schema", {})) for p in parameters if p.get("in") == "path"}
    in_query = {p["name"] for p in parameters if p.get("in") == "query"}
    media = (resolver.resolve(operation.get("requestBody", {})).get("content") or {}).get("application/json")
    body = resolver.plain(media["schema"]) if media and "schema" in media else None

    def request(shape: str, path_values=None, params=None, value=None) -> HostileRequest:
        values = {name: quote(str(v), safe="") for name, v in in_path.items()} | (path_values or {})
        text = None if body is None else json.dumps(body if value is None else value, allow_nan=True)
        return HostileRequest(method, _fill(path, values), params or {}, text, shape)

    variants = []
    for name in in_path:
        variants += [request(f"path {name}={v[:12]}", path_values={name: v}) for v in HOSTILE_PARAMETERS[:3]]
    for name in sorted(in_query):
        variants += [
            request(f"query {name}={v[:12]}", params={name: v}) for v in ("\x00", "x" * 1_000, "NaN")
        ]
    if isinstance(body, dict):
        variants += [request(f"body {key}=null", value={**body, key: None}) for key in body]
        variants.append(request("body {} (nothing given)", value={}))
    for where, hostile_body in _hostile_leaves(body):
        variants.append(request(f"body {where}", value=hostile_body))
    return variants


def _hostile_leaves(value: Any, where: str = "") -> list[tuple[str, Any]]:
    """(where, the whole value with one leaf made hostile) for each number and string leaf."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        return [(f"{where}={v}", v) for v in NON_FINITE]
    if isinstance(value, str):
        return [(f"{where}={v[:12]!r}", v) for v in HOSTILE_TEXT]
    if isinstance(value, list):
        return [(w, [*value[:i], v, *value[i + 1 :]]) for i, item in enumerate(value)
                for w, v in _hostile_leaves(item, f"{where}[{i}]")]  # fmt: skip
    if isinstance(value, dict):
        return [(w, {**value, key: v}) for key, item in value.items()
                for w, v in _hostile_leaves(item, f"{where}.{key}")]  # fmt: skip
    return []


def _fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


class _Resolver:
    """Local `$ref`s of an OpenAPI document, and the plainest value a schema admits."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            node, seen = self._target(node["$ref"]), seen + 1
        return node

    def _target(self, ref: str) -> Any:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node

    def plain(self, schema: Any, depth: int = 0) -> Any:
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > 12:
            return None
        for key in ("const", "default"):
            if key in schema and schema[key] is not None:
                return schema[key]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            options = [o for o in schema.get(key, []) if self.resolve(o).get("type") != "null"]
            if options:
                return self.plain(options[0], depth + 1)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            required = schema.get("required", [])
            return {
                k: self.plain(v, depth + 1) for k, v in schema.get("properties", {}).items() if k in required
            }
        if kind == "array":
            return [
                self.plain(schema.get("items", {}), depth + 1) for _ in range(schema.get("minItems", 1) or 1)
            ]
        if kind in ("number", "integer"):
            return max(schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
        if kind == "boolean":
            return True
        if kind == "string":
            return {"uuid": str(uuid.uuid4()), "date": "2026-09-07", "date-time": "2026-09-07T08:00:00Z"}.get(
                schema.get("format", ""), "x1"
            )
        return None


async def hostile(base_url: str, *, bearer: str, requests: list[HostileRequest] | None = None) -> list[str]:
    """Every hostile request against a running app: the ones answered 5xx (or not answered), as lines."""
    import httpx  # the test client; only this helper needs it

    failures = []
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        if requests is None:
            requests = hostile_requests((await client.get("/openapi.json")).json())
        for r in requests:
            try:
                response = await client.request(
                    r.method, r.path, params=r.params, content=r.body, headers=headers
                )
            except httpx.HTTPError as exc:
                failures.append(f"{r.method} {r.path[:120]} ({r.shape}): {exc!r}")
                continue
            if response.status_code >= 500:
                failures.append(
                    f"{r.method} {r.path[:120]} ({r.shape}) -> {response.status_code} {response.text[:300]}"
                )
    return failures
