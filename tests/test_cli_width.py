"""At 80 columns the command line's tables drop nothing a user needs next: every table fits,
and the run ids, input names, parameter names, strategies and issue ids show in full (folded
over lines where a column folds, never cut with an ellipsis)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.runner.store import RunStore

DATA = Path(__file__).parent / "data"
UNCERTAIN = str(DATA / "uncertain.yaml")
WIDTH = 80
ELLIPSIS = "\u2026"
BOX = set("│┃┏┗┡┌└├┣╇┳┻┬┴━─")
runner = CliRunner()


def at80(*args: str) -> str:
    """Standard output of a command run at 80 columns; every table in it fits."""
    result = runner.invoke(app, list(args), env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    fits(result.stdout)
    return result.stdout


def fits(out: str) -> None:
    for line in out.splitlines():
        if BOX & set(line):
            assert cell_len(line) <= WIDTH, line


def column(out: str, k: int, title: str | None = None) -> str:
    """The text of column ``k`` (0 the first) of the body rows of the boxed tables in
    ``out`` (of the one after ``title`` only, when given), whitespace dropped: a folded
    cell reads whole."""
    if title is not None:
        out = out[out.index(title) :]
        out = out[: out.index("└") + out[out.index("└") :].index("\n")]
    cells = [line.split("│")[k + 1] for line in out.splitlines() if line.startswith("│")]
    return "".join("".join(cells).split())


def test_runs_list_shows_every_id_seed_and_status_in_full(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    at80("forecast", UNCERTAIN, "--store", store)
    at80("simulate", UNCERTAIN, "-n", "100", "--store", store)
    at80("sensitivity", UNCERTAIN, "-n", "8", "--model", "compromise", "--store", store)
    at80("simulate", "ec-emissions-1994", "-n", "20", "--store", store)
    with RunStore(store) as st:
        st.record(
            "simulate",
            rp.load(UNCERTAIN),
            {"draws": 100},
            {},
            seed=2**63 - 1,
            status="partial",
            note="interrupted after 37 of 100 draws",
        )
    # ids of a well-used store
    with sqlite3.connect(store) as db:
        db.execute("UPDATE runs SET id = id + 123450")
    out = at80("runs", "list", "--store", store)
    assert ELLIPSIS not in out
    ids = column(out, 0)
    for i in range(123451, 123456):
        assert str(i) in ids
    assert "ec-emissions-1994" in column(out, 3)
    assert str(2**63 - 1) in column(out, 4)
    status = column(out, 5)
    assert status.count("complete") == 4
    assert "partial:interruptedafter37of100draws" in status


def test_sensitivity_shows_every_input_name_in_full():
    from realpolitik.analysis.sensitivity import sensitivity
    from realpolitik.cli.analysis_cmds import render_sensitivity

    for scenario, top in ((UNCERTAIN, 10), ("caucasus-2022", 3)):
        sc = rp.load(scenario)
        res = sensitivity(sc, ["compromise"], n=8, seed=1, workers=1, by="input")
        buf = io.StringIO()
        render_sensitivity(Console(file=buf, width=WIDTH), sc, res, top=top)
        out = buf.getvalue()
        fits(out)
        assert ELLIPSIS not in out
        for issue in res.issues:
            if res.sobol["compromise"][res.issues.index(issue)].constant:
                continue
            names = column(out, 0, f"compromise: {issue} (")
            for name, _, _ in res.ranked("compromise", issue)[:top]:
                assert name in names, (issue, name)
    assert "broken after a dot or a hyphen" in out  # the long names are said to be broken
    # by actor (the default beyond 24 ranged numbers): actors and their top numbers whole
    sc = rp.load("caucasus-2022")
    res = sensitivity(sc, ["compromise"], n=8, seed=1, workers=1)
    assert res.by == "actor"
    buf = io.StringIO()
    render_sensitivity(Console(file=buf, width=WIDTH), sc, res, top=3)
    out = buf.getvalue()
    fits(out)
    assert ELLIPSIS not in out
    for j, issue in enumerate(res.issues):
        names = column(out, 0, f"compromise: {issue} (")
        tops = column(out, 3, f"compromise: {issue} (")
        bars = res.tornado["compromise"][j].bars
        for name, _, _ in res.ranked("compromise", issue)[:3]:
            assert name in names, (issue, name)
            own = max(
                (b for b in bars if b.input.startswith(f"{name}.")), key=lambda b: abs(b.swing)
            )
            assert own.input.split(".", 1)[1].removeprefix(f"{issue}.") in tops, (issue, own)


def test_sensitivity_command_at_80_columns():
    out = at80("sensitivity", UNCERTAIN, "-n", "8", "--model", "compromise", "--no-store")
    assert ELLIPSIS not in out
    names = column(out, 0)
    for name in ("a.capability", "a.i1.salience", "b.i1.position", "shock:alpha-weakens.value"):
        assert name in names


def test_models_show_every_parameter():
    out = at80("models")
    assert ELLIPSIS not in out
    text = column(out, 2)
    for name, spec in rp.models.REGISTRY.items():
        assert name in column(out, 0)
        for param in spec.defaults:
            assert f"{param}=" in text, (name, param)


def test_game_solve_shows_every_strategy():
    pytest.importorskip("pygambit")
    from realpolitik.games import builtins, load_game, solve_game

    for name in builtins.names():
        out = at80("game", "solve", name)
        assert ELLIPSIS not in out
        strategies = column(out, 4 + len(load_game(name).players), "All equilibria found")
        for eq in solve_game(load_game(name)).equilibria:
            for iset, probs in eq.behaviour.items():
                assert f"{iset}:" in strategies
                if probs is None:
                    continue
                for action, p in zip(eq.actions[iset], probs, strict=True):
                    if float(p) > 1e-9:
                        assert action in strategies
    games = at80("games")
    assert ELLIPSIS not in games
    assert "caucasus-2022" in column(games, 4)


def test_simulate_shows_every_issue_id_in_full():
    out = at80("simulate", "-n", "60", "--seed", "1", "--model", "compromise,eum", "--no-store")
    assert ELLIPSIS not in out
    sc = rp.load("caucasus-2022")
    for model in ("compromise", "eum"):
        issues = column(out, 0, f"{model}: where each issue lands")
        for issue in sc.issues:
            assert issue.id in issues, (model, issue.id)
    assert "undetermined)" in column(out, 0, "eum: where each issue lands")
    out = at80("simulate", "ec-emissions-1994", "-n", "60", "--seed", "1", "--no-store")
    assert ELLIPSIS not in out
    assert "emissions-delay" in column(out, 0, "eum: where each issue lands")
    assert "no gain can be measured" in out  # not an empty table


def test_forecast_tables_fit_with_many_models():
    out = at80("forecast", "--no-store")
    assert ELLIPSIS not in "".join(ln for ln in out.splitlines() if BOX & set(ln))
    many = "compromise,median,eum,eum-pair,anchored-compromise,smp,compromise-smp"
    out = at80("forecast", "--model", many, "--no-store")
    table_lines = "\n".join(ln for ln in out.splitlines() if BOX & set(ln))
    assert ELLIPSIS not in table_lines
    words = " ".join(out.split())
    assert "(1 of 2)" in words and "(2 of 2)" in words  # the gains, split to fit
    for model in many.split(","):
        assert f" {model} " in table_lines
    for actor in rp.load("caucasus-2022").actors:
        assert actor.name.replace(" ", "") in column(out, 0, "(2 of")


def test_backtest_of_deu_iii_fits(shared):
    out = at80(
        "backtest",
        str(shared / "data" / "deu3" / "deu3-dev.tsv"),
        "--models",
        "compromise",
        "--workers",
        "1",
        "--no-store",
    )
    assert ELLIPSIS not in out
    for line in out.splitlines():
        if line.startswith(" ") and "[" in line:
            assert cell_len(line) <= WIDTH, line


def test_backtest_synthetic_fits():
    out = at80("backtest", str(DATA / "deu-synthetic.tsv"), "--no-store")
    assert ELLIPSIS not in out
    assert all(cell_len(ln) <= WIDTH for ln in out.splitlines() if ln.startswith(" "))


def test_runs_show_and_compare_fit(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    at80("forecast", "--store", store)
    at80("simulate", UNCERTAIN, "-n", "50", "--store", store)
    at80("simulate", "ec-emissions-1994", "-n", "50", "--store", store)
    many = "compromise,median,eum,eum-pair,anchored-compromise,smp,compromise-smp"
    at80("forecast", "--model", many, "--store", store)
    for args in (("show", "1"), ("show", "2"), ("show", "4"), ("compare", "2", "3")):
        at80("runs", *args, "--store", store)
    out = at80("runs", "show", "4", "--store", store)
    issues = column(out, 0, "Forecasts (1 of")  # a table per few models
    for issue in rp.load("caucasus-2022").issues:
        assert issue.id in issues
    out = at80("runs", "compare", "1", "4", "--store", store)
    assert "turkey-armenia-normalization" in column(out, 1, "\nForecasts")
    out = at80("runs", "compare", "2", "3", "--store", store)
    assert "issues[id=emissions-delay]" in column(out, 0, "The scenarios differ")


def test_the_progress_bar_keeps_its_count_and_time(monkeypatch):
    from realpolitik.cli import common

    monkeypatch.setattr(
        common, "err", Console(file=io.StringIO(), width=WIDTH, force_terminal=True)
    )
    progress = common.progress_display()
    progress.add_task(
        "3,000 draws, up to 2 processes (in this one when the work is small)", total=3000
    )
    buf = io.StringIO()
    Console(file=buf, width=WIDTH).print(progress.make_tasks_table(progress.tasks))
    out = buf.getvalue()
    assert ELLIPSIS not in out and "0/3000" in out and "-:--:--" in out
    assert all(cell_len(line) <= WIDTH for line in out.splitlines())


def test_help_lists_each_command_in_one_flowing_summary_and_no_python_types():
    """The command list joins a docstring's lines (no break inside a sentence at the
    docstring's own line ends), and options show N/TEXT/PATH, never ``<bool>`` or
    ``<list[str]>``, which ate a third of the width."""
    lines = at80("--help").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("│ simulate"))
    entry = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("│      "):
            break
        entry.append(line)
    # 94 characters of summary in a 62-column cell: two lines, the first one filled (the
    # docstring's line break after "who wins," made three, the second one half empty)
    assert len(entry) == 2, entry
    assert "who wins, and how surely." in entry[1], entry
    for args in (["--help"], ["forecast", "--help"], ["runs", "list", "--help"]):
        text = at80(*args)
        assert "<bool>" not in text and "<list[" not in text, (args, text)
    assert " N " in at80("simulate", "--help")


def test_validate_summary_of_shocks_fits(tmp_path):
    """The line of ranged numbers and shocks that `validate` prints folds at 80 columns
    (it ran to 117 with two shocks)."""
    text = (Path(__file__).parents[1] / "docs" / "reference" / "scenario-format.md").read_text(
        encoding="utf-8"
    )
    start = text.index("# file: border-shocks.yaml")
    block = text[start : text.index("```", start)]
    path = tmp_path / "border-shocks.yaml"
    path.write_text(block, encoding="utf-8")
    out = at80("validate", str(path))
    assert "shocks: north.capability *= 1.5" in out
    assert all(cell_len(line) <= WIDTH for line in out.splitlines()), out


def test_a_console_stand_in_is_entered_as_the_console():
    """``out`` and ``err`` stand for consoles made on first use; rich enters a console
    (``with console:``) in its live displays: a stand-in does too."""
    from realpolitik.cli import common

    with common.err as console:
        assert console is common.made(common.err)
