"""Names for ids, from the roster the user may read (students, classes and their teachers, schools, standards).

Pages show names wherever the roster has them; an id the user may not resolve stays an id."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field

from web.client import Api


@dataclass
class Names:
    schools: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    class_teachers: dict[str, list[str]] = field(default_factory=dict)
    teachers: dict[str, str] = field(default_factory=dict)  # staff by name (teachers, administrators, ...)
    staff_roles: dict[str, str] = field(default_factory=dict)  # the school's staff: their first roster role
    students: dict[str, str] = field(default_factory=dict)
    standards: dict[str, str] = field(default_factory=dict)
    standard_codes: dict[str, str] = field(default_factory=dict)  # "4.NF.A.1": a chip's words

    def student(self, student_id: str) -> str:
        return self.students.get(student_id) or student_id

    def standard(self, standard_id: str | None) -> str:
        return self.standards.get(standard_id or "", standard_id or "—")

    def standard_code(self, standard_id: str | None) -> str:
        return self.standard_codes.get(standard_id or "", standard_id or "—")

    def class_title(self, class_id: str) -> str:
        return self.classes.get(class_id, class_id)

    def teacher(self, teacher_id: str) -> str:
        return self.teachers.get(teacher_id) or teacher_id

    def class_with_teachers(self, class_id: str) -> str:
        """ "Math 4 (Maria Rivera)": a class as a team names it, by its teachers."""
        teachers = ", ".join(self.teacher(t) for t in self.class_teachers.get(class_id, []))
        return f"{self.class_title(class_id)} ({teachers})" if teachers else self.class_title(class_id)

    def school(self, school_id: str) -> str:
        return self.schools.get(school_id, school_id)

    def classes_of(self, teacher_id: str) -> list[str]:
        """The titles of the teacher's classes, in the roster's order."""
        return [self.class_title(c) for c in self._taught.get(teacher_id, [])]

    @functools.cached_property
    def _taught(self) -> dict[str, list[str]]:
        """teacher → classes, once (a district-wide meeting's 600 teachers each scanned 4,000 classes)."""
        taught: dict[str, list[str]] = {}
        for class_id, teachers in self.class_teachers.items():
            for teacher_id in teachers:
                taught.setdefault(teacher_id, []).append(class_id)
        return taught


def student_name(student: dict) -> str:
    given, family = student.get("given_name") or "", student.get("family_name") or ""
    return f"{given} {family}".strip() or student["sourced_id"]


def teacher_name(teacher: dict) -> str:
    """A class's teacher as the roster lists it: the name, or the id when the roster has no staff record."""
    given, family = teacher.get("given_name") or "", teacher.get("family_name") or ""
    return f"{given} {family}".strip() or teacher["sourced_id"]


def standard_label(standard: dict) -> str:
    code, statement = standard.get("code") or standard["id"], standard.get("statement") or ""
    return f"{code} — {statement}" if statement and statement != code else code


async def names_for(api: Api, school_id: str | None, assessment_id: str | None = None) -> Names:
    """The schools, the school's classes and their students, its staff, and the district's standards; with
    `assessment_id`, only the students who took it (a district-wide data meeting's, not the whole district's)."""
    # One call per kind, whatever the district's size: the students come in one list (never one call per class).
    schools, classes, standards, staff, students = await asyncio.gather(
        api.get_or([], "/assessments/roster/schools"),
        api.get_or([], "/assessments/roster/classes", school_id=school_id),
        api.get_or([], "/assessments/standards"),
        api.get_or([], "/assessments/roster/staff", school_id=school_id) if school_id else _nothing(),
        api.get_or([], "/assessments/roster/students", school_id=school_id, assessment_id=assessment_id),
    )
    names = Names(
        schools={s["sourced_id"]: s["name"] for s in schools},
        classes={c["sourced_id"]: c["title"] for c in classes},
        class_teachers={c["sourced_id"]: c.get("teacher_ids", []) for c in classes},
        teachers={
            t["sourced_id"]: teacher_name(t)
            for t in [*staff, *(t for c in classes for t in c.get("teachers", []))]
        },
        staff_roles={t["sourced_id"]: t["roles"][0] for t in staff if t.get("roles")},
        standards={s["id"]: standard_label(s) for s in standards},
        standard_codes={s["id"]: s.get("code") or s["id"] for s in standards},
    )
    names.students.update({s["sourced_id"]: student_name(s) for s in students})
    return names


async def _nothing() -> list:
    return []


async def staff_names(api: Api, school_id: str | None = None) -> dict[str, str]:
    """The staff the user may read, by name, keyed by sourcedId and by identifier (an identity provider's subject
    kept on the roster): how champions, deciders and reviewers, stored as subjects, are shown by name."""
    staff = await api.get_or([], "/assessments/roster/staff", school_id=school_id)
    names = {s["identifier"]: teacher_name(s) for s in staff if s.get("identifier")}
    return names | {s["sourced_id"]: teacher_name(s) for s in staff}
