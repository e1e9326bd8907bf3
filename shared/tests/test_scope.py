"""The scope rule (plc_shared.scope), role by role, without I/O: the table of its docstring, case by case."""

import pytest
from plc_shared import scope
from plc_shared.auth import Permission, Principal, Role
from plc_shared.errors import Forbidden, NotFound
from sqlalchemy import Column, MetaData, Table, Text, literal
from sqlalchemy.dialects import postgresql

STUDENT = {"district_id": "d1", "school_ids": ["s1"], "class_ids": ["c1"]}


def who(role: Role, schools=(), classes=(), district="d1", **extra) -> Principal:
    return Principal(
        subject="x",
        role=role,
        district_id=district,
        school_ids=frozenset(schools),
        class_ids=frozenset(classes),
        **extra,
    )


@pytest.mark.parametrize(
    ("principal", "sees"),
    [
        (who(Role.DISTRICT_ADMIN), True),
        (who(Role.DISTRICT_ADMIN, district="d2"), False),
        (who(Role.SCHOOL_LEADER, ["s1"]), True),
        (who(Role.SCHOOL_LEADER, ["s2"]), False),
        (who(Role.TEACHER, ["s1"], ["c1"]), True),
        (who(Role.TEACHER, ["s1"], ["c2"]), False),  # another class of the same school
        (who(Role.TEACHER, ["s2"], ["c1"]), False),  # the class id, but not the school
        (who(Role.TEACHER, ["s1"]), False),  # a teacher of no class
        (who(Role.SIS_INTEGRATION), True),
        (who(Role.REVIEWER, ["s1"]), False),  # a review reads aggregates
        (who(Role.ANALYST), False),
        (who(Role.OPERATOR), False),
    ],
)
def test_who_sees_a_student_of_school_s1_in_class_c1(principal, sees):
    assert scope.sees_student(principal, **STUDENT) is sees
    if sees:
        scope.check_student(principal, **STUDENT, missing=NotFound("x"))
    else:
        with pytest.raises(NotFound):
            scope.check_student(principal, **STUDENT, missing=NotFound("x"))


@pytest.mark.parametrize(
    "principal",
    [
        who(Role.DISTRICT_ADMIN),
        who(Role.DISTRICT_ADMIN, district="d2"),
        who(Role.SCHOOL_LEADER, ["s1"]),
        who(Role.TEACHER, ["s1"], ["c1"]),
        who(Role.TEACHER, ["s1", "s2"], ["c3"]),
        who(Role.SIS_INTEGRATION),
        who(Role.REVIEWER, ["s1"]),
        who(Role.ANALYST),
    ],
)
def test_student_scope_answers_as_sees_student_for_each_row(principal):
    """The per-request checker of a bulk upload (worked out once per school unless classes count)."""
    checker = scope.StudentScope(principal, "d1")
    rows = [("s1", ["c1"]), ("s1", ["c2"]), ("s2", ["c3"]), ("s1", []), ("s2", ["c1"]), ("s1", ["c1"])]
    for school_id, class_ids in rows * 2:
        expected = scope.sees_student(
            principal, district_id="d1", school_ids=[school_id], class_ids=class_ids
        )
        assert checker.sees(school_id, class_ids) is expected, (school_id, class_ids)


def test_a_student_of_several_schools_is_seen_from_any_of_them():
    assert scope.sees_student(
        who(Role.SCHOOL_LEADER, ["s2"]), district_id="d1", school_ids=["s1", "s2"], class_ids=[]
    )


def test_roles_without_student_data_and_keys_without_the_permission_are_refused_before_any_read():
    for role in (Role.REVIEWER, Role.ANALYST, Role.OPERATOR):
        with pytest.raises(Forbidden):
            scope.require_student_reader(who(role))
    key = who(Role.SIS_INTEGRATION, permissions=frozenset({"rosters:read"}), permission_bound=True)
    assert scope.require_student_reader(key, Permission.ROSTERS_READ) == "d1"
    with pytest.raises(Forbidden):
        scope.require_student_reader(key, Permission.RESULTS_READ)
    oidc_client = who(Role.SIS_INTEGRATION)  # a token without a permissions claim: its role decides
    assert scope.require_student_reader(oidc_client, Permission.RESULTS_READ) == "d1"


def test_a_token_is_bound_by_permissions_only_when_it_carries_the_claim():
    assert not Principal.from_claims({"sub": "a", "role": "sis_integration"}).permission_bound
    bound = Principal.from_claims({"sub": "a", "role": "sis_integration", "permissions": []})
    assert bound.permission_bound and not bound.holds("results:read")


ROWS = Table("rows", MetaData(), Column("school_id", Text), Column("student_id", Text))


def sql(conditions) -> list[str]:
    dialect = postgresql.dialect()
    return [str(c.compile(dialect=dialect, compile_kwargs={"literal_binds": True})) for c in conditions]


def in_classes(classes):
    return literal(",".join(classes)) == ROWS.c.student_id  # a stand-in the test can read


def test_the_list_filter_keeps_the_callers_schools_and_a_teachers_classes():
    kw = {"school": ROWS.c.school_id, "in_classes": in_classes}
    assert scope.student_filter(who(Role.DISTRICT_ADMIN), **kw) == []
    assert sql(scope.student_filter(who(Role.SCHOOL_LEADER, ["s2", "s1"]), **kw)) == [
        "rows.school_id IN ('s1', 's2')"
    ]
    assert sql(scope.student_filter(who(Role.TEACHER, ["s1"], ["c2", "c1"]), **kw)) == [
        "rows.school_id IN ('s1')",
        "'c1,c2' = rows.student_id",
    ]
    assert sql(scope.student_filter(who(Role.TEACHER, ["s1"]), **kw)) == ["rows.school_id IN ('s1')", "false"]
    for role in (Role.ANALYST, Role.REVIEWER, Role.OPERATOR):
        assert sql(scope.student_filter(who(role, ["s1"]), **kw)) == ["false"]


def test_a_school_is_seen_by_district_wide_roles_and_by_those_who_hold_it():
    assert scope.sees_school(who(Role.ANALYST), "d1", "s9")
    assert scope.sees_school(who(Role.TEACHER, ["s1"]), "d1", "s1")
    assert not scope.sees_school(who(Role.TEACHER, ["s1"]), "d1", "s2")
    assert not scope.sees_school(who(Role.DISTRICT_ADMIN), "d2", "s1")
