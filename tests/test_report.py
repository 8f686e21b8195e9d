"""The HTML report: every section, every source, no external request, reproducible, PDF."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.report import Report, ReportError, build_report, charts

SECTIONS = ("bottom-line", "summary", "issues", "who-wins", "sensitivity", "levers",
            "view-from", "reproduce", "scenario")  # fmt: skip


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report("caucasus-2022", actor="azerbaijan", draws=64, seed=7, sobol_n=8, workers=1)


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return report.html()


class _Refs(HTMLParser):
    """Every attribute that could make a browser fetch something, and every tag."""

    FETCHING: ClassVar[set[str]] = {
        "src",
        "href",
        "xlink:href",
        "action",
        "srcset",
        "poster",
        "data",
        "formaction",
    }

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for k, v in attrs:
            if k in self.FETCHING and v is not None:
                self.refs.append((tag, k, v))
            if k == "id" and v:
                self.ids.append(v)


def _parse(text: str) -> _Refs:
    p = _Refs()
    p.feed(text)
    return p


def test_every_section_is_there(page: str, report: Report) -> None:
    ids = set(_parse(page).ids)
    for section in SECTIONS:
        assert section in ids, section
    for issue in report.scenario.issue_ids:
        assert f"issue-{issue}" in ids
    # per issue: positions, EUM trajectory, simulated distribution and Sobol indices
    assert page.count('aria-label="Positions and forecasts on') == len(report.scenario.issues)
    assert page.count('aria-label="Positions round by round under eum') == len(
        report.scenario.issues
    )
    assert page.count('aria-label="Simulated outcome of') == len(report.scenario.issues)
    assert page.count('aria-label="Sobol indices of') == len(report.scenario.issues)
    for label in ("Gains against the status quo", "Gains with their uncertainty",
                  "Levers of Azerbaijan", "The view from Azerbaijan"):  # fmt: skip
        assert f'aria-label="{label}"' in page


def test_no_external_request_can_be_made(page: str) -> None:
    parsed = _parse(page)
    assert not parsed.tags & {"script", "link", "img", "iframe", "object", "embed", "video",
                              "audio", "source", "base", "form"}  # fmt: skip
    # the only references are to anchors within the page
    assert parsed.refs, "the table of contents links to its sections"
    for tag, attr, value in parsed.refs:
        assert value.startswith("#"), (tag, attr, value)
        assert value[1:] in parsed.ids, value
    assert "@import" not in page
    # SVG clip paths refer to elements of the page, url(#id); nothing else may use url()
    for ref in re.findall(r"url\s*\(\s*([^)]*)\)", page):
        assert ref.startswith("#") and ref[1:] in parsed.ids, ref
    assert "@font-face" not in page


def test_every_number_has_its_source(page: str, report: Report) -> None:
    sc = report.scenario
    text = html.unescape(page)
    for a in sc.actors:
        assert a.source.describe() in text, a.id
    for s in sc.stances:
        assert s.source.describe() in text, (s.actor, s.issue)
    for i in sc.issues:
        assert i.min_label in text and i.max_label in text
        if i.status_quo_source is not None:
            assert i.status_quo_source.describe() in text
    for entry in sc.sources:
        assert entry.title in text


def test_the_figures_can_be_reproduced(page: str, report: Report) -> None:
    text = html.unescape(page)
    assert report.forecast.scenario_hash in text
    assert rp.__version__ in text
    assert report.settings["seed"] == 7
    assert '<th scope="row">Seed</th><td><code>7</code>' in page
    assert (
        "realpolitik report caucasus-2022 --model compromise,median,eum --actor azerbaijan "
        "--seed 7 --draws 64 --sobol-n 8"
    ) in text
    # the same settings give the same document, byte for byte, given the same time stamp
    again = build_report(
        "caucasus-2022", actor="azerbaijan", draws=64, seed=7, sobol_n=8, created=report.created
    )
    assert again.html() == page


def test_numbers_shown_are_the_api_results(page: str, report: Report) -> None:
    fc = rp.forecast("caucasus-2022")
    text = html.unescape(page)
    for m in fc.models:
        for issue in fc.issues:
            end = fc.issue_forecast(m, issue)
            if end.value is None:  # the states it cycles between, in words
                assert f"{m}: {end.describe()}" in text
            else:
                assert f"{m} forecast: {end.value:.1f}" in text
    ens = report.ensemble
    assert ens is not None and ens.draws == 64 and ens.seed == 7
    top = ens.actor_outlook("compromise")[0]
    assert f"{100 * top.mean:.1f}%" in text


def test_escapes_scenario_text(tmp_path: Path) -> None:
    sc = rp.load("ec-emissions-1994")
    data = sc.to_dict()
    data["name"] = "<script>alert(1)</script> & co"
    evil = rp.Scenario.from_dict(data)
    page = build_report(evil, draws=0, sensitivity=False).html()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_sections_left_out_say_why() -> None:
    rep = build_report("ec-emissions-1994", draws=100, seed=1)  # no ranged number
    assert rep.ensemble is None and rep.sensitivity is None
    page = html.unescape(rep.html())
    assert "no ranged number" in page
    assert 'aria-label="Simulated outcome of' not in page


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ReportError, match="power of two"):
        build_report("ec-emissions-1994", sobol_n=10)
    with pytest.raises(rp.InputError, match="draws must be a whole number from 0"):
        build_report("ec-emissions-1994", draws=-1)
    with pytest.raises(rp.InputError, match=r"seed must be a whole number from 0 to 2\*\*63"):
        build_report("ec-emissions-1994", seed=-1)
    with pytest.raises(rp.ScenarioError, match="nobody"):
        build_report("ec-emissions-1994", actor="nobody")


def test_charts_are_proper_deterministic_svg(report: Report) -> None:
    sc, fc = report.scenario, report.forecast
    a = charts.positions_chart(sc, fc, "karabakh-control")
    assert a == charts.positions_chart(sc, fc, "karabakh-control")
    assert a.startswith("<svg") and a.rstrip().endswith("</svg>")
    for actor in sc.participants("karabakh-control"):
        assert f">{sc.actor(actor).name}<" in html.unescape(a).replace("&#39;", "'")
    assert "status quo" in a and "compromise forecast" in a  # the legend
    assert "Date" not in a and "<?xml" not in a
    t = charts.trajectory_chart(sc, fc, "karabakh-control")
    assert ">round<" in t and "median position" in t


def test_pdf_of_the_same_report(report: Report, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint", reason="the pdf extra (WeasyPrint) is not installed")
    out = report.write_pdf(tmp_path / "r.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 50_000  # the charts are in it, not only text


def test_pdf_has_no_near_empty_page(report: Report) -> None:
    """The printed report flows: the bottom line on the first page, sections not forced
    onto pages of their own, figures small enough to share one (a chart the width of the
    page pushed its section to the next page and left the page before a fifth full)."""
    weasyprint = pytest.importorskip("weasyprint", reason="the pdf extra is not installed")
    pages = weasyprint.HTML(string=report.html()).render().pages

    def lowest(box: object) -> float:
        children = getattr(box, "children", None) or []
        if children:
            return max(lowest(c) for c in children)
        y = getattr(box, "position_y", 0.0)
        return float(y + (getattr(box, "height", 0.0) or 0.0))

    fill = []
    for page in pages:
        box = page._page_box
        fill.append((lowest(box) - box.content_box_y()) / box.height)
    assert len(pages) >= 10, len(pages)
    assert min(fill[:-1]) >= 0.5, [round(f, 2) for f in fill]
    text = report.html()
    assert text.index('id="bottom-line"') < text.index('id="summary"') < text.index('id="scenario"')


def test_cli_writes_html_and_pdf(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = CliRunner().invoke(
        app,
        ["report", "ec-emissions-1994", "-o", str(out), "--pdf", "--spread", "10",
         "--draws", "50", "--sobol-n", "4", "--seed", "3", "--workers", "1"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert "<svg" in page and "--spread 10" in html.unescape(page)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--actor", "nobody"], "nobody"),
        (["--sobol-n", "12"], "power of two"),
        (["-o", "/nonexistent/dir/r.html"], "does not exist"),
        (["--model", "oracle"], "oracle"),
    ],
)
def test_cli_bad_input_is_a_clear_error(args: list[str], message: str, tmp_path: Path) -> None:
    argv = ["report", "ec-emissions-1994", "--draws", "0", "--no-sensitivity"]
    if "-o" not in args:
        argv += ["-o", str(tmp_path / "r.html")]
    res = CliRunner().invoke(app, argv + args)
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_report_opens_offline_in_a_browser(page: str, tmp_path: Path, chromium: Path) -> None:
    from playwright import sync_api

    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            tab = browser.new_page()
            tab.on("request", lambda r: requests.append(r.url))
            tab.route("**/*", lambda route: route.continue_() if route.request.url == path.as_uri()
                      else route.abort())  # fmt: skip
            tab.goto(path.as_uri())
            assert tab.locator("svg.chart").count() >= 4 * 6 + 4
            assert tab.locator("h2", has_text="Who wins").is_visible()
            tab.screenshot(path=str(tmp_path / "report.png"))
        finally:
            browser.close()
    assert requests == [path.as_uri()]
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_names_are_text_not_tex_and_ids_are_unique(tmp_path: Path) -> None:
    data = rp.load("ec-emissions-1994").to_dict()
    data["actors"][0]["name"] = "EU $\\frac{a"
    data["actors"][1]["name"] = "$\\alpha$ & co"
    sc = rp.Scenario.from_dict(data)
    page = build_report(sc, draws=0, sensitivity=False).html()
    text = html.unescape(page)
    assert "EU $\\frac{a" in text and "$\\alpha$ & co" in text
    ids = _parse(page).ids
    assert len(ids) == len(set(ids)), "every id of the page is unique"


def test_default_actor_is_the_first_with_a_stance() -> None:
    data = rp.load("ec-emissions-1994").to_dict()
    data["actors"].insert(
        0, {"id": "bystander", "name": "Bystander", "capability": 1, "source": {"judgement": "x"}}
    )
    rep = build_report(rp.Scenario.from_dict(data), draws=0, sensitivity=False)
    assert rep.actor == "netherlands"


def test_levers_without_a_status_quo_show_the_move_toward_the_actor() -> None:
    rep = build_report("ec-emissions-1994", draws=0, sensitivity=False, actor="germany")
    lv = rep.levers
    assert lv is not None and all(x.rate is None for x in lv.top("compromise"))
    page = html.unescape(rep.html())
    best = lv.top("compromise")[0]
    assert f"{100 * best.move_rate:.3f}% move toward Germany per" in page


def test_linked_game_section(page: str, report: Report) -> None:
    pytest.importorskip("pygambit", reason="the games extra (pygambit) is not installed")
    from realpolitik.games import load_game, solve_game

    assert [lg.game.id for lg in report.games] == ["karabakh-leverage-2022"]
    assert "game-karabakh-leverage-2022" in _parse(page).ids
    # the section shows what solve_game gives, with the scenario's own numbers
    expected = solve_game(load_game("karabakh-leverage-2022")).headline
    assert expected is not None
    text = html.unescape(page)
    assert expected.verdict in text
    for sentence in expected.path:
        assert sentence in text
    assert 'aria-label="Sweep of p_stretched in karabakh-leverage-2022"' in page
    assert "flips at" in text


def test_linked_game_reads_the_edited_scenario() -> None:
    pytest.importorskip("pygambit", reason="the games extra (pygambit) is not installed")
    edited = rp.intervene(rp.load("caucasus-2022"), ["azerbaijan.karabakh-control.salience=40"])
    rep = build_report(edited, draws=0, sensitivity=False, actor="azerbaijan")
    (lg,) = rep.games
    linked = {p.id: p.link for p in lg.game.parameters if p.link}
    changed = [k for k, link in linked.items() if link == "azerbaijan.karabakh-control.salience"]
    assert changed and all(lg.overrides[k] == 40 for k in changed)
    assert build_report("ec-emissions-1994", draws=0, sensitivity=False).games == ()


def test_the_report_opens_with_the_bottom_line(page: str, report: Report) -> None:
    """The first section is the bottom line: the op-ed's question answered head to head,
    how sure over the draws, and each model's record, most credible first."""
    main = page[page.index("<main>") :]
    assert main.index('id="bottom-line"') < main.index('id="summary"')
    section = main[: main.index("</section>")]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())
    assert "Putin — Aliyev: who will win? Azerbaijan comes out ahead of Russia" in text
    assert "over 64 simulated draws" in text and "not as odds" in text
    bl = report.bottom_line
    assert bl is not None and bl.leader == "azerbaijan"
    table = text[text.index("Record (DEU III)") :]
    order = [m.model for m in bl.models]
    assert [table.index(f" {m} ") for m in order] == sorted(table.index(f" {m} ") for m in order)


def test_view_from_labels_overlap_neither_each_other_nor_the_region_captions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drawn, not estimated: the labels' extents as matplotlib renders them. Each point's
    label (6.5 points) must not overlap another label or a region's caption (conflict,
    compromise...) in its panel; the view from Russia on caucasus-2022 has 13 others on
    six issues, with points crowded near the origin."""
    from realpolitik.analysis import view_from

    figures: list[object] = []
    real_svg = charts._svg

    def keep(fig: object, title: str) -> str:
        figures.append(fig)
        return real_svg(fig, title)

    monkeypatch.setattr(charts, "_svg", keep)
    sc = rp.load("caucasus-2022")
    for actor in ("russia", "azerbaijan"):
        charts.view_from_chart(sc, view_from(sc, actor))
    assert len(figures) == 2
    captions = {"conflict", "stalemate", "capitulation"}
    for fig in figures:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[arg-type]
        for ax in fig.axes:  # type: ignore[attr-defined]
            if not ax.get_visible():
                continue
            texts = [t for t in ax.texts if t.get_text() and not t.get_text().startswith("also")]
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
            labels = [(s, b) for s, b in boxes if s not in captions and "compromise" not in s]
            assert labels, "no point is labelled"
            for name, box in labels:
                for j, (other, obox) in enumerate(boxes):
                    if texts[j].get_text() == name and obox is box:
                        continue
                    assert not box.overlaps(obox), (ax.get_title(), name, other)


def test_chart_text_from_a_file_is_escaped_and_warns_of_no_glyph() -> None:
    """A control character in a name or a question reaches no chart raw, and neither it nor
    a glyph matplotlib's font lacks (a Chinese name) is echoed to the terminal through a
    warning (the SVG's text is drawn by the page's fonts)."""
    import warnings

    data = rp.load("ec-emissions-1994").to_dict()
    data["actors"][0]["name"] = "Ne\x00th\x1b[2Jerlands"
    data["actors"][1]["name"] = "比利时"
    data["issues"][0]["question"] = "How many\x07 years?"
    sc = rp.Scenario.from_dict(data)
    fc = rp.forecast(sc, model="all")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svgs = [charts.positions_chart(sc, fc, "emissions-delay"), charts.gains_chart(sc, fc)]
    assert not [w for w in caught if "Glyph" in str(w.message)]
    for svg in svgs:
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", svg)
    assert "Ne\\x00th\\x1b[2Jerlands" in html.unescape(svgs[0] + svgs[1])


def test_control_characters_from_a_file_are_visible_in_the_html(tmp_path: Path) -> None:
    """HTML escaping leaves a NUL or an ESC as it is: the report writes every text from the
    scenario with its control characters shown (``\\x1b``), line breaks kept."""
    from realpolitik.report import build_report

    data = rp.load("ec-emissions-1994").to_dict()
    data["actors"][0]["name"] = "Ger\x1b[2Jmany\u202e"
    data["description"] = "line one\nline two"
    sc = rp.Scenario.from_dict(data)
    page = build_report(sc, draws=0, sensitivity=False, actor=sc.actors[0].id).html()
    assert "\x1b" not in page and "\u202e" not in page
    assert "Ger\\x1b[2Jmany\\u202e" in page
    assert "line one\nline two" in page
