"""``realpolitik draft``: from an article to a draft scenario, offline."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import RealpolitikError
from .common import err, fail, user_error


def draft_cmd(
    article: Annotated[Path, typer.Argument(help="The article: a UTF-8 plain-text file.")],
    date: Annotated[
        str,
        typer.Option(
            "--date",
            "-d",
            help="The article's date, YYYY-MM-DD: leaders are resolved to their state as "
            "of this day, and the draft is dated it.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The draft to write (YAML); default: standard output."),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The article's title (default: its first line).")
    ] = None,
    licence: Annotated[
        str | None, typer.Option("--licence", help="The article's licence, recorded in the draft.")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="The article's address.")] = None,
    extractor: Annotated[
        str,
        typer.Option(
            "--extractor",
            "-e",
            help="rules (default: gazetteer, templates and cues, no model) or llm (a local "
            "language model: --llm-url, --model-file or --replay).",
        ),
    ] = "rules",
    llm_url: Annotated[
        str | None,
        typer.Option(
            "--llm-url",
            help="The address of an OpenAI-compatible server on this machine (Ollama, "
            "llama.cpp's server), ending in /v1.",
        ),
    ] = None,
    llm_model: Annotated[
        str | None, typer.Option("--llm-model", help="The model the server should use.")
    ] = None,
    model_file: Annotated[
        Path | None,
        typer.Option("--model-file", help="A GGUF model file, run with llama-cpp-python."),
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option("--replay", help="Answers recorded earlier (JSON), instead of a model."),
    ] = None,
    record_to: Annotated[
        Path | None,
        typer.Option("--record", help="Save the model's answers here, to replay them later."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, max=3600, help="Seconds to wait for the model.")
    ] = 300,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow --llm-url to name another machine (the article is sent to it).",
        ),
    ] = False,
) -> None:
    """Draft a scenario from an article: actors, issues and stances read off the text,
    every number marked DRAFT for you to confirm, every quote cut from the article."""
    from ..draft import DraftError, draft_file, write_atomically

    try:
        when = dt.date.fromisoformat(date)
    except ValueError:
        raise fail(f"--date: expected a date YYYY-MM-DD, got {date!r}") from None
    if output is not None and output.is_dir():
        raise fail(f"--output: {output} is a folder; expected a file name such as draft.yaml")
    if output is not None and not output.parent.is_dir():
        raise fail(f"--output: the folder {output.parent} does not exist")
    if extractor not in ("rules", "llm"):
        raise fail(f"--extractor must be rules or llm, got {extractor!r}")
    ex = None
    if extractor == "llm":
        from ..draft.llm import extractor_from

        try:
            ex = extractor_from(
                llm_url=llm_url,
                llm_model=llm_model,
                model_file=model_file,
                replay=replay,
                record=record_to,
                timeout=timeout,
                allow_remote=allow_remote,
            )
        except RealpolitikError as exc:
            raise user_error(exc) from None
    elif any(v is not None for v in (llm_url, model_file, replay, record_to)):
        raise fail("--llm-url, --model-file, --replay and --record need --extractor llm")
    try:
        d = draft_file(article, when=when, title=title, licence=licence, url=url, extractor=ex)
    except DraftError as exc:
        raise fail(str(exc)) from None
    except RealpolitikError as exc:
        raise user_error(exc) from None
    f = d.findings
    if output is None:
        sys.stdout.write(d.text)  # as it is: no wrapping, no markup
    else:
        try:
            write_atomically(output, d.text)
        except OSError as exc:
            raise fail(f"--output: cannot write {output}: {exc.strerror or exc}") from None
    sc = d.scenario
    where = escape(str(output)) if output is not None else "standard output"
    err.print(
        f"wrote {where}: a DRAFT of {len(sc.actors)} actors, {len(sc.issues)} issues "
        f"and {len(sc.stances)} stances from {len(f.article.sentences)} sentences "
        f"({f.extractor} extractor)"
    )
    unknown = sum(1 for s in f.stances if "unknown" in (s.position, s.salience))
    cinc = sum(1 for a in sc.actors if a.source.dataset)
    err.print(
        f"confirm every number: {unknown} of {len(f.stances)} stances have an unknown "
        f"bucket (whole scale); {cinc} of {len(sc.actors)} capabilities are a state's "
        "CINC (material capability, not influence on these issues), the others judgement"
    )
    if output is not None:
        err.print(f"next: realpolitik validate {where}; realpolitik simulate {where}")
