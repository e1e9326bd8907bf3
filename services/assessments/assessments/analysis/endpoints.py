"""HTTP API of the analysis of one assessment."""

from fastapi import APIRouter, Depends, Response
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE
from pydantic_core import to_json

from assessments.analysis import schemas, service
from assessments.auth import AnalysisReader

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
# The analysis names students below the cut: an API key needs results:read.
router = APIRouter(
    prefix="/assessments/{assessment_id}/analysis",
    tags=["assessments"],
    dependencies=[Depends(permission_area("results"))],
)


@router.get("", response_model=schemas.Analysis, responses=ERRORS)
async def analyse_assessment(
    assessment_id: str,
    session: DbSession,
    principal: AnalysisReader,
    school_id: str | None = None,
    class_id: str | None = None,
    grade: str | None = None,
):
    """Distribution, proficiency per level/standard/class, item analysis, students below the cut on essentials."""
    report = await service.analyse_assessment(
        session,
        principal=principal,
        assessment_id=assessment_id,
        school_id=school_id,
        class_id=class_id,
        grade=grade,
    )
    # The report is built by analysis.rules in the shape of schemas.Analysis (the OpenAPI's, checked by the
    # tests and the fuzzer): written straight to JSON, not validated again field by field (a district-wide
    # CFA's 3,333 students with their attempts were 130,000 validated fields and most of the request).
    return Response(_json(report), media_type="application/json")


def _json(report: dict) -> bytes:
    """The report as JSON; students' records kept as stored JSON (service.Records) are written in as they are
    (15,000 records of a district-wide CFA were 12 MB parsed and serialised again on every request)."""
    records = report["student_results"]
    if not isinstance(records, service.Records):
        return to_json(report)
    head = to_json({**report, "student_results": None})
    tail = b'"student_results":null}'
    assert head.endswith(tail), "student_results is the report's last field"
    return head[: -len(b"null}")] + records.encode() + b"}"
