"""CASE 1.0 import: a public framework package becomes the district's standards.

The package is OpenSALT's sample export (tests/data/case/README.md: source, commit, MIT licence), unchanged."""

import copy
import json
from pathlib import Path

from plc_shared.auth import Role

PACKAGE = json.loads((Path(__file__).parent / "data/case/what-standards-could-be.json").read_text())
RATIO_1 = "b6f61076-aa12-450b-8f9d-b86bc071f85e"  # CCSS.Math.Content.6.RP.A.1 in the package


async def test_a_case_package_becomes_standards_with_codes_and_statements(blank_district):
    response = await blank_district.post("/assessments/imports/case", PACKAGE)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["document"], report["created"], report["skipped"]) == ("What Standards Could Be", 16, [])
    standards = (await blank_district.http.get("/assessments/standards", headers=blank_district.sis)).json()
    codes = {s["code"]: s for s in standards}
    assert len(codes) == 16 and "CCSS.Math.Content.7.RP.A.2d" in codes
    ratio = codes["CCSS.Math.Content.6.RP.A.1"]
    assert ratio["statement"].startswith("Understand the concept of a ratio and use ratio language")
    assert (ratio["id"], ratio["case_identifier"], ratio["grade"]) == (RATIO_1, RATIO_1, "06")


async def test_a_reimport_updates_changed_items_and_reports_the_ones_it_skips(blank_district):
    await blank_district.post("/assessments/imports/case", PACKAGE)
    newer = copy.deepcopy(PACKAGE)
    item = next(i for i in newer["CFItems"] if i["identifier"] == RATIO_1)
    item["fullStatement"] = "Understand ratios (revised)."
    newer["CFItems"][0].pop("humanCodingScheme")  # a heading
    newer["CFItems"][1]["identifier"] = "00000000-0000-4000-8000-000000000001"  # another item, a taken code
    report = (await blank_district.post("/assessments/imports/case", newer)).json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 13)
    assert [(s["row"], "humanCodingScheme" in s["reason"]) for s in report["skipped"]] == [
        (1, True),
        (2, False),
    ]
    assert "another standard with code 'CCSS.Math.Content.7.RP.A'" in report["skipped"][1]["reason"]
    one = await blank_district.http.get(f"/assessments/standards/{RATIO_1}", headers=blank_district.sis)
    assert one.json()["statement"] == "Understand ratios (revised)."


async def test_case_import_is_for_district_writers_and_refuses_a_package_without_a_document(blank_district):
    teacher = blank_district.token(Role.TEACHER, schools=("s",))
    refused = await blank_district.post("/assessments/imports/case", PACKAGE, headers=teacher)
    assert refused.status_code == 403
    bad = await blank_district.post("/assessments/imports/case", {"CFItems": PACKAGE["CFItems"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["location"] == ["body", "CFDocument"]
