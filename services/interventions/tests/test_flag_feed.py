"""The flags API for integrators: the status filter, each flag's resolution, and the changes feed (stable,
resumable pages that neither drift nor repeat while flags keep arriving, and never skip a change committed
late by a transaction that started earlier)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from interventions.consumers import handle_results
from interventions.models import Flag
from interventions.testing import api, apply, recorded, rostered
from plc_shared.events import CloudEvent
from plc_shared.paging import encode_cursor
from plc_shared.testing import eventually
from sqlalchemy import insert, text

FLAGS, CHANGES = "/interventions/v1/flags", "/interventions/v1/flags/changes"


@pytest.fixture
def district() -> str:
    """A district of its own per test: the feed is per district."""
    return f"d-{uuid.uuid4().hex[:6]}"


def low(district: str, student: str, standard: str = "A", score: float = 30):
    return recorded(student, {standard: score}, district=district, school="s1")


async def read_all(client, cursor: str | None, limit: int) -> tuple[list[dict], str]:
    """Pages until an empty one: every change after `cursor`, and the cursor after them."""
    seen = []
    while True:
        page = (
            await client.get(CHANGES, params={"limit": limit, **({"cursor": cursor} if cursor else {})})
        ).json()
        seen += page["flags"]
        if not page["flags"]:
            return seen, page["next_cursor"]
        cursor = page["next_cursor"]


async def test_the_status_filter_gives_open_resolved_or_all_and_rejects_anything_else(app, district):
    await apply(
        app.state.sessionmaker, *rostered(district, ("s1",)), low(district, "stu-1"), low(district, "stu-2")
    )
    good = recorded("stu-1", {"A": 80}, district=district, school="s1")  # recorded after the low one
    await apply(app.state.sessionmaker, good)
    async with api(app, "district_admin", district) as c:
        got = {s: (await c.get(FLAGS, params={"status": s})).json() for s in ("open", "resolved", "all")}
        default = (await c.get(FLAGS)).json()
        bad = await c.get(FLAGS, params={"status": "closed"})
    assert [f["student_id"] for f in got["open"]] == ["stu-2"]
    assert [f["id"] for f in default] == [f["id"] for f in got["open"]]
    [resolved] = got["resolved"]
    assert (resolved["student_id"], resolved["status"]) == ("stu-1", "resolved")
    assert resolved["resolution"]["reason"] == "result"
    assert resolved["resolution"]["result_id"] == str(good.result_id)
    assert (
        resolved["resolution"]["event_at"] is not None and resolved["resolution"]["resolved_at"] is not None
    )
    assert got["open"][0]["resolution"] is None
    assert sorted(f["student_id"] for f in got["all"]) == ["stu-1", "stu-2"]
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


async def test_resolved_since_keeps_the_flags_resolved_at_or_after_a_time(app, district):
    """The web page's "resolved in the last two weeks" asks for exactly those: a school with a year of
    resolved flags gave it the first thousand opened, and the recent ones were cut off."""
    await apply(
        app.state.sessionmaker, *rostered(district, ("s1",)), low(district, "stu-1"), low(district, "stu-2")
    )
    await apply(app.state.sessionmaker, recorded("stu-1", {"A": 80}, district=district, school="s1"))
    async with app.state.sessionmaker() as session:  # stu-1's flag was resolved a month ago
        await session.execute(
            text("UPDATE flags SET resolved_at = now() - interval '30 days' WHERE district_id = :d"),
            {"d": district},
        )
        await session.commit()
    await apply(app.state.sessionmaker, recorded("stu-2", {"A": 80}, district=district, school="s1"))
    async with api(app, "district_admin", district) as c:
        two_weeks = (datetime.now(UTC) - timedelta(days=14)).isoformat()
        recent = (await c.get(FLAGS, params={"status": "resolved", "resolved_since": two_weeks})).json()
        every = (await c.get(FLAGS, params={"status": "resolved"})).json()
        naive = await c.get(FLAGS, params={"status": "resolved", "resolved_since": "2026-11-01T00:00:00"})
    assert [f["student_id"] for f in recent] == ["stu-2"]
    assert sorted(f["student_id"] for f in every) == ["stu-1", "stu-2"]
    assert naive.status_code == 422  # a time without its offset is ambiguous


async def walk(client, params: dict) -> tuple[list[dict], int]:
    """Every page by following `Link: <…>; rel="next"` from the first, and how many links there were."""
    seen, url, links = [], FLAGS, 0
    while url:
        response = await client.get(url, params=params if url == FLAGS else None)
        assert response.status_code == 200, response.text
        seen += response.json()
        link = response.headers.get("link")
        url = link.split(">")[0].lstrip("<") if link else None
        assert url is None or (link.endswith('; rel="next"') and "cursor=" in url and "offset" not in url)
        links += bool(link)
    return seen, links


async def test_the_flags_list_pages_by_cursor_as_by_offset_in_opening_order(app, district):
    """Keyset paging (issue 25): following the `Link` of each full page gives every flag once, oldest first
    with ties in opening time broken by id, the same list as offsets give; a cursor the list did not give
    (garbage, another list's, the feed's, a time without its offset) is a 422 naming it."""
    students = {f"stu-{n:02}": ("s1",) for n in range(20)}
    lows = [recorded(s, {"A": 30, "B": 30, "C": 30}, district=district, school="s1") for s in students]
    await apply(app.state.sessionmaker, *rostered(district, ("s1", "s2"), students), *lows)
    await apply(app.state.sessionmaker, recorded("stu-03", {"B": 80}, district=district, school="s1"))
    async with app.state.engine.begin() as conn:  # 59 open flags opened at 5 instants: ties everywhere
        await conn.execute(
            text(
                "UPDATE flags SET opened_at = timestamptz '2026-09-01' + (abs(hashtext(id::text)) % 5)"
                " * interval '1 day' + interval '0.000001 second' WHERE district_id = :d"
            ),
            {"d": district},
        )
    async with api(app, "school_leader", district, schools=["s1"]) as c:
        for params in ({"school_id": "s1", "limit": 7}, {"status": "all", "limit": 10}):
            walked, links = await walk(c, params)
            by_offset, offset = [], 0
            while page := (await c.get(FLAGS, params={**params, "offset": offset})).json():
                by_offset, offset = by_offset + page, offset + len(page)
            keys = [(datetime.fromisoformat(f["opened_at"]), uuid.UUID(f["id"])) for f in walked]
            assert [f["id"] for f in walked] == [f["id"] for f in by_offset]
            assert keys == sorted(set(keys)) and len(walked) == (59 if "school_id" in params else 60)
            assert links == len(walked) // params["limit"]
        last = keys[-1]
        assert (await c.get(FLAGS, params={"cursor": encode_cursor(last)})).json() == []
        feed = (await c.get(CHANGES)).json()["next_cursor"]
        naive = encode_cursor((last[0].replace(tzinfo=None), last[1]))
        for bad in ("not-a-cursor", "WyJ4IiwxXQ", feed, naive, encode_cursor(last)[:-3], "W10"):
            response = await c.get(FLAGS, params={"cursor": bad})
            assert response.status_code == 422, (bad, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["errors"][0]["location"] == ["query", "cursor"]


async def test_a_decision_carries_who_decided_and_why(app, district):
    await apply(app.state.sessionmaker, *rostered(district, ("s1",)), low(district, "stu-1"))
    async with api(app, "district_admin", district) as c:
        [flag] = (await c.get(FLAGS)).json()
        decided = (
            await c.post(f"{FLAGS}/{flag['id']}/resolve", json={"reason": "passed the reteach"})
        ).json()
        [listed] = (await c.get(FLAGS, params={"status": "resolved"})).json()
    assert decided["resolution"] == listed["resolution"]
    assert (listed["resolution"]["reason"], listed["resolution"]["note"]) == (
        "decision",
        "passed the reteach",
    )
    assert listed["resolution"]["by"].startswith("dev-district_admin")
    assert listed["resolution"]["result_id"] is None


async def test_pages_neither_drift_nor_repeat_while_flags_arrive_and_a_cursor_resumes_exactly(app, district):
    await apply(app.state.sessionmaker, *rostered(district, ("s1",)))
    for n in range(5):  # one transaction each: the feed orders by transaction (within one, by flag id)
        await apply(app.state.sessionmaker, low(district, f"stu-{n}"))
    async with api(app, "district_admin", district) as c:
        assert await eventually(lambda: _has(c, 5), timeout_s=10)
        first = (await c.get(CHANGES, params={"limit": 2})).json()
        # new flags, and a change of a flag already read (resolved), arrive between pages
        for n in range(5, 8):
            await apply(app.state.sessionmaker, low(district, f"stu-{n}"))
        await apply(app.state.sessionmaker, recorded("stu-0", {"A": 85}, district=district, school="s1"))
        assert await eventually(lambda: _has(c, 7, first["next_cursor"]), timeout_s=10)
        rest, end = await read_all(c, first["next_cursor"], limit=2)
        again, _ = await read_all(c, first["next_cursor"], limit=3)  # resuming from a saved cursor
        after_end, _ = await read_all(c, end, limit=2)
    students = [f["student_id"] for f in first["flags"] + rest]
    assert students[:5] == [f"stu-{n}" for n in range(5)]
    assert students[5:] == ["stu-5", "stu-6", "stu-7", "stu-0"]  # stu-0 again: its resolution is a change
    assert rest[-1]["status"] == "resolved" and rest[-1]["id"] == first["flags"][0]["id"]
    assert [f["id"] for f in again] == [f["id"] for f in rest]
    assert after_end == []


async def test_a_change_committed_late_by_an_earlier_transaction_is_not_skipped(app, district):
    await apply(app.state.sessionmaker, *rostered(district, ("s1",)))
    async with api(app, "district_admin", district) as c:
        async with app.state.sessionmaker() as slow:
            await slow.begin()  # draws its transaction id and change sequence first, commits last
            await handle_results(slow, [CloudEvent.wrap(low(district, "stu-early"))])
            await apply(app.state.sessionmaker, low(district, "stu-late"))
            page = (await c.get(CHANGES)).json()
            assert page["flags"] == []  # stu-late's change waits behind the transaction still in flight
            await slow.commit()
        assert await eventually(lambda: _has(c, 2), timeout_s=10)
        flags, _ = await read_all(c, page["next_cursor"], limit=1)
    assert [f["student_id"] for f in flags] == ["stu-early", "stu-late"]


async def test_the_feed_is_scoped_like_the_flags_and_rejects_a_cursor_it_did_not_give(app, district):
    await apply(
        app.state.sessionmaker,
        *rostered(district, ("s1", "s2")),
        low(district, "stu-1"),
        recorded("stu-2", {"A": 30}, district=district, school="s2", classes=("c-2",)),
    )
    async with api(app, "teacher", district, schools=["s2"], classes=["c-2"]) as teacher:
        assert await eventually(lambda: _has(teacher, 1), timeout_s=10)
        mine, _ = await read_all(teacher, None, limit=10)
        bad = await teacher.get(CHANGES, params={"cursor": "not-a-cursor"})
    async with api(app, "district_admin", "another-district") as other:
        theirs, _ = await read_all(other, None, limit=10)
    assert [f["student_id"] for f in mine] == ["stu-2"]
    assert theirs == []
    assert bad.status_code == 422 and bad.json()["errors"][0]["location"] == ["query", "cursor"]


async def _has(client, n: int, cursor: str | None = None) -> bool:
    """At least `n` changes after the cursor are visible (the horizon may hold them back a moment while
    other transactions of the server are in flight)."""
    params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
    return len((await client.get(CHANGES, params=params)).json()["flags"]) >= n


async def test_the_districts_sis_integration_may_poll_the_feed(app):
    """The feed is for integrators: a district's SIS integration token reads it (district-wide)."""
    async with api(app, "sis_integration", f"d-{uuid.uuid4().hex[:8]}") as c:
        response = await c.get("/interventions/v1/flags/changes")
    assert response.status_code == 200 and "next_cursor" in response.json()


async def test_the_flags_of_one_transaction_page_by_id_without_a_gap_or_a_repeat(app, district):
    await apply(app.state.sessionmaker, *rostered(district, ("s1",)))
    await apply(app.state.sessionmaker, *[low(district, f"stu-{n}") for n in range(7)])  # one transaction
    async with api(app, "district_admin", district) as c:
        assert await eventually(lambda: _has(c, 7), timeout_s=10)
        seen, end = await read_all(c, None, limit=2)
        assert (await c.get(CHANGES, params={"cursor": end})).json()["flags"] == []
    assert sorted(f["student_id"] for f in seen) == [f"stu-{n}" for n in range(7)]
    assert [f["id"] for f in seen] == sorted(f["id"] for f in seen)  # within a transaction, by flag id


async def test_the_end_cursor_starts_a_reader_at_the_latest_change_in_its_scope(app, district):
    """`end_cursor` (issue 25): a page that has just read the current flags follows the changes from now on
    without walking the history; it is the end of the caller's scope (a teacher's end is not moved by flags of
    other classes' students, so it never passes over a change of theirs they have not seen)."""
    await apply(app.state.sessionmaker, *rostered(district, ("s1", "s2")))
    for n in range(4):
        await apply(app.state.sessionmaker, low(district, f"stu-{n}"))
    await apply(
        app.state.sessionmaker, recorded("stu-t", {"A": 30}, district=district, school="s2", classes=("c-2",))
    )
    async with (
        api(app, "district_admin", district) as admin,
        api(app, "teacher", district, schools=["s2"], classes=["c-2"]) as teacher,
    ):
        assert await eventually(lambda: _has(admin, 5), timeout_s=10)
        history, walked_end = await read_all(admin, None, limit=2)
        end = (await admin.get(CHANGES, params={"limit": 1, "school_id": "s1"})).json()["end_cursor"]
        everywhere = (await admin.get(CHANGES, params={"limit": 1})).json()["end_cursor"]
        teachers_end = (await teacher.get(CHANGES, params={"limit": 1})).json()["end_cursor"]
        assert (await admin.get(CHANGES, params={"cursor": end, "school_id": "s1"})).json()["flags"] == []
        assert everywhere == walked_end  # the end of the whole feed is where a full walk ends
        assert (await teacher.get(CHANGES, params={"cursor": teachers_end})).json()["flags"] == []
        await apply(app.state.sessionmaker, low(district, "stu-new"))
        assert await eventually(lambda: _has(admin, 1, everywhere), timeout_s=10)
        after, _ = await read_all(admin, everywhere, limit=10)
        in_s1 = (await admin.get(CHANGES, params={"cursor": end, "school_id": "s1"})).json()["flags"]
        teacher_after, _ = await read_all(teacher, teachers_end, limit=10)
    assert len(history) == 5
    assert [f["student_id"] for f in after] == [f["student_id"] for f in in_s1] == ["stu-new"]
    assert teacher_after == []  # stu-new is not in the teacher's classes


BY_CLASS = "/interventions/v1/flags/by-class"


async def insert_flags(app, district: str, rows: list[tuple]) -> None:
    """(student, school, class_ids, standard, kind, status) rows straight into `flags`: a school of more than a
    thousand flags in a second (through the consumer it would take a burst of results)."""
    now = datetime.now(UTC)
    values = [
        {"id": uuid.uuid4(), "student_id": s, "district_id": district, "school_id": sc, "class_ids": list(cl),
         "standard_id": std, "kind": kind, "status": status, "rule": "below_cut", "result_id": uuid.uuid4(),
         "result_revision": 1, "assessment_id": "cfa", "score": 30.0, "cut": 70.0, "evidence_recorded_at": now,
         "resolution": "result" if status == "resolved" else None,
         "resolved_at": now if status == "resolved" else None}
        for s, sc, cl, std, kind, status in rows
    ]  # fmt: skip
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(insert(Flag), values)


async def every_flag(client, **params) -> list[dict]:
    """The whole list, page after page (its `Link: rel="next"`)."""
    found, url, query = [], FLAGS, {**params, "limit": 1000}
    while url:
        page = await client.get(url, params=query)
        assert page.status_code == 200, page.text
        found += page.json()
        url, query = page.links.get("next", {}).get("url"), None
    return found


def counted(flags: list[dict]) -> dict:
    """What the web dashboard counted from the list: per class of each flag, distinct students and flags."""
    per: dict = {}
    for f in flags:
        for class_id in f["class_ids"] or [None]:
            students, n = per.get(class_id, (set(), 0))
            per[class_id] = (students | {f["student_id"]}, n + 1)
    return {c: (len(s), n) for c, (s, n) in per.items()}


def as_counts(answer) -> dict:
    assert answer.status_code == 200, answer.text
    return {r["class_id"]: (r["students"], r["flags"]) for r in answer.json()}


async def test_the_counts_by_class_count_every_open_flag_of_a_school_of_more_than_a_thousand(app, district):
    """The dashboard counted a school's open support flags per class from one page of 1,000: a school of more
    got wrong figures. The counts come from all of them, exactly as the whole list gives them."""
    a = [f"a{i:02d}" for i in range(60)]  # class c1; the first ten in c2 too
    classes = {s: ("c1", "c2") if i < 10 else ("c1",) for i, s in enumerate(a)}
    none = [f"n{i}" for i in range(5)]  # no class
    students = {s: ("s1",) for s in [*a, *none]} | {"b0": ("s2",)}
    await apply(
        app.state.sessionmaker,
        *rostered(
            district, ("s1", "s2"), students, classes={**classes, **{s: () for s in none}, "b0": ("c9",)}
        ),
    )
    rows = [(s, "s1", classes[s], f"std{k:02d}", "support", "open") for s in a for k in range(20)]  # 1,200
    rows += [(s, "s1", (), f"std{k:02d}", "support", "open") for s in none for k in range(2)]
    rows += [(s, "s1", classes[s], "E", "enrichment", "open") for s in a[:5]]
    rows += [(s, "s1", classes[s], "R", "support", "resolved") for s in a[10:20]]
    rows += [("b0", "s2", ("c9",), f"std{k:02d}", "support", "open") for k in range(3)]
    await insert_flags(app, district, rows)
    await insert_flags(app, f"{district}-2", [("a00", "s1", ("c1",), "X", "support", "open")])
    support = {"school_id": "s1", "kind": "support"}
    async with api(app, "district_admin", district) as admin:
        got = as_counts(await admin.get(BY_CLASS, params=support))
        assert got == {"c1": (60, 1200), "c2": (10, 200), None: (5, 10)}
        assert [r["class_id"] for r in (await admin.get(BY_CLASS, params=support)).json()] == [
            "c1",
            "c2",
            None,
        ]
        assert got == counted(await every_flag(admin, **support))  # the whole list, counted
        assert len(await every_flag(admin, **support)) == 1210
        for params, wanted in (  # the list's filters
            ({"school_id": "s1", "kind": "enrichment"}, {"c1": (5, 5), "c2": (5, 5)}),
            ({"school_id": "s1", "status": "resolved"}, {"c1": (10, 10)}),
            ({"school_id": "s1", "status": "all", "standard_id": "std03"}, {"c1": (60, 60), "c2": (10, 10)}),
            ({"school_id": "s1", "class_id": "c2", "kind": "support"}, {"c1": (10, 200), "c2": (10, 200)}),
            ({"school_id": "s1", "tier": 1, "kind": "support"}, got),
            ({"school_id": "s1", "tier": 2}, {}),
            ({}, {**got, "c1": (60, 1205), "c2": (10, 205), "c9": (1, 3)}),
        ):
            answer = await admin.get(BY_CLASS, params=params)
            assert as_counts(answer) == wanted, params
            assert as_counts(answer) == counted(await every_flag(admin, **params)), params
        assert (await admin.get(BY_CLASS, params={"status": "closed"})).status_code == 422
    async with api(app, "teacher", district, ("s1",), ("c2",)) as teacher:  # the students of their class
        got = as_counts(await teacher.get(BY_CLASS, params=support))
        assert got == {"c1": (10, 200), "c2": (10, 200)} == counted(await every_flag(teacher, **support))
    async with api(app, "school_leader", district, ("s2",)) as stranger:  # a school out of scope: missing
        hidden = await stranger.get(BY_CLASS, params=support)
        missing = await stranger.get(BY_CLASS, params={**support, "school_id": "nowhere"})
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() | {"detail": None} == missing.json() | {"detail": None}
        assert as_counts(await stranger.get(BY_CLASS, params={"kind": "support"})) == {"c9": (1, 3)}
    async with api(app, "reviewer", district) as reviewer:
        assert (await reviewer.get(BY_CLASS, params=support)).status_code == 403
