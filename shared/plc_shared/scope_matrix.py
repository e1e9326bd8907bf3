"""The scope matrix (test support): every route of a service by the callers who must not reach a student's data,
each answering as documented (`plc_shared.scope`), with no change to any data.

A world (built by each suite) has school A with classes A1 and A2, school B with class B1, and a target student
in class A1 of school A with data in every table. The adversaries are inside the same district; another
district's callers are the tenancy suites' business. Each suite lists one `Case` per route of its app (the route
table is the source: a route without a case fails the suite), with what each adversary gets:

- MISSING: exactly the answer to the same request with an id nobody has (status and body, the ids aside): a
  404, or for a write naming a student in its body the same row error as an unknown student; whether the
  object exists is not revealed;
- FORBIDDEN: 403 (a role or an API key's permission that may never do this, whatever the object);
- HIDDEN: a 2xx list or aggregate in which none of the target's ids appears;
- ALLOWED: a 2xx the scope rules grant (a teacher reads their own school's catalog).

The same cases run straight to the services and through the gateway (`through_gateway` derives what the
gateway's route table answers first).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts

from plc_shared.auth import Permission, Role, mint_dev_token


class Expect(StrEnum):
    MISSING = "missing"
    FORBIDDEN = "forbidden"
    HIDDEN = "hidden"
    ALLOWED = "allowed"


@dataclass(frozen=True)
class Adversary:
    name: str
    role: Role
    schools: tuple[str, ...] = ()  # world keys: "school_a", "school_b"
    classes: tuple[str, ...] = ()  # world keys: "class_a2", "class_b1"
    api_key: bool = False  # an API key holding every permission but the one the route needs


OTHER_CLASS = Adversary("teacher of another class", Role.TEACHER, ("school_a",), ("class_a2",))
OTHER_SCHOOL = Adversary("teacher of another school", Role.TEACHER, ("school_b",), ("class_b1",))
OTHER_LEADER = Adversary("leader of another school", Role.SCHOOL_LEADER, ("school_b",))
REVIEWER = Adversary("reviewer", Role.REVIEWER, ("school_a",))  # assigned to the target's school
ANALYST = Adversary("analyst", Role.ANALYST)
SIS_KEY = Adversary("SIS key without the permission", Role.SIS_INTEGRATION, api_key=True)
ADVERSARIES = (OTHER_CLASS, OTHER_SCHOOL, OTHER_LEADER, REVIEWER, ANALYST, SIS_KEY)

M, F, H, A = Expect.MISSING, Expect.FORBIDDEN, Expect.HIDDEN, Expect.ALLOWED


def expect(
    other_class: Expect,
    other_school: Expect,
    other_leader: Expect,
    reviewer: Expect,
    analyst: Expect,
    sis: Expect,
) -> dict[str, Expect]:
    values = (other_class, other_school, other_leader, reviewer, analyst, sis)
    return {a.name: e for a, e in zip(ADVERSARIES, values, strict=True)}


# The usual rows (documented in plc_shared.scope):
STUDENT = expect(M, M, M, F, F, F)  # one student's data, read or write, by staff
STUDENT_LIST = expect(H, H, H, F, F, F)  # a list of students' data: filtered, never refused to staff
STUDENT_LIST_OF_SCHOOL = expect(H, M, M, F, F, F)  # …of one school named in the path
LEADER_WRITE = expect(F, F, M, F, F, F)  # a school's settings, leaders only
SCHOOL_READ = expect(A, M, M, A, A, F)  # a school's own data or aggregates


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # `{key}` placeholders from the world
    json: Callable[[Mapping[str, str]], Any] | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the route's path template, as the app's route table has it
    expect: Mapping[str, Expect]
    calls: tuple[Call, ...] = ()

    def requests(self) -> tuple[Call, ...]:
        return self.calls or (Call(self.method, self.route),)


def fill(template: str, ids: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)


def nowhere(world: Mapping[str, str], keys: set[str]) -> dict[str, str]:
    """The world with the ids of `keys` replaced by ids of the same shape that nobody has."""
    return {k: (_unknown(v) if k in keys else v) for k, v in world.items()}


def _unknown(value: str) -> str:
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value):
        return "00000000-0000-4000-8000-" + value[-12:]
    return f"nowhere-{value}"


@dataclass
class Matrix:
    """Runs cases for adversaries against a world. `client(adversary, call)` is an HTTP client acting as the
    adversary (for an API key: without the permission the call's route needs)."""

    world: Mapping[str, str]
    secrets: tuple[str, ...]  # the target's ids that a HIDDEN answer must not contain
    client: Callable[[Adversary, Call], Awaitable[httpx.AsyncClient]]
    failures: list[str] = field(default_factory=list)
    sent: int = 0

    async def run(self, case: Case, adversary: Adversary, wanted: Expect) -> None:
        for call in case.requests():
            failure = await self._one(adversary, call, wanted)
            if failure:
                self.failures.append(f"{case.method} {case.route} as {adversary.name}: {failure}")

    async def _one(self, adversary: Adversary, call: Call, wanted: Expect) -> str | None:
        client = await self.client(adversary, call)
        answer = await self._send(client, call, self.world)
        if wanted is Expect.FORBIDDEN:
            return None if answer.status_code == 403 else f"wanted 403, got {_brief(answer)}"
        if wanted is Expect.ALLOWED:
            return None if answer.is_success else f"wanted 2xx, got {_brief(answer)}"
        if wanted is Expect.HIDDEN:
            if not answer.is_success:
                return f"wanted 2xx without the target, got {_brief(answer)}"
            leaked = [s for s in self.secrets if s in answer.text]
            return f"the answer names {leaked}" if leaked else None
        return await self._like_missing(client, call, answer)

    async def _like_missing(
        self, client: httpx.AsyncClient, call: Call, answer: httpx.Response
    ) -> str | None:
        """The very answer to the same call with one (or every) id replaced by an unknown one: a 404 for a read;
        for a write, whatever an unknown id gets (a bulk upload answers 200 with the row refused)."""
        if answer.status_code >= 500 or (call.method == "GET" and answer.status_code != 404):
            return f"wanted the answer to a missing id, got {_brief(answer)}"
        named = _keys(call) & set(self.world)
        for keys in [{k} for k in sorted(named)] + [named]:
            unknown = nowhere(self.world, keys)
            missing = await self._send(client, call, unknown)
            text = missing.text
            for k in keys:
                text = text.replace(unknown[k], self.world[k])
            if missing.status_code == answer.status_code and _json(text) == _json(answer.text):
                return None
        return f"the answer differs from every missing id's: {_brief(answer)}"

    async def _send(self, client: httpx.AsyncClient, call: Call, ids: Mapping[str, str]) -> httpx.Response:
        self.sent += 1
        body = call.json(ids) if call.json else None
        params = {k: fill(v, ids) for k, v in call.params.items()}
        return await client.request(call.method, fill(call.path, ids), json=body, params=params)


def _keys(call: Call) -> set[str]:
    """The world keys a call names (path, query, and the body's values)."""
    found = set(re.findall(r"\{(\w+)\}", call.path))
    for value in call.params.values():
        found |= set(re.findall(r"\{(\w+)\}", value))
    if call.json is not None:
        found |= _body_keys(call)
    return found


def _body_keys(call: Call) -> set[str]:
    probe = call.json(_Probe())  # type: ignore[misc]
    return set(re.findall(r"<<(\w+)>>", json.dumps(probe)))


class _Probe(dict):
    """A world that answers every key with a marker, to learn which keys a body builder reads."""

    def __missing__(self, key: str) -> str:
        return f"<<{key}>>"


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _brief(answer: httpx.Response) -> str:
    return f"{answer.status_code} {answer.text[:200]}"


def missing_permission(route_permission: str | None) -> list[str]:
    """An API key's permissions without the one a route needs: every other one; none at all when the
    gateway's row names no permission (no key may call it there; the service holds it to its area's)."""
    if route_permission is None:
        return []
    return sorted(p.value for p in Permission if p.value != route_permission)


def adversary_headers(
    auth: Any, adversary: Adversary, world: Mapping[str, str], route_permission: str | None
) -> dict:
    """A dev token of the adversary in the world's district (an API key's: bound by every permission but
    the route's)."""
    from plc_shared.auth import mint_dev_token

    token = mint_dev_token(
        auth,
        role=adversary.role,
        district_id=world["district"],
        school_ids=[world[s] for s in adversary.schools],
        class_ids=[world[c] for c in adversary.classes],
        permissions=missing_permission(route_permission) if adversary.api_key else None,
    )
    return {"Authorization": f"Bearer {token}"}


async def table_rows(engine: Any, metadata: Any, skip: frozenset[str] = frozenset({"inbox"})) -> list:
    """Every row of every table of a service's database (the outbox included: a refused request must not add
    an event either), in key order: what a refused request must leave as it was. A table marked derived
    (`info={"derived": True}`: computed from the others by reads and jobs, as the analysis standings are from
    the results) is left out; the tables it is computed from are compared."""
    from sqlalchemy import select

    rows = []
    async with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name not in skip and not table.info.get("derived"):
                stmt = select(table).order_by(*table.primary_key.columns)
                rows.append((table.name, [tuple(r) for r in await conn.execute(stmt)]))
    return rows


async def prove(
    cases: tuple[Case, ...] | list[Case], matrix: Matrix, snapshot: Callable[[], Awaitable[Any]]
) -> None:
    """Every case as every adversary (ALLOWED writes aside: they would change data); then nothing changed."""
    before = await snapshot()
    for case in cases:
        for adversary in ADVERSARIES:
            wanted = case.expect[adversary.name]
            if wanted is not Expect.ALLOWED or case.method in ("GET", "HEAD"):
                await matrix.run(case, adversary, wanted)
    after = await snapshot()
    assert matrix.failures == [], "\n".join(matrix.failures)
    assert after == before, "a refused request changed data: " + _changed(before, after)
    assert matrix.sent >= len(ADVERSARIES) * len(cases)


def _changed(before: list, after: list) -> str:
    return ", ".join(b[0] for b, a in zip(before, after, strict=True) if b != a)


async def prove_straight(
    cases, world: Mapping[str, str], secrets: tuple[str, ...], app: Any, snapshot, route_permission
) -> Matrix:
    """The scope matrix of `cases` sent straight to a service's app (in process), with dev tokens; an API key's
    token holds every permission but `route_permission(method, path)` (none when that is None)."""
    opened: list[httpx.AsyncClient] = []

    async def as_adversary(adversary: Adversary, call: Call) -> httpx.AsyncClient:
        needed = route_permission(call.method, fill(call.path, world))
        headers = adversary_headers(app.state.settings.auth, adversary, world, needed)
        opened.append(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc", headers=headers)
        )
        return opened[-1]

    matrix = Matrix(world=world, secrets=secrets, client=as_adversary)
    try:
        await prove(cases, matrix, snapshot)
    finally:
        for client in opened:
            await client.aclose()
    return matrix


def service_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the service serves, its probes aside (hidden routes too): the suite's cases must
    name exactly these, so a new route cannot be left out of the matrix."""
    return {
        (method, route.path)
        for route in iter_route_contexts(app.router.routes)
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
        and route.path not in ("/healthz", "/readyz", "/metrics")
        and not route.path.startswith(("/docs", "/openapi", "/redoc"))
    }


def as_role(
    app: Any, role: Role, district: str, schools=(), classes=(), subject: str | None = None
) -> httpx.AsyncClient:
    """A client straight to the service `app` with a dev token of this role and scope."""
    minted = mint_dev_token(
        app.state.settings.auth,
        role=role,
        district_id=district,
        school_ids=list(schools),
        class_ids=list(classes),
        subject=subject,
    )
    headers = {"Authorization": f"Bearer {minted}"}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc", headers=headers)
