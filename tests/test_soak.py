"""`make soak` for 60 s, as CI runs it: no error through the gateway and exact books at the end."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[1] / "bench" / "soak.py"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_60_second_soak_has_no_error_and_exact_books():
    result = subprocess.run(
        [sys.executable, str(SOAK)],
        env={**os.environ, "SOAK_SECONDS": "60"},
        capture_output=True,
        text=True,
        timeout=840,
    )
    print(result.stdout)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert last.startswith("errors=0 exact=True "), last
    assert "lost=0 doubled=0" in last, last
