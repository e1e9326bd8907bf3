"""Upload a OneRoster 1.2 CSV package to the assessments service, with a progress bar.

    python -m assessments.cli import oneroster PATH [--url http://127.0.0.1:8001] [--token JWT]

The token comes from --token or PLC_TOKEN (`plc token --role sis_integration --district D` prints one).
This is what `plc import oneroster PATH` runs: `main` is registered as the `plc.commands` entry point `import`
(pyproject.toml); the `plc` command itself lives in plc_shared.cli.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import httpx

CHUNK = 256 * 1024
WIDTH = 30


def bar(done: int, total: int) -> str:
    fraction = done / total if total else 1.0
    filled = int(WIDTH * fraction)
    return f"[{'#' * filled}{'.' * (WIDTH - filled)}] {fraction:6.1%} {done / 1e6:.1f}/{total / 1e6:.1f} MB"


def _size(path: Path) -> int:
    return path.stat().st_size


async def _chunks(path: Path, out: IO[str]) -> AsyncIterator[bytes]:
    total, done = _size(path), 0
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            done += len(chunk)
            out.write(f"\ruploading {bar(done, total)}")
            out.flush()
            yield chunk
    out.write("\nimporting (the service validates and writes in one transaction)...\n")
    out.flush()


async def import_oneroster(path: Path, *, client: httpx.AsyncClient, token: str, out: IO[str]) -> dict:
    started = time.perf_counter()
    response = await client.post(
        "/assessments/imports/oneroster",
        content=_chunks(path, out),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/zip",
            "Content-Length": str(_size(path)),
        },
    )
    body = response.json()
    if response.status_code != 200:
        out.write(f"refused ({response.status_code}): {body.get('detail') or body.get('title')}\n")
        for error in body.get("errors") or []:
            out.write(f"  {error}\n")
        return body
    out.write(
        f"done in {time.perf_counter() - started:.1f}s: {body['accepted']} rows accepted, {body['rejected']} rejected\n"
    )
    for problem in body["problems"][:20]:
        out.write(
            f"  {problem['file']} row {problem['row']} column {problem['column']}: {problem['reason']}\n"
        )
    if len(body["problems"]) > 20:
        out.write(f"  ... and {len(body['problems']) - 20} more\n")
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plc", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import").add_subparsers(dest="format", required=True)
    one = imp.add_parser("oneroster", help="a OneRoster 1.2 CSV package (zip)")
    one.add_argument("path", type=Path)
    one.add_argument("--url", default=os.environ.get("PLC_ASSESSMENTS_URL", "http://127.0.0.1:8001"))
    one.add_argument("--token", default=os.environ.get("PLC_TOKEN"))
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a token is needed: --token or PLC_TOKEN")
    if not args.path.is_file():
        parser.error(f"{args.path} is not a file")

    async def run() -> dict:
        async with httpx.AsyncClient(base_url=args.url, timeout=httpx.Timeout(600, connect=10)) as client:
            return await import_oneroster(args.path, client=client, token=args.token, out=sys.stderr)

    report = asyncio.run(run())
    print(json.dumps({k: report.get(k) for k in ("accepted", "rejected", "files")}))
    return 0 if "accepted" in report else 1


if __name__ == "__main__":
    sys.exit(main())
