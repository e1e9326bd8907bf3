"""Authorisation: does this principal may call this row of the route table, for this tenant?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plc_shared.auth import Principal, Role
from plc_shared.errors import Forbidden

from gateway.routes import Rule, Scope


def authorize(
    rule: Rule,
    principal: Principal,
    params: Mapping[str, str],
    query: Mapping[str, str] | None = None,
    body: Any = None,
    *,
    via_api_key: bool = False,
) -> None:
    """Raise Forbidden unless the principal's role, permissions and tenant fit the row."""
    if principal.role not in rule.roles:
        raise Forbidden(f"The role '{principal.role}' may not {rule.methods[0]} {rule.pattern}.")
    if via_api_key and (rule.permission is None or rule.permission not in principal.permissions):
        raise Forbidden(f"This API key lacks the permission '{rule.permission or 'n/a'}'.")
    if principal.district_id is None:
        raise Forbidden("The token names no district.")
    if rule.scope is Scope.TOKEN:
        return
    district = _value("district_id", params, query, body)
    if district is None:
        raise Forbidden("The request names no district.")
    if district != principal.district_id:
        raise Forbidden("The request is for another district.")
    if rule.scope is Scope.SCHOOL and not principal.district_wide:
        school = _value("school_id", params, query, body)
        if school not in principal.school_ids:
            raise Forbidden("The request is for a school outside the caller's schools.")
    teacher_class = rule.scope is Scope.CLASS and principal.role is Role.TEACHER
    if teacher_class and _value("class_id", params, query, body) not in principal.class_ids:
        raise Forbidden("The request is for a class outside the caller's classes.")


def _value(name: str, params: Mapping[str, str], query: Mapping[str, str] | None, body: Any) -> str | None:
    """The path wins; a query parameter or a JSON body field may name the tenant instead. When several
    places name it they must agree, or a caller could pass the check with one and hit another."""
    found = {params.get(name), (query or {}).get(name), body.get(name) if isinstance(body, dict) else None}
    found.discard(None)
    if len(found) > 1:
        raise Forbidden(f"The request names several values for {name}.")
    return str(found.pop()) if found else None
