"""The authorisation matrix, generated from the route table: every row, method and role, for own and
other tenant (and, where the row is school- or class-scoped, another school or class of the own district).

The expected outcome is computed here from the row's roles and scope, independently of policy.py, and the
request goes over HTTP through the gateway to a real service (or to the gateway's own routes).
"""

import re
import uuid
from dataclasses import dataclass

import pytest
from gateway.routes import Rule, Scope
from gateway.testing import key_permissions
from plc_shared.auth import Role

from gateway import routes

from .conftest import bearer, gateway_settings, running_gateway

OWN, OTHER = "d1", "d2"
SCHOOL_LEVEL = {Role.SCHOOL_LEADER, Role.TEACHER, Role.REVIEWER}


@dataclass(frozen=True)
class Case:
    rule: Rule
    method: str
    role: Role
    variant: str  # own | other-district | other-school | other-class

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule.pattern} {self.role.value} {self.variant}"


def variants(rule: Rule) -> list[str]:
    found = ["own", "other-district"]
    if rule.scope is Scope.SCHOOL:
        found.append("other-school")
    if rule.scope is Scope.CLASS:
        found.append("other-class")
    return found


def concrete_path(rule: Rule, variant: str) -> str:
    values = {
        "district_id": OTHER if variant == "other-district" else OWN,
        "school_id": "s9" if variant == "other-school" else "s1",
        "class_id": "c9" if variant == "other-class" else "c1",
        "key_id": str(uuid.uuid4()),
    }
    for rest in ("", "/x", "x"):

        def fill(m: re.Match, rest: str = rest) -> str:
            return rest if m[2] else values.get(m[1], "x1")

        path = re.sub(r"\{(\w+)(:path)?\}", fill, rule.pattern)
        found = routes.match(rule.methods[0], path)
        if found is not None and found[0] is rule:
            if rule.scope is Scope.DISTRICT and "{district_id}" not in rule.pattern:
                return f"{path}?district_id={values['district_id']}"  # the last-resort rows
            return path
    raise AssertionError(f"no path reaches the row {rule.pattern}: it is shadowed by an earlier row")


def expected_allowed(case: Case) -> bool:
    rule, role, variant = case.rule, case.role, case.variant
    if role not in rule.roles:
        return False
    if rule.scope is Scope.TOKEN:
        return True  # nothing in the request names a tenant; the service scopes by the caller's own
    if variant == "other-district":
        return False
    if variant == "other-school":
        return role not in SCHOOL_LEVEL
    if variant == "other-class":
        return role is not Role.TEACHER
    return True


CASES = [
    Case(rule, method, role, variant)
    for rule in routes.ROUTES
    for method in rule.methods
    for role in Role
    for variant in variants(rule)
]

ALLOWED_STATUS = {("POST", "/gateway/api-keys"): 201, ("DELETE", "/gateway/api-keys/{key_id}"): 404}


@pytest.fixture(scope="module")
async def matrix_gateway(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, burst_per_principal=100_000, burst_per_tenant=100_000)
    async with running_gateway(settings) as client:
        yield client


def test_every_row_is_reachable_and_every_service_route_row_names_a_known_service():
    for rule in routes.ROUTES:
        concrete_path(rule, "own")
        assert rule.service in {*routes.PREFIXES.values(), routes.GATEWAY}
        assert rule.permission is None or rule.permission in routes.PERMISSIONS


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_matrix(case: Case, matrix_gateway):
    district = OTHER if case.variant == "other-district" and case.rule.scope is Scope.TOKEN else OWN
    path = concrete_path(case.rule, case.variant)
    headers = bearer(case.role, district=district, schools=("s1",), classes=("c1",))
    body = (
        {"name": "matrix", "permissions": ["results:read"]}
        if case.method in ("POST", "PUT", "PATCH")
        else None
    )
    response = await matrix_gateway.request(case.method, path, headers=headers, json=body)
    if not expected_allowed(case):
        assert response.status_code == 403, response.text
        return
    expected = ALLOWED_STATUS.get((case.method, case.rule.pattern), 200)
    assert response.status_code == expected, response.text
    if case.rule.service != routes.GATEWAY and case.method != "HEAD":
        echoed = response.json()
        if isinstance(echoed, list):  # the upstream's one documented route (not the echo)
            assert echoed[0]["title"].startswith(f"{district} by dev-{case.role.value}")
            return
        assert (echoed["path"], echoed["role"], echoed["district_id"]) == (
            path.split("?")[0],
            case.role.value,
            district,
        )


def test_analysts_and_operators_reach_no_student_level_row():
    """Analysts see aggregates, not students; operators run the system, they do not read its data."""
    for rule in routes.ROUTES:
        if rule.student_level:
            assert Role.ANALYST not in rule.roles and Role.OPERATOR not in rule.roles, rule.pattern


def test_every_gateway_route_has_a_row_or_is_deliberately_public():
    from gateway.main import create_app

    public = {("GET", "/gateway/jwks.json")}  # public keys, like an issuer's JWKS
    app = create_app(gateway_settings("postgresql+asyncpg://unused/x", "http://unused"))
    own = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/gateway/")
        for method in item
    }
    assert ("GET", "/gateway/audit") in own
    in_table = {(m, r.pattern) for r in routes.ROUTES if r.service == routes.GATEWAY for m in r.methods}
    assert own - public == in_table


KEY_CASES = [
    (rule, method) for rule in routes.ROUTES for method in rule.methods if rule.service != routes.GATEWAY
]


@pytest.mark.parametrize(("rule", "method"), KEY_CASES, ids=lambda v: v.pattern if isinstance(v, Rule) else v)
async def test_an_api_key_without_the_rows_permission_is_refused_on_every_row(rule, method, matrix_gateway):
    """The SIS key of the scope matrix: every permission but the one the row names (every one when it names
    none) gets a 403 on every row; the same key with the row's permission passes where the row admits the
    SIS role (the refusal is the permission)."""
    path = concrete_path(rule, "own")
    lacking = key_permissions(method, path.split("?")[0])
    refused = await matrix_gateway.request(
        method, path, headers={"X-API-Key": await key_for(matrix_gateway, lacking)}
    )
    assert refused.status_code == 403, refused.text
    if rule.permission is not None and Role.SIS_INTEGRATION in rule.roles:
        allowed = await key_for(matrix_gateway, [rule.permission])
        answer = await matrix_gateway.request(method, path, headers={"X-API-Key": allowed}, json=None)
        assert answer.status_code < 400, answer.text


KEYS: dict[tuple[str, ...], str] = {}


async def key_for(gateway, permissions: list[str]) -> str:
    held = tuple(sorted(permissions))
    if held not in KEYS:
        made = await gateway.post(
            "/gateway/api-keys",
            json={"name": "matrix", "permissions": list(held)},
            headers=bearer(Role.DISTRICT_ADMIN, district=OWN),
        )
        assert made.status_code == 201, made.text
        KEYS[held] = made.json()["key"]
    return KEYS[held]
