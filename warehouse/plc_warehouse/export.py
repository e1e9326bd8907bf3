"""Parquet export: one file per table of the DuckDB file, written by DuckDB itself (COPY ... FORMAT parquet)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from plc_warehouse.store import OFFSETS
from plc_warehouse.tables import quote


def export(path: Path, out_dir: Path) -> list[Path]:
    """Every table but the sink's offsets, as `<out_dir>/<table>.parquet`; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                " AND table_name <> ? ORDER BY table_name",
                [OFFSETS],
            ).fetchall()
        ]
        written = []
        for name in names:
            target = out_dir / f"{name}.parquet"
            literal = str(target).replace("'", "''")
            con.execute(f"COPY (SELECT * FROM {quote(name)}) TO '{literal}' (FORMAT parquet)")
            written.append(target)
        return written
    finally:
        con.close()
