"""The code stays linted, formatted and type-checked (ruff and mypy are test extras)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy", "src")],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(command):
    proc = _run(*command)
    assert proc.returncode == 0, proc.stdout + proc.stderr
