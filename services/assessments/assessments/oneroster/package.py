"""Reading a OneRoster 1.2 CSV package (pure: bytes in, records and problems out; no I/O beyond the zip).

- The zip must hold `manifest.csv` (propertyName,value); `file.<name>` says `bulk`, `delta` or `absent`.
- Files are UTF-8 (a BOM is dropped); a file that is not valid UTF-8 is read as Latin-1 (cp1252), which is
  what spreadsheet exports on Windows write. Quoted fields may hold newlines (the csv module handles them).
- Row numbers count the header as row 1, so the first record is row 2 (as a spreadsheet shows it).
- A file without one of its required columns is rejected as a whole (row 1, that column).
- A file the manifest names (bulk or delta) that this service does not import (categories, demographics,
  resources, ...) is listed in `Package.unsupported` with its row count, and a CSV in the zip that the
  manifest does not name in `Package.unnamed`: the import report says so instead of dropping them silently.

Columns checked against the 1EdTech OneRoster 1.2 CSV binding (file list and header order as a public
OneRoster 1.2 CSV parser declares them, `one-roster-csv-gradebook` headers; see the README):
- lineItems: sourcedId, status, dateLastModified, title, description, assignDate, dueDate, classSourcedId,
  categorySourcedId, academicSessionSourcedId (1.1: gradingPeriodSourcedId), resultValueMin, resultValueMax,
  schoolSourcedId
- results: sourcedId, status, dateLastModified, lineItemSourcedId, studentSourcedId, scoreStatus, score,
  scoreDate, comment, textScore, classSourcedId, inProgress, incomplete, late, missing
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

from assessments.exceptions import FilterFieldUnknown, FilterInvalid, SelectionFieldUnknown

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


def read_package(data: bytes) -> Package:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageInvalid("The upload is not a zip file.") from None
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
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                _problem(filename, number, None, f"{len(values)} fields, the header has {len(header)}")
            )
            continue
        rows.append((number, dict(zip(header, values, strict=True))))
    return rows


def _problem(file: str, row: int | None, column: str | None, reason: str) -> dict:
    return {"file": file, "row": row, "column": column, "reason": reason}


def split_list(value: str | None) -> list[str]:
    """OneRoster list fields are comma separated inside one (quoted) field."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def status_of(record: dict[str, str]) -> str:
    return "tobedeleted" if (record.get("status") or "").strip().lower() == "tobedeleted" else "active"


# --- score scales (scoreScales.csv, gradebook scoreScale) --------------------------------------------------------
_PAIR = re.compile(r"\{([^{}]*)\}")
_SCORE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*\d+(?:\.\d+)?)?\s*$")  # `3` or a range `80-89`
PROFICIENT_NAMES = ("proficien", "meets", "on track", "at standard", "secure")
MASTERY_NAMES = ("advanced", "exceed", "master", "distinguish", "exemplary")
NEGATIVE_NAMES = ("not ", "non", "below", "partial", "approach", "un", "basic")


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


def scale_levels(
    values: list[dict[str, str]], max_score: float
) -> tuple[list[dict], float | None, float | None]:
    """(performance levels, proficiency cut, mastery cut) from a score scale whose itemValueLHS are scores on
    the line item's scale (`3`, or a range `80-89` whose lower end counts). Each value becomes a level from its
    score up to the next one (the top one open-ended); the lowest level named like "Proficient" / "Meets" sets
    the proficiency cut and the lowest named like "Advanced" / "Exceeds" / "Mastered" the mastery cut, as
    percent of the maximum. A cut the scale does not name is None (the caller's default applies).
    ValueError when the scale is not numeric or does not fit 0..max_score."""
    lows = []
    for v in values:
        match = _SCORE.match(v["itemValueLHS"])
        if match is None:
            raise ValueError(f"itemValueLHS '{v['itemValueLHS']}' is not a score or a score range")
        low = float(match.group(1))
        if low > max_score:
            raise ValueError(f"itemValueLHS '{v['itemValueLHS']}' is above the maximum {max_score:g}")
        lows.append((low, v["itemValueRHS"]))
    lows.sort()
    if len({low for low, _ in lows}) != len(lows):
        raise ValueError("two values start at the same score")
    levels = [
        {"name": name, "min": low, "max": lows[i + 1][0] if i + 1 < len(lows) else None}
        for i, (low, name) in enumerate(lows)
    ]
    proficiency = _first_named(lows, PROFICIENT_NAMES, max_score)
    mastery = _first_named(lows, MASTERY_NAMES, max_score)
    if proficiency is not None and mastery is not None and mastery < proficiency:
        mastery = None
    return levels, proficiency, mastery


def _first_named(lows: list[tuple[float, str]], names: tuple[str, ...], max_score: float) -> float | None:
    for low, label in lows:
        text = label.lower()
        if any(n in text for n in names) and not any(text.startswith(n) for n in NEGATIVE_NAMES):
            return round(low * 100.0 / max_score, 2)
    return None


# --- collection query parameters of the REST binding (filter, sort, fields) ------------------------------------
@dataclass(frozen=True)
class Predicate:
    field: str
    op: str
    value: str


_LOGICAL = re.compile(r"\s+(AND|OR)\s+(?=(?:[^']*'[^']*')*[^']*$)")  # AND / OR outside quotes
_PREDICATE = re.compile(r"^\s*([A-Za-z][\w.]*)\s*(!=|>=|<=|=|>|<|~)\s*(?:'((?:[^']|'')*)'|([\w.:+-]+))\s*$")


def parse_filter(text: str, allowed: frozenset[str]) -> list[list[Predicate]]:
    """`filter=field<op>'value'` joined by AND / OR (AND binds first): OR-groups of AND-ed predicates.
    Operators = != > >= < <= and ~ (contains). An unknown field is `invalid_filter_field`."""
    tokens = _LOGICAL.split(text.strip())
    groups: list[list[Predicate]] = [[]]
    for position, part in enumerate(tokens):
        if position % 2:
            if part == "OR":
                groups.append([])
            continue
        match = _PREDICATE.match(part)
        if match is None:
            raise FilterInvalid(part)
        name, op, quoted, bare = match.groups()
        if name not in allowed:
            raise FilterFieldUnknown(name, allowed)
        groups[-1].append(Predicate(name, op, quoted.replace("''", "'") if quoted is not None else bare))
    return groups


def parse_fields(text: str, allowed: frozenset[str]) -> list[str]:
    """`fields=a,b`: the top-level fields to return; an unknown one is `invalid_selection_field`."""
    names = split_list(text)
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise SelectionFieldUnknown(unknown, allowed)
    return names
