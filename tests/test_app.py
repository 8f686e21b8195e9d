"""The dashboard (realpolitik.app) through FastAPI's TestClient: every number it shows is
the public API's, every edit goes through intervene, and no request, however malformed,
gets a 500 or a traceback."""

from __future__ import annotations

import contextlib
import html
import json
import re
import time
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")  # python-multipart, which FastAPI's forms need

with warnings.catch_warnings():  # Starlette's note on its httpx client, not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.app import create_app
from realpolitik.cli import app as cli_app
from realpolitik.scenario import builtins, parse_csv, parse_yaml

CAUCASUS = "caucasus-2022"
KARABAKH = "karabakh-control"
RUSSIA_POS = f"russia.{KARABAKH}.position"

GOOD_YAML = """\
id: two-issues
name: Two issues
date: 2022-02-23
sources:
  - {id: s, title: A made-up source}
actors:
  - {id: a, name: Alpha, capability: {value: 2, low: 1, high: 3}, source: {ref: s}}
  - {id: b, name: Beta, capability: 1, source: {ref: s}}
  - {id: c, name: Gamma, capability: 1, source: {ref: s}}
issues:
  - id: i1
    question: How far?
    scale: {min: 0, max: 100, min_label: none, max_label: all}
    status_quo: 50
    status_quo_source: {ref: s}
  - id: i2
    question: How fast?
    scale: {min: 0, max: 10, min_label: never, max_label: at once}
    status_quo: 2
    status_quo_source: {ref: s}
stances:
  - {actor: a, issue: i1, position: 20, salience: {value: 80, low: 60, high: 100}, source: {ref: s}}
  - {actor: b, issue: i1, position: 90, salience: 50, source: {ref: s}}
  - {actor: c, issue: i1, position: 60, salience: 30, source: {ref: s}}
  - {actor: a, issue: i2, position: 8, salience: 40, source: {ref: s}}
  - {actor: b, issue: i2, position: 1, salience: 70, source: {ref: s}}
"""

BAD_YAML = """\
id: bad
name: Bad
sources:
  - {id: s, title: A source}
actors:
  - {id: a, name: Alpha, capability: 2, source: {ref: s}}
  - {id: b, name: Beta, capability: -1, source: {ref: s}}
issues:
  - id: i1
    question: How far?
    scale: {min: 0, max: 100, min_label: none, max_label: all}
stances:
  - {actor: a, issue: i1, position: 20, salience: 150, source: {ref: s}}
  - {actor: b, issue: i1, position: 90, salience: 50, source: {ref: s}}
"""

GOOD_CSV = "actor,capability,position,salience\nAlpha,3,10,80\nBeta,2,60,50\nGamma,1,90,40\n"


@pytest.fixture
def client():
    with TestClient(create_app(max_upload_bytes=20_000, max_workspaces=8)) as c:
        yield c


def open_builtin(client, name=CAUCASUS):
    r = client.post("/open", data={"name": name})
    assert r.status_code == 200, r.text
    return workspace_id(r.text), r.text


def workspace_id(text):
    m = re.search(r'data-location="/w/([A-Za-z0-9_-]+)"', text)
    assert m, text[:500]
    return m.group(1)


def upload(client, name, content, mime="text/yaml"):
    return client.post("/upload", files={"file": (name, content, mime)})


def cell(text, issue, model):
    """The forecast shown for ``issue`` under ``model``."""
    m = re.search(
        rf'<td data-issue="{re.escape(issue)}" data-model="{model}"[^>]*>([^<]*)</td>', text
    )
    assert m, f"no forecast cell for {issue}/{model}"
    return m.group(1)


def error_beside(text, field):
    """The message of the refused edit of ``field``, shown next to it."""
    m = re.search(rf'<span class="error" data-for="{re.escape(html.escape(field))}">([^<]*)', text)
    assert m, f"no error beside {field}"
    return html.unescape(m.group(1))


def input_value(text, field):
    m = re.search(rf'name="{re.escape(field)}" value="([^"]*)"', text)
    assert m, f"no input {field}"
    return m.group(1)


def wait_job(client, poll, timeout=60.0):
    """Poll a simulation until it is done: the progress seen, and the final fragment."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(poll)
        assert r.status_code == 200, r.text
        m = re.search(r'<progress value="(\d+)" max="(\d+)"', r.text)
        if not m:
            return seen, r.text
        seen.append((int(m.group(1)), int(m.group(2))))
        time.sleep(0.05)
    raise AssertionError("the simulation did not finish in time")


# ---------------------------------------------------------------------------- the page


def test_page_lists_the_builtins_and_serves_its_own_assets(client):
    r = client.get("/")
    assert r.status_code == 200
    for name in builtins.names():
        assert f'<option value="{name}"' in r.text
    assert not re.search(r'(src|href|action)="(https?:)?//', r.text), "an asset from elsewhere"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/app.css", "/static/favicon.svg"):
        a = client.get(asset)
        assert a.status_code == 200 and a.content, asset
    assert "no CDN" in client.get("/static/app.js").text


def test_opening_a_builtin_shows_the_api_forecasts(client):
    _, text = open_builtin(client)
    fc = rp.forecast(rp.load(CAUCASUS))
    assert fc.models == ("compromise", "median", "eum")
    for issue in fc.issues:
        for model in fc.models:
            end = fc.issue_forecast(model, issue)
            want = "undetermined" if end.value is None else f"{end.value:.1f}"
            assert cell(text, issue, model) == want
    # the EUM's cycles between distant states are named, with their states
    assert fc.undetermined("eum") == ("karabakh-control", "donbas-control")
    assert 'title="undetermined: cycles between 5.0 and 100.0"' in text
    assert "<svg" in text  # the charts, inline


def test_full_page_of_a_workspace_reloads(client):
    wid, _ = open_builtin(client)
    r = client.get(f"/w/{wid}")
    assert r.status_code == 200
    assert "<html" in r.text and "South Caucasus" in r.text


# ------------------------------------------------------------------------------ edits


def test_an_edit_moves_the_forecast_to_the_api_value(client):
    wid, before = open_builtin(client)
    sc = rp.load(CAUCASUS)
    expected = rp.forecast(rp.intervene(sc, [f"{RUSSIA_POS}=10"])).value("compromise", KARABAKH)
    r = client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"})
    assert r.status_code == 200, r.text
    shown = cell(r.text, KARABAKH, "compromise")
    assert shown == f"{expected:.1f}"
    assert shown != cell(before, KARABAKH, "compromise")
    assert f"<code>{RUSSIA_POS}=10</code>" in r.text  # the list of edits
    page = client.get(f"/w/{wid}").text
    assert cell(page, KARABAKH, "compromise") == shown


def test_an_edit_that_changes_nothing_is_not_recorded(client):
    wid, _ = open_builtin(client)
    r = client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "45.0"})
    assert r.status_code == 200
    assert "No edits yet" in r.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (RUSSIA_POS, "150", "150 is off the scale of 'karabakh-control'; expected 0 to 100"),
        (f"russia.{KARABAKH}.salience", "-5", "expected 0 or more, got -5"),
        ("nobody.capability", "1", "no actor 'nobody'"),
        ("russia.capability", "-1", "expected 0 or more"),
        (RUSSIA_POS, "forty", "expected a number such as 42 or 12.5, got 'forty'"),
        (RUSSIA_POS, "nan", "expected a number"),
        (RUSSIA_POS, "40@3", "expected a number"),  # no shock smuggled in
        # the grammar's own words (scenario.interventions), as --set says them
        ("russia.karabakh-control.color", "1", "names no field; expected ACTOR.capability"),
        ("russia.capability*", "1", "names no field"),
    ],
)
def test_a_refused_edit_keeps_the_value_and_says_why_beside_it(client, field, value, message):
    wid, before = open_builtin(client)
    client.post(f"/w/{wid}/issue", data={"issue": KARABAKH})
    r = client.post(f"/w/{wid}/edit", data={"field": field, "value": value})
    assert r.status_code == 422
    assert message in error_beside(r.text, field)
    assert input_value(r.text, RUSSIA_POS) == "45"  # re-rendered with the old value
    page = client.get(f"/w/{wid}").text
    assert cell(page, KARABAKH, "compromise") == cell(before, KARABAKH, "compromise")
    assert "No edits yet" in page


def test_choosing_an_issue_shows_its_stances(client):
    wid, text = open_builtin(client)
    assert RUSSIA_POS not in text  # the first issue is on show
    r = client.post(f"/w/{wid}/issue", data={"issue": KARABAKH})
    assert r.status_code == 200
    assert input_value(r.text, RUSSIA_POS) == "45"
    assert input_value(r.text, "russia.capability") == "0.03647"
    assert client.post(f"/w/{wid}/issue", data={"issue": "atlantis"}).status_code == 404


def test_undo_all_edits(client):
    wid, before = open_builtin(client)
    client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "0"})
    r = client.post(f"/w/{wid}/reset")
    assert r.status_code == 200
    assert cell(r.text, KARABAKH, "median") == cell(before, KARABAKH, "median")
    assert "No edits yet" in r.text


# ---------------------------------------------------------------------------- uploads


def test_upload_yaml(client):
    r = upload(client, "two.yaml", GOOD_YAML)
    assert r.status_code == 200, r.text
    fc = rp.forecast(parse_yaml(GOOD_YAML, "two.yaml"))
    assert cell(r.text, "i2", "eum") == f"{fc.value('eum', 'i2'):.1f}"
    assert '<div data-panel="upload-errors"></div>' in r.text  # earlier errors cleared


def test_upload_csv(client):
    r = upload(client, "tariff.csv", GOOD_CSV, "text/csv")
    assert r.status_code == 200, r.text
    fc = rp.forecast(parse_csv(GOOD_CSV, "tariff.csv", stem="tariff"))
    assert cell(r.text, "tariff", "median") == f"{fc.value('median', 'tariff'):.1f}"


def test_upload_with_a_bom_is_read(client):
    r = upload(client, "two.yaml", b"\xef\xbb\xbf" + GOOD_YAML.encode())
    assert r.status_code == 200


def test_a_bad_file_lists_each_problem_with_field_and_line(client):
    r = upload(client, "bad.yaml", BAD_YAML)
    assert r.status_code == 422
    assert 'data-panel="upload-errors"' in r.text
    assert 'data-panel="workspace"' not in r.text  # the page stays as it was
    text = html.unescape(r.text)
    assert "bad.yaml" in text and "2 problems" in text
    assert '<code class="field">actors[1].capability</code> (line 7): expected 0 or more' in text
    assert '<code class="field">stances[0].salience</code> (line 13): expected at most 100' in text
    r = upload(client, "bad.csv", "actor,capability,position,salience\nA,1,2,300\n", "text/csv")
    assert r.status_code == 422
    assert '<code class="field">salience</code> (line 2)' in r.text
    # the dashboard is still usable
    assert upload(client, "two.yaml", GOOD_YAML).status_code == 200


def test_an_oversize_upload_is_refused(client):
    big = "# padding\n" * 2_100  # 21,000 bytes, the limit is 20,000
    r = upload(client, "big.yaml", big)
    assert r.status_code == 413
    assert "larger than 20,000 bytes" in r.text
    huge = b"x" * 200_000  # beyond the envelope too: refused while reading
    r = upload(client, "huge.yaml", huge)
    assert r.status_code == 413
    r = client.post(
        "/upload",
        content=b"0" * 10,
        headers={"Content-Type": "multipart/form-data; boundary=x", "Content-Length": "999999"},
    )
    assert r.status_code == 413

    def chunks(n):  # no Content-Length: counted as it arrives
        for _ in range(n):
            yield b"x" * 10_000

    multipart = {"Content-Type": "multipart/form-data; boundary=x"}
    assert client.post("/upload", content=chunks(20), headers=multipart).status_code == 413
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/open", content=chunks(20), headers=form).status_code == 413


def test_a_file_not_in_utf8_is_refused(client):
    r = upload(client, "latin1.yaml", GOOD_YAML.replace("Gamma", "Gamm\u00e4").encode("latin-1"))
    assert r.status_code == 400
    assert "not UTF-8" in r.text and "latin1.yaml" in r.text


def test_user_text_is_escaped(client):
    evil = GOOD_YAML.replace("name: Two issues", 'name: "<script>alert(1)</script>"').replace(
        "name: Beta", 'name: "<img src=x onerror=alert(2)>"'
    )
    r = upload(client, "evil.yaml", evil)
    assert r.status_code == 200, r.text
    wid = workspace_id(r.text)
    for text in (r.text, client.get(f"/w/{wid}").text):
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=alert(2)&gt;" in text
    bad = upload(client, "<img src=x onerror=alert(3)>.yaml", "id: [")
    assert bad.status_code == 422
    assert "<img src=x" not in bad.text
    assert "&lt;img src=x onerror=alert(3)&gt;.yaml" in bad.text


# ------------------------------------------------------------------ malformed requests


def test_unknown_workspace_is_404_with_a_way_out(client):
    for method, path in [
        ("GET", "/w/nope"),
        ("POST", "/w/nope/edit"),
        ("POST", "/w/nope/issue"),
        ("POST", "/w/nope/pin"),
        ("POST", "/w/nope/simulate"),
        ("GET", "/w/nope/jobs/x"),
        ("GET", "/w/nope/scenario.yaml"),
        ("GET", "/w/nope/report.html"),
    ]:
        data = {"field": "russia.capability", "value": "1", "issue": KARABAKH}
        r = client.request(method, path, data=data if method == "POST" else None)
        assert r.status_code == 404, (path, r.status_code)
        assert "open the scenario again" in r.text
    # a reload of a lost workspace shows the page, to open a scenario from
    assert '<option value="caucasus-2022"' in client.get("/w/nope").text


def test_the_oldest_workspace_expires():
    with TestClient(create_app(max_workspaces=2)) as c:
        first, _ = open_builtin(c)
        open_builtin(c)
        open_builtin(c)
        assert c.get(f"/w/{first}").status_code == 404


def test_malformed_requests_get_a_4xx_and_a_plain_message(client):
    wid, _ = open_builtin(client)
    w = f"/w/{wid}"
    cases = [
        ("POST", "/open", {}),  # missing field
        ("POST", "/open", {"data": {"name": "../../../../etc/passwd"}}),
        ("POST", "/open", {"data": {"name": "../pyproject"}}),
        ("POST", "/open", {"data": {"name": "x" * 5000}}),
        ("POST", "/open", {"json": {"name": CAUCASUS}}),  # JSON, not a form
        (
            "POST",
            "/open",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        ),
        ("GET", "/open", {}),  # wrong method
        ("PUT", f"{w}/edit", {}),
        ("DELETE", w, {}),
        ("GET", f"{w}/edit", {}),
        ("POST", f"{w}/edit", {}),
        ("POST", f"{w}/edit", {"data": {"field": RUSSIA_POS}}),
        ("POST", f"{w}/edit", {"data": {"field": RUSSIA_POS, "value": "9" * 100_000}}),
        ("POST", f"{w}/edit", {"data": {"field": "a" * 10_000, "value": "1"}}),
        ("POST", f"{w}/edit", {"data": {"field": ["a", "b"], "value": "1"}}),
        ("POST", f"{w}/issue", {"data": {"issue": "../../etc"}}),
        ("POST", f"{w}/issue", {}),
        ("POST", f"{w}/simulate", {"data": {"draws": "many"}}),
        ("POST", f"{w}/simulate", {"data": {"draws": "0"}}),
        ("POST", f"{w}/simulate", {"data": {"draws": "20001"}}),
        ("POST", f"{w}/simulate", {"data": {"draws": "-5"}}),
        ("POST", f"{w}/simulate", {"data": {"seed": "-1"}}),
        ("POST", f"{w}/simulate", {"data": {"draws": "\u00b2"}}),  # a digit to isdigit()
        ("POST", f"{w}/simulate", {"data": {"seed": "\u0661\u0662"}}),
        ("POST", f"{w}/simulate", {"data": {"seed": str(2**63)}}),
        ("POST", f"{w}/simulate", {"data": {"spread": "1000"}}),
        ("POST", f"{w}/simulate", {"data": {"spread": "inf"}}),
        ("GET", f"{w}/jobs/nope", {}),
        ("GET", f"{w}/jobs/../../etc/passwd", {}),
        ("GET", "/static/../pyproject.toml", {}),
        ("GET", "/static/%2e%2e/%2e%2e/pyproject.toml", {}),
        ("GET", "/static/..%2fserver.py", {}),
        ("GET", "/nothing-here", {}),
        ("POST", "/open", {"content": b"name=x", "headers": {"Content-Length": b"\xb2"}}),
        ("POST", "/upload", {}),  # not multipart
        ("POST", "/upload", {"data": {"file": "not a file"}}),
        ("POST", "/upload", {"files": {"other": ("a.yaml", GOOD_YAML)}}),
        ("POST", "/upload", {"files": {"file": ("", b"")}}),
        ("POST", "/upload", {"files": {"file": ("empty.yaml", b"")}}),
        ("POST", "/upload", {"files": {"file": ("../../x.csv", b"\x00\x01")}}),
        ("POST", "/upload", {"files": [("file", ("a.yaml", b"a")), ("file", ("b.yaml", b"b"))]}),
        (
            "POST",
            "/upload",
            {"content": b"--x\r\ngarbage", "headers": {"Content-Type": "multipart/form-data"}},
        ),
    ]
    for method, path, kw in cases:
        r = client.request(method, path, **kw)
        assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text[:200])
        assert "Traceback" not in r.text and 'File "' not in r.text, (method, path)
        if r.headers["content-type"].startswith("text/plain"):
            assert r.text.strip(), (method, path)
    assert client.get(f"{w}/scenario.yaml").status_code == 200  # the workspace survived it all


def test_a_bug_is_a_500_without_traceback():
    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    assert "secret" not in r.text and "Traceback" not in r.text
    assert "internal error" in r.text


def test_create_app_checks_its_limits():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="whole number"):
            create_app(max_upload_bytes=bad)
        with pytest.raises(ValueError, match="whole number"):
            create_app(max_workspaces=bad)


# ------------------------------------------------------------------------- simulation


def test_a_simulation_reports_progress_then_the_api_outlook(client):
    wid, _ = open_builtin(client)
    r = client.post(f"/w/{wid}/simulate", data={"draws": "300", "seed": "5"})
    assert r.status_code == 200, r.text
    assert '<progress value="0" max="300">' in r.text
    assert "seed 5" in r.text
    poll = re.search(r'data-poll="([^"]+)"', r.text).group(1)
    seen, final = wait_job(client, poll)
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and all(t == 300 for _, t in seen)
    assert "300 draws, seed <code>5</code>" in final
    ens = rp.simulate(rp.load(CAUCASUS), draws=300, seed=5, workers=1)
    for model in ens.models:
        for o in ens.issue_outlook(model):
            want = f"{o.mean:.1f} ({o.quantiles[0.05]:.1f}\u2013{o.quantiles[0.95]:.1f})"
            if o.p_determinate < 1:
                want += f"; undetermined in {100 * (1 - o.p_determinate):.0f}%"
            assert cell(final, o.issue, model) == want
    # the EUM cycles on some issues in some draws, and the table says how often
    assert "undetermined in" in final
    assert final.count("<svg") == 2  # distribution and outlook charts
    # an edit makes the result stale, and says so at once
    r = client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"})
    assert '<div data-panel="job-stale"><p class="warning">The scenario has changed' in r.text
    assert "The scenario has changed since this run" in client.get(poll).text


def test_a_scenario_without_ranges_needs_the_spread(client):
    wid, text = open_builtin(client, "ec-emissions-1994")
    assert "This scenario gives no ranges" in text
    r = client.post(f"/w/{wid}/simulate", data={"draws": "100", "seed": "1"})
    assert r.status_code == 422
    assert "no ranges" in r.text and 'data-panel="sim-message"' in r.text
    r = client.post(f"/w/{wid}/simulate", data={"draws": "100", "seed": "1", "spread": "10"})
    assert r.status_code == 200, r.text
    _, final = wait_job(client, re.search(r'data-poll="([^"]+)"', r.text).group(1))
    assert "spread &plusmn;10" in final and '<table class="outlook">' in final


# ---------------------------------------------------------------------------- compare


def test_compare_shows_a_against_the_edited_b(client):
    wid, _ = open_builtin(client)
    r = client.post(f"/w/{wid}/pin")
    assert r.status_code == 200 and "No input differs" in r.text
    r = client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"})
    assert r.status_code == 200
    text = r.text[r.text.index('data-panel="compare"') :]
    assert re.search(
        r"<th scope=\"row\">Russia on karabakh-control: position</th>"
        r"<td>45 \(30\u201355\)</td><td>10</td>",
        text,
    )
    sc = rp.load(CAUCASUS)
    fa, fb = rp.forecast(sc), rp.forecast(rp.intervene(sc, [f"{RUSSIA_POS}=10"]))
    a, b = fa.value("compromise", KARABAKH), fb.value("compromise", KARABAKH)
    row = re.search(
        rf'<tr data-issue="{KARABAKH}" data-model="compromise">.*?</tr>', text, re.S
    ).group(0)
    assert f'<td>{a:.1f}</td><td>{b:.1f}</td><td class="delta">{b - a:+.1f}</td>' in row
    ga, gb = fa.gains("compromise")["russia"], fb.gains("compromise")["russia"]
    assert f"<td>{100 * ga:+.1f}% / {100 * gb:+.1f}%</td>" in text  # the unit of the charts
    r = client.post(f"/w/{wid}/unpin")
    assert "Pin the scenario as it is now" in r.text


# -------------------------------------------------------------------------- downloads


def test_the_yaml_download_reads_back_as_the_edited_scenario(client):
    wid, _ = open_builtin(client)
    edits = [f"{RUSSIA_POS}=10", "turkey.capability=0.05", f"turkey.{KARABAKH}.salience=90"]
    for e in edits:
        field, value = e.split("=")
        r = client.post(f"/w/{wid}/edit", data={"field": field, "value": value})
        assert r.status_code == 200, r.text
    r = client.get(f"/w/{wid}/scenario.yaml")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="caucasus-2022-edited.yaml"'
    back = parse_yaml(r.text, "download.yaml")
    assert back.content_hash() == rp.intervene(rp.load(CAUCASUS), edits).content_hash()


@pytest.mark.slow
def test_the_report_download(client):
    wid, _ = open_builtin(client, "ec-emissions-1994")
    r = client.get(f"/w/{wid}/report.html")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.text.lstrip().lower().startswith("<!doctype html>")
    assert "EC car-emission standards" in r.text


def test_a_local_server_answers_only_to_its_own_names():
    client = TestClient(create_app(allowed_hosts=["127.0.0.1", "localhost"]))
    assert client.get("/", headers={"host": "127.0.0.1:8765"}).status_code == 200
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    evil = client.get("/", headers={"host": "attacker.example"})
    assert evil.status_code == 400
    assert "Traceback" not in evil.text


def test_serve_command_serves_the_dashboard_on_localhost():
    """``realpolitik serve`` in a process of its own, as a user starts it."""
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "realpolitik", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    body = r.read().decode()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"serve did not start: {proc.stdout.read()}") from None
                time.sleep(0.2)
        assert "realpolitik" in body and CAUCASUS in body
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.mark.parametrize(
    "value", ["", "   ", "1_0", "\uff15\uff10", "\u0663\u0660", "nan", "inf", "1e400"]
)
def test_an_edit_that_is_not_a_plain_number_is_refused_beside_its_cell(client, value):
    wid, _ = open_builtin(client)
    r = client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": value})
    assert r.status_code == 422
    assert f'data-for="{RUSSIA_POS}"' in r.text and "expected a number" in r.text


def test_state_changes_from_another_site_are_refused(client):
    cross = client.post("/open", data={"name": CAUCASUS}, headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403 and "another site" in cross.text
    other = client.post("/open", data={"name": CAUCASUS}, headers={"origin": "http://evil.example"})
    assert other.status_code == 403
    same = client.post("/open", data={"name": CAUCASUS}, headers={"sec-fetch-site": "same-origin"})
    assert same.status_code == 200


def test_the_report_of_a_scenario_without_ranges_has_its_simulation(client):
    wid, _ = open_builtin(client, "ec-emissions-1994")
    r = client.get(f"/w/{wid}/report.html")
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert "Simulated outcome of" in page and "--spread 50" in page
    assert "The scenario gives no ranges" in page  # the report's policy, said in its notes
    # recorded as `realpolitik report` records it
    (run,) = json.loads(runs_cli("list", "--json").stdout)
    assert run["kind"] == "report" and run["scenario_id"] == "ec-emissions-1994"
    params = json.loads(runs_cli("show", str(run["id"]), "--json").stdout)["parameters"]
    assert params["spread"] == 50 and params["interventions"] == [] and params["draws"] == 300


# ---------------------------------------------------------------------- run history


def runs_cli(*args):
    """``realpolitik runs ARGS`` on the default store (the test's own: conftest.py)."""
    r = CliRunner().invoke(cli_app, ["runs", *args])
    assert r.exit_code == 0, r.output
    return r


def test_a_dashboard_simulation_is_in_the_run_history_as_the_cli_records_it(client, tmp_path):
    wid, _ = open_builtin(client)
    client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"})
    r = client.post(f"/w/{wid}/simulate", data={"draws": "40", "seed": "7"})
    assert r.status_code == 200, r.text
    _, final = wait_job(client, re.search(r'data-poll="([^"]+)"', r.text).group(1))
    run = int(re.search(r'<code data-run="(\d+)">', final).group(1))
    assert f"realpolitik runs show {run}" in final
    listed = runs_cli("list").stdout
    assert "simulate" in listed and CAUCASUS in listed and " 7 " in listed
    shown = json.loads(runs_cli("show", str(run), "--json").stdout)
    assert shown["parameters"]["interventions"] == [f"{RUSSIA_POS}=10"]
    assert shown["parameters"]["spread"] is None
    # the same run from the command line is stored the same
    other = tmp_path / "cli.sqlite"
    r = CliRunner().invoke(
        cli_app,
        ["simulate", CAUCASUS, "-n", "40", "--seed", "7", "-w", "1",
         "--set", f"{RUSSIA_POS}=10", "--store", str(other)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    by_cli = json.loads(runs_cli("show", "1", "--json", "--store", str(other)).stdout)
    for d in (shown, by_cli):
        del d["run"]["id"], d["run"]["created"]
    assert shown == by_cli


def test_an_app_told_not_to_record_records_nothing(tmp_path):
    store = tmp_path / "none.sqlite"
    with TestClient(create_app(store=store, record=False)) as c:
        wid, _ = open_builtin(c)
        r = c.post(f"/w/{wid}/simulate", data={"draws": "20", "seed": "1"})
        _, final = wait_job(c, re.search(r'data-poll="([^"]+)"', r.text).group(1))
    assert "Recorded as run" not in final and not store.exists()
    with TestClient(create_app(store=store)) as c:  # a store of its own
        wid, _ = open_builtin(c)
        r = c.post(f"/w/{wid}/simulate", data={"draws": "20", "seed": "1"})
        _, final = wait_job(c, re.search(r'data-poll="([^"]+)"', r.text).group(1))
    assert "Recorded as run" in final
    assert json.loads(runs_cli("list", "--json", "--store", str(store)).stdout)[0]["seed"] == 1


def test_a_store_that_cannot_be_written_never_fails_the_simulation(tmp_path):
    bad = tmp_path / "folder.sqlite"
    bad.mkdir()
    with TestClient(create_app(store=bad)) as c:
        wid, _ = open_builtin(c)
        r = c.post(f"/w/{wid}/simulate", data={"draws": "20", "seed": "1"})
        _, final = wait_job(c, re.search(r'data-poll="([^"]+)"', r.text).group(1))
    assert '<table class="outlook">' in final and "Recorded as run" not in final


# ---------------------------------------------------------------------- app state


def test_each_app_keeps_its_own_state():
    """No state in the modules: two apps share no cached forecast (their workspaces only
    through the file they are given)."""
    import collections
    import threading

    from realpolitik.app import server, views, workspace

    a, b = create_app(), create_app()
    assert a.state.forecasts is not b.state.forecasts
    with TestClient(a) as c:
        open_builtin(c)
    assert len(a.state.forecasts) == 1 and len(b.state.forecasts) == 0
    for mod in (server, views, workspace):
        for name, value in vars(mod).items():
            if name.startswith("__"):
                continue
            mutable = (dict, list, set, collections.OrderedDict, type(threading.Lock()))
            assert not isinstance(value, mutable), f"{mod.__name__}.{name} is module state"


def test_a_finished_job_is_shown_from_one_snapshot():
    """The job panel reads the job once: a job that ends while the panel is drawn cannot
    leave it half running, half done."""
    from realpolitik.app.views import View
    from realpolitik.app.workspace import Job, Workspace

    sc = rp.load(CAUCASUS)
    view = View(Workspace(id="w", base=sc, scenario=sc, issue=KARABAKH))
    job = Job(id="j", scenario=sc, source_hash=sc.content_hash(), draws=20, seed=1)
    snapshot = view.job_view(job)
    job.run()  # the job ends after the snapshot was taken
    assert snapshot["state"] == "running" and snapshot["ensemble"] is None
    done = view.job_view(job)
    assert done["state"] == "done" and done["ensemble"].draws == 20


def test_the_dashboard_opens_with_the_bottom_line_and_shows_status_quos(client):
    """At the top of a workspace: the bottom line (the op-ed's question answered head to
    head, each model's record); the forecasts table has the status quo beside the models,
    and an edit refreshes the bottom line."""
    wid, page = open_builtin(client, CAUCASUS)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Bottom line" in text
    assert "Putin — Aliyev: who will win? Azerbaijan comes out ahead of Russia" in text
    assert page.index('id="bottom-line"') < page.index('id="forecasts"')
    assert "<th>Status quo</th>" in page
    r = client.post(f"/w/{wid}/edit", data={"field": "russia.capability", "value": "0.5"})
    assert r.status_code == 200 and 'data-panel="bottom-line"' in r.text


def test_upload_a_workbook(client):
    pytest.importorskip("openpyxl", reason="workbooks need the extra `spreadsheets`")
    from realpolitik.scenario.xlsx_io import xlsx_bytes

    sc = parse_yaml(GOOD_YAML, "two.yaml")
    r = upload(client, "two.xlsx", xlsx_bytes(sc), XLSX)
    assert r.status_code == 200, r.text
    fc = rp.forecast(sc)
    assert cell(r.text, "i2", "eum") == f"{fc.value('eum', 'i2'):.1f}"
    r = upload(client, "broken.xlsx", b"not a workbook", XLSX)
    assert r.status_code == 422 and "not an XLSX workbook" in html.unescape(r.text)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_hostile_workbook_is_refused_quickly_and_briefly(client):
    """A cell typed at XFD1048576 (17 billion cells in the used range) held a server thread
    for good; 300 bad rows listed 600 problems: the first 100 are shown, the rest counted."""
    openpyxl = pytest.importorskip("openpyxl", reason="workbooks need the extra `spreadsheets`")
    import io

    from realpolitik.scenario.xlsx_io import xlsx_bytes

    def edited(change):
        wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(parse_yaml(GOOD_YAML, "two.yaml"))))
        change(wb["actors"])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def far(ws):
        ws["XFD1048576"] = "x"

    r = upload(client, "far.xlsx", edited(far), XLSX)
    assert r.status_code == 422 and "the sheet&#39;s used range spans 17,179,869,184" in r.text

    def bad_rows(ws):
        for k in range(300):
            ws.append([f"x{k}", "X", "bad"])

    r = upload(client, "rows.xlsx", edited(bad_rows), XLSX)
    assert r.status_code == 422 and "(600 problems)" in r.text  # a bad capability, no source
    assert r.text.count("<li>") == 101 and "... and 500 more (the first 100 are shown)" in r.text


# ------------------------------------------------------------- nothing lost, nothing held

SECURITY = ("content-security-policy", "x-frame-options", "x-content-type-options",
            "referrer-policy")  # fmt: skip


def secured(r):
    missing = [h for h in SECURITY if h not in r.headers]
    assert not missing, (r.status_code, missing)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_edits_survive_a_restart_of_the_app(tmp_path):
    """A new app on the same files (a restarted server) has every workspace and edit."""
    store = tmp_path / "runs.sqlite"
    with TestClient(create_app(store=store)) as c:
        wid, _ = open_builtin(c)
        assert c.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"}).is_success
        assert c.post(f"/w/{wid}/pin").is_success
        c.post(f"/w/{wid}/edit", data={"field": "russia.capability", "value": "0.5"})
        c.post(f"/w/{wid}/issue", data={"issue": "donbas-control"})
        edited = c.get(f"/w/{wid}").text
    assert (tmp_path / "runs.dashboard.sqlite").is_file()
    sc = rp.intervene(rp.load(CAUCASUS), [f"{RUSSIA_POS}=10", "russia.capability=0.5"])
    want = f"{rp.forecast(sc).value('compromise', KARABAKH):.1f}"
    with TestClient(create_app(store=store)) as c:
        r = c.get(f"/w/{wid}")
        assert r.status_code == 200
        assert cell(r.text, KARABAKH, "compromise") == want == cell(edited, KARABAKH, "compromise")
        assert f"<code>{RUSSIA_POS}=10</code>" in r.text
        assert "<code>russia.capability=0.5</code>" in r.text
        assert '<option value="donbas-control" selected>' in r.text  # the issue on show
        assert "russia: capability" in html.unescape(r.text).lower()  # the pinned A differs
        y = c.get(f"/w/{wid}/scenario.yaml").text  # and the edited scenario is the same one
        assert parse_yaml(y, "x.yaml").content_hash() == sc.content_hash()
        assert c.post(f"/w/{wid}/reset").is_success  # and editing goes on
    with TestClient(create_app(store=store)) as c:
        assert "No edits yet" in c.get(f"/w/{wid}").text


def test_two_servers_on_one_file_see_each_others_edits(tmp_path):
    store = tmp_path / "runs.sqlite"
    with TestClient(create_app(store=store)) as a, TestClient(create_app(store=store)) as b:
        wid, _ = open_builtin(a)
        assert "No edits yet" in b.get(f"/w/{wid}").text
        a.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"})
        assert f"<code>{RUSSIA_POS}=10</code>" in b.get(f"/w/{wid}").text


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port, store):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "realpolitik", "serve", "--port", str(port), "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _http(port, method, path, form=None, proc=None, timeout=60.0):
    """``(status, body)`` of one request to the server on ``port``, waiting for it to start."""
    import urllib.error
    import urllib.parse
    import urllib.request

    data = urllib.parse.urlencode(form).encode() if form is not None else None
    deadline = time.monotonic() + timeout
    while True:
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                raise AssertionError("the server did not answer") from None
            time.sleep(0.2)


def test_edits_and_a_running_simulation_survive_kill_9(tmp_path):
    """``realpolitik serve`` killed with SIGKILL mid-simulation: restarted, it has every
    answered edit, and the simulation runs again from its seed and is recorded."""
    import signal

    from realpolitik.runner.store import RunStore

    store = tmp_path / "runs.sqlite"
    port = _free_port()
    proc = _serve(port, store)
    try:
        status, text = _http(port, "POST", "/open", {"name": CAUCASUS}, proc)
        assert status == 200, text
        wid = workspace_id(text)
        status, text = _http(port, "POST", f"/w/{wid}/edit", {"field": RUSSIA_POS, "value": "10"})
        assert status == 200, text
        status, text = _http(
            port, "POST", f"/w/{wid}/simulate", {"draws": "2000", "seed": "11"}, proc
        )
        assert status == 200 and "<progress" in text, text
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=15)
    assert not store.exists() or not RunStore(store).list()  # nothing recorded: it was killed
    proc = _serve(port, store)
    try:
        status, text = _http(port, "GET", f"/w/{wid}", proc=proc)
        assert status == 200
        assert f"<code>{RUSSIA_POS}=10</code>" in text
        assert "run again from its seed" in text
        poll = re.search(r'data-poll="([^"]+)"', text).group(1)
        deadline = time.monotonic() + 300
        while "<progress" in text:
            assert time.monotonic() < deadline, "the resumed simulation did not finish"
            time.sleep(0.5)
            status, text = _http(port, "GET", poll)
            assert status == 200, text
        run = int(re.search(r'<code data-run="(\d+)">', text).group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    with RunStore(store) as rs:
        (info,) = rs.list()
        rec = rs.get(run)
    assert info.kind == "simulate" and info.seed == 11 and info.status == "complete"
    assert rec.parameters["interventions"] == [f"{RUSSIA_POS}=10"]
    assert rec.parameters["draws"] == 2000


def test_every_response_carries_the_security_headers_errors_too():
    app = create_app(allowed_hosts=["testserver"])

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        wid, _ = open_builtin(c)
        responses = [
            c.get("/"),
            c.get("/static/app.js"),
            c.get("/nothing-here"),  # 404
            c.get("/w/nope"),  # 404, the page
            c.put("/open"),  # 405
            c.post("/open", data={}),  # 422
            c.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "x"}),  # 422
            c.post("/open", data={"name": CAUCASUS}, headers={"origin": "http://evil.example"}),
            c.get("/", headers={"host": "attacker.example"}),  # 400, unknown host
            c.get("/boom"),  # 500, a bug
        ]
    assert [r.status_code for r in responses] == [200, 200, 404, 404, 405, 422, 422, 403, 400, 500]
    for r in responses:
        secured(r)


def _big_yaml(actors, issues):
    lines = ["id: big", "name: Big", "sources:", "  - {id: s, title: S}", "actors:"]
    lines += [
        f"  - {{id: a{i}, name: A{i}, capability: 1, source: {{ref: s}}}}" for i in range(actors)
    ]
    lines.append("issues:")
    lines += [
        f"  - {{id: i{j}, question: Q, scale: {{min: 0, max: 100, min_label: lo, max_label: hi}}}}"
        for j in range(issues)
    ]
    lines.append("stances:")
    lines += [
        f"  - {{actor: a{i}, issue: i{j}, position: {i % 100}, salience: 50, source: {{ref: s}}}}"
        for i in range(actors)
        for j in range(issues)
    ]
    return "\n".join(lines) + "\n"


def test_a_large_upload_is_refused_before_any_work(monkeypatch):
    """3,000 actors (the 62 s upload of the issue) or too many actors x issues: a 413 that
    says which bound, and nothing parsed."""
    from realpolitik.app import server

    def never(*a, **k):
        raise AssertionError("parsed a file over the bounds")

    monkeypatch.setattr(server, "parse_yaml", never)
    monkeypatch.setattr(server, "parse_csv", never)
    with TestClient(create_app()) as c:
        r = upload(c, "many.yaml", _big_yaml(3_000, 1))
        assert r.status_code == 413 and "more than 100 actors" in r.text, r.text
        secured(r)
        r = upload(c, "wide.yaml", _big_yaml(60, 40))
        assert r.status_code == 413, r.text
        assert "60 actors x 40 issues = 2,400, more than the 2,000" in r.text
        rows = "".join(f"A{i},1,{i % 100},50\n" for i in range(150))
        r = upload(c, "many.csv", "actor,capability,position,salience\n" + rows, "text/csv")
        assert r.status_code == 413 and "more than 100 actors" in r.text
    monkeypatch.undo()
    with TestClient(create_app()) as c:  # at the bounds: opened
        assert upload(c, "ok.yaml", _big_yaml(50, 2)).status_code == 200


def test_the_bounds_count_what_the_reader_reads():
    from realpolitik.app.bounds import shape
    from realpolitik.scenario import dump_yaml

    sc = rp.load(CAUCASUS)
    assert shape(dump_yaml(sc), "c.yaml") == (len(sc.actors), len(sc.issues))
    assert shape(GOOD_YAML, "g.yaml") == (3, 2)
    assert shape("actors: [a, {b: [1, 2]}, [c]]\nissues: {x: 1}\n", "f.yaml") == (3, 0)
    assert shape(GOOD_CSV, "g.csv") == (3, 1)
    assert shape("id: [", "broken.yaml") == (0, 0)  # the reader reports it, not the count


@contextlib.contextmanager
def _uvicorn(app, **extra):
    """``app`` served by uvicorn as ``realpolitik serve`` serves it, in a thread; its port."""
    import threading

    import uvicorn

    from realpolitik.app.serving import uvicorn_config

    port = _free_port()
    srv = uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=port, **extra))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        srv.should_exit = True
        thread.join(timeout=15)


def _until_closed(s):
    """Everything the server sends until it closes the connection, and how long it took."""
    started = time.monotonic()
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
    return answer, time.monotonic() - started


def test_a_half_sent_body_times_out(tmp_path):
    """A client that sends half a body and waits gets a 408 and its connection closed
    once the body's time is up, on the real server (uvicorn)."""
    import socket

    app = create_app(store=tmp_path / "runs.sqlite", body_seconds=1.0)
    with _uvicorn(app) as port:
        for path, kind in [
            ("/upload", "multipart/form-data; boundary=x"),
            ("/open", "application/x-www-form-urlencoded"),
        ]:
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                head = (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n"
                    "Content-Length: 5000\r\n\r\n"
                )
                s.sendall(head.encode() + b"--x\r\n" + b"a" * 100)
                answer, waited = _until_closed(s)
            assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
            assert b"did not arrive within 1 s" in answer
            assert b"content-security-policy" in answer.lower()
            assert waited < 10
        # and the server goes on serving
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer, _ = _until_closed(s)
        assert answer.startswith(b"HTTP/1.1 200")


def test_a_half_sent_head_is_dropped(tmp_path):
    """A request head that never ends (or a connection that sends nothing) is closed
    after the head's time, which uvicorn alone would hold open for ever."""
    import socket

    from realpolitik.app.serving import HeadTimeout

    class Quick(HeadTimeout):
        head_seconds = 2.0

    with _uvicorn(create_app(store=tmp_path / "runs.sqlite"), http=Quick) as port:
        for first in (b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty", b""):
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                s.sendall(first)
                answer, waited = _until_closed(s)
            assert answer == b"" and waited < 10, (first, answer[:100])
        # a request that takes its time between requests on one connection is served
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(0.5)
            s.sendall(b"GET /static/app.css HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            time.sleep(0.5)
            s.sendall(b"Connection: close\r\n\r\n")
            answer, _ = _until_closed(s)
        assert answer.count(b"HTTP/1.1 200") == 2


HUGE_SCALE = (
    GOOD_YAML.replace(
        "scale: {min: 0, max: 100, min_label: none, max_label: all}",
        "scale: {min: 0, max: 1.0e308, min_label: none, max_label: all}",
    )
    .replace("position: 20,", "position: 2.0e307,")
    .replace("position: 90,", "position: 9.0e307,")
)


def test_huge_but_valid_scales_never_make_a_500(client):
    """A 1e308 scale: the page, an edit, the charts, a pinned comparison and a simulation
    all answer (or refuse with a 4xx), never a 500."""
    r = upload(client, "huge.yaml", HUGE_SCALE)
    assert r.status_code == 200, r.text
    wid = workspace_id(r.text)
    for method, path, data in [
        ("GET", f"/w/{wid}", None),
        ("POST", f"/w/{wid}/pin", None),
        ("POST", f"/w/{wid}/edit", {"field": "a.i1.position", "value": "1e308"}),
        ("POST", f"/w/{wid}/edit", {"field": "b.i1.position", "value": "5e307"}),
        ("GET", f"/w/{wid}/charts", None),
        ("POST", f"/w/{wid}/issue", {"issue": "i2"}),
        ("GET", f"/w/{wid}/scenario.yaml", None),
        ("POST", f"/w/{wid}/simulate", {"draws": "30", "seed": "1"}),
    ]:
        r = client.request(method, path, data=data)
        assert r.status_code < 500, (path, r.status_code, r.text[:300])
        assert "cannot be drawn" not in r.text, path  # drawn, not merely caught
    poll = re.search(r'data-poll="([^"]+)"', r.text)
    if poll:
        _, final = wait_job(client, poll.group(1))
        assert "failed unexpectedly" not in final


def test_a_chart_that_fails_leaves_the_numbers_standing(client, monkeypatch):
    from realpolitik.report import charts

    def broken(*a, **k):
        raise OverflowError("a chart bug")

    monkeypatch.setattr(charts, "positions_chart", broken)
    r = upload(client, "two.yaml", GOOD_YAML)
    assert r.status_code == 200
    assert "This chart cannot be drawn" in r.text and "a chart bug" not in r.text
    assert cell(r.text, "i1", "compromise")  # the numbers are there


def test_an_edit_answers_with_its_numbers_and_the_charts_follow(client):
    wid, _ = open_builtin(client)
    r = client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "12"})
    assert r.status_code == 200
    assert f'data-deferred="/w/{wid}/charts"' in r.text and "<svg" not in r.text
    charts = client.get(f"/w/{wid}/charts")
    assert charts.status_code == 200
    assert charts.text.count("<svg") == 3
    assert 'data-panel="charts"' in charts.text and 'data-panel="gains"' in charts.text
    # drawn once, by content hash: the same edit in another workspace has them inline
    other, _ = open_builtin(client)
    again = client.post(f"/w/{other}/edit", data={"field": RUSSIA_POS, "value": "12"})
    assert "data-deferred" not in again.text and again.text.count("<svg") == 3


def test_charts_drawn_in_processes_are_the_same_charts(tmp_path):
    from realpolitik.app.views import draw

    with TestClient(create_app(store=tmp_path / "runs.sqlite", chart_workers=1)) as c:
        wid, text = open_builtin(c)
        c.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"})
        charts = c.get(f"/w/{wid}/charts").text
    sc = rp.intervene(rp.load(CAUCASUS), [f"{RUSSIA_POS}=10"])
    assert draw("gains", sc, rp.forecast(sc)) in charts  # the same bytes as drawn here
    assert text.count("<svg") == 3


def test_an_edit_that_cannot_be_written_is_not_shown_as_made(tmp_path, monkeypatch):
    """If the workspace file refuses a change, the answer is a 503 and the workspace stays
    as the file holds it: nothing is shown that a restart would lose."""
    from realpolitik.app.persist import StateError, WorkspaceStore

    with TestClient(create_app(store=tmp_path / "runs.sqlite")) as c:
        wid, before = open_builtin(c)

        def refuse(self, *a, **k):
            raise StateError("disk full (a test)")

        monkeypatch.setattr(WorkspaceStore, "save", refuse)
        r = c.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "10"})
        assert r.status_code == 503 and "nothing was changed" in r.text
        assert "disk full" not in r.text  # the server's log has it, not the page
        secured(r)
        monkeypatch.undo()
        page = c.get(f"/w/{wid}").text
        assert "No edits yet" in page
        assert cell(page, KARABAKH, "compromise") == cell(before, KARABAKH, "compromise")


def test_a_workspace_file_that_cannot_be_used_is_a_clear_error(tmp_path):
    from realpolitik.app.persist import StateError

    other = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    for bad, why in [(tmp_path, "is a folder"), (other, "a SQLite database of something else")]:
        with pytest.raises(StateError, match=why):
            create_app(workspace_file=bad)
        r = CliRunner().invoke(cli_app, ["serve", "--workspaces", str(bad)])
        assert r.exit_code == 2 and why in " ".join(r.output.split()), r.output
    for bad in (0, -1.0, float("nan"), float("inf"), "5"):
        with pytest.raises(ValueError, match="body_seconds"):
            create_app(body_seconds=bad)
    with pytest.raises(ValueError, match="chart_workers"):
        create_app(chart_workers=-1)


def test_a_large_workbook_is_refused_before_it_is_forecast(client, monkeypatch):
    pytest.importorskip("openpyxl", reason="workbooks need the extra `spreadsheets`")
    from realpolitik.app import views
    from realpolitik.scenario.xlsx_io import xlsx_bytes

    def never(*a, **k):
        raise AssertionError("forecast a scenario over the bounds")

    monkeypatch.setattr(views.Forecasts, "get_for", never)
    sc = parse_yaml(_big_yaml(120, 1), "many.yaml")
    with TestClient(create_app()) as c:
        r = upload(c, "many.xlsx", xlsx_bytes(sc), XLSX)
    assert r.status_code == 413 and "more than 100 actors" in r.text, r.text[:300]


def test_charts_of_a_scenario_edited_meanwhile_are_not_drawn(client, monkeypatch):
    """An edit made while the charts of the one before are drawn: the rest of those are
    skipped (204), since the newer edit's answer asks for its own."""
    from realpolitik.app import server
    from realpolitik.scenario.interventions import setting

    wid, _ = open_builtin(client)
    client.post(f"/w/{wid}/edit", data={"field": RUSSIA_POS, "value": "12"})
    drawn = []

    def draw_then_edit(name, *args):
        drawn.append(name)
        ws = client.app.state.workspaces.get(wid)
        ws.edit(setting(RUSSIA_POS, "14"))  # as another request would, meanwhile
        return "<svg></svg>"

    monkeypatch.setattr(server, "draw", draw_then_edit)
    r = client.get(f"/w/{wid}/charts")
    assert r.status_code == 204 and drawn == ["positions"]
    secured(r)
