"""`python -m plc_shared.preflight DIR`: the compose stack's first step. Every secret file in DIR must be
non-empty and hold no placeholder from `.env.example` (settings.PLACEHOLDER_MARKERS); otherwise it names the
offending secrets and exits 1, and nothing that depends on it (PostgreSQL, Kafka, the services) starts."""

from __future__ import annotations

import sys
from pathlib import Path

from plc_shared.settings import is_placeholder, read_secret


def problems(secrets_dir: Path) -> list[str]:
    found = []
    files = sorted(p for p in secrets_dir.rglob("*") if p.is_file())
    if not files:
        return [f"no secrets in {secrets_dir}"]
    for path in files:
        value = read_secret(path)
        if not value.strip():
            found.append(f"{path.relative_to(secrets_dir)} is empty")
        elif is_placeholder(value):
            found.append(f"{path.relative_to(secrets_dir)} still holds a placeholder")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    found = problems(Path(args[0] if args else "/run/secrets"))
    for line in found:
        print(f"preflight: {line}; set a real secret in .env", file=sys.stderr)
    if not found:
        print("preflight: secrets set, none is a placeholder")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
