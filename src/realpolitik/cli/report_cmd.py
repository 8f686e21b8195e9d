"""``realpolitik report``: the self-contained HTML report (and a PDF of it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ..errors import RealpolitikError
from .common import (
    ModelOption,
    NoStoreOption,
    ParamOption,
    RoundsOption,
    ScenarioArgument,
    SchedulerOption,
    SeedOption,
    SetOption,
    SpreadOption,
    StoreOption,
    WorkersOption,
    err,
    fail,
    load_scenario,
    parse_models,
    parse_params,
    progress_display,
    record,
    user_error,
)

_STAGES = {"simulate": "Monte Carlo draws", "sensitivity": "Sobol design points"}


def report_cmd(
    scenario: ScenarioArgument = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The HTML file to write (a path ending in .pdf writes only the PDF).",
        ),
    ] = Path("report.html"),
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write a PDF of the same report (.pdf beside it).")
    ] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            "-a",
            help="The actor whose levers and view the report shows (default: the first).",
        ),
    ] = None,
    draws: Annotated[
        int,
        typer.Option(
            "--draws", "-n", min=0, max=1_000_000, help="Monte Carlo draws per model (0: none)."
        ),
    ] = 1000,
    sobol_n: Annotated[
        int,
        typer.Option("--sobol-n", help="Base samples of the Sobol design, a power of two."),
    ] = 64,
    no_sensitivity: Annotated[
        bool, typer.Option("--no-sensitivity", help="Leave the Sobol indices out (faster).")
    ] = False,
    seed: SeedOption = None,
    model: ModelOption = "all",
    rounds: RoundsOption = None,
    param: ParamOption = None,
    sets: SetOption = None,
    spread: SpreadOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Write a self-contained HTML report of a scenario: forecasts, trajectories, who wins
    and how surely, sensitivity, levers and the view from an actor. It makes no network
    request: mail it or open it offline."""
    from ..report import DEFAULT_SPREAD, ReportError, build_report

    names = parse_models(model)
    params = parse_params(param, names)
    sc = load_scenario(scenario, sets, spread)
    html_path: Path | None = output
    pdf_path: Path | None = output.with_suffix(".pdf") if pdf else None
    if output.suffix.lower() == ".pdf":
        html_path, pdf_path = None, output
    for path in (html_path, pdf_path):
        if path is not None and path.is_dir():
            raise fail(f"--output: {path} is a folder; expected a file name such as report.html")
        if path is not None and not path.parent.is_dir():
            raise fail(f"--output: the folder {path.parent} does not exist")
    from ..runner.allocator import tune

    tune()  # many model runs: large arrays' memory kept for reuse (as on_backend)
    bar = progress_display()
    tasks: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(_STAGES.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total, refresh=True)

    try:
        with bar:
            rep = build_report(
                sc,
                actor=actor,
                model=names,
                draws=draws,
                seed=seed,
                sobol_n=sobol_n,
                sensitivity=not no_sensitivity,
                rounds=rounds,
                params=params,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                interventions=tuple(sets or ()),
                spread=spread,
                unranged_spread=DEFAULT_SPREAD,
            )
    except RealpolitikError as exc:
        raise user_error(exc) from None
    html = rep.html()
    for note in rep.notes:
        err.print(f"[yellow]note:[/] {escape(note)}", soft_wrap=True)
    try:
        if html_path is not None:
            html_path.write_text(html, encoding="utf-8")
            err.print(f"wrote {escape(str(html_path))} ({len(html.encode()) / 1e6:.1f} MB)")
        if pdf_path is not None:
            from ..report.pdf import write_pdf

            write_pdf(html, pdf_path)
            err.print(f"wrote {escape(str(pdf_path))}")
    except ReportError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"--output: cannot write {exc.filename}: {exc.strerror}") from None
    err.print(f"[dim]seed {rep.settings['seed']}; scenario {rep.forecast.scenario_hash[:19]}[/]")
    written = [str(p) for p in (html_path, pdf_path) if p is not None]
    record(store, no_store, rep, output=written)
