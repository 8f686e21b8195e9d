"""Shared fixtures. ``SHARED`` is ``../shared`` beside the repository, or the folder named
by the environment variable ``REALPOLITIK_SHARED``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REALPOLITIK_SHARED", ROOT.parent / "shared"))


def has_gambit() -> bool:
    try:
        import pygambit  # noqa: F401
    except ImportError:
        return False
    return True


needs_gambit = pytest.mark.skipif(
    not has_gambit(),
    reason="needs pygambit, the games extra: "
    "CFLAGS='-O2 -g0' CXXFLAGS='-O2 -g0' pip install 'realpolitik[games]'",
)


@pytest.fixture
def shared() -> Path:
    """The shared data folder; the test is skipped, saying why, when it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip(
            f"needs the shared data folder {SHARED} (present in CI, absent in a bare clone)"
        )
    return SHARED


@pytest.fixture
def write(tmp_path: Path):
    """Write ``text`` (str or bytes) to a file of ``name`` under a temporary folder."""

    def _write(name: str, text: str | bytes) -> Path:
        p = tmp_path / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return p

    return _write


@pytest.fixture(autouse=True)
def _fresh_consoles():
    """The command line's consoles are made when first used, and read COLUMNS then: each
    test gets its own, as each run of the program does."""
    from realpolitik.cli import common

    common._forget_consoles()
    yield
    common._forget_consoles()


@pytest.fixture(autouse=True)
def _private_run_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test records its runs in a store of its own, never in the user's."""
    monkeypatch.setenv("REALPOLITIK_STORE", str(tmp_path_factory.mktemp("store") / "runs.sqlite"))


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium for the browser tests (Playwright cannot download its own here).

    Without it (or without Playwright) the test is skipped, saying why; where
    ``REALPOLITIK_REQUIRE_BROWSER`` is set (``.ci/run`` sets it) it fails instead, so that
    CI never counts a skipped browser test as passed.
    """
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install 'realpolitik[test]')")
    if missing:
        why = "the browser tests need " + " and ".join(missing)
        if os.environ.get("REALPOLITIK_REQUIRE_BROWSER"):
            pytest.fail(why + "; REALPOLITIK_REQUIRE_BROWSER is set")
        pytest.skip(why)
    return CHROMIUM
