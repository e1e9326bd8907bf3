"""`plc warehouse PATH [--once]` loads every documented topic into a DuckDB file;
`plc warehouse export PATH OUT_DIR` writes each of its tables as Parquet.

Kafka settings are the services' (KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX, ...): the same broker, the same
topic names.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from plc_shared.settings import KafkaSettings

from plc_warehouse.export import export
from plc_warehouse.sink import Options, run


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="plc warehouse",
        description="Load every documented event topic into DuckDB (idempotent, resumable), "
        "or `plc warehouse export PATH OUT_DIR` to write Parquet.",
    )
    root.add_argument("path", type=Path, help="the DuckDB file (created if missing)")
    root.add_argument("--once", action="store_true", help="drain what the topics hold, then exit")
    root.add_argument(
        "--idle-seconds", type=float, default=3.0, help="--once: stop after this long without a record (3)"
    )
    root.add_argument("--progress-seconds", type=float, default=1.0, help="progress line interval (1)")
    return root


def export_parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="plc warehouse export", description="Write each table as Parquet")
    root.add_argument("path", type=Path, help="the DuckDB file")
    root.add_argument("out_dir", type=Path, help="where <table>.parquet files go (created if missing)")
    return root


def main(argv: Sequence[str]) -> int:
    args = list(argv[1:])  # argv[0] is the command name, `warehouse`
    if args[:1] == ["export"]:
        options = export_parser().parse_args(args[1:])
        for path in export(options.path, options.out_dir):
            print(path)
        return 0
    options = parser().parse_args(args)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the batch in flight is rolled back, not half-kept
        asyncio.run(
            run(
                Options(options.path, options.once, options.idle_seconds, options.progress_seconds),
                KafkaSettings(),
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(["warehouse", *sys.argv[1:]]))
