"""The main navigation per role: each role is offered only the pages it may open (tests/web/test_nav.py
proves every link answers 200 for its role). Who may read what is the services' rule; this table follows it."""

from __future__ import annotations

from dataclasses import dataclass

from plc_shared.auth import Role

STAFF = frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER})


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str
    roles: frozenset[Role]


NAV = (
    NavLink("Data meetings", "/app/meetings", STAFF | {Role.ANALYST}),  # assessments' analysis readers
    NavLink("Flags", "/app/flags", STAFF),  # flags are student-level: the school's staff only
    NavLink("School dashboard", "/app/dashboard", frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER})),
    NavLink("PLC process", "/app/process", STAFF),  # where the school stands on the process chart
    NavLink("Goals", "/app/goals", STAFF | {Role.REVIEWER, Role.ANALYST}),
    NavLink("Reviews", "/app/reviews", STAFF | {Role.REVIEWER, Role.ANALYST}),  # analysts: the analytics
    NavLink("Setup", "/app/setup", frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER})),
    NavLink("Import", "/app/import", frozenset({Role.DISTRICT_ADMIN})),
)


def nav_for(role: Role | str) -> list[NavLink]:
    return [link for link in NAV if role in link.roles]


# Pages under a link that fewer roles may open than the link's own page: a data meeting lists students below
# each cut (the school's staff only), while the list of assessments is the analysts' too.
NARROWER = (("/app/meetings/", STAFF),)


def may_open(role: Role | str, path: str) -> bool:
    """Is `path` (a page of the app) under a link the role is offered (and not narrower than it)?"""
    for prefix, roles in NARROWER:
        if path.startswith(prefix):
            return role in roles
    return any(path.startswith(link.path) for link in nav_for(role))
