"""Bulk JSON results: per-row errors, last-wins duplicates, idempotent retries, limits, one event per row."""

import json
import uuid

import pytest
from plc_shared.testing import consume
from plc_shared.topics import RESULTS


def rows_for(a, students, score=10):
    return [{"assessment_id": a["id"], "student_id": s, "total_score": score} for s in students]


async def bulk(district, rows, headers=None, **kwargs):
    return await district.http.post(
        "/assessments/results/bulk",
        json={"results": rows},
        headers={**district.sis, **(headers or {})},
        **kwargs,
    )


async def test_invalid_rows_are_reported_and_valid_rows_committed(district):
    a = await district.assessment()
    good = rows_for(a, district.students[:3])
    bad = [
        {"assessment_id": a["id"], "student_id": "ghost", "total_score": 3},
        {"assessment_id": "no-such", "student_id": district.students[3], "total_score": 3},
        {"assessment_id": a["id"], "student_id": district.students[4], "total_score": 25},
        {"assessment_id": a["id"], "student_id": district.students[5], "total_score": "ten"},
        {"assessment_id": a["id"], "total_score": 3},
        "not an object",
        {"assessment_id": a["id"], "student_id": district.students[5], "total_score": 3, "colour": "red"},
        {"assessment_id": a["id"], "student_id": district.students[5], "attempt": 0, "total_score": 3},
        {
            "assessment_id": a["id"],
            "student_id": district.students[5],
            "assessed_on": "yesterday",
            "total_score": 3,
        },
    ]
    response = await bulk(district, good[:1] + bad + good[1:])
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["received"], report["accepted"], report["created"]) == (12, 3, 3)
    rejected = {(e["index"], e["field"]): e["reason"] for e in report["rejected"]}
    assert set(rejected) == {
        (1, "student_id"),
        (2, "assessment_id"),
        (3, "total_score"),
        (4, "total_score"),
        (5, "student_id"),
        (6, None),
        (7, "colour"),
        (8, "attempt"),
        (9, "assessed_on"),
    }
    assert "unknown student" in rejected[(1, "student_id")]
    assert "unknown assessment" in rejected[(2, "assessment_id")]
    assert "outside 0..20" in rejected[(3, "total_score")]
    assert "not numeric" in rejected[(4, "total_score")]
    for student in district.students[:3]:
        stored = await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
        assert stored.status_code == 200


async def test_duplicates_last_wins_and_are_reported(district):
    a = await district.assessment()
    student = district.students[0]
    rows = [
        {"assessment_id": a["id"], "student_id": student, "total_score": 5},
        {"assessment_id": a["id"], "student_id": district.students[1], "total_score": 6},
        {"assessment_id": a["id"], "student_id": student, "total_score": 7},
        {"assessment_id": a["id"], "student_id": student, "total_score": 8},
    ]
    report = (await bulk(district, rows)).json()
    assert report["duplicates"] == [{"index": 0, "superseded_by": 2}, {"index": 2, "superseded_by": 3}]
    assert report["accepted"] == 2
    stored = await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
    assert stored.json()["total_score"] == 8 and stored.json()["revision"] == 1


async def test_resending_counts_updates_and_unchanged(district):
    a = await district.assessment()
    await bulk(district, rows_for(a, district.students[:4]))
    rows = rows_for(a, district.students[:2]) + rows_for(a, district.students[2:4], score=12)
    report = (await bulk(district, rows)).json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 2, 2)


async def test_idempotency_key_replays_the_first_answer_without_writing(district):
    a = await district.assessment()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    rows = [
        *rows_for(a, district.students[:3]),
        {"assessment_id": a["id"], "student_id": "ghost", "total_score": 1},
    ]
    first = await bulk(district, rows, key)
    assert first.status_code == 200
    # Meanwhile a correction arrives; the retry must neither undo it nor write again.
    fix = await district.put(
        "/assessments/results",
        {"assessment_id": a["id"], "student_id": district.students[0], "total_score": 19},
    )
    assert fix.json()["revision"] == 2
    retry = await bulk(district, rows, key)
    assert retry.status_code == 200 and retry.json() == first.json()
    stored = await district.http.get(
        f"/assessments/results/{a['id']}/{district.students[0]}/1", headers=district.sis
    )
    assert stored.json()["total_score"] == 19 and stored.json()["revision"] == 2


async def test_idempotency_key_with_another_body_is_refused(district):
    a = await district.assessment()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    assert (await bulk(district, rows_for(a, district.students[:1]), key)).status_code == 200
    other = await bulk(district, rows_for(a, district.students[1:2]), key)
    assert other.status_code == 422 and "Idempotency" in other.json()["title"]


async def test_50001_rows_are_refused_naming_the_limit(district):
    a = await district.assessment()
    rows = [{"assessment_id": a["id"], "student_id": "x", "total_score": 1}] * 50_001
    response = await bulk(district, rows)
    assert response.status_code == 422
    assert response.json()["limit"] == 50_000 and "50,000" in response.json()["detail"]


async def test_oversized_body_is_413(district, settings, monkeypatch):
    monkeypatch.setattr(settings, "bulk_max_bytes", 1_000)
    a = await district.assessment()
    response = await bulk(district, rows_for(a, district.students) * 10)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_body_that_is_not_json_is_400(district):
    response = await district.http.post(
        "/assessments/results/bulk",
        content=b"{not json",
        headers={**district.sis, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


async def test_body_without_results_list_is_422(district):
    response = await district.http.post("/assessments/results/bulk", json={"rows": []}, headers=district.sis)
    assert response.status_code == 422


async def test_bulk_without_token_401_and_analyst_403(district):
    from plc_shared.auth import Role

    assert (await district.http.post("/assessments/results/bulk", json={"results": []})).status_code == 401
    analyst = district.token(Role.ANALYST)
    assert (
        await district.http.post("/assessments/results/bulk", json={"results": []}, headers=analyst)
    ).status_code == 403


async def test_each_accepted_row_is_exactly_one_event(district, kafka_settings, bootstrap_servers):
    a = await district.assessment()
    rows = [
        *rows_for(a, district.students),
        {"assessment_id": a["id"], "student_id": "ghost", "total_score": 1},
    ]
    rows.append(
        {"assessment_id": a["id"], "student_id": district.students[0], "total_score": 11}
    )  # duplicate
    report = (await bulk(district, rows)).json()
    assert report["accepted"] == len(district.students)

    def mine(records):
        return [r for r in records if json.loads(r.value)["data"]["assessment_id"] == a["id"]]

    records = await consume(
        bootstrap_servers,
        kafka_settings.topic(RESULTS.name),
        until=lambda rs: len(mine(rs)) >= len(district.students),
        timeout_s=30,
    )
    events = [json.loads(r.value) for r in mine(records)]
    assert sorted(e["data"]["student_id"] for e in events) == sorted(district.students)
    assert all(e["type"] == "org.plc.assessments.result.recorded.v1" for e in events)
    first = next(e for e in events if e["data"]["student_id"] == district.students[0])
    assert first["data"]["total_score"] == 11
    assert {r.key.decode() for r in mine(records)} == {f"{district.id}/{s}" for s in district.students}


async def test_concurrent_bulk_posts_of_the_same_keys_stay_consistent(
    district, kafka_settings, bootstrap_servers
):
    """Two uploads race on new keys: one records, the other corrects; events carry the stored id/revision."""
    import asyncio

    a = await district.assessment()
    students = district.students[:3]
    first, second = await asyncio.gather(
        bulk(district, rows_for(a, students, score=5)), bulk(district, rows_for(a, students, score=6))
    )
    assert first.status_code == second.status_code == 200
    reports = [first.json(), second.json()]
    assert sorted((r["created"], r["updated"]) for r in reports) == [(0, 3), (3, 0)]
    stored = {}
    for student in students:
        body = (
            await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
        ).json()
        assert body["revision"] == 2
        stored[student] = body

    def mine(records):
        return [
            json.loads(r.value) for r in records if json.loads(r.value)["data"]["assessment_id"] == a["id"]
        ]

    records = await consume(
        bootstrap_servers,
        kafka_settings.topic(RESULTS.name),
        until=lambda rs: len(mine(rs)) >= 6,
        timeout_s=30,
    )
    events = mine(records)
    assert len(events) == 6
    for student in students:
        theirs = sorted(
            (e["data"]["revision"], e["type"].split(".")[-2], e["data"]["result_id"])
            for e in events
            if e["data"]["student_id"] == student
        )
        assert [(rev, kind) for rev, kind, _id in theirs] == [(1, "recorded"), (2, "corrected")]
        assert {rid for _r, _k, rid in theirs} == {stored[student]["id"]}
        assert theirs[-1][0] == stored[student]["revision"]


async def test_a_stale_read_falls_back_from_copy_to_upsert(district, settings, monkeypatch):
    """Keys believed new but inserted meanwhile: COPY fails on the unique key, the savepoint is rolled back,
    the upsert takes over and the events carry the stored id and the next revision."""
    from assessments.results.repository import ResultRepository
    from assessments.results.service import Ingest
    from plc_shared.auth import Principal, Role
    from plc_shared.db import create_engine, make_sessionmaker
    from sqlalchemy import text

    a = await district.assessment()
    student = district.students[0]
    first = await district.put(
        "/assessments/results", {"assessment_id": a["id"], "student_id": student, "total_score": 4}
    )
    original_id = first.json()["id"]

    async def nothing_stored(self, district_id, keys):
        return {}

    monkeypatch.setattr(ResultRepository, "existing", nothing_stored)
    engine = create_engine(settings.database_url, pool_size=1)
    principal = Principal(subject="sis", role=Role.SIS_INTEGRATION, district_id=district.id)
    try:
        async with make_sessionmaker(engine)() as session:
            outcome = await Ingest(session, principal).run(
                [{"assessment_id": a["id"], "student_id": student, "total_score": 9}]
            )
            (written,) = outcome.written
            assert (str(written.result_id), written.revision, written.outcome) == (original_id, 2, "updated")
            payload = (
                await session.execute(
                    text("SELECT payload FROM outbox WHERE key = :k ORDER BY id DESC LIMIT 1"),
                    {"k": f"{district.id}/{student}"},
                )
            ).scalar_one()
            event = json.loads(payload)
            assert event["type"].endswith("result.corrected.v1")
            assert (event["data"]["result_id"], event["data"]["revision"]) == (original_id, 2)
            await session.commit()
    finally:
        await engine.dispose()
    stored = await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
    assert stored.json()["total_score"] == 9 and stored.json()["revision"] == 2


async def test_concurrent_retries_with_one_idempotency_key_write_once(district):
    import asyncio

    a = await district.assessment()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    rows = rows_for(a, district.students[:3])
    first, second = await asyncio.gather(bulk(district, rows, key), bulk(district, rows, key))
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["created"] == 3
    for student in district.students[:3]:
        stored = await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
        assert stored.json()["revision"] == 1


async def test_attempt_beyond_the_column_range_is_a_row_error(district):
    a = await district.assessment()
    row = {"assessment_id": a["id"], "student_id": district.students[0], "attempt": 2**31, "total_score": 1}
    report = (await bulk(district, [row])).json()
    assert report["accepted"] == 0 and report["rejected"][0]["field"] == "attempt"


async def test_rows_in_several_chunks_give_the_same_report_and_events(
    district, monkeypatch, kafka_settings, bootstrap_servers
):
    from assessments.results import service

    monkeypatch.setattr(service, "CHUNK", 2)
    a = await district.assessment()
    await bulk(district, rows_for(a, district.students[:2]))  # two already stored: one changes, one does not
    rows = [
        *rows_for(a, district.students[:1], score=10),  # unchanged
        *rows_for(a, district.students[1:2], score=12),  # corrected
        {"assessment_id": a["id"], "student_id": "ghost", "total_score": 1},
        *rows_for(a, district.students[2:], score=14),  # four new
    ]
    report = (await bulk(district, rows)).json()
    assert (report["created"], report["updated"], report["unchanged"], report["accepted"]) == (4, 1, 1, 6)
    assert [e["index"] for e in report["rejected"]] == [2]

    def mine(records):
        return [
            json.loads(r.value) for r in records if json.loads(r.value)["data"]["assessment_id"] == a["id"]
        ]

    records = await consume(
        bootstrap_servers, kafka_settings.topic(RESULTS.name), until=lambda rs: len(mine(rs)) >= 7
    )
    kinds = sorted(
        (e["data"]["student_id"], e["data"]["revision"], e["type"].split(".")[-2]) for e in mine(records)
    )
    expected = [(s, 1, "recorded") for s in district.students] + [(district.students[1], 2, "corrected")]
    assert kinds == sorted(expected)


async def test_a_failure_after_the_results_are_stored_leaves_nothing_written(district, monkeypatch):
    """Results and their events commit together or not at all."""
    from assessments.results.repository import OutboxWriter

    a = await district.assessment()

    async def broken(self, rows):
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(OutboxWriter, "copy", broken)
    with pytest.raises(
        RuntimeError, match="outbox is unavailable"
    ):  # the ASGI transport re-raises the 500's cause
        await bulk(district, rows_for(a, district.students[:3]))
    monkeypatch.undo()
    for student in district.students[:3]:
        assert (
            await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
        ).status_code == 404


async def test_atomic_mode_writes_nothing_when_a_row_is_invalid(district):
    a = await district.assessment()
    rows = [
        *rows_for(a, district.students[:2]),
        {"assessment_id": a["id"], "student_id": "ghost", "total_score": 1},
    ]
    refused = await district.http.post(
        "/assessments/results/bulk", params={"atomic": "true"}, json={"results": rows}, headers=district.sis
    )
    assert refused.status_code == 422
    assert [(e["index"], e["field"]) for e in refused.json()["errors"]] == [(2, "student_id")]
    for student in district.students[:2]:
        assert (
            await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
        ).status_code == 404
    accepted = await district.http.post(
        "/assessments/results/bulk",
        params={"atomic": "true"},
        json={"results": rows[:2]},
        headers=district.sis,
    )
    assert accepted.status_code == 200 and accepted.json()["created"] == 2


async def test_a_stale_resend_never_undoes_a_correction(district):
    """Re-posting last week's file after a gradebook correction: the older rows are reported as stale and not
    applied (no new revision, no event); a later change applies; a stale single PUT is a 409."""
    a = await district.assessment()
    student = district.students[0]
    corrected = {"assessment_id": a["id"], "student_id": student, "total_score": 18}
    corrected["source_modified_at"] = "2026-11-27T15:00:00Z"
    assert (await bulk(district, [corrected])).json()["accepted"] == 1
    old = {**corrected, "total_score": 8, "source_modified_at": "2026-11-20T09:00:00+00:00"}
    report = (await bulk(district, [old])).json()
    assert report["accepted"] == 0 and report["rejected"] == []
    assert [(s["index"], s["reason"].split(":")[0]) for s in report["stale"]] == [(0, "stale")]
    stored = await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
    assert stored.json()["total_score"] == 18 and stored.json()["revision"] == 1
    single = await district.put("/assessments/results", old)
    assert single.status_code == 409 and "later change" in single.json()["detail"]
    newer = {**corrected, "total_score": 12, "source_modified_at": "2026-12-01T08:00:00Z"}
    assert (await bulk(district, [newer])).json()["updated"] == 1
    untimed = {**corrected, "total_score": 11}
    del untimed["source_modified_at"]
    assert (await bulk(district, [untimed])).json()["updated"] == 1  # no time given: applied, as before
    naive = {**corrected, "source_modified_at": "2026-12-01T08:00:00"}
    assert (await bulk(district, [naive])).json()["rejected"][0]["field"] == "source_modified_at"


async def test_a_nul_character_rejects_its_row_only_and_the_valid_rows_are_kept(district):
    a = await district.assessment()
    rows = rows_for(a, district.students[:3])
    rows[1] = {**rows[1], "student_id": "st\x00ghost"}
    rows[2] = {**rows[2], "school_id": "school\x001"}
    report = (await bulk(district, rows)).json()
    assert report["accepted"] == 1
    assert {(r["index"], r["field"]) for r in report["rejected"]} == {(1, "student_id"), (2, "school_id")}
    assert all("NUL" in r["reason"] for r in report["rejected"]), report["rejected"]


async def test_rows_with_the_same_scores_are_scored_alike_and_their_types_kept_apart(district):
    """Equal score sets are checked and scored once per request: `true` (refused) never passes for a 1 scored
    before it, nor a 1 for a `true` refused before it; a list as a score is refused, not a failure."""
    a = await district.assessment()
    students = district.students[:6]
    scores = [
        {"Q1": 1, "Q2": 2, "Q3": 3},
        {"Q1": True, "Q2": 2, "Q3": 3},
        {"Q1": "1", "Q2": 2, "Q3": 3},
        {"Q1": 1.0, "Q2": 2, "Q3": 3},
        {"Q1": [1], "Q2": 2, "Q3": 3},
        {"Q1": 1, "Q2": 2, "Q3": 3},
    ]
    rows = [
        {"assessment_id": a["id"], "student_id": s, "item_scores": i}
        for s, i in zip(students, scores, strict=True)
    ]
    rows.append({"assessment_id": a["id"], "student_id": students[0], "attempt": 2, "total_score": True})
    rows.append({"assessment_id": a["id"], "student_id": students[1], "attempt": 2, "total_score": 1})
    report = (await bulk(district, rows)).json()
    assert [(e["index"], e["field"]) for e in report["rejected"]] == [
        (1, "item_scores.Q1"),
        (4, "item_scores.Q1"),
        (6, "total_score"),
    ]
    assert report["created"] == 5
    stored = []
    for student in [students[i] for i in (0, 2, 3, 5)]:
        response = await district.http.get(
            f"/assessments/results/{a['id']}/{student}/1", headers=district.sis
        )
        body = response.json()
        stored.append((body["total_score"], body["item_scores"], body["standard_scores"]))
    assert stored[0][:2] == (6.0, {"Q1": 1.0, "Q2": 2.0, "Q3": 3.0})
    assert all(s == stored[0] for s in stored)
    one = await district.http.get(f"/assessments/results/{a['id']}/{students[1]}/2", headers=district.sis)
    assert one.json()["total_score"] == 1.0


async def test_an_atomic_bulk_with_a_bad_row_in_a_later_chunk_stores_nothing(district, settings, monkeypatch):
    """The first chunks are stored while the later ones are checked: a bad row in the last chunk still gives
    its row-numbered 422 and neither the results nor the events of the earlier chunks are kept."""
    from assessments.results import service
    from plc_shared.db import create_engine
    from sqlalchemy import text

    monkeypatch.setattr(service, "CHUNK", 2)
    a = await district.assessment()
    rows = [*rows_for(a, district.students[:5]), {"assessment_id": a["id"], "student_id": "ghost"}]
    refused = await district.http.post(
        "/assessments/results/bulk", params={"atomic": "true"}, json={"results": rows}, headers=district.sis
    )
    assert refused.status_code == 422
    assert [(e["index"], e["field"]) for e in refused.json()["errors"]] == [(5, "student_id")]
    for student in district.students[:5]:
        response = await district.http.get(
            f"/assessments/results/{a['id']}/{student}/1", headers=district.sis
        )
        assert response.status_code == 404

    async def result_events() -> int:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                return await conn.scalar(
                    text(
                        "SELECT count(*) FROM (SELECT event_type, payload FROM outbox"
                        " UNION ALL SELECT event_type, payload FROM outbox_sent) o"
                        " WHERE o.event_type LIKE 'org.plc.assessments.result.%'"
                        " AND convert_from(o.payload, 'UTF8')::jsonb #>> '{data,assessment_id}' = :a"
                    ),
                    {"a": a["id"]},
                )
        finally:
            await engine.dispose()

    assert await result_events() == 0
    accepted = await district.http.post(
        "/assessments/results/bulk",
        params={"atomic": "true"},
        json={"results": rows[:5]},
        headers=district.sis,
    )
    assert accepted.status_code == 200 and accepted.json()["created"] == 5
    assert await result_events() == 5


async def test_stored_results_are_looked_up_only_when_some_may_be_stored(district, monkeypatch):
    """From ANY_STORED_FROM keys on, an upload of (assessment, attempt) pairs with nothing stored skips the
    per-key lookup; any stored result of a pair makes it look every key up (unchanged, updated, created)."""
    import asyncio

    from assessments.results import repository

    monkeypatch.setattr(repository, "ANY_STORED_FROM", 1)
    a = await district.assessment()
    students = district.students[:3]
    with monkeypatch.context() as patched:
        patched.setattr(repository, "SELECT_EXISTING", "SELECT broken")  # must not run: nothing stored
        first = (await bulk(district, rows_for(a, students, score=5))).json()
    assert (first["created"], first["updated"], first["unchanged"]) == (3, 0, 0)
    again = [*rows_for(a, students[:2], score=5), *rows_for(a, students[2:], score=7)]
    second = (await bulk(district, again)).json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 2)
    retakes = [{**row, "attempt": 2} for row in rows_for(a, students[:2], score=9)]
    third = (await bulk(district, retakes)).json()
    assert (third["created"], third["updated"], third["unchanged"]) == (2, 0, 0)
    for student, attempt, revision, score in [
        (students[0], 1, 1, 5),
        (students[2], 1, 2, 7),
        (students[0], 2, 1, 9),
    ]:
        body = (
            await district.http.get(
                f"/assessments/results/{a['id']}/{student}/{attempt}", headers=district.sis
            )
        ).json()
        assert (body["revision"], body["total_score"]) == (revision, score)
    # Two uploads racing on new keys, both finding nothing stored: one records, the other corrects.
    others = district.students[3:6]
    racing = await asyncio.gather(
        bulk(district, rows_for(a, others, score=5)), bulk(district, rows_for(a, others, score=6))
    )
    assert sorted((r.json()["created"], r.json()["updated"]) for r in racing) == [(0, 3), (3, 0)]
    for student in others:
        body = (
            await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
        ).json()
        assert body["revision"] == 2
