"""`plc demo`: a demo district, built through the public API (the gateway) as a district would build its own.

Everything is labelled as sample data (the district's and every school's name say "demo"; the people are made
up). It is a dev-only convenience: the tokens it uses are development tokens, and it refuses to run where
AUTH_ENVIRONMENT=production. What it builds, in the order a district does it:

- the roster (three elementary schools, two grade 4 classes each, staff and students with names), pushed by
  an SIS API key the district admin creates;
- four Common Core grade 4 fraction standards (two essential) and two common formative assessments with
  objectives, items and cuts; results posted by the SIS key, retakes of the students below the cut;
- the flags the interventions service raises from those results, each school's pyramid of interventions,
  students assigned with progress points;
- per school a leadership team, a grade 4 team, a school goal and a team goal, and a PDSA cycle;
- the review program: schools entered, site reviews finalized over two years and an interim review.

Steps that depend on another service learning something from the events (a school, staff, a team) are
retried until the service knows it. Running it again on a district that has schools does nothing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from pydantic import ValidationError

from plc_shared.auth import Role, mint_dev_token
from plc_shared.settings import AuthSettings

IV, GV, RV = "/interventions/v1", "/goals/v1", "/reviews/v1"
DISTRICT_NAME = "DEMO Riverside Unified (sample data, not real people)"
SCHOOLS = {
    "demo-lincoln": "Lincoln Elementary (demo)",
    "demo-maple": "Maple Grove Elementary (demo)",
    "demo-cedar": "Cedar Ridge Elementary (demo)",
}
GIVEN = [
    "Ana",
    "Ben",
    "Cleo",
    "Dev",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kai",
    "Lena",
    "Milo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vera",
    "Wes",
    "Yara",
    "Zoe",
]
FAMILY = [
    "Lopez",
    "Okafor",
    "Nguyen",
    "Patel",
    "Kim",
    "Schmidt",
    "Haddad",
    "Rossi",
    "Novak",
    "Silva",
    "Cohen",
    "Mensah",
    "Tanaka",
    "Ibrahim",
    "Walsh",
    "Moreau",
]
STAFF = {  # school: principal, three teachers
    "demo-lincoln": [("Alicia", "Grant"), ("Maria", "Rivera"), ("Sam", "Okoye"), ("Grace", "Lindqvist")],
    "demo-maple": [("Derek", "Huang"), ("Daniel", "Ortiz"), ("Amara", "Eze"), ("Lucy", "Brennan")],
    "demo-cedar": [("Helen", "Marsh"), ("Jonas", "Berg"), ("Rita", "Sandoval"), ("Tom", "Achebe")],
}
STANDARDS = {  # Common Core State Standards for Mathematics, grade 4 (corestandards.org)
    "4.NF.A.1": "Explain why a fraction a/b is equivalent to a fraction (n \u00d7 a)/(n \u00d7 b) by using visual fraction "
    "models, with attention to how the number and size of the parts differ even though the two fractions "
    "themselves are the same size. Use this principle to recognize and generate equivalent fractions.",
    "4.NF.A.2": "Compare two fractions with different numerators and different denominators, e.g., by creating "
    "common denominators or numerators, or by comparing to a benchmark fraction such as 1/2.",
    "4.NF.B.3": "Understand a fraction a/b with a > 1 as a sum of fractions 1/b.",
    "4.NF.C.6": "Use decimal notation for fractions with denominators 10 or 100.",
}
ESSENTIAL = ("4.NF.A.1", "4.NF.B.3")
CFAS = {  # id: (title, standards, first sitting, retake)
    "demo-cfa-1": (
        "Fractions CFA 1: equivalence and comparison",
        ("4.NF.A.1", "4.NF.A.2"),
        date(2026, 9, 22),
    ),
    "demo-cfa-2": ("Fractions CFA 2: building fractions", ("4.NF.B.3", "4.NF.C.6"), date(2026, 11, 10)),
}
RETAKE_ON = date(2026, 10, 6)
STUDENTS_PER_CLASS = 8


class DemoRefused(SystemExit):
    pass


def refuse_in_production() -> AuthSettings:
    """The settings to mint with; never in production (a production configuration that does not even load
    without its secrets counts as production)."""
    try:
        auth = AuthSettings()
    except ValidationError as exc:
        raise DemoRefused(
            f"plc demo: refused, the auth settings are not a dev configuration ({exc})"
        ) from exc
    if auth.environment == "production":
        raise DemoRefused(
            "plc demo: refused where AUTH_ENVIRONMENT=production (sample data is for dev stacks)"
        )
    return auth


@dataclass
class Demo:
    http: httpx.AsyncClient
    auth: AuthSettings
    district: str = "demo"
    say: Callable[[str], None] = print
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    sis: dict[str, str] = field(default_factory=dict)
    students: dict[str, list[str]] = field(default_factory=dict)  # class id → student ids
    teachers: dict[str, list[str]] = field(default_factory=dict)  # school id → teacher ids

    def token(
        self, role: Role, schools: tuple[str, ...] = (), subject: str | None = None, name: str | None = None
    ) -> dict[str, str]:
        token = mint_dev_token(
            self.auth, role=role, district_id=self.district, school_ids=schools, subject=subject, name=name
        )
        return {"Authorization": f"Bearer {token}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.token(Role.DISTRICT_ADMIN, subject=f"{self.district}-district-admin")

    def leader(self, school: str) -> dict[str, str]:
        return self.token(Role.SCHOOL_LEADER, (school,), subject=f"{school}-principal")

    async def call(self, method: str, path: str, headers: dict, json: Any = None, ok=(200, 201, 204)) -> Any:
        response = await self.http.request(method, path, json=json, headers=headers)
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    async def until(
        self, method: str, path: str, headers: dict, json: Any = None, timeout_s: float = 30
    ) -> Any:
        """A call that depends on what another service learns from events: retried until it is accepted."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            response = await self.http.request(method, path, json=json, headers=headers)
            if response.status_code < 400:
                return response.json() if response.content else None
            if asyncio.get_running_loop().time() > deadline or response.status_code not in (404, 409, 422):
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
            await asyncio.sleep(0.3)

    async def exists(self) -> bool:
        schools = await self.call("GET", "/assessments/roster/schools", self.admin)
        return bool(schools)

    async def build(self) -> None:
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("SIS API key", self.api_key),
            ("roster", self.roster),
            ("standards and common formative assessments", self.assessments),
            ("results with retakes (posted by the SIS key)", self.results),
            ("pyramids of interventions, flags, assignments with progress", self.interventions),
            ("teams, goals and PDSA cycles", self.goals),
            ("review program and site reviews", self.reviews),
        ]
        for label, step in steps:
            await step()
            self.say(f"demo: {label} ✓")

    async def api_key(self) -> None:
        body = {"name": "Demo SIS", "permissions": ["rosters:write", "rosters:read", "results:write"]}
        created = await self.call("POST", "/gateway/api-keys", self.admin, body)
        self.sis = {"X-API-Key": created["key"]}

    async def roster(self) -> None:
        d = self.district
        orgs = [{"sourced_id": d, "name": DISTRICT_NAME, "type": "district"}]
        orgs += [{"sourced_id": s, "name": n, "type": "school", "parent_id": d} for s, n in SCHOOLS.items()]
        staff, classes, students, enrollments = [], [], [], []
        for school in SCHOOLS:
            principal, *teachers = STAFF[school]
            people = [(f"{school}-principal", principal, "administrator")]
            people += [(f"{school}-t{n}", name, "teacher") for n, name in enumerate(teachers)]
            staff += [_staff(sid, name, role, school) for sid, name, role in people]
            self.teachers[school] = [sid for sid, _, role in people if role == "teacher"]
            for n in range(2):
                klass, teacher = f"{school}-g4-{'ab'[n]}", self.teachers[school][n]
                classes.append({"sourced_id": klass, "title": f"Grade 4 math {'AB'[n]}", "school_id": school,
                                "grades": ["04"], "subjects": ["math"], "teacher_ids": [teacher]})  # fmt: skip
                enrollments.append(_enrollment(klass, school, teacher, "teacher"))
                enrollments.append(_enrollment(klass, school, f"{school}-principal", "administrator"))
                self.students[klass] = [f"{klass}-st{i}" for i in range(STUDENTS_PER_CLASS)]
                for sid in self.students[klass]:
                    given, family = self.rng.choice(GIVEN), self.rng.choice(FAMILY)
                    students.append({"sourced_id": sid, "school_ids": [school], "grades": ["04"],
                                     "given_name": given, "family_name": family})  # fmt: skip
                    enrollments.append(_enrollment(klass, school, sid, "student"))
        for kind, records in (("orgs", orgs), ("staff", staff), ("classes", classes), ("students", students),
                              ("enrollments", enrollments)):  # fmt: skip
            report = await self.call("PUT", f"/assessments/roster/{kind}", self.sis, {"records": records})
            if report["rejected"]:
                raise RuntimeError(f"roster {kind}: {report['rejected'][:3]}")

    async def assessments(self) -> None:
        for code, statement in STANDARDS.items():
            body = {"id": f"demo-{code}", "code": f"CCSS.MATH.CONTENT.{code}", "statement": statement,
                    "subject": "math", "grade": "04"}  # fmt: skip
            await self.call("POST", "/assessments/standards", self.admin, body)
        for code in ESSENTIAL:
            flag = {"scope": "grade", "value": "04"}
            await self.call("PUT", f"/assessments/standards/demo-{code}/essential", self.admin, flag)
        for cfa, (title, standards, _) in CFAS.items():
            await self.call("POST", "/assessments/assessments", self.admin, _cfa(cfa, title, standards))
            await self.call("POST", f"/assessments/assessments/{cfa}/publish", self.admin)

    async def results(self) -> None:
        rows = []
        for students in self.students.values():
            for sid in students:
                skill = self.rng.uniform(0.3, 1.0)
                for cfa, (_, _, on) in CFAS.items():
                    first = self._scores(skill)
                    rows.append(_result(cfa, sid, first, on))
                    if cfa == "demo-cfa-1" and sum(first.values()) < 14:  # below the cut: a retake
                        rows.append(
                            _result(cfa, sid, self._scores(min(skill + 0.2, 1.0)), RETAKE_ON, attempt=2)
                        )
        report = await self.call("POST", "/assessments/results/bulk", self.sis, {"results": rows})
        if report["rejected"]:
            raise RuntimeError(f"results: {report['rejected'][:3]}")

    def _scores(self, skill: float) -> dict[str, float]:
        return {o: float(max(0, min(10, round(10 * skill + self.rng.uniform(-2, 2))))) for o in ("O1", "O2")}

    async def interventions(self) -> None:
        for school in SCHOOLS:
            pyramid = [
                await self.until("POST", f"{IV}/schools/{school}/interventions", self.admin, i)
                for i in _pyramid()
            ]
            flags = await self._flags(school)
            tier2 = next(i for i in pyramid if i["tier"] == 2)
            assigned: set[str] = set()
            for flag in flags:
                if flag["kind"] != "support" or flag["student_id"] in assigned or len(assigned) == 3:
                    continue
                assigned.add(flag["student_id"])
                await self._assign(school, tier2, flag)

    async def _flags(self, school: str) -> list[dict]:
        for _ in range(100):  # the interventions service raises them from the results' events
            flags = await self.call("GET", f"{IV}/flags?school_id={school}", self.admin)
            if flags:
                return flags
            await asyncio.sleep(0.3)
        raise RuntimeError(f"no flag was raised at {school}")

    async def _assign(self, school: str, intervention: dict, flag: dict) -> None:
        start = date(2026, 10, 8)
        body = {"intervention_id": intervention["id"], "student_id": flag["student_id"],
                "standard_id": flag["standard_id"], "start_on": start.isoformat(), "planned_weeks": 8,
                "champion": self.teachers[school][0], "baseline": round(flag["score"]), "goal": 75,
                "goal_date": (start + timedelta(weeks=8)).isoformat()}  # fmt: skip
        assignment = await self.call("POST", f"{IV}/assignments", self.admin, body)
        for week in range(1, 6):
            point = {"measured_on": (start + timedelta(weeks=week)).isoformat(),
                     "score": min(100.0, flag["score"] + week * self.rng.uniform(3, 7))}  # fmt: skip
            await self.call("POST", f"{IV}/assignments/{assignment['id']}/progress", self.admin, point)

    async def goals(self) -> None:
        for school in SCHOOLS:
            leader, teachers = self.leader(school), self.teachers[school]
            leadership = {
                "kind": "leadership",
                "name": "Leadership team",
                "member_ids": [f"{school}-principal", *teachers],
            }
            await self.until("POST", f"{GV}/schools/{school}/teams", leader, leadership)
            grade4 = {"kind": "collaborative", "name": "Grade 4 math team", "member_ids": teachers[:2],
                      "grades": ["04"], "class_ids": [f"{school}-g4-a", f"{school}-g4-b"],
                      "standard_ids": [f"demo-{c}" for c in ESSENTIAL]}  # fmt: skip
            team = await self.until("POST", f"{GV}/schools/{school}/teams", leader, grade4)
            goal = await self.until(
                "POST", f"{GV}/schools/{school}/goals", leader, _goal("demo-cfa-1", "school")
            )
            await self.call("POST", f"{GV}/goals/{goal['id']}/activate", leader)
            team_goal = {**_goal("demo-cfa-2", "team"), "team_id": team["id"], "parent_goal_id": goal["id"]}
            made = await self.call("POST", f"{GV}/schools/{school}/goals", leader, team_goal)
            await self.call("POST", f"{GV}/goals/{made['id']}/activate", leader)
            await self._cycle(leader, goal["id"])

    async def _cycle(self, leader: dict, goal_id: str) -> None:
        cycles = f"{GV}/goals/{goal_id}/cycles"
        plan = {"question": "Do daily exit tickets with next-day regrouping raise proficiency on equivalence?",
                "change_idea": "Exit ticket on 4.NF.A.1 every math lesson; regroup the next morning",
                "prediction": {"value": 65.0, "by": "2026-10-31"},
                "tasks": [{"who": "Grade 4 math team", "what": "write ten exit tickets", "when": "2026-09-28"}]}  # fmt: skip
        cycle = await self.call("POST", cycles, leader, plan)
        at = f"{cycles}/{cycle['id']}"
        do = {
            "started_on": "2026-10-01",
            "as_planned": True,
            "observations": "Two Fridays skipped for assemblies.",
        }
        await self.call("POST", f"{at}/do", leader, do)
        await self.until("POST", f"{at}/study", leader, {"notes": "Retakes rose on equivalence."})
        await self.call(
            "POST", f"{at}/act", leader, {"decision": "adapt", "rationale": "Regroup twice a week."}
        )

    async def reviews(self) -> None:
        await self.call("PUT", f"{RV}/program/district", self.admin, {})
        history = {"demo-lincoln": [("site", "2025-03-12", 1), ("site", "2026-03-11", 2), ("interim", "2026-11-18", 2)],
                   "demo-maple": [("site", "2026-03-18", 2)]}  # fmt: skip
        for school in SCHOOLS:
            entry = {"regional_center": "Central", "entry_year": 2024 if school in history else 2026}
            await self.until("PUT", f"{RV}/program/schools/{school}", self.admin, entry)
            for kind, on, level in history.get(school, []):
                await self._review(school, kind, on, level)

    async def _review(self, school: str, kind: str, on: str, level: int) -> None:
        reviewer = self.token(
            Role.REVIEWER, (school,), subject="demo-reviewer-reyes", name="Dr Elena Reyes (demo)"
        )
        review = await self.call("POST", f"{RV}/schools/{school}/reviews", reviewer, {"kind": kind, "on": on})
        rubric = await self.call("GET", f"{RV}/rubrics/{review['rubric_id']}", reviewer)
        ratings = {i["id"]: {"level": min(3, level + (n % 3 == 0)), "notes": "", "evidence": ["PLC minutes"]}
                   for strand in rubric["strands"] for n, i in enumerate(strand["indicators"])}  # fmt: skip
        await self.call("PUT", f"{RV}/reviews/{review['id']}/ratings", reviewer, {"ratings": ratings})
        await self.call("POST", f"{RV}/reviews/{review['id']}/submit", reviewer)
        await self.call("POST", f"{RV}/reviews/{review['id']}/finalize", reviewer)


async def run(gateway_url: str, *, district: str = "demo", say: Callable[[str], None] = print) -> bool:
    """Build the demo district on the stack behind `gateway_url`; False when it is there already."""
    auth = refuse_in_production()
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        demo = Demo(http, auth, district, say)
        if await demo.exists():
            say(f"demo: district '{district}' has schools already; nothing to do")
            return False
        await demo.build()
    say(
        f"demo: district '{district}' is ready; sign in at {gateway_url}/app/ as a district admin of '{district}'"
    )
    return True


def _staff(sid: str, name: tuple[str, str], role: str, school: str) -> dict:
    return {
        "sourced_id": sid,
        "given_name": name[0],
        "family_name": name[1],
        "roles": [role],
        "school_ids": [school],
    }


def _enrollment(klass: str, school: str, user: str, role: str) -> dict:
    return {
        "sourced_id": f"e-{klass}-{user}",
        "class_id": klass,
        "school_id": school,
        "user_id": user,
        "role": role,
    }


def _cfa(cfa: str, title: str, standards: tuple[str, ...]) -> dict:
    s1, s2 = (f"demo-{s}" for s in standards)
    return {
        "id": cfa, "title": title, "kind": "common_formative", "subject": "math", "grades": ["04"],
        "max_score": 20, "proficiency_cut": 70, "mastery_cut": 90,
        "performance_levels": [{"name": "below", "min": 0, "max": 10}, {"name": "approaching", "min": 10, "max": 14},
                               {"name": "proficient", "min": 14, "max": 18}, {"name": "advanced", "min": 18}],
        "objectives": [{"code": "O1", "max_points": 10, "standard_ids": [s1]},
                       {"code": "O2", "max_points": 10, "standard_ids": [s2]}],
        "items": [{"code": "Q1", "max_points": 5, "standard_id": s1, "objective_code": "O1"},
                  {"code": "Q2", "max_points": 5, "standard_id": s1, "objective_code": "O1"},
                  {"code": "Q3", "max_points": 10, "standard_id": s2, "objective_code": "O2"}],
    }  # fmt: skip


def _result(cfa: str, student: str, scores: dict, on: date, attempt: int = 1) -> dict:
    return {"assessment_id": cfa, "student_id": student, "attempt": attempt, "objective_scores": scores,
            "assessed_on": on.isoformat()}  # fmt: skip


def _pyramid() -> list[dict]:
    return [
        {"name": "Reteach with fraction strips", "tier": 1, "kind": "reteach", "delivery": "in class",
         "dosage_minutes_per_week": 45},
        {"name": "Fractions small group (Tue/Thu)", "tier": 2, "kind": "small group", "delivery": "pull-out",
         "dosage_minutes_per_week": 90},
        {"name": "Intensive fractions tutoring", "tier": 3, "kind": "tutoring", "delivery": "pull-out",
         "dosage_minutes_per_week": 150},
        {"name": "Fraction puzzles challenge", "tier": 1, "kind": "enrichment", "delivery": "in class",
         "dosage_minutes_per_week": 30, "directive": False},
    ]  # fmt: skip


def _goal(cfa: str, population: str) -> dict:
    title = CFAS[cfa][0].split(":")[0]
    who = "grade 4 students" if population == "school" else "our two grade 4 classes"
    return {
        "title": f"Raise the share of {who} proficient on {title} from 40 % to 70 % by May 2027",
        "measure": {"kind": "proficient", "assessment_id": cfa},
        "population": {"kind": population},
        "baseline": {"value": 40.0},
        "target": 70.0,
        "start": "2026-09-01",
        "deadline": "2027-05-28",
    }
