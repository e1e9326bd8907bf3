"""Reading a OneRoster 1.2 CSV package (pure: bytes in, records and problems out; no I/O beyond the zip).

- The zip must hold `manifest.csv` (propertyName,value); `file.<name>` says `bulk`, `delta` or `absent`.
- Files are UTF-8 (a BOM is dropped); a file that is not valid UTF-8 is read as Latin-1 (cp1252), which is
  what spreadsheet exports on Windows write. Quoted fields may hold newlines (the csv module handles them).
- Row numbers count the header as row 1, so the first record is row 2 (as a spreadsheet shows it).
- A file without one of its required columns is rejected as a whole (row 1, that column).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

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
    "results": ("lineItemSourcedId", "studentSourcedId", "scoreStatus"),
    "assessmentResults": ("assessmentLineItemSourcedId", "studentSourcedId", "scoreStatus"),
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
    for name, mode in modes.items():
        if mode == "absent":
            continue
        member = names.get(f"{name}.csv")
        if member is None:
            package.problems.append(
                _problem(f"{name}.csv", None, None, f"the manifest says {mode} but the file is missing")
            )
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
        elif name in REQUIRED:
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
