"""Lenient, never silent: what a package may hold that OneRoster 1.2 does not allow, but that is imported anyway,
each with a note in the report (pure: the package's rows in, notes out; a row is normalised in place so the rest of
the import reads the 1.2 form). The assessments README's leniency table lists these outcomes, one test each.

| found | outcome |
| --- | --- |
| `status` outside the 1.2 values (active, tobedeleted; empty = active), e.g. 1.1's `inactive` | stored active, note |
| `dateLastModified` that is not ISO 8601 (e.g. `15/06/2023`) | ignored (as if absent), note |
| a 1.0/1.1 column with a 1.2 successor (`grade`, `gradingPeriodSourcedId`) | read as its successor, note (file) |
| a class whose course or term is not in the package's bulk courses / academicSessions file | stored, note |
| a class whose school org is of a type that holds no classes (district, department, ...) | stored, note |

Elsewhere (same table in the README): a user with a staff and a student role is stored as a student, with a note
(service.Importer._user); references that cannot be stored at all (a result's unknown line item or student) stay
row problems.
"""

from __future__ import annotations

import re
from datetime import datetime

from assessments.oneroster.rules import Package, report_line, split_list

STATUSES = frozenset({"", "active", "tobedeleted"})
# 1.0/1.1 column -> its 1.2 successor, per file
SUCCESSORS = {
    "classes": {"grade": "grades"},
    "courses": {"grade": "grades"},
    "users": {"grade": "grades"},
    "lineItems": {"gradingPeriodSourcedId": "academicSessionSourcedId"},
}
SCHOOL_TYPES = frozenset(
    {"school"}
)  # the org type a class belongs to (1.2 orgs: school, district, department, ...)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def iso_8601(value: str) -> bool:
    if not _ISO.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def lenient_notes(package: Package) -> list[dict]:
    notes: list[dict] = []
    for name, found in package.files.items():
        for number, r in found.rows:
            status = (r.get("status") or "").strip()
            if status.lower() not in STATUSES:
                reason = (
                    f"status '{status}' is not a OneRoster 1.2 value (active, tobedeleted): stored as active"
                )
                notes.append(report_line(name, number, "status", reason))
            modified = (r.get("dateLastModified") or "").strip()
            if modified and not iso_8601(modified):
                r["dateLastModified"] = ""
                reason = f"'{modified}' is not an ISO 8601 date-time: ignored, as if the column were empty"
                notes.append(report_line(name, number, "dateLastModified", reason))
        notes += _legacy_columns(name, found.rows)
    notes += _class_references(package)
    return notes


def _legacy_columns(name: str, rows: list[tuple[int, dict[str, str]]]) -> list[dict]:
    notes = []
    for old, new in SUCCESSORS.get(name, {}).items():
        if not any(old in r for _n, r in rows):
            continue
        for _n, r in rows:
            if not (r.get(new) or "").strip():
                r[new] = r.get(old) or ""
        reason = f"column '{old}' is OneRoster 1.0/1.1's: read as 1.2's '{new}'"
        notes.append(report_line(name, None, old, reason))
    return notes


def _class_references(package: Package) -> list[dict]:
    """A bulk file is the whole set: a class naming a course or term it does not hold points at nothing."""
    notes = []
    orgs = {r["sourcedId"]: (r.get("type") or "").strip() for _n, r in package.rows("orgs")}
    bulk = {
        "courseSourcedId": ("courses", {r["sourcedId"] for _n, r in package.rows("courses")}),
        "termSourcedIds": (
            "academicSessions",
            {r["sourcedId"] for _n, r in package.rows("academicSessions")},
        ),
    }
    for number, r in package.rows("classes"):
        for column, (file, ids) in bulk.items():
            if package.mode(file) != "bulk":
                continue
            for ref in split_list(r.get(column)):
                if ref not in ids:
                    reason = f"'{ref}' is not in {file}.csv (bulk) of this package: the class is stored pointing at it"
                    notes.append(report_line("classes", number, column, reason))
        school = (r.get("schoolSourcedId") or "").strip()
        kind = orgs.get(school)
        if kind is not None and kind not in SCHOOL_TYPES:
            reason = f"org '{school}' is a {kind}, not a school: the class is stored under it as its school"
            notes.append(report_line("classes", number, "schoolSourcedId", reason))
    return notes
