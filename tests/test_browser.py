"""The dashboard in a real browser: Chromium (headless, through Playwright) against a
uvicorn server on a free local port. The page's script swaps the panels; these tests check
what a user sees, and that the page asks nothing of any host but its own server."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

import realpolitik as rp


def expect(locator):  # type: ignore[no-untyped-def]
    """Playwright's retrying assertions (imported late: playwright may be missing)."""
    from playwright.sync_api import expect as _expect

    return _expect(locator)


CAUCASUS = "caucasus-2022"
KARABAKH = "karabakh-control"
RUSSIA_POS = f"russia.{KARABAKH}.position"
BAD_YAML = b"""\
id: bad
name: Bad
sources:
  - {id: s, title: A source}
actors:
  - {id: a, name: Alpha, capability: 2, source: {ref: s}}
  - {id: b, name: Beta, capability: 1, source: {ref: s}}
issues:
  - id: i1
    question: How far?
    scale: {min: 0, max: 100, min_label: none, max_label: all}
stances:
  - {actor: a, issue: i1, position: 20, salience: 150, source: {ref: s}}
  - {actor: b, issue: i1, position: 90, salience: 50, source: {ref: s}}
"""


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory):
    """The dashboard served by uvicorn in a thread, its runs and workspaces in a folder of
    its own; its base URL. (It asks for the ``chromium`` fixture: without a browser every
    test here skips, or fails in CI.)"""
    import uvicorn

    from realpolitik.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(
            create_app(store=tmp_path_factory.mktemp("dashboard") / "runs.sqlite"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=srv.run, name="dashboard-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the dashboard server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=15)
    assert not thread.is_alive(), "the dashboard server did not stop"


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright import sync_api

    pw = sync_api.sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(chromium), headless=True)
        yield b
        b.close()
    finally:
        pw.stop()


class Seen:
    """What a page asked for and what went wrong in it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []

    def check(self, origin: str) -> None:
        assert self.requests, "no request recorded"
        elsewhere = [u for u in self.requests if not u.startswith(origin + "/")]
        assert not elsewhere, f"requests to another origin: {elsewhere}"
        assert not self.errors, self.errors


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    seen = Seen()
    pg.on("request", lambda req: seen.requests.append(req.url))
    pg.on("pageerror", lambda exc: seen.errors.append(f"script error: {exc}"))
    pg.on(
        "console",
        lambda msg: (
            seen.errors.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield pg, seen
    context.close()


def open_scenario(pg, server, name=CAUCASUS):
    pg.goto(server + "/")
    pg.select_option("#open-form select[name=name]", name)
    pg.click("#open-form button[type=submit]")
    expect(pg.locator("#forecasts table")).to_be_visible()
    assert re.search(r"/w/[A-Za-z0-9_-]+$", pg.url), pg.url  # the address to come back to


def test_an_edit_moves_the_forecast_cell(page, server):
    pg, seen = page
    open_scenario(pg, server)
    pg.select_option("select[name=issue]", KARABAKH)
    field = pg.locator(f'input[name="{RUSSIA_POS}"]')
    expect(field).to_have_value("45")
    cell = pg.locator(f'td[data-issue="{KARABAKH}"][data-model="compromise"]')
    sc = rp.load(CAUCASUS)
    expect(cell).to_have_text(f"{rp.forecast(sc).value('compromise', KARABAKH):.1f}")
    moved = rp.forecast(rp.intervene(sc, [f"{RUSSIA_POS}=10"])).value("compromise", KARABAKH)
    assert f"{moved:.1f}" != cell.inner_text()

    field.fill("10")
    field.press("Enter")
    expect(cell).to_have_text(f"{moved:.1f}")
    expect(pg.locator("#summary")).to_contain_text(f"{RUSSIA_POS}=10")
    # the charts of the edited scenario follow the numbers
    expect(pg.locator("#charts svg")).to_have_count(2)
    expect(pg.locator("#gains svg")).to_have_count(1)
    expect(pg.locator("[data-deferred]")).to_have_count(0)

    field.fill("150")  # refused: the cell keeps its value, the reason shows beside it
    field.press("Enter")
    expect(pg.locator(f'span.error[data-for="{RUSSIA_POS}"]')).to_contain_text(
        "off the scale of 'karabakh-control'"
    )
    expect(field).to_have_value("10")
    expect(cell).to_have_text(f"{moved:.1f}")
    seen.check(server)


def test_a_bad_upload_shows_its_problems_beside_the_form(page, server):
    pg, seen = page
    pg.goto(server + "/")
    pg.set_input_files(
        "#upload-form input[type=file]",
        files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": BAD_YAML}],
    )
    pg.click("#upload-form button[type=submit]")
    errors = pg.locator("#upload-errors")
    expect(errors).to_contain_text("bad.yaml cannot be used")
    expect(errors).to_contain_text("stances[0].salience (line 13): expected at most 100")
    open_scenario(pg, server)  # the page is still usable
    seen.check(server)


def test_a_simulation_shows_progress_then_the_outlook(page, server, tmp_path):
    pg, seen = page
    open_scenario(pg, server)
    pg.fill("#simulation input[name=draws]", "2000")
    pg.fill("#simulation input[name=seed]", "1")
    pg.click("#simulation button[type=submit]")
    expect(pg.locator("#job progress")).to_be_attached()
    expect(pg.locator("#job")).to_contain_text("of 2000 draws (seed 1)")
    expect(pg.locator("#job table.outlook")).to_be_visible(timeout=120_000)
    expect(pg.locator("#job")).to_contain_text("2000 draws, seed 1")
    expect(pg.locator("#job progress")).to_have_count(0)
    outlook = pg.locator(f'#job td[data-issue="{KARABAKH}"][data-model="compromise"]')
    assert re.fullmatch(r"\d+\.\d \(\d+\.\d\u2013\d+\.\d\)", outlook.inner_text())

    shot = tmp_path / "dashboard.png"
    pg.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    folder = os.environ.get("REALPOLITIK_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(folder) / "dashboard.png")
    seen.check(server)
