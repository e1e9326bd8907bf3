"""Staff with names on the roster: written by sourcedId within the district, read by the schools the caller
sees, their names on the classes they teach, and never in an event."""

from __future__ import annotations

import json
import uuid

import asyncpg
from assessments.testing import District
from plc_shared.auth import Role, mint_dev_token


def staff(district: District, n: int, given: str, family: str, school: int = 0, **extra) -> dict:
    return {
        "sourced_id": district.teachers[n],
        "given_name": given,
        "family_name": family,
        "roles": ["teacher"],
        "school_ids": [district.schools[school]],
        **extra,
    }


async def put_staff(district: District, *records: dict) -> dict:
    response = await district.put("/assessments/roster/staff", {"records": list(records)})
    assert response.status_code == 200, response.text
    return response.json()


async def test_staff_are_written_by_sourced_id_and_named_on_the_classes_they_teach(district):
    written = await put_staff(district, staff(district, 0, "Maria", "Rivera", email="m.rivera@example.org"))
    assert written == {"kind": "staff", "upserted": 1, "rejected": []}
    admin = district.token(Role.DISTRICT_ADMIN)
    found = (await district.http.get("/assessments/roster/staff", headers=admin)).json()
    assert [(s["sourced_id"], s["given_name"], s["family_name"], s["email"]) for s in found] == [
        (district.teachers[0], "Maria", "Rivera", "m.rivera@example.org")
    ]
    classes = {
        c["sourced_id"]: c
        for c in (await district.http.get("/assessments/roster/classes", headers=admin)).json()
    }
    assert classes[district.classes[0]]["teachers"] == [
        {"sourced_id": district.teachers[0], "given_name": "Maria", "family_name": "Rivera"}
    ]
    # A teacher id the roster has no staff record for stays an id (the page falls back to it).
    assert classes[district.classes[1]]["teachers"] == [
        {"sourced_id": district.teachers[1], "given_name": None, "family_name": None}
    ]


async def test_a_second_write_updates_and_tobedeleted_hides(district):
    await put_staff(district, staff(district, 0, "Maria", "Rivera"))
    await put_staff(district, staff(district, 0, "Maria", "Rivera-Diaz"))
    one = await district.http.get(f"/assessments/roster/staff/{district.teachers[0]}", headers=district.sis)
    assert one.json()["family_name"] == "Rivera-Diaz"
    await put_staff(district, staff(district, 0, "Maria", "Rivera-Diaz", status="tobedeleted"))
    gone = await district.http.get(f"/assessments/roster/staff/{district.teachers[0]}", headers=district.sis)
    assert gone.status_code == 404


async def test_unknown_schools_and_repeats_are_row_errors_and_the_valid_rows_are_written(district):
    ghost = {**staff(district, 1, "Ghost", "Town"), "school_ids": ["no-such-school"]}
    answer = await put_staff(district, staff(district, 0, "Maria", "Rivera"), ghost)
    assert answer["upserted"] == 1
    assert answer["rejected"] == [
        {"index": 1, "field": "school_ids", "reason": "unknown school 'no-such-school'"}
    ]
    invalid = await district.put("/assessments/roster/staff", {"records": [{**staff(district, 0, "", "R")}]})
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == "application/problem+json"


async def test_a_school_scoped_reader_sees_the_staff_of_its_schools_only(district):
    await put_staff(
        district, staff(district, 0, "Maria", "Rivera"), staff(district, 1, "Sam", "Okoro", school=1)
    )
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],))
    seen = (await district.http.get("/assessments/roster/staff", headers=teacher)).json()
    assert [s["family_name"] for s in seen] == ["Rivera"]
    by_school = await district.http.get(
        "/assessments/roster/staff", params={"school_id": district.schools[1]}, headers=district.sis
    )
    assert [s["family_name"] for s in by_school.json()] == ["Okoro"]
    other_school = await district.http.get(
        f"/assessments/roster/staff/{district.teachers[1]}", headers=teacher
    )
    missing = await district.http.get("/assessments/roster/staff/nobody", headers=teacher)
    assert other_school.status_code == missing.status_code == 404
    analyst = district.token(Role.ANALYST)
    assert (await district.http.get("/assessments/roster/staff", headers=analyst)).status_code == 403


async def test_two_districts_with_the_same_sourced_ids_each_see_their_own_staff(client, settings):
    shared = f"sis-{uuid.uuid4().hex[:8]}"
    d1 = await District(client, settings, ids=shared).build()
    d2 = await District(client, settings, ids=shared).build()
    await put_staff(d1, staff(d1, 0, "Ana", "North"))
    await put_staff(d2, staff(d2, 0, "Bo", "South"))
    for district, family in ((d1, "North"), (d2, "South")):
        one = await district.http.get(
            f"/assessments/roster/staff/{district.teachers[0]}", headers=district.sis
        )
        assert one.json()["family_name"] == family
        listed = (await district.http.get("/assessments/roster/staff", headers=district.sis)).json()
        assert [s["family_name"] for s in listed] == [family]
        classes = (await district.http.get("/assessments/roster/classes", headers=district.sis)).json()
        assert {t["family_name"] for c in classes for t in c["teachers"]} == {family, None}


async def test_another_districts_staff_member_answers_exactly_like_a_missing_one(district, client, settings):
    other = await District(client, settings).build()
    await put_staff(other, staff(other, 0, "Only", "There"))
    theirs = await district.http.get(f"/assessments/roster/staff/{other.teachers[0]}", headers=district.sis)
    nobody = await district.http.get(f"/assessments/roster/staff/{other.teachers[0]}-x", headers=district.sis)
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.json()["detail"].replace(other.teachers[0], "<id>") == nobody.json()["detail"].replace(
        f"{other.teachers[0]}-x", "<id>"
    )


async def test_the_staff_event_carries_ids_and_the_role_never_a_name(district, service_db):
    await put_staff(district, staff(district, 0, "Maria", "Rivera", email="m.rivera@example.org"))
    conn = await asyncpg.connect(service_db.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await conn.fetch(  # the relay may have sent it already: then it is in outbox_sent
            "SELECT event_type, payload FROM outbox WHERE key = $1"
            " UNION ALL SELECT event_type, payload FROM outbox_sent WHERE key = $1",
            f"{district.id}/{district.teachers[0]}",
        )
    finally:
        await conn.close()
    assert [r["event_type"] for r in rows] == ["org.plc.assessments.user.rostered.v1"]
    payload = rows[0]["payload"].decode()
    assert "Maria" not in payload and "Rivera" not in payload and "example.org" not in payload
    data = json.loads(payload)["data"]
    assert (data["user_id"], data["role"], data["school_ids"]) == (
        district.teachers[0],
        "teacher",
        [district.schools[0]],
    )


def as_subject(
    district: District, subject: str, role: Role = Role.TEACHER, district_id: str | None = None
) -> dict:
    token = mint_dev_token(
        district.settings.auth, role=role, district_id=district_id or district.id, subject=subject,
        school_ids=[district.schools[0]],
    )  # fmt: skip
    return {"Authorization": f"Bearer {token}"}


async def test_me_is_the_staff_record_of_the_tokens_subject_by_sourced_id_or_identifier(district):
    """Issue 24: a person signs in as themselves. The token's subject is their roster sourcedId (dev sign-in), or
    their identity provider's subject kept in the roster's `identifier` (OIDC in production)."""
    await put_staff(
        district,
        staff(district, 0, "Maria", "Rivera"),
        staff(district, 1, "Sam", "Chen", identifier="00u1a2b3c4-okta"),
    )
    by_id = await district.http.get(
        "/assessments/roster/me", headers=as_subject(district, district.teachers[0])
    )
    by_identifier = await district.http.get(
        "/assessments/roster/me", headers=as_subject(district, "00u1a2b3c4-okta", Role.REVIEWER)
    )
    nobody = await district.http.get("/assessments/roster/me", headers=as_subject(district, "dev-someone"))
    elsewhere = await district.http.get(
        "/assessments/roster/me",
        headers=as_subject(district, district.teachers[0], district_id="another-district"),
    )
    sis = await district.http.get("/assessments/roster/me", headers=district.sis)
    assert by_id.status_code == 200 and (by_id.json()["given_name"], by_id.json()["family_name"]) == (
        "Maria",
        "Rivera",
    )
    assert by_identifier.status_code == 200 and by_identifier.json()["sourced_id"] == district.teachers[1]
    assert nobody.status_code == elsewhere.status_code == 404
    assert sis.status_code == 403
