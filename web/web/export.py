"""A page's table as a CSV download: what a team takes to a meeting in a spreadsheet.

The rows are the page's own (computed from the same API answers with the same user's token, so the same scope),
written by defusedcsv: the csv module with cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
tab, CR) escaped (OWASP "CSV Injection"). UTF-8 with a byte-order mark, which Excel needs to read names right."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

from defusedcsv import csv
from fastapi.responses import Response

Table = tuple[Sequence[str], Iterable[Sequence[object]]]  # (header, rows)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue()


def csv_response(name: str, table: Table) -> Response:
    """`name`: the file's name without extension (made safe for the header)."""
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"
    return Response(
        "\ufeff" + csv_text(*table),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}.csv"'},
    )


def percent(value: float | None) -> str:
    """A percent as the page shows it, without the sign (the column's header says %)."""
    return "" if value is None else f"{value:.0f}"
