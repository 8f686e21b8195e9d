"""``realpolitik backtest`` and ``realpolitik seal``: how far the models land from observed
outcomes, and forecasts sealed today to be graded later.

The commands are plain functions; :mod:`realpolitik.cli` registers them on its app. They
parse arguments, call :func:`realpolitik.analysis.backtest.backtest`,
:func:`~realpolitik.analysis.backtest.grade_sealed` and
:func:`~realpolitik.runner.store.seal_forecast`, and render the results; bad input goes to
standard error with exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..analysis.backtest import DEFAULT_RESAMPLES, MAX_RESAMPLES, Backtest, Score
from ..errors import RealpolitikError, ScenarioError
from ..scenario import Scenario
from ..scenario.eu_weights import TREATY_RULES
from .common import (
    JsonOption,
    ModelOption,
    NoStoreOption,
    ParamOption,
    RoundsOption,
    ScenarioArgument,
    SchedulerOption,
    SeedOption,
    SpreadOption,
    StoreOption,
    WorkersOption,
    err,
    fail,
    on_backend,
    out,
    parse_models,
    parse_params,
    problems,
    record,
    user_error,
)
from .render import fmt, plural, titled_table

__all__ = ["backtest_cmd", "render_backtest", "seal_cmd"]

#: ``--model`` of ``backtest``: also spelt ``--models``, and the baselines run beside it
#: (``seal`` takes the common :data:`~realpolitik.cli.common.ModelOption`).
ModelsOption = Annotated[
    str,
    typer.Option(
        "--models",
        "--model",
        "-m",
        help="A model name, a comma-separated list, or 'all' (the baselines always run).",
    ),
]


def backtest_cmd(
    file: Annotated[
        str,
        typer.Argument(
            help="A DEU III .tsv table, a scenario file with outcomes, or a folder of them."
        ),
    ],
    model: ModelsOption = "all",
    rounds: RoundsOption = None,
    param: ParamOption = None,
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            help="DEU capabilities: council (Council votes of the treaty in force; the "
            "Commission and, under co-decision, the Parliament as the largest state), "
            "supranational, equal, or a CSV file actor,weight[,procedure].",
        ),
    ] = "council",
    treaty_rule: Annotated[
        str,
        typer.Option(
            "--treaty-rule",
            help="DEU: the treaty whose Council votes apply: intro (the proposal's "
            "introduction), final (the final act), or a period: "
            + ", ".join(TREATY_RULES[2:])
            + ".",
        ),
    ] = "intro",
    missing_salience: Annotated[
        float | None,
        typer.Option(
            "--missing-salience",
            min=0,
            max=100,
            help="DEU: the salience of an actor with a position but none (default: leave "
            "such actors out; either way they are counted).",
        ),
    ] = None,
    iso_dates: Annotated[
        bool,
        typer.Option(
            "--iso-dates", help="DEU: read yyyy-mm-dd dates as ISO (DEU III's are dd-mm-yy)."
        ),
    ] = False,
    sealed: Annotated[
        int | None,
        typer.Option(
            "--sealed",
            min=1,
            help="Grade the forecast sealed in this run (`realpolitik seal`) instead of "
            "running the models; FILE is its scenario, now with outcomes.",
        ),
    ] = None,
    seed: SeedOption = None,
    resamples: Annotated[
        int,
        typer.Option(
            "--resamples",
            min=1,
            max=MAX_RESAMPLES,
            help="Bootstrap replicates (whole proposals or scenarios resampled).",
        ),
    ] = DEFAULT_RESAMPLES,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size",
            min=1,
            help="Issues per chunk (a back-test that fits in one runs in this process).",
        ),
    ] = None,
    spread: SpreadOption = None,
    draws: Annotated[
        int,
        typer.Option(
            "--draws",
            min=2,
            max=100_000,
            help="Draws per issue for the intervals of --spread (or of the files' ranges).",
        ),
    ] = 200,
    as_json: JsonOption = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the back-test as a self-contained HTML page."),
    ] = None,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Score every model and the baselines against observed outcomes: MAE, median error
    and RMSE, with bootstrap intervals of the difference to the compromise model."""
    deu_options = {
        "--weights": weights != "council",
        "--treaty-rule": treaty_rule != "intro",
        "--missing-salience": missing_salience is not None,
        "--iso-dates": iso_dates,
    }
    subject: Scenario | None  # the scenario file read, if it read one
    if sealed is not None:
        _ignored(
            {
                "--model": model != "all",
                "--rounds": rounds is not None,
                "--param": bool(param),
                **deu_options,
            },
            "with --sealed: the sealed forecast is graded as it was made, on its scenario file",
        )
        bt, subject = _grade(file, sealed, store, seed, resamples)
    else:
        names = parse_models(model)
        params = parse_params(param, names)
        if treaty_rule not in TREATY_RULES:
            raise fail(
                f"--treaty-rule: expected one of {', '.join(TREATY_RULES)}, got {treaty_rule!r}"
            )
        bt, subject = _run(
            file,
            names,
            rounds=rounds,
            params=params,
            weights=weights,
            treaty_rule=treaty_rule,
            missing_salience=missing_salience,
            iso_dates=iso_dates,
            seed=seed,
            resamples=resamples,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk_size,
            spread=spread,
            draws=draws,
        )
        if bt.source.get("kind") != "deu":
            _ignored(deu_options, "for scenario files: they apply to DEU III tables only")
    if html is not None:
        _write_html(bt, html)
    if as_json:
        sys.stdout.write(bt.to_json())
    else:
        render_backtest(out, bt)
    if html is not None:
        err.print(f"[dim]wrote {html}[/]", soft_wrap=True)

    read = {"iso_dates": iso_dates} if bt.source.get("kind") == "deu" else {}
    record(store, no_store, bt, subject, file=file, **read)


def _coverage(console: Console, bt: Backtest) -> None:
    """How sure: per model, how often the outcome fell inside the 50% and 90% intervals of
    its forecasts over the draws, and how wide they were."""
    import math

    first = bt.coverage[0]
    how = "the files' ranges" if math.isnan(first.spread) else f"a spread of ±{first.spread:g}"
    table = titled_table(
        Text(f"How sure: intervals from {how}"),
        caption=Text(
            "covered: the share of issues whose outcome lies inside the model's central 50% "
            "or 90% interval over the draws (a calibrated model: about 50% and 90%); width: "
            "its mean width in points of a 0-100 scale",
            style="dim",
        ),
        caption_justify="left",
    )
    for col in ("model", "issues", "covered 50%", "covered 90%", "width 50%", "width 90%"):
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
    for c in bt.coverage:
        table.add_row(
            c.model,
            f"{c.cases}/{c.of}",
            f"{c.covered['50']:.0%}",
            f"{c.covered['90']:.0%}",
            f"{c.width['50']:.1f}",
            f"{c.width['90']:.1f}",
        )
    console.print()
    console.print(table)


def _ignored(given: dict[str, bool], why: str) -> None:
    """Warn that the options ``given`` (name -> whether it was set) have no effect."""
    names = [name for name, set_ in given.items() if set_]
    if names:
        verb = "is" if len(names) == 1 else "are"
        err.print(
            f"[yellow]warning:[/] {', '.join(names)} {verb} ignored {why}",
            soft_wrap=True,
        )


def _run(file: str, names: Any, **kw: Any) -> tuple[Backtest, Scenario | None]:
    """The back-test, and the scenario it read if it read one file of one scenario."""
    from ..analysis.backtest import backtest, load_cases

    try:
        cases, source = load_cases(
            file,
            weights=kw.pop("weights"),
            treaty_rule=kw.pop("treaty_rule"),
            missing_salience=kw.pop("missing_salience"),
            iso_dates=kw.pop("iso_dates"),
        )
    except RealpolitikError as exc:
        raise user_error(exc) from None
    except OSError as exc:
        raise fail(str(exc)) from None
    workers, scheduler = kw.pop("workers"), kw.pop("scheduler")
    bt = on_backend(
        f"{len(cases):,} issues",
        len(cases),
        workers,
        scheduler,
        lambda runner, progress: backtest(
            (cases, source), names, backend=runner, progress=progress, **kw
        ),
    )
    read = {c.scenario.content_hash(): c.scenario for c in cases}
    return bt, next(iter(read.values())) if len(read) == 1 else None


def _grade(
    file: str, run_id: int, store: str | None, seed: int | None, resamples: int
) -> tuple[Backtest, Scenario]:
    import realpolitik as rp

    from ..analysis.backtest import deu_separator, grade_sealed
    from ..runner.store import RunStore, StoreError, default_path, read_sealed

    if Path(file).expanduser().is_file() and deu_separator(file) is not None:
        raise fail(
            f"--sealed: {file} is a DEU III table; --sealed grades a forecast sealed with "
            "`realpolitik seal SCENARIO`: give that scenario file, with its outcomes added"
        )
    try:
        sc = rp.load(file)
    except ScenarioError as exc:
        raise problems(exc) from None
    try:
        with RunStore(store or default_path(), create=False) as rs:
            sealed = read_sealed(rs, run_id)
    except StoreError as exc:
        raise fail(f"--sealed: {exc}") from None
    try:
        return grade_sealed(sealed, sc, seed=seed, resamples=resamples), sc
    except RealpolitikError as exc:
        raise user_error(exc) from None


def _write_html(bt: Backtest, path: Path) -> None:
    try:
        from ..report.backtest import write_backtest_html
    except ImportError as exc:  # pragma: no cover - the report extra is missing
        raise fail(
            f"--html needs the report extra (pip install 'realpolitik[report]'): {exc}"
        ) from None
    try:
        write_backtest_html(bt, path)
    except OSError as exc:
        raise fail(f"--html: cannot write {path}: {exc.strerror or exc}") from None


# ------------------------------------------------------------------ rendering


def _diff(s: Score, metric: str, sep: str = " ") -> str:
    if s.diff is None:
        return "reference"
    d = s.diff[metric]
    if d.low is None or d.high is None:
        return f"{d.point:+.1f}"
    return f"{d.point:+.1f}{sep}[{d.low:.1f}, {d.high:.1f}]"


def _scores_table(title: str, **options: Any) -> Table:
    """A compact table of scores, titled ``title``."""
    return titled_table(Text(title), box=box.SIMPLE_HEAD, pad_edge=False, **options)


def _header(console: Console, bt: Backtest) -> None:
    src = bt.source

    def line(text: str, style: str = "dim") -> None:
        console.print(Text(text, style=style), soft_wrap=True)

    if src.get("kind") == "deu":
        c = src.get("counts", {})
        periods = ", ".join(f"{k} {v}" for k, v in src.get("periods", {}).items() if v)
        line(
            f"DEU III table {src.get('file')} ({str(src.get('sha256'))[:19]}): "
            f"{plural(int(src.get('rows', 0)), 'row')}, "
            f"{plural(int(src.get('proposals', 0)), 'proposal')}; "
            f"{plural(len(bt.cases), 'issue')} with an outcome scored",
            "bold",
        )
        if src.get("edition"):
            line(f"this copy: {src['edition']}")
        weights = src.get("weights", {})
        line(
            f"weights: {weights.get('description', weights.get('name'))}; treaty by "
            f"{src.get('treaty_rule')} date ({periods})"
        )
        missing = sum(int(v) for v in src.get("missing", {}).values())
        line(
            f"missing cells: {missing:,} ({src.get('missing_blank', 0):,} blank, "
            f"{src.get('missing_999', 0):,} '999'); "
            f"{c.get('without_outcome', 0)} issues without an outcome (not scored), "
            f"{c.get('without_reference_point', 0)} without a reference point; "
            f"{c.get('left_out_no_salience', 0)} positions without a salience left out, "
            f"{c.get('salience_imputed', 0)} given one; "
            f"{c.get('weight_from_later_period', 0)} weights from a later treaty period"
        )
        treated = src.get("treated", {})
        if treated:
            line(
                "codes read as published: "
                + "; ".join(f"{what} ({n})" for what, n in treated.items())
            )
    elif src.get("kind") == "scenarios":
        n = len(src.get("scenarios", ()))
        line(
            f"{plural(n, 'scenario')}, {plural(len(bt.cases), 'issue')} with an outcome scored",
            "bold",
        )
        if src.get("without_outcomes"):
            line("without outcomes (not scored): " + ", ".join(src["without_outcomes"]))
    line(
        f"bootstrap: {bt.resamples:,} resamples of {plural(len(set(bt.clusters)), 'cluster')} "
        f"({'proposals' if src.get('kind') == 'deu' else 'scenarios'}), "
        f"{bt.confidence:.0%} intervals, seed {bt.seed}"
    )


def render_backtest(console: Console, bt: Backtest) -> None:
    """The leaderboard, the breakdowns, the notes and (for a sealed forecast) the lead."""
    _header(console, bt)
    ref = bt.reference or "none"
    board = bt.leaderboard()
    table = _scores_table("Leaderboard: absolute error, in points of a 0-100 scale")
    table.add_column("", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    for col in ("issues", "MAE", "median", "RMSE"):
        table.add_column(col, justify="right", no_wrap=True)
    for s in board:
        table.add_row(s.name, s.kind, str(s.n), fmt(s.mae), fmt(s.median_ae), fmt(s.rmse))
    console.print()
    console.print(table)
    if bt.reference is not None:
        diffs = _scores_table(
            f"Difference to {ref} (negative: better than {ref})",
            caption=Text(
                f"over the issues both forecast; [{bt.confidence:.0%} interval] of a paired "
                "bootstrap of whole clusters"
            ),
            caption_justify="left",
        )
        diffs.add_column("", no_wrap=True, min_width=15)
        for col in ("Δ MAE", "Δ median", "Δ RMSE"):  # the interval wraps under, if need be
            diffs.add_column(col, justify="right")
        for s in board:
            if s.diff is not None:
                diffs.add_row(s.name, _diff(s, "mae"), _diff(s, "median_ae"), _diff(s, "rmse"))
        console.print()
        console.print(diffs)
    order = [s.name for s in board]
    for dim in bt.groups:
        groups = sorted(set(bt.groups[dim]))
        t = _scores_table(
            f"By {dim}: MAE (issues), Δ MAE [{bt.confidence:.0%} interval]",
        )
        t.add_column("", no_wrap=True, min_width=15)
        rows = {(s.group, s.name): s for s in bt.scores if s.dimension == dim}
        cells = {
            name: [
                (f"{fmt(s.mae)} ({s.n})", "" if s.diff is None else _diff(s, "mae"))
                for s in (rows[(g, name)] for g in groups)
            ]
            for name in order
        }
        # in a narrow terminal each cell's difference goes under its MAE: nothing is cut
        one_line = (
            max(15, *map(len, order))
            + sum(
                max(len(g), *(len(f"{a}  {d}") for c in cells.values() for a, d in [c[k]]))
                for k, g in enumerate(groups)
            )
            + (3 * len(groups) + 2)
        )  # edges, dividers and padding of SIMPLE_HEAD
        sep = "  " if one_line <= console.width else "\n"
        for g in groups:  # too many groups even so: the cells wrap
            t.add_column(g, justify="right", no_wrap=sep == "  ", overflow="fold")
        for name in order:
            t.add_row(name, *(f"{a}{sep}{d}" if d else a for a, d in cells[name]))
        console.print()
        console.print(t)
    sealed = bt.source.get("sealed")
    if sealed:
        console.print()
        console.print(
            Text(f"Sealed forecast: run {sealed['run']}, {sealed['created']}", style="bold")
        )
        for issue, v in sealed["issues"].items():
            lead = v.get("lead_days")
            when = (
                "no outcome date"
                if lead is None
                else f"outcome {v['outcome_date']}, "
                + (f"{lead} days after the seal" if lead >= 0 else f"{-lead} days BEFORE the seal")
            )
            console.print(Text(f"  {issue}: {when}"))
    if bt.coverage:
        _coverage(console, bt)
    for note in bt.notes:
        console.print(Text("note: " + note, style="yellow"), soft_wrap=True)
    if bt.source.get("citation"):
        console.print()
        console.print(Text("Data: " + str(bt.source["citation"]), style="dim"), soft_wrap=True)


# ------------------------------------------------------------------ seal


def seal_cmd(
    scenario: ScenarioArgument = None,
    model: ModelOption = "all",
    rounds: RoundsOption = None,
    param: ParamOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Forecast a scenario and seal the forecast in the run history, with the scenario's
    hash and the date, to be graded once the outcomes are known (`backtest FILE --sealed
    RUN`)."""
    import realpolitik as rp

    from ..runner.store import RunStore, StoreError, default_path, read_sealed, seal_forecast

    names = parse_models(model)
    params = parse_params(param, names)
    try:
        full = rp.load(scenario)
    except ScenarioError as exc:
        raise problems(exc) from None
    sc = full.without_outcomes()
    if full.outcomes:
        err.print(
            f"[yellow]warning:[/] {full.id} already records outcomes of "
            f"{', '.join(o.issue for o in full.outcomes)}; the seal leaves them out, and a "
            "forecast sealed after an outcome is no forecast of it",
            soft_wrap=True,
        )
    try:
        fc = rp.forecast(sc, model=names, rounds=rounds, params=params)
    except RealpolitikError as exc:
        raise user_error(exc) from None
    path = store or default_path()
    try:
        with RunStore(path) as rs:
            run_id = seal_forecast(rs, sc, fc)
            digest = read_sealed(rs, run_id).forecast_sha256
            created = rs.get(run_id).info.created
    except (StoreError, OSError) as exc:
        raise fail(f"not sealed: {exc}") from None
    if as_json:
        sys.stdout.write(fc.to_json())
    else:
        out.print(
            Text(
                f"sealed as run {run_id} in {path} on {created}: scenario {sc.id} "
                f"({fc.scenario_hash[:19]})",
                style="bold",
            )
        )
        t = Table(title_justify="left")
        t.add_column("issue", no_wrap=True)
        for m in fc.models:
            t.add_column(m, justify="right", no_wrap=True)
        for issue in fc.issues:
            t.add_row(issue, *(fmt(fc.value(m, issue)) for m in fc.models))
        out.print(t)
        out.print(
            Text(
                f"forecasts' SHA-256: {digest}\n"
                "Recorded with the time in the run history; accidental changes are detected "
                "when it is graded. The record is a local file: to show others later that "
                "the forecast was made now, publish this digest somewhere else today.",
                style="dim",
            ),
            soft_wrap=True,
        )
        out.print(
            Text(
                f"grade it once the outcomes are in the file: realpolitik backtest FILE "
                f"--sealed {run_id}",
                style="dim",
            )
        )
    err.print(
        f"[dim]sealed as run {run_id} in {escape(str(path))}; forecasts {digest}[/]",
        soft_wrap=True,
    )
