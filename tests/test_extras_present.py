"""In CI (``.ci/run`` sets ``REALPOLITIK_REQUIRE_EXTRAS``) every optional extra and the
browser must be installed: the tests that need them would otherwise skip, and a skipped test
is not a passed one. Elsewhere this test skips, saying so."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

EXTRAS = {
    "dask": "distributed",
    "sensitivity": "SALib",
    "report": "matplotlib",
    "pdf": "weasyprint",
    "dashboard": "fastapi",
    "games": "pygambit",
    "spreadsheets": "openpyxl",
    "test (browser)": "playwright.sync_api",
}


@pytest.mark.skipif(
    not os.environ.get("REALPOLITIK_REQUIRE_EXTRAS"),
    reason="checks the CI installation; .ci/run sets REALPOLITIK_REQUIRE_EXTRAS",
)
def test_every_extra_and_the_browser_are_installed() -> None:
    missing = []
    for extra, module in EXTRAS.items():
        try:
            importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"{extra}: {module} ({exc})")
    if not Path("/usr/bin/chromium").exists():
        missing.append("Debian's chromium at /usr/bin/chromium")
    assert not missing, "missing in CI: " + "; ".join(missing)
