"""One student's page: the assessments service's record (who, results) and the interventions service's
(tier and history, flags, assignments), both read with the user's token, so each service's scope and audit
apply. The record decides whether the student exists for this user: a 404 there is the page's 404."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from markupsafe import Markup

from web.charts.progress import progress_chart
from web.client import Api, seg
from web.roster import standard_label

IV = "/interventions/v1"


@dataclass
class StudentView:
    record: dict
    interventions: dict | None  # None: the interventions service holds nothing of this student for this user
    standards: dict[str, str] = field(default_factory=dict)
    assessments: dict[str, str] = field(default_factory=dict)
    charts: dict[str, Markup] = field(default_factory=dict)  # assignment id → its progress chart

    def standard(self, standard_id: str | None) -> str:
        return self.standards.get(standard_id or "", standard_id or "—")

    def assessment(self, assessment_id: str) -> str:
        return self.assessments.get(assessment_id, assessment_id)

    def school(self, school_id: str | None) -> str:
        names = {s["school_id"]: s["name"] for s in self.record["schools"]}
        return names.get(school_id or "", school_id or "—")


async def student_view(api: Api, student_id: str) -> StudentView:
    record, interventions, standards = await asyncio.gather(
        api.get(f"/assessments/students/{seg(student_id)}"),
        api.get_or(None, f"{IV}/students/{seg(student_id)}"),
        api.get_or([], "/assessments/standards"),
    )
    labels = {s["id"]: standard_label(s) for s in standards}
    for result in record["results"]:  # the codes and statements the record carries, for standards not listed
        for s in result["standards"]:
            known = {"id": s["standard_id"], "code": s["code"], "statement": s["title"]}
            labels.setdefault(s["standard_id"], standard_label(known))
    titles = {r["assessment_id"]: r["assessment_title"] for r in record["results"]}
    assignments = (interventions or {}).get("assignments", [])
    charts = await asyncio.gather(*(_chart(a, record["name"]) for a in assignments))
    return StudentView(
        record, interventions, labels, titles, {a["id"]: c for a, c in zip(assignments, charts, strict=True)}
    )


async def _chart(assignment: dict, student: str) -> Markup:
    """An assignment's progress chart from the record's own figures (it carries the points and rates), titled
    with the student's name from the assessments record."""
    return await progress_chart(assignment, assignment, student=student, chart_id=f"chart-{assignment['id']}",
                                intervention=assignment["intervention_name"])  # fmt: skip
