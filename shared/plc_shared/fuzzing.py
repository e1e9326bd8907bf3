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
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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
