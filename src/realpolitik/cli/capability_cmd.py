"""``realpolitik capability``: capabilities derived from the CINC, optionally discounted by
distance toward a place, printed with their sources or written into a scenario."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import RealpolitikError
from .common import JsonOption, err, fail, out, user_error

__all__ = ["capability_cmd"]


def _range(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise fail(f"--length-range must be LOW,HIGH (km), got {text!r}") from None
    return low, high


def _pair(text: str) -> tuple[str | None, str]:
    """``ACTOR=STATE`` as ``(actor, state)``; a bare state as ``(None, state)``; a state
    named in words (Russia, "United States", Türkiye) as its COW abbreviation."""
    actor, eq, st = text.partition("=")
    return (actor.strip(), _cow(st.strip())) if eq else (None, _cow(text.strip()))


def _cow(text: str) -> str:
    """``text`` as the core reads states: itself when it is a COW abbreviation or code,
    else the COW abbreviation of the one state the draft's gazetteer finds named by the
    whole of it (its name, an alias or its capital's metonym); the core's error otherwise."""
    from ..errors import UnknownNameError
    from ..scenario.capability import state

    try:
        state(text)
        return text
    except UnknownNameError:
        from ..draft.gazetteer import gazetteer

        for form in dict.fromkeys((text, text.title(), text[:1].upper() + text[1:])):
            hits = gazetteer().find(form)
            whole = [h for h in hits if h.start == 0 and h.end == len(form)]
            if len(whole) == 1 and whole[0].entry.kind == "state" and whole[0].entry.cow:
                return whole[0].entry.cow
        raise UnknownNameError(
            f"unknown state {text!r}: not a state's name, a COW abbreviation (RUS, GRG for "
            "Georgia, KZK for Kazakhstan: not ISO) or a COW country code (365)"
        ) from None


def capability_cmd(
    states: Annotated[
        list[str],
        typer.Argument(
            help="States by name, COW abbreviation or code (Russia, RUS, GRG, 365); with "
            "--scenario, "
            "ACTOR=STATE to write an actor's capability.",
            show_default=False,
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            "-y",
            help="Year of the CINC (the data end in 2016: a later year uses 2016 and says "
            "so). Default: the scenario's year.",
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", "-s", help="A scenario file or built-in name."),
    ] = None,
    locus: Annotated[
        str | None,
        typer.Option(
            "--locus",
            help="The place to discount toward: LAT,LON[,NAME], a state (its capital) or "
            "an issue of --scenario (its locus).",
        ),
    ] = None,
    discount: Annotated[
        str | None,
        typer.Option("--discount", help="bdm1981 or exponential (needs --locus)."),
    ] = None,
    length: Annotated[
        float | None,
        typer.Option("--length", help="The exponential discount's length L, km."),
    ] = None,
    length_range: Annotated[
        str | None,
        typer.Option("--length-range", help="L's range LOW,HIGH (km), for simulations."),
    ] = None,
    miles_per_day: Annotated[
        float,
        typer.Option("--miles-per-day", help="bdm1981's miles a day (after 1945: 500)."),
    ] = 500.0,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write --scenario with the derived capabilities of its ACTOR=STATE actors "
            "(discounted toward the issue given as --locus) to this YAML file.",
        ),
    ] = None,
    by_issue: Annotated[
        bool,
        typer.Option(
            "--by-issue",
            help="With --scenario, --discount and -o: each ACTOR=STATE's capability on each "
            "issue that names its locus (the stance's own capability), discounted toward "
            "that locus; the actor's own becomes its undiscounted CINC.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Capabilities from data: the COW CINC of states in a year, optionally discounted by
    the distance from each capital to a place, with their sources."""
    import realpolitik as rp

    from ..scenario import capability as cap
    from ..scenario import dump_yaml

    try:
        sc = rp.load(scenario) if scenario is not None else None
        pairs = [_pair(s) for s in states]
        if output is not None and sc is None:
            raise fail("--output writes a scenario: give it with --scenario")
        if output is not None and any(a is None for a, _ in pairs):
            raise fail("--output needs ACTOR=STATE for each state (e.g. russia=RUS)")
        if year is None:
            if sc is None or sc.date is None:
                raise fail("give --year (or a dated --scenario, whose year is used)")
            year = cap.data_year(sc.date)
        if sc is not None and sc.date is not None and year > sc.date.year:
            raise fail(
                f"--year {year} is after the scenario's date ({sc.date.isoformat()}): its "
                "data were not known then"
            )
        how = None
        if discount is not None:
            how = cap.discount(
                discount,
                miles_per_day=miles_per_day,
                length_km=length,
                length_range=_range(length_range),
            )
            if locus is None and not by_issue:
                raise fail("--discount needs --locus (the place to discount toward)")
        elif length is not None or length_range is not None:
            raise fail("--length is a parameter of --discount exponential")
        if by_issue:
            if sc is None or output is None or how is None or locus is not None:
                raise fail(
                    "--by-issue writes each issue's capabilities into a scenario: give "
                    "--scenario, --discount and --output, and no --locus (each issue's own)"
                )
            if any(a is None for a, _ in pairs):
                raise fail("--output needs ACTOR=STATE for each state (e.g. russia=RUS)")
        place = cap.place(locus, sc) if locus is not None else None
        derived = [
            cap.derive(s, year, locus=place, discount=None if by_issue else how) for _, s in pairs
        ]
        if by_issue:
            assert sc is not None and how is not None
            new = cap.with_issue_capabilities(
                sc, {a: s for a, s in pairs if a is not None}, how, year=year
            )
            rp.scenario.Scenario.from_dict(new.to_dict(), origin=str(output))  # still valid
        elif output is not None:
            assert sc is not None
            if how is not None and (locus is None or locus not in sc.issue_ids):
                raise fail("with --output, --locus must be an issue of the scenario")
            new = cap.with_capabilities(
                sc,
                {a: s for a, s in pairs if a is not None},
                year=year,
                issue=locus if how is not None else None,
                discount=how,
            )
            rp.scenario.Scenario.from_dict(new.to_dict(), origin=output)  # still valid
    except RealpolitikError as exc:
        raise user_error(exc) from None

    if output is not None:
        from ..files import write_atomically

        try:
            write_atomically(output, dump_yaml(new))
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    if as_json:
        sys.stdout.write(json.dumps(_json(derived, pairs), indent=2) + "\n")
    else:
        _render(derived, pairs, place, None if by_issue else how)
        if by_issue:
            _render_by_issue(new, how)
    if output is not None:
        if by_issue:
            n = sum(1 for st in new.stances if st.capability is not None)
            err.print(
                f"wrote {escape(output)} ({len(pairs)} actors' CINC, and {n} stance "
                "capabilities discounted toward their issues' loci)"
            )
        else:
            err.print(f"wrote {escape(output)} ({len(pairs)} capabilities derived)")
            derived_for = {a for a, _ in pairs}
            for st in new.stances:  # a stance's own capability overrides the actor's there
                if st.actor in derived_for and st.capability is not None:
                    err.print(
                        f"[yellow]note[/]: {escape(st.actor)} keeps its own capability on "
                        f"{escape(st.issue)} ({st.capability:g}), which the models use there "
                        "instead of the derived one: derive it too or remove it"
                    )


def _json(derived: list, pairs: list) -> dict:
    from ..scenario.capability import CINC_CITATION

    rows = []
    for (actor, _), d in zip(pairs, derived, strict=True):
        row = {
            "state": d.cinc.state,
            "ccode": d.cinc.ccode,
            "year": d.cinc.year,
            "data_year": d.cinc.data_year,
            "cinc": d.cinc.value,
            "capability": d.value,
            "source": d.note(),
        }
        if actor is not None:
            row["actor"] = actor
        if d.km is not None:
            row.update(
                capital=d.capital.name,
                capital_lat=d.capital.lat,
                capital_lon=d.capital.lon,
                km=d.km,
                low=d.low,
                high=d.high,
            )
        rows.append(row)
    return {"citation": CINC_CITATION, "capabilities": rows}


def _render_by_issue(sc: Any, how: Any) -> None:
    """Each stance capability written by --by-issue: actor, issue, value and range."""
    out.print(escape(f"on each issue, toward its locus: {how.equation()}"))
    table = Table(show_edge=True, pad_edge=False)
    table.add_column("actor", overflow="fold")
    table.add_column("issue (locus)", overflow="fold")
    table.add_column("capability", justify="right", no_wrap=True)
    table.add_column("range", justify="right", no_wrap=True)
    for st in sc.stances:
        if st.capability is None:
            continue
        locus = sc.issue(st.issue).locus
        rng = st.capability_range
        table.add_row(
            escape(st.actor),
            escape(f"{st.issue} ({locus.name})" if locus else st.issue),
            f"{st.capability:.4g}",
            "" if rng is None else f"{rng.low:.4g}-{rng.high:.4g}",
        )
    out.print(table)


def _render(derived: list, pairs: list, place, how) -> None:
    from ..scenario.capability import CAPITALS_SOURCE, CINC_CITATION, CINC_DATASET

    years = {(d.cinc.year, d.cinc.data_year) for d in derived}
    for asked, used in sorted(years):
        line = f"{CINC_DATASET} of {used}"
        if asked != used:
            line += f" (the data end in {used}; {asked} asked for)"
        out.print(escape(line))
    if how is not None and place is not None:
        out.print(escape(f"toward {place.describe()}: {how.equation()}"))
    elif how is not None:
        out.print(escape(f"toward each issue's locus: {how.equation()}"))
    ranged = any(d.low is not None for d in derived)
    table = Table(show_edge=True, pad_edge=False)
    table.add_column("state", overflow="fold")
    table.add_column("CINC", justify="right", no_wrap=True)
    if how is not None:
        table.add_column("capital", overflow="fold")
        table.add_column("km", justify="right", no_wrap=True)
        table.add_column("capability", justify="right", no_wrap=True)
        if ranged:
            table.add_column("low", justify="right", no_wrap=True)
            table.add_column("high", justify="right", no_wrap=True)
    for (actor, _), d in zip(pairs, derived, strict=True):
        name = f"{d.cinc.state} {d.cinc.ccode}" + (f" ({actor})" if actor else "")
        row = [escape(name), f"{d.cinc.value:.6g}"]
        if how is not None:
            row += [escape(d.capital.name), f"{d.km:,.0f}", f"{d.value:.4g}"]
            if ranged:
                row += ["", ""] if d.low is None else [f"{d.low:.4g}", f"{d.high:.4g}"]
        table.add_row(*row)
    out.print(table)
    out.print(escape(f"CINC: {CINC_CITATION}."), soft_wrap=False)
    if how is not None:
        out.print(escape(f"Capitals: {CAPITALS_SOURCE}; distance: great circle (haversine)."))
