"""The bottom line: who comes out ahead, head to head, how sure, and how good each model has
been, in a few plain sentences and one small table.

:func:`bottom_line` reads a :class:`~realpolitik.forecasting.Forecast` (and, when there is
one, the :class:`~realpolitik.analysis.ensemble.Ensemble` of the same scenario) and says:

- per model, which actor gains most and which least (the salience-weighted gain against the
  status quo, :meth:`Forecast.gains`; issues a model leaves undetermined are left out), and
  whether its forecast is determinate at all;
- the **contestants** head to head (the scenario's ``question``; without one, the two
  actors the most credible model ranks first and second): who gains more under each model
  and, over a simulation, in what share of the draws each gains most among them (ties
  shared; draws where a contestant has no gain are left out);
- each model's **record** on real outcomes (:mod:`realpolitik.models.standing`: the DEU III
  back-test); the models are listed most credible first (those better than guessing 50
  first, by their error), and a model that errs more than guessing 50 is marked so and never
  decides an ordering;
- where the models disagree, and which issues each leaves undetermined.

Complexity: O(M n) for M models and n actors, plus O(M B c) for B draws and c contestants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..forecasting import Forecast
from ..models.standing import Standing, standing
from ..results import freeze

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario import Scenario
    from .ensemble import Ensemble

__all__ = ["BottomLine", "ModelVerdict", "bottom_line"]

#: Gains closer than this (a share of the scale) are a tie.
TIE = 1e-9


@dataclass(frozen=True)
class ModelVerdict:
    """What one model says: who gains most (``ahead``) and least (``behind``; each a tuple,
    ties kept), every actor's gain, the contestants' gains, which contestant gains most
    (``leader``; ``None`` on a tie or without gains), over a simulation the share of draws
    in which each contestant gains most among them (``p_leader``), the issues it leaves
    undetermined, and its record (``standing``)."""

    model: str
    standing: Standing | None
    gains: Mapping[str, float | None]
    ahead: tuple[str, ...]
    behind: tuple[str, ...]
    contestants: Mapping[str, float | None]
    leader: str | None
    undetermined: tuple[str, ...]
    p_leader: Mapping[str, float] | None = None
    draws: int = 0

    def __post_init__(self) -> None:
        freeze(
            self,
            gains=MappingProxyType(dict(self.gains)),
            contestants=MappingProxyType(dict(self.contestants)),
            p_leader=None if self.p_leader is None else MappingProxyType(dict(self.p_leader)),
        )

    @property
    def determinate(self) -> bool:
        """Whether the model measures any gain at all (some issue has a forecast)."""
        return any(g is not None for g in self.gains.values())

    @property
    def worse_than_constant(self) -> bool:
        return self.standing is not None and self.standing.worse_than_constant

    def to_dict(self) -> dict[str, Any]:
        s = self.standing
        return {
            "model": self.model,
            "record": None
            if s is None
            else {
                "mae": s.mae,
                "issues": s.issues,
                "of": s.of,
                "verdict": s.verdict(),
                "line": s.line(),
            },
            "determinate": self.determinate,
            "ahead": list(self.ahead),
            "behind": list(self.behind),
            "contestants": dict(self.contestants),
            "leader": self.leader,
            "p_leader": None if self.p_leader is None else dict(self.p_leader),
            "draws": self.draws,
            "undetermined": list(self.undetermined),
        }


@dataclass(frozen=True)
class BottomLine:
    """The answer to a scenario's question, model by model (most credible first)."""

    question: str | None
    contestants: tuple[str, ...]
    names: Mapping[str, str]
    models: tuple[ModelVerdict, ...]
    stated: bool = True  # the contestants are the scenario's (else the leading two)
    draws: int = 0
    notes: tuple[str, ...] = field(default=())
    default_spread: float | None = None

    def __post_init__(self) -> None:
        freeze(self, names=MappingProxyType(dict(self.names)))

    @property
    def credible(self) -> tuple[ModelVerdict, ...]:
        """The determinate models that err no more than guessing 50, most credible first."""
        return tuple(m for m in self.models if m.determinate and not m.worse_than_constant)

    @property
    def leader(self) -> str | None:
        """The contestant the credible models agree gains most (``None`` if they disagree,
        if none is determinate, or if there is a tie)."""
        leaders = {m.leader for m in self.credible}
        return leaders.pop() if len(leaders) == 1 else None

    def _lead_words(self, key: str) -> str:
        if key == "=":
            return "a tie"
        if key.startswith("?"):
            return f"no comparison (no gain for {self._names(key[1:].split(','))})"
        return self._name(key)

    def _name(self, actor: str) -> str:
        return self.names.get(actor, actor)

    def _names(self, actors: Sequence[str]) -> str:
        return _join([self._name(a) for a in actors])

    def sentences(self) -> list[str]:
        """The bottom line in a few plain sentences."""
        out: list[str] = []
        det = [m for m in self.models if m.determinate]
        if not det:
            return ["No model measures a gain: no issue has both a status quo and a forecast."]
        c = self.contestants
        if len(c) >= 2:
            head = f"{self.question} " if self.question else ""
            by: dict[str, list[str]] = {}
            for m in det:
                by.setdefault(_lead_key(m), []).append(m.model)
            others = _join([self._name(a) for a in c])
            if len(by) == 1 and not next(iter(by)).startswith(("=", "?")):
                ((lead, names),) = by.items()
                rest = self._names([a for a in c if a != lead])
                every = "every model" if len(names) > 1 else "the one model"
                out.append(
                    f"{head}{self._name(str(lead))} comes out ahead of {rest} under {every} "
                    f"whose forecast is determinate ({_join(names)})."
                )
            else:
                parts = [f"{self._lead_words(k)} under {_join(ms)}" for k, ms in by.items()]
                out.append(f"{head}The models disagree on {others}: {'; '.join(parts)}.")
            sims = [m for m in det if m.p_leader]
            if sims and self.leader is not None:
                lead = self.leader
                rest = self._names([a for a in c if a != lead])
                how = "more than" if len(c) == 2 else "most among"
                bits = [
                    f"{m.p_leader[lead]:.0%} under {m.model}"  # type: ignore[index]
                    + ("" if m.draws == self.draws else f" (of the {m.draws:,} with a gain)")
                    for m in sims
                ]
                out.append(
                    f"How sure: over {self.draws:,} simulated draws, {self._name(lead)} gains "
                    f"{how} {rest} in {_join(bits)}."
                )
            elif sims:
                bits = []
                for m in sims:
                    assert m.p_leader is not None
                    top = max(m.p_leader, key=lambda a: m.p_leader[a])  # type: ignore[index]
                    bits.append(f"{self._name(top)} in {m.p_leader[top]:.0%} ({m.model})")
                out.append(
                    f"How sure: over {self.draws:,} simulated draws, the one who gains most "
                    f"among {others}: {'; '.join(bits)}."
                )
            if sims:
                out.append(_calibration_caveat(self.default_spread))
        aheads: dict[tuple[str, ...], list[str]] = {}
        for m in det:
            aheads.setdefault(m.ahead, []).append(m.model)
        bits = [f"{self._names(a)} ({_join(ms)})" for a, ms in aheads.items()]
        behind: dict[tuple[str, ...], list[str]] = {}
        for m in det:
            behind.setdefault(m.behind, []).append(m.model)
        worst = [f"{self._names(a)} ({_join(ms)})" for a, ms in behind.items()]
        out.append(
            f"Of all actors, the biggest gain goes to {'; '.join(bits)}; the biggest loss to "
            f"{'; '.join(worst)}."
        )
        records = []
        for m in self.models:
            s = m.standing
            if s is None:
                records.append(f"{m.model}: no record")
                continue
            cover = "" if s.issues == s.of else f" on the {s.issues} of {s.of} issues it settles"
            records.append(f"{m.model} MAE {s.mae:.1f}{cover}, {s.verdict()}")
        out.append(
            "Their record on real EU negotiations (DEU III, mean error in points of a 0-100 "
            f"scale; guessing 50 errs by {constant_mae()}): " + "; ".join(records) + "."
        )
        for m in self.models:
            if m.undetermined:
                out.append(
                    f"{m.model} leaves {_join(list(m.undetermined))} undetermined (it does not "
                    "settle there), so its gains leave them out."
                )
        if not any(m.determinate for m in self.credible):
            out.append(
                "No model whose record beats guessing 50 has a determinate forecast here: read "
                "the lines above as the models' output, not as a forecast with a track record."
            )
        out.extend(self.notes)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "contestants": list(self.contestants),
            "stated": self.stated,
            "leader": self.leader,
            "draws": self.draws,
            "models": [m.to_dict() for m in self.models],
            "sentences": self.sentences(),
        }


def _calibration_caveat(spread: float | None) -> str:
    """What the shares of draws are worth, from the calibration check: for the calibrated
    default spread, what it held on real outcomes; for another spread or a scenario's own
    ranges, that nobody has checked them, and what even the calibrated spread held."""
    from .calibration import checked_coverage

    c = checked_coverage("compromise")
    if spread is not None and c is not None and spread != c.spread:
        return (
            f"These shares come from a default spread of ±{spread:g} on the numbers the "
            "scenario gives no range, which no check on real outcomes has calibrated; on real "
            f"EU negotiations, even the calibrated spread (±{c.spread:g}) held only "
            f"{c.covered['90']:.0%} of outcomes in its 90% band, so read them as how firmly "
            "the models hold their answer, not as odds (docs/explanation/calibration.md)."
        )
    if spread is not None:
        held = (
            ""
            if c is None
            else f" on real EU negotiations, intervals drawn so held only {c.covered['90']:.0%} "
            "of outcomes in their 90% band,"
        )
        return (
            f"These shares come from the calibrated default spread of ±{spread:g} on the "
            f"numbers the scenario gives no range:{held} so read them as how firmly the models "
            "hold their answer, not as odds (docs/explanation/calibration.md)."
        )
    held = (
        ""
        if c is None
        else f" on real EU negotiations, even the calibrated spread (±{c.spread:g}) held only "
        f"{c.covered['90']:.0%} of outcomes in its 90% band,"
    )
    return (
        "These shares come from the scenario's own ranges, which no check on real outcomes "
        f"has calibrated;{held} so read them as how firmly the models "
        "hold their answer, not as odds (docs/explanation/calibration.md)."
    )


def _lead_key(m: ModelVerdict) -> str:
    """How a model's head-to-head ended, as a key: the leader's id, ``"="`` for a tie, or
    ``"?a,b"`` where contestants a, b have no gain to compare."""
    missing = [a for a, g in m.contestants.items() if g is None]
    if missing:
        return "?" + ",".join(missing)
    return "=" if m.leader is None else m.leader


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def constant_mae() -> str:
    """The mean error of always guessing 50 on DEU III, as the bottom line quotes it."""
    s = standing("constant-50")
    return "-" if s is None else f"{s.mae:.1f}"


def _extremes(gains: Mapping[str, float | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    have = {a: g for a, g in gains.items() if g is not None}
    if not have:
        return (), ()
    hi, lo = max(have.values()), min(have.values())
    return (
        tuple(a for a, g in have.items() if g >= hi - TIE),
        tuple(a for a, g in have.items() if g <= lo + TIE),
    )


def _credibility(model: str) -> tuple[int, float]:
    """Sort key: better than guessing 50 first, then not worse, then worse, then no record;
    by MAE within each."""
    s = standing(model)
    if s is None:
        return (3, math.inf)
    rank = 0 if s.better_than_constant else 2 if s.worse_than_constant else 1
    return (rank, s.mae)


def _p_leader(
    gains: np.ndarray, rows: Sequence[int], contestants: Sequence[str]
) -> tuple[dict[str, float], int]:
    """Per contestant, the share of draws in which it gains most among ``contestants``
    (ties shared), over the draws where every contestant has a gain; and that count."""
    g = gains[:, list(rows)]
    ok = ~np.isnan(g).any(axis=1)
    g = g[ok]
    if not g.shape[0]:
        return {}, 0
    top = g.max(axis=1, keepdims=True)
    win = g >= top - TIE
    share = (win / win.sum(axis=1, keepdims=True)).mean(axis=0)
    return {a: float(share[k]) for k, a in enumerate(contestants)}, int(g.shape[0])


def bottom_line(
    forecast: Forecast,
    scenario: Scenario | None = None,
    ensemble: Ensemble | None = None,
    *,
    spread: float | None = None,
) -> BottomLine:
    """The bottom line of ``forecast`` (and of ``ensemble``, the simulation of the same
    scenario, when given): see the module. ``scenario`` gives the question and its
    contestants; without it (or without a question) the contestants are the two actors
    the most credible determinate model ranks first. ``spread`` is the default spread
    given to the scenario's unranged numbers before it was simulated
    (:func:`~realpolitik.scenario.uncertainty.with_spread`: ``--spread``, or a report's
    policy for a scenario without ranges), so that the caveat says whose ranges the shares
    come from."""
    if scenario is not None and scenario.content_hash() != forecast.scenario_hash:
        raise InputError(
            f"the forecast is of another scenario than {scenario.id!r} (their content hashes "
            "differ); expected the scenario the forecast was made on"
        )
    if ensemble is not None and ensemble.scenario_hash != forecast.scenario_hash:
        raise InputError(
            "the simulation is of another scenario than the forecast (their content hashes "
            "differ); expected both of the same scenario"
        )
    names = dict(zip(forecast.actors, forecast.actor_names, strict=True))
    order = sorted(forecast.models, key=lambda m: (_credibility(m), forecast.models.index(m)))
    gains = {m: forecast.gains(m) for m in order}
    question = scenario.question if scenario is not None else None
    if question is not None:
        contestants, stated = tuple(question.contestants), True
    else:
        lead = next((m for m in order if any(g is not None for g in gains[m].values())), None)
        ranked = (
            []
            if lead is None
            else sorted(
                (a for a, g in gains[lead].items() if g is not None),
                key=lambda a: -(gains[lead][a] or 0.0),
            )
        )
        contestants, stated = tuple(ranked[:2]), False
    rows = [forecast.actors.index(a) for a in contestants]
    verdicts = []
    draws = 0
    for m in order:
        g = gains[m]
        ahead, behind = _extremes(g)
        cg = {a: g[a] for a in contestants}
        # a contestant without a gain (no determinate issue with a status quo under this
        # model) cannot be compared: no leader, rather than a winner by default
        top, _ = _extremes(cg) if all(v is not None for v in cg.values()) else ((), ())
        p = None
        n = 0
        if ensemble is not None and m in ensemble.gains and len(contestants) >= 2:
            p, n = _p_leader(np.asarray(ensemble.gains[m]), rows, contestants)
            draws = max(draws, ensemble.draws)
        verdicts.append(
            ModelVerdict(
                model=m,
                standing=standing(m),
                gains=g,
                ahead=ahead,
                behind=behind,
                contestants=cg,
                leader=top[0] if len(top) == 1 else None,
                undetermined=forecast.undetermined(m),
                p_leader=p or None,
                draws=n,
            )
        )
    notes = []
    if not stated and contestants:
        notes.append(
            "The scenario states no question: the head-to-head is between the two actors the "
            "most credible model puts first (a scenario's `question` names its contestants)."
        )
    return BottomLine(
        question=None if question is None else question.text,
        contestants=contestants,
        names=names,
        models=tuple(verdicts),
        stated=stated,
        draws=draws,
        notes=tuple(notes),
        default_spread=None
        if ensemble is None
        else (spread if ensemble.default_spread is None else ensemble.default_spread),
    )
