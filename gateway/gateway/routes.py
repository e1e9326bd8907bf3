"""THE table: every public route, the service behind it, who may call it and how its tenant is checked.

The gateway forwards a path unchanged to the service that owns its prefix; it authorises a request only when
one row here matches (first match wins, so specific rows come before a prefix's catch-all). The services
check scope again on every query (they verify the same token), so the gateway's job is the coarse,
cheap part: the role, the district, and the school/class named in the path or query.

The authorisation matrix test (tests/test_matrix.py) walks this table: every row, every role, own and
other tenant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from plc_shared.auth import Permission, Role

ADMIN, LEADER, TEACHER = Role.DISTRICT_ADMIN, Role.SCHOOL_LEADER, Role.TEACHER
REVIEWER, SIS, ANALYST, OPERATOR = Role.REVIEWER, Role.SIS_INTEGRATION, Role.ANALYST, Role.OPERATOR
STAFF = (ADMIN, LEADER, TEACHER, REVIEWER)
READ = ("GET", "HEAD")
WRITE = ("POST", "PUT", "PATCH", "DELETE")

# Public path prefix → the service that owns it (paths are forwarded unchanged).
PREFIXES: dict[str, str] = {
    "/assessments/": "assessments",
    "/ims/oneroster/": "assessments",
    "/interventions/": "interventions",
    "/goals/": "goals",
    "/reviews/": "reviews",
}
GATEWAY = "gateway"
# Public path prefix → a process the gateway forwards to WITHOUT authenticating: the web app signs its users in
# itself (a session cookie) and calls the API back through the gateway with the user's token, so every API call
# it makes meets the table below with exactly the user's rights. No row of ROUTES lives under these prefixes.
PUBLIC_PREFIXES: dict[str, str] = {"/app/": "web"}
# Uploads (a OneRoster package, a CASE framework): the bulk body limit applies.
PUBLIC_UPLOADS = frozenset({"/app/import", "/app/setup/standards/case"})


@dataclass(frozen=True)
class PublicRoute:
    prefix: str
    service: str
    bulk: bool = False

    @property
    def path(self) -> str:
        """What the request metrics label the route with."""
        return self.prefix


def public_route(path: str) -> PublicRoute | None:
    for prefix, service in PUBLIC_PREFIXES.items():
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return PublicRoute(prefix, service, bulk=path in PUBLIC_UPLOADS)
    return None


PERMISSIONS = frozenset(Permission)


class Scope(StrEnum):
    """How the tenant of a request is checked."""

    TOKEN = "token"  # noqa: S105 - nothing in the request names a tenant: the service scopes by the token's district
    DISTRICT = "district"  # {district_id} (path, query or JSON body) must be the caller's district
    SCHOOL = "school"  # … and school-level roles must hold {school_id}
    CLASS = "class"  # … and teachers must hold {class_id}


@dataclass(frozen=True)
class Rule:
    methods: tuple[str, ...]
    pattern: str
    roles: tuple[Role, ...]
    scope: Scope
    student_level: bool = False  # reads of student data are audited (writes always are)
    permission: Permission | None = None  # what an API key needs (API keys can call only rows that name one)
    bulk: bool = False  # larger body limit, row count checked
    service: str = field(default="")
    regex: re.Pattern[str] = field(default=re.compile(""), compare=False, repr=False)

    @property
    def path(self) -> str:
        """What the request metrics label a route with (they read `scope["route"].path`)."""
        return self.pattern


def rule(
    methods: str | tuple[str, ...],
    pattern: str,
    roles: tuple[Role, ...],
    scope: Scope,
    **options: object,
) -> Rule:
    methods = (methods,) if isinstance(methods, str) else methods
    service = GATEWAY if pattern.startswith("/gateway/") else service_for(pattern)
    assert service is not None, pattern
    return Rule(methods, pattern, roles, scope, service=service, regex=compile_pattern(pattern), **options)  # type: ignore[arg-type]


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """`{name}` is one path segment, `{name:path}` the rest of the path."""
    out, pos = "", 0
    for match in re.finditer(r"\{(\w+)(:path)?\}", pattern):
        out += re.escape(pattern[pos : match.start()])
        out += f"(?P<{match[1]}>.*)" if match[2] else f"(?P<{match[1]}>[^/]+)"
        pos = match.end()
    # DOTALL and \Z: a segment may hold any character a client percent-encodes (a newline too), and `$` would
    # also match before a trailing newline.
    return re.compile(out + re.escape(pattern[pos:]) + r"\Z", re.DOTALL)


def service_for(path: str) -> str | None:
    for prefix, service in PREFIXES.items():
        if path.startswith(prefix):
            return service
    return None


D = "/districts/{district_id}"
IV = "/interventions/v1"
GV = "/goals/v1"
RV = "/reviews/v1"
S = D + "/schools/{school_id}"

# fmt: off
ROUTES: tuple[Rule, ...] = (
    # --- assessments: the service's routes. Nothing in these paths names a district: the service scopes every
    # query by the token's district (and a teacher's schools), so the gateway checks the role and permission.
    rule(WRITE, "/assessments/roster/{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ROSTERS_WRITE),
    rule(READ, "/assessments/roster/schools", (*STAFF, ANALYST, SIS), Scope.TOKEN, permission=Permission.ROSTERS_READ),
    rule(READ, "/assessments/roster/classes", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, permission=Permission.ROSTERS_READ),
    rule(READ, "/assessments/roster/me", (*STAFF, ANALYST), Scope.TOKEN, permission=Permission.ROSTERS_READ),
    rule(READ, "/assessments/roster/staff", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, permission=Permission.ROSTERS_READ),
    rule(READ, "/assessments/roster/staff/{staff_id}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, permission=Permission.ROSTERS_READ),
    rule(READ, "/assessments/roster/students", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.ROSTERS_READ),
    rule(READ, "/assessments/roster/classes/{class_id}/students", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.ROSTERS_READ),
    rule(READ, "/assessments/standards{rest:path}", (*STAFF, ANALYST, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    # A CASE framework (CFPackage) can be large: the bulk body limit, its CFItems counted as rows.
    rule("POST", "/assessments/imports/case", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_WRITE, bulk=True),
    rule(WRITE, "/assessments/standards{rest:path}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_WRITE),
    rule(READ, "/assessments/assessments/{assessment_id}/results", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.RESULTS_READ),
    # The analysis lists the students below each cut, so analysts (aggregates only) do not reach it here.
    rule(READ, "/assessments/assessments/{assessment_id}/analysis", (ADMIN, LEADER, TEACHER), Scope.TOKEN, student_level=True),
    rule(READ, "/assessments/assessments{rest:path}", (*STAFF, ANALYST, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    rule(READ, "/assessments/quality-checks", (*STAFF, ANALYST, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    rule(WRITE, "/assessments/assessments{rest:path}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_WRITE),
    rule("POST", "/assessments/results/bulk", (ADMIN, SIS), Scope.TOKEN, permission=Permission.RESULTS_WRITE, bulk=True),
    rule(WRITE, "/assessments/results{rest:path}", (ADMIN, TEACHER, SIS), Scope.TOKEN, permission=Permission.RESULTS_WRITE),
    rule(READ, "/assessments/results/{rest:path}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.RESULTS_READ),
    # One student's record (roster facts and results): the service scopes it to the caller's schools and classes.
    rule(READ, "/assessments/students/{student_id}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.RESULTS_READ),
    rule("POST", "/assessments/imports/oneroster", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ROSTERS_WRITE, bulk=True),
    # --- assessments: district-in-path convention (district-scoped reads and writes the gateway can check
    # itself; the test upstream serves these).
    rule(READ, f"/assessments{D}/assessments", (*STAFF, ANALYST, SIS), Scope.DISTRICT, permission=Permission.ASSESSMENTS_READ),
    rule(WRITE, f"/assessments{D}/assessments{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.DISTRICT),
    rule("POST", f"/assessments{D}/results:bulk", (ADMIN, SIS), Scope.DISTRICT, permission=Permission.RESULTS_WRITE, bulk=True),
    rule(WRITE, f"/assessments{D}/results{{rest:path}}", (ADMIN, TEACHER, SIS), Scope.DISTRICT, permission=Permission.RESULTS_WRITE),
    rule(READ, f"/assessments{S}/results", (ADMIN, LEADER, TEACHER, SIS), Scope.SCHOOL, student_level=True, permission=Permission.RESULTS_READ),
    rule(READ, f"/assessments{D}/classes/{{class_id}}/results", (ADMIN, LEADER, TEACHER), Scope.CLASS, student_level=True),
    rule(READ, f"/assessments{D}/students/{{student_id}}/results", (ADMIN, LEADER, TEACHER), Scope.DISTRICT, student_level=True),
    rule(READ, f"/assessments{D}/aggregates{{rest:path}}", (*STAFF, ANALYST), Scope.DISTRICT),
    # --- OneRoster (the district is the token's). Gradebook permissions match what the call does: results are
    # results:*, line items (assessments) assessments:*; anything else under the binding is rostering.
    # A class's gradebook: its staff read it too (the service scopes it: a teacher, their own classes).
    rule(READ, "/ims/oneroster/gradebook/v1p2/classes/{class_id}/lineItems", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    rule(READ, "/ims/oneroster/gradebook/v1p2/classes/{class_id}/{rest:path}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.RESULTS_READ),
    rule(READ, "/ims/oneroster/gradebook/v1p2/results{rest:path}", (ADMIN, SIS), Scope.TOKEN, student_level=True, permission=Permission.RESULTS_READ),
    rule(READ, "/ims/oneroster/gradebook/v1p2/assessmentResults{rest:path}", (ADMIN, SIS), Scope.TOKEN, student_level=True, permission=Permission.RESULTS_READ),
    rule(WRITE, "/ims/oneroster/gradebook/v1p2/results{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.RESULTS_WRITE),
    rule(WRITE, "/ims/oneroster/gradebook/v1p2/assessmentResults{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.RESULTS_WRITE),
    rule(READ, "/ims/oneroster/gradebook/v1p2/lineItems{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    rule(READ, "/ims/oneroster/gradebook/v1p2/scoreScales{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    rule(READ, "/ims/oneroster/gradebook/v1p2/assessmentLineItems{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    rule(WRITE, "/ims/oneroster/gradebook/v1p2/lineItems{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_WRITE),
    rule(WRITE, "/ims/oneroster/gradebook/v1p2/assessmentLineItems{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_WRITE),
    # Categories (categories.csv): reference data, read by whoever reads a class's line items.
    rule(READ, "/ims/oneroster/gradebook/v1p2/categories{rest:path}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, permission=Permission.ASSESSMENTS_READ),
    # The rostering reads the gradebook's hrefs point to: the service scopes them (a teacher, their own classes
    # and those classes' students; a leader, their schools) and audits the students read.
    rule(READ, "/ims/oneroster/rostering/v1p2/{rest:path}", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.ROSTERS_READ),
    rule(READ, "/ims/oneroster/{rest:path}", (ADMIN, SIS), Scope.TOKEN, student_level=True, permission=Permission.ROSTERS_READ),
    rule(WRITE, "/ims/oneroster/{rest:path}", (ADMIN, SIS), Scope.TOKEN, permission=Permission.ROSTERS_WRITE),
    # --- interventions: the service's routes (district from the token; the service checks schools/classes).
    rule(READ, f"{IV}/schools/{{school_id}}/rules", STAFF, Scope.TOKEN),
    rule(WRITE, f"{IV}/schools/{{school_id}}/rules", (ADMIN, LEADER), Scope.TOKEN),
    rule(WRITE, f"{IV}/schools/{{school_id}}/assessments/{{assessment_id}}/cuts", (ADMIN, LEADER), Scope.TOKEN),
    rule(READ, f"{IV}/schools/{{school_id}}/interventions", STAFF, Scope.TOKEN),
    rule(WRITE, f"{IV}/schools/{{school_id}}/interventions", (ADMIN, LEADER), Scope.TOKEN),
    rule("PATCH", f"{IV}/interventions/{{intervention_id}}", (ADMIN, LEADER), Scope.TOKEN),
    rule(READ, f"{IV}/schools/{{school_id}}/tiers", (*STAFF, ANALYST), Scope.TOKEN),
    rule(READ, f"{IV}/schools/{{school_id}}/tiers/history", (*STAFF, ANALYST), Scope.TOKEN),
    rule(READ, f"{IV}/schools/{{school_id}}/effectiveness", (*STAFF, ANALYST), Scope.TOKEN),
    rule(READ, f"{IV}/schools/{{school_id}}/overdue", (ADMIN, LEADER, TEACHER), Scope.TOKEN, student_level=True),
    rule(READ, f"{IV}/flags", (ADMIN, LEADER, TEACHER), Scope.TOKEN, student_level=True),
    # The list's counts per class (the dashboard's): scoped and recorded like the list itself.
    rule(READ, f"{IV}/flags/by-class", (ADMIN, LEADER, TEACHER), Scope.TOKEN, student_level=True),
    # The changes feed is what integrations poll (an API key with flags:read).
    rule(READ, f"{IV}/flags/changes", (ADMIN, LEADER, TEACHER, SIS), Scope.TOKEN, student_level=True, permission=Permission.FLAGS_READ),
    rule(WRITE, f"{IV}/flags/{{flag_id}}/resolve", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    rule(READ, f"{IV}/assignments/{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.TOKEN, student_level=True),
    rule(WRITE, f"{IV}/assignments{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    rule(READ, f"{IV}/students/{{student_id}}", (ADMIN, LEADER, TEACHER), Scope.TOKEN, student_level=True),
    rule(WRITE, f"{IV}/students/{{student_id}}/tier", (ADMIN, LEADER), Scope.TOKEN),
    # --- interventions: district-in-path convention ---------------------------------------------------------
    rule(READ, f"/interventions{S}/flags", (ADMIN, LEADER, TEACHER), Scope.SCHOOL, student_level=True),
    rule(READ, f"/interventions{D}/classes/{{class_id}}/flags", (ADMIN, LEADER, TEACHER), Scope.CLASS, student_level=True),
    rule(WRITE, f"/interventions{S}/interventions{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.SCHOOL),
    rule(READ, f"/interventions{D}/aggregates{{rest:path}}", (ADMIN, LEADER, ANALYST), Scope.DISTRICT),
    # --- goals: the service's routes (district from the token; the service checks the school, and that a
    # teacher writes only goals of a team they are a member of). Analysts read goals and progress: aggregates.
    rule("POST", f"{GV}/schools/{{school_id}}/teams", (ADMIN, LEADER), Scope.TOKEN),
    rule(READ, f"{GV}/schools/{{school_id}}/teams", (*STAFF, ANALYST), Scope.TOKEN),
    rule(READ, f"{GV}/teams/{{team_id}}", (*STAFF, ANALYST), Scope.TOKEN),
    rule("PUT", f"{GV}/teams/{{team_id}}", (ADMIN, LEADER), Scope.TOKEN),
    rule("POST", f"{GV}/schools/{{school_id}}/goals", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    rule("POST", f"{GV}/schools/{{school_id}}/goals/smart", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    rule(READ, f"{GV}/schools/{{school_id}}/goals", (*STAFF, ANALYST), Scope.TOKEN),
    rule(READ, f"{GV}/goals/{{goal_id}}{{rest:path}}", (*STAFF, ANALYST), Scope.TOKEN),
    rule("PATCH", f"{GV}/goals/{{goal_id}}", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    rule("POST", f"{GV}/goals/{{goal_id}}/activate", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    rule(("POST", "PATCH"), f"{GV}/goals/{{goal_id}}/cycles{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    # The process steps before goals: a school's foundation (its leaders write it), a team's norms and checklist
    # of the 18 critical issues (its members write them; the service checks membership), the school's standing.
    rule(READ, f"{GV}/schools/{{school_id}}/foundation{{rest:path}}", (*STAFF, ANALYST), Scope.TOKEN),
    rule("PUT", f"{GV}/schools/{{school_id}}/foundation", (ADMIN, LEADER), Scope.TOKEN),
    rule(READ, f"{GV}/schools/{{school_id}}/process", (*STAFF, ANALYST), Scope.TOKEN),
    rule(READ, f"{GV}/teams/{{team_id}}/norms", (*STAFF, ANALYST), Scope.TOKEN),
    rule(READ, f"{GV}/teams/{{team_id}}/checklist", (*STAFF, ANALYST), Scope.TOKEN),
    rule("PUT", f"{GV}/teams/{{team_id}}/norms", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    rule("PUT", f"{GV}/teams/{{team_id}}/checklist", (ADMIN, LEADER, TEACHER), Scope.TOKEN),
    # The district's status thresholds: read by whoever reads goals, set by a district admin only.
    rule(READ, f"{GV}/thresholds", (*STAFF, ANALYST), Scope.TOKEN),
    rule("PUT", f"{GV}/thresholds", (ADMIN,), Scope.TOKEN),
    # --- goals: district-in-path convention -------------------------------------------------------------------
    rule(READ, f"/goals{S}/goals{{rest:path}}", (*STAFF, ANALYST), Scope.SCHOOL),
    rule(WRITE, f"/goals{S}/goals{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.SCHOOL),
    # --- reviews: the service's routes (district from the token; the service checks the school). Reviewers write
    # reviews of the schools they are assigned to (their token's schools); district staff read; analysts read
    # the rubric and the aggregates (analytics) only; district admins run the program and publish rubrics.
    rule(READ, f"{RV}/rubrics{{rest:path}}", (*STAFF, ANALYST), Scope.TOKEN),
    rule("POST", f"{RV}/rubrics", (ADMIN,), Scope.TOKEN),
    rule(READ, f"{RV}/program/{{rest:path}}", STAFF, Scope.TOKEN),
    rule("PUT", f"{RV}/program/{{rest:path}}", (ADMIN,), Scope.TOKEN),
    rule("POST", f"{RV}/schools/{{school_id}}/reviews", (ADMIN, REVIEWER), Scope.TOKEN),
    rule(READ, f"{RV}/schools/{{school_id}}/reviews", STAFF, Scope.TOKEN),
    rule(READ, f"{RV}/schools/{{school_id}}/evidence/{{school_year}}", STAFF, Scope.TOKEN),
    rule("PUT", f"{RV}/schools/{{school_id}}/narratives/{{school_year}}", (ADMIN, LEADER), Scope.TOKEN),
    rule("PUT", f"{RV}/schools/{{school_id}}/state-results/{{school_year}}", (ADMIN,), Scope.TOKEN),
    rule(READ, f"{RV}/reviews/{{review_id}}", STAFF, Scope.TOKEN),
    rule("PUT", f"{RV}/reviews/{{review_id}}/ratings", (ADMIN, REVIEWER), Scope.TOKEN),
    rule("POST", f"{RV}/reviews/{{review_id}}/{{action}}", (ADMIN, REVIEWER), Scope.TOKEN),
    rule(READ, f"{RV}/recognitions{{rest:path}}", STAFF, Scope.TOKEN),
    rule(READ, f"{RV}/analytics/{{rest:path}}", (*STAFF, ANALYST), Scope.TOKEN),
    # --- reviews: district-in-path convention -----------------------------------------------------------------
    rule(READ, f"/reviews{S}/reviews{{rest:path}}", (ADMIN, LEADER, REVIEWER), Scope.SCHOOL),
    rule(WRITE, f"/reviews{S}/reviews{{rest:path}}", (LEADER, REVIEWER), Scope.SCHOOL),
    # --- catch-alls: routes the services add before they get a row of their own. District-scoped, staff
    # only, and every call audited as student-level because the gateway cannot tell.
    *(
        rule(methods, f"/{name}{D}/{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.DISTRICT, student_level=True)
        for name in ("assessments", "interventions", "goals", "reviews")
        for methods in (READ, WRITE)
    ),
    # Last resort under each prefix: the district must be named in the query (or a small JSON body).
    *(
        rule(methods, f"/{name}/{{rest:path}}", (ADMIN, LEADER, TEACHER), Scope.DISTRICT, student_level=True)
        for name in ("assessments", "interventions", "goals", "reviews")
        for methods in (READ, WRITE)
    ),
    # --- the gateway's own routes --------------------------------------------------------------------------
    rule("POST", "/gateway/api-keys", (ADMIN,), Scope.TOKEN),
    rule("GET", "/gateway/api-keys", (ADMIN,), Scope.TOKEN),
    rule("DELETE", "/gateway/api-keys/{key_id}", (ADMIN,), Scope.TOKEN),
    rule("GET", "/gateway/audit", (ADMIN,), Scope.TOKEN),
)
# fmt: on


def match(method: str, path: str) -> tuple[Rule, dict[str, str]] | None:
    for candidate in _BY_FIRST_SEGMENT.get(_first_segment(path), ()):
        if method in candidate.methods:
            found = candidate.regex.match(path)
            if found:
                return candidate, found.groupdict()
    return None


def allowed_methods(path: str) -> list[str]:
    """The methods some row accepts for `path` (for a 405's Allow header); empty when no row matches it."""
    rows = _BY_FIRST_SEGMENT.get(_first_segment(path), ())
    return sorted({m for row in rows if row.regex.match(path) for m in row.methods})


def _first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.count("/") >= 1 else ""


_BY_FIRST_SEGMENT: dict[str, list[Rule]] = {}
for _rule in ROUTES:
    _BY_FIRST_SEGMENT.setdefault(_first_segment(_rule.pattern), []).append(_rule)
