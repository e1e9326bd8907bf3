"""Reading a OneRoster 1.2 CSV package (pure: bytes in, records and problems out; no I/O beyond the zip).

- The zip must hold `manifest.csv` (propertyName,value); `file.<name>` says `bulk`, `delta` or `absent`.
- Files are UTF-8 (a BOM is dropped); a file that is not valid UTF-8 is read as Latin-1 (cp1252), which is
  what spreadsheet exports on Windows write. Quoted fields may hold newlines (the csv module handles them).
- Row numbers count the header as row 1, so the first record is row 2 (as a spreadsheet shows it).
- A file without one of its required columns is rejected as a whole (row 1, that column).
- A file the manifest names (bulk or delta) that this service does not import (demographics,
  resources, ...) is listed in `Package.unsupported` with its row count, and a CSV in the zip that the
  manifest does not name in `Package.unnamed`: the import report says so instead of dropping them silently.

Columns checked against the 1EdTech OneRoster 1.2 CSV binding (file list and header order as a public
OneRoster 1.2 CSV parser declares them, `one-roster-csv-gradebook` headers; see the README):
- lineItems: sourcedId, status, dateLastModified, title, description, assignDate, dueDate, classSourcedId,
  categorySourcedId, academicSessionSourcedId (1.1: gradingPeriodSourcedId), resultValueMin, resultValueMax,
  schoolSourcedId
- results: sourcedId, status, dateLastModified, lineItemSourcedId, studentSourcedId, scoreStatus, score,
  scoreDate, comment, textScore, classSourcedId, inProgress, incomplete, late, missing
- categories: sourcedId, status, dateLastModified, title, weight
- scoreScales: sourcedId, status, dateLastModified, title, type, orgSourcedId, courseSourcedId,
  classSourcedId, scoreScaleValue (a list of `{itemValueLHS:itemValueRHS}`)
- lineItemLearningObjectiveIds: sourcedId, status, dateLastModified, lineItemSourcedId, source
  (case | unknown), learningObjectiveId
- lineItemScoreScales: sourcedId, status, dateLastModified, title, lineItemSourcedId, scoreScaleSourcedId
- resultLearningObjectiveIds: sourcedId, status, dateLastModified, resultSourcedId, source,
  learningObjectiveId, score, textScore
assessmentLineItems / assessmentResults are REST-only in 1.2; files of those names are read as an extension
with the columns of lineItems / results (assessmentLineItemSourcedId naming the line item).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from plc_shared.schemas import ID_MAX, TEXT_MAX, is_id, text_problem

from assessments.exceptions import MAX_RATIO, PackageTooLarge

MANIFEST = "manifest.csv"
MODES = ("bulk", "delta", "absent")

# Required columns per file (OneRoster 1.2 CSV binding); other columns are read when present.
REQUIRED: dict[str, tuple[str, ...]] = {
    "orgs": ("sourcedId", "name", "type"),
    "academicSessions": ("sourcedId", "title", "type"),
    "courses": ("sourcedId", "title"),
    "classes": ("sourcedId", "title", "courseSourcedId", "schoolSourcedId"),
    "users": ("sourcedId",),
    "roles": ("userSourcedId", "role", "orgSourcedId"),
    "enrollments": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    "lineItems": ("sourcedId", "title"),
    "assessmentLineItems": ("sourcedId", "title"),
    "results": ("sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreStatus"),
    "assessmentResults": ("sourcedId", "assessmentLineItemSourcedId", "studentSourcedId", "scoreStatus"),
    "scoreScales": ("sourcedId", "title", "scoreScaleValue"),
    "categories": ("sourcedId", "title"),
    "lineItemScoreScales": ("lineItemSourcedId", "scoreScaleSourcedId"),
    "lineItemLearningObjectiveIds": ("lineItemSourcedId", "source", "learningObjectiveId"),
    "resultLearningObjectiveIds": ("resultSourcedId", "source", "learningObjectiveId"),
}


class PackageInvalid(Exception):
    """The package as a whole cannot be read (not a zip, no manifest, bad manifest)."""

    def __init__(self, reason: str, errors: list[dict] | None = None) -> None:
        super().__init__(reason)
        self.reason, self.errors = reason, errors or []


@dataclass
class CsvFile:
    name: str
    mode: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, record)


@dataclass
class Package:
    files: dict[str, CsvFile] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    unsupported: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # name -> (mode, rows)
    unnamed: list[str] = field(default_factory=list)  # CSV files in the zip the manifest does not name

    def rows(self, name: str) -> list[tuple[int, dict[str, str]]]:
        found = self.files.get(name)
        return found.rows if found else []

    def mode(self, name: str) -> str:
        found = self.files.get(name)
        return found.mode if found else "absent"


MAX_UNPACKED = 2 * 1024**3  # what a package may unpack to in all (the largest districts' rosters are ~1 GB)


def read_package(data: bytes, max_unpacked: int = MAX_UNPACKED) -> Package:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageInvalid("The upload is not a zip file.") from None
    refuse_bombs(archive, max_unpacked)
    names = {n.rsplit("/", 1)[-1]: n for n in archive.namelist() if n.lower().endswith(".csv")}
    if MANIFEST not in names:
        raise PackageInvalid(
            "The package has no manifest.csv.",
            [{"file": MANIFEST, "row": None, "column": None, "reason": "missing"}],
        )
    modes = _manifest(archive.read(names[MANIFEST]))
    package = Package()
    package.unnamed = sorted(n for n in names if n != MANIFEST and n.removesuffix(".csv") not in modes)
    for name, mode in modes.items():
        if mode == "absent":
            continue
        member = names.get(f"{name}.csv")
        if member is None:
            package.problems.append(
                _problem(f"{name}.csv", None, None, f"the manifest says {mode} but the file is missing")
            )
            continue
        if name not in REQUIRED:
            counted = _read_csv(f"{name}.csv", archive.read(member), [], required=())
            package.unsupported[name] = (mode, None if counted is None else len(counted))
            continue
        parsed = _read_csv(f"{name}.csv", archive.read(member), package.problems)
        if parsed is not None:
            package.files[name] = CsvFile(name, mode, parsed)
    return package


def refuse_bombs(archive: zipfile.ZipFile, max_unpacked: int) -> None:
    """From the zip's directory, before decompressing: the total unpacked size and each member's ratio.
    (zipfile never yields more than a member's declared size, so the directory cannot lie its way past.)"""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio_exceeded = info.file_size > 1024**2 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        if total > max_unpacked or ratio_exceeded:
            raise PackageTooLarge(info.filename, info.file_size, info.compress_size, max_unpacked)


def _manifest(raw: bytes) -> dict[str, str]:
    problems: list[dict] = []
    rows = _read_csv(MANIFEST, raw, problems, required=("propertyName", "value"))
    if rows is None:
        raise PackageInvalid("manifest.csv cannot be read.", problems)
    modes: dict[str, str] = {}
    for number, record in rows:
        prop, value = record["propertyName"].strip(), record["value"].strip().lower()
        if not prop.startswith("file."):
            continue
        name = prop[len("file.") :]
        if value not in MODES:
            problems.append(
                _problem(MANIFEST, number, "value", f"'{value}' is not one of bulk, delta, absent")
            )
        else:
            modes[name] = value
    if problems:
        raise PackageInvalid("manifest.csv is not valid.", problems)
    return modes


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_csv(
    filename: str, raw: bytes, problems: list[dict], required: tuple[str, ...] | None = None
) -> list[tuple[int, dict[str, str]]] | None:
    text = decode(raw)
    if not text.strip():
        problems.append(_problem(filename, None, None, "the file is empty (no header row)"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    wanted = required if required is not None else REQUIRED[filename.removesuffix(".csv")]
    missing = [c for c in wanted if c not in header]
    if missing:
        for column in missing:
            problems.append(_problem(filename, 1, column, "required column missing from the header"))
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    number = 1
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(
                    _problem(filename, number, None, f"{len(values)} fields, the header has {len(header)}")
                )
                continue
            unstorable = unstorable_field(header, values)
            if unstorable is not None:
                problems.append(_problem(filename, number, *unstorable))
                continue
            rows.append((number, dict(zip(header, values, strict=True))))
    except csv.Error:  # a field over the csv module's limit (128 KiB): the rest of the file cannot be read
        reason = f"a field is longer than {csv.field_size_limit():,} characters; the file is not read past it"
        problems.append(_problem(filename, number + 1, None, reason))
    return rows


def unstorable_field(header: list[str], values: list[str]) -> tuple[str, str] | None:
    """(column, reason) of the first field of a row the database cannot store, as the API's schemas refuse it
    (plc_shared.schemas): a NUL or a lone surrogate, an id (`sourcedId`, `*SourcedId`; each id of a
    `*SourcedIds` list) longer than ID_MAX, any other text longer than TEXT_MAX."""
    for column, value in zip(header, values, strict=True):
        if column.endswith("Ids"):
            items, limit = split_list(value), ID_MAX
        else:
            items, limit = [value], ID_MAX if is_id(column) else TEXT_MAX
        problem = text_problem(items, limit)
        if problem is not None:
            reason = problem[1].format(**problem[2])
            return column, reason[:1].lower() + reason[1:]
    return None


def _problem(file: str, row: int | None, column: str | None, reason: str) -> dict:
    return {"file": file, "row": row, "column": column, "reason": reason}


def split_list(value: str | None) -> list[str]:
    """OneRoster list fields are comma separated inside one (quoted) field."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def status_of(record: dict[str, str]) -> str:
    return "tobedeleted" if (record.get("status") or "").strip().lower() == "tobedeleted" else "active"


# --- messages shared by the CSV import and the gradebook binding (the same fact, the same words) -------------
def staff_not_student(user: str, roles: list[str]) -> str:
    return f"{user} is staff ({', '.join(roles) or 'staff'}), not a student: a result needs a student"


def not_aligned(line_item: str, objective: str, measured: set[str]) -> str:
    codes = ", ".join(sorted(measured)) or "none"
    return f"line item '{line_item}' is not aligned to objective '{objective}' (it measures: {codes})"


# --- score scales (scoreScales.csv) --------------------------------------------------------
_PAIR = re.compile(r"\{([^{}]*)\}")


def scale_values(value: str) -> list[dict[str, str]]:
    """scoreScaleValue: `{itemValueLHS:itemValueRHS}` pairs (braces optional), comma separated.
    ValueError when a pair cannot be read."""
    text = (value or "").strip()
    parts = _PAIR.findall(text) if "{" in text else split_list(text)
    values = []
    for part in parts:
        lhs, sep, rhs = part.partition(":")
        if not sep or not lhs.strip() or not rhs.strip():
            raise ValueError(f"'{part}' is not itemValueLHS:itemValueRHS")
        values.append({"itemValueLHS": lhs.strip(), "itemValueRHS": rhs.strip()})
    if not values:
        raise ValueError("no {itemValueLHS:itemValueRHS} values")
    return values


# --- values of a row (ValueError(column, reason) when one cannot be read) -------------------------------------
def record_base(r: dict[str, str]) -> dict:
    return {"sourced_id": required(r, "sourcedId"), "status": status_of(r)}


def required(r: dict[str, str], column: str) -> str:
    value = (r.get(column) or "").strip()
    if not value:
        raise ValueError(column, "required value is empty")
    return value


def day(r: dict[str, str], column: str) -> date | None:
    value = (r.get(column) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(column, f"'{value}' is not a date (YYYY-MM-DD)") from None


def moment(r: dict[str, str], column: str) -> datetime | None:
    """OneRoster dates and date-times (a date alone is midnight UTC)."""
    value = (r.get(column) or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value if "T" in value else f"{value[:10]}T00:00:00+00:00")
    except ValueError:
        raise ValueError(column, f"'{value}' is not a date or date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def numeric(r: dict[str, str], column: str, is_required: bool = False) -> float | None:
    value = (r.get(column) or "").strip()
    if not value:
        if is_required:
            raise ValueError(column, "required value is empty")
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(column, f"'{value}' is not numeric") from None


def has_score(r: dict[str, str]) -> bool:
    return bool((r.get("score") or "").strip())


# --- the report ---------------------------------------------------------------------------------------------
def report_line(file: str, row: int | None, column: str | None, reason: str) -> dict:
    return {"file": f"{file}.csv", "row": row, "column": column, "reason": reason}


def ordered(lines: list[dict]) -> list[dict]:
    return sorted(lines, key=lambda p: (p["file"], p["row"] or 0))


# --- users (users.csv with roles.csv, enrollments.csv or a 1.1-style role column) -------------------------
# The OneRoster roles stored as staff, by the role kept for them: 1.1's four, and 1.2's administrators (district,
# site, system administrators and principals) as administrators. Guardians, parents, relatives, counselors and
# users with no role are not stored.
STAFF_ROLE_OF = {
    "teacher": "teacher",
    "administrator": "administrator",
    "districtAdministrator": "administrator",
    "principal": "administrator",
    "siteAdministrator": "administrator",
    "systemAdministrator": "administrator",
    "aide": "aide",
    "proctor": "proctor",
}


def user_roles(
    user: dict[str, str], roles: list[dict[str, str]], enrollments: list[dict[str, str]]
) -> list[str]:
    """Every role a user has in the package, primary roles.csv rows first (then the other roles.csv rows,
    the enrollments and users.csv's own 1.1 `role` column), each once."""
    ranked = sorted(roles, key=lambda x: (x.get("roleType") or "").strip() != "primary")
    named = [x["role"].strip() for x in ranked + enrollments] + [(user.get("role") or "").strip()]
    return list(dict.fromkeys(r for r in named if r))


def staff_roles(named: list[str]) -> list[str]:
    """The staff roles kept for a user (in the order of `named`), empty when the user is not staff."""
    return list(dict.fromkeys(STAFF_ROLE_OF[r] for r in named if r in STAFF_ROLE_OF))


# --- leniency: what 1.2 does not allow, imported anyway with a note (service.Importer calls lenient_notes) ------
# Lenient, never silent: what a package may hold that OneRoster 1.2 does not allow, but that is imported anyway,
# each with a note in the report (pure: the package's rows in, notes out; a row is normalised in place so the rest of
# the import reads the 1.2 form). The assessments README's leniency table lists these outcomes, one test each.
#
# | found | outcome |
# | --- | --- |
# | `status` outside the 1.2 values (active, tobedeleted; empty = active), e.g. 1.1's `inactive` | stored active, note |
# | `dateLastModified` that is not ISO 8601 (e.g. `15/06/2023`) | ignored (as if absent), note |
# | a 1.0/1.1 column with a 1.2 successor (`grade`, `gradingPeriodSourcedId`) | read as its successor, note (file) |
# | a class whose course or term is not in the package's bulk courses / academicSessions file | stored, note |
# | a class whose school org is of a type that holds no classes (district, department, ...) | stored, note |
#
# Elsewhere (same table in the README): a user with a staff and a student role is stored as a student, with a note
# (service.Importer._user); references that cannot be stored at all (a result's unknown line item or student) stay
# row problems.

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
