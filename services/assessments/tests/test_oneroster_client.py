"""A public, strict OneRoster 1.2 client (LongsightGroup/oneroster, bundled in tests/vendor/oneroster/client;
README there) run with Node.js against the real gateway in front of this service: every read it makes of the
gradebook and assessment-results services succeeds, its parsers accepting every answer."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from assessments.main import create_app
from gateway.testing import behind_gateway

from .test_oneroster_conformance import BASE, _seed

CLIENT = Path(__file__).parent / "vendor" / "oneroster" / "client" / "longsight-oneroster-client.mjs"


@pytest.fixture(scope="module")
async def gateway_url(settings, create_database):
    async with behind_gateway(create_database, "assessments", create_app(settings)) as url:
        yield url


async def test_the_public_client_reads_everything_through_the_gateway(district, gateway_url):
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed to run the public OneRoster client (tests/vendor/oneroster/client)"
    ids = await _seed(district)
    targets = {
        "classId": district.classes[0],
        "lineItemId": ids["lineItems"],
        "resultId": ids["results"],
        "studentId": district.students[0],
        "assessmentLineItemId": ids["assessmentLineItems"],
        "assessmentResultId": ids["assessmentResults"],
    }
    bearer = district.sis["Authorization"].removeprefix("Bearer ")
    process = await asyncio.create_subprocess_exec(
        node,
        str(CLIENT),
        f"{gateway_url}{BASE}",
        bearer,
        json.dumps(targets),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    calls = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert len(calls) == 16, out.decode()
    failed = [c for c in calls if not c["ok"]]
    assert failed == [], json.dumps(failed, indent=1)
    counts = {c["call"]: c.get("count") for c in calls}
    assert counts["getAllResults"] == 3 and counts["getAllResults limit=1"] == 1
    assert counts["getResultsForStudentForClass"] == 1 and counts["getLineItemsForClass"] == 1
