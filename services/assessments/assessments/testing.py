"""Test helpers other suites reuse (the end-to-end tests build a district through the gateway with them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
from plc_shared.auth import Role, mint_dev_token

from assessments.config import Settings


@dataclass
class District:
    """A small district built through the API: two schools, two classes, students, standards, one assessment.

    Its sourcedIds start with `ids` (by default the district id, so they are unique across districts); two
    districts built with the same `ids` use the same sourcedIds, as two real SIS do all the time."""

    http: httpx.AsyncClient
    settings: Settings
    id: str = field(default_factory=lambda: f"d-{uuid.uuid4().hex[:8]}")
    students: list[str] = field(default_factory=list)
    ids: str = ""

    def __post_init__(self) -> None:
        self.ids = self.ids or self.id
        self.schools = [f"{self.ids}-s1", f"{self.ids}-s2"]
        self.classes = [f"{self.ids}-c1", f"{self.ids}-c2"]
        self.teachers = [f"{self.ids}-t1", f"{self.ids}-t2"]

    def token(
        self,
        role: Role = Role.SIS_INTEGRATION,
        schools: tuple[str, ...] = (),
        district: str | None = None,
        classes: tuple[str, ...] = (),
        permissions: list[str] | None = None,
    ):
        """A dev token; `permissions` makes it an API key's (bound by them, as the gateway mints)."""
        token = mint_dev_token(
            self.settings.auth,
            role=role,
            district_id=district or self.id,
            school_ids=list(schools),
            class_ids=list(classes),
            permissions=permissions,
        )
        return {"Authorization": f"Bearer {token}"}

    @property
    def sis(self) -> dict[str, str]:
        return self.token()

    async def put(self, path: str, json, headers=None) -> httpx.Response:
        return await self.http.put(path, json=json, headers=headers or self.sis)

    async def post(self, path: str, json=None, headers=None) -> httpx.Response:
        return await self.http.post(path, json=json, headers=headers or self.sis)

    async def build(self, students_per_class: int = 3) -> District:
        orgs = [{"sourced_id": self.id, "name": "District", "type": "district"}] + [
            {"sourced_id": s, "name": s, "type": "school", "parent_id": self.id} for s in self.schools
        ]
        await self._roster("orgs", orgs)
        classes = [
            {"sourced_id": c, "title": c, "school_id": s, "grades": ["04"], "teacher_ids": [t]}
            for c, s, t in zip(self.classes, self.schools, self.teachers, strict=True)
        ]
        await self._roster("classes", classes)
        students, enrollments = [], []
        for c, s in zip(self.classes, self.schools, strict=True):
            for n in range(students_per_class):
                sid = f"{c}-st{n}"
                self.students.append(sid)
                students.append({"sourced_id": sid, "school_ids": [s], "grades": ["04"]})
                enrollments.append(
                    {
                        "sourced_id": f"e-{sid}",
                        "class_id": c,
                        "school_id": s,
                        "user_id": sid,
                        "role": "student",
                    }
                )
        await self._roster("students", students)
        await self._roster("enrollments", enrollments)
        return self

    async def _roster(self, kind: str, records: list[dict]) -> None:
        response = await self.put(f"/assessments/roster/{kind}", {"records": records})
        assert response.status_code == 200, response.text

    async def standard(self, code: str, **fields) -> str:
        body = {"id": f"{self.ids}-{code}", "code": f"{self.ids}.{code}", "statement": code, "grade": "04"}
        response = await self.post("/assessments/standards", {**body, **fields})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def assessment(self, *, publish: bool = True, name: str | None = None, **overrides) -> dict:
        """A published CFA on two new standards; `name` makes its id and its standards' ids predictable."""
        name = name or uuid.uuid4().hex[:10]
        s1, s2 = await self.standard(f"NF1-{name}"), await self.standard(f"NF2-{name}")
        body = {
            "id": f"{self.ids}-a-{name}",
            "title": "Fractions CFA",
            "kind": "common_formative",
            "subject": "math",
            "grades": ["04"],
            "max_score": 20,
            "proficiency_cut": 70,
            "mastery_cut": 90,
            "performance_levels": [
                {"name": "below", "min": 0, "max": 10},
                {"name": "approaching", "min": 10, "max": 14},
                {"name": "proficient", "min": 14, "max": 18},
                {"name": "advanced", "min": 18},
            ],
            "objectives": [
                {"code": "O1", "max_points": 10, "standard_ids": [s1]},
                {
                    "code": "O2",
                    "max_points": 10,
                    "standard_ids": [s2],
                    "proficiency_cut": 80,
                    "mastery_cut": 95,
                },
            ],
            "items": [
                {"code": "Q1", "max_points": 5, "standard_id": s1, "objective_code": "O1"},
                {"code": "Q2", "max_points": 5, "standard_id": s1, "objective_code": "O1"},
                {"code": "Q3", "max_points": 10, "standard_id": s2, "objective_code": "O2"},
            ],
            **overrides,
        }
        response = await self.post("/assessments/assessments", body)
        assert response.status_code == 201, response.text
        if publish:
            response = await self.post(f"/assessments/assessments/{body['id']}/publish")
            assert response.status_code == 200, response.text
        return {**response.json(), "standards": [s1, s2]}
