"""The candidate models of the protocol declared before fitting: the split, the grid fits and
the one check.

``docs/explanation/candidate-model-protocol.md`` fixed, before anything was fitted, how two
candidates that use the reference point are fitted on one part of the DEU III development
file and checked, once, on the other; this module carries it out and
``docs/explanation/candidate-model.md`` reports what it gave.

* :func:`split`: the distinct proposal ids, sorted as strings, shuffled by
  ``numpy.random.default_rng(seed).permutation``; the first ``ceil(P / 2)`` are the fitting
  part, the rest the checking part. :func:`run_protocol` splits the proposals of the file
  (every distinct ``prnr`` of its rows, whether or not an issue of it has an outcome), so a
  proposal none of whose issues can be scored still takes its place in the shuffle.
* :func:`fit_anchored`: candidate A, the anchored compromise
  (:mod:`realpolitik.models.anchored`), f = (C + kappa q) / (1 + kappa), kappa on
  :data:`GRID` (0, 0.05, ..., 2), minimising the mean absolute error.
* :func:`fit_by_rule`: candidate B, the same with kappa_QMV for the issues the Council
  decides by qualified majority and kappa_Unan for those it decides by unanimity (the rule
  read by the DEU reader, ``counvte``, carried in each case's ``groups["voting"]``), on the
  same grid in each coordinate (1,681 pairs).
* :func:`check`: both fits on the fitting part, then the one check on the checking part:
  MAE, median absolute error and RMSE of A, B and the compromise model, and the paired
  bootstrap interval (resampling proposals) of each candidate minus the compromise model,
  scored by :func:`realpolitik.analysis.backtest.score` exactly as the back-test scores.

Ties of the objective (equal MAE, to the bit) go to the smallest kappa, the model nearest the
compromise model; for B to the pair with the smallest kappa_QMV + kappa_Unan, then the
smallest kappa_QMV. The MAE of B is the sum of a part that depends on kappa_QMV only and one
that depends on kappa_Unan only, so its tied minima form a product of two sets of grid
values, and the pair chosen is the smallest in both coordinates.

Errors and metrics are the back-test's (points of a 0-100 scale;
:func:`realpolitik.analysis.bootstrap.metrics`); the forecasts run through the registered
models in the back-test's batches (issues with the same number of participants as the
columns of one input). Everything is a pure function of its arguments; the seeds are
explicit.

Run ``python -m realpolitik.analysis.candidate deu3-dev.tsv [--json]`` to reproduce the fit
and the check. Data: Arregui & Perarnaud (2022), DEU III, doi:10.34810/data53 (CC BY 4.0).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..arrays import issue_input
from ..errors import InputError
from ..models import get
from ..models.anchored import SPEC as ANCHORED
from ..results import jsonable
from .backtest import Backtest, Case, Score, batches, errors, score
from .bootstrap import METRICS, metrics

__all__ = [
    "BY_RULE",
    "CONFIDENCE",
    "GRID",
    "RESAMPLES",
    "RULES",
    "SEED",
    "AnchoredFit",
    "ByRuleFit",
    "CandidateResult",
    "by_rule_forecasts",
    "check",
    "fit_anchored",
    "fit_by_rule",
    "forecasts",
    "format_result",
    "run_protocol",
    "split",
]

#: The protocol's seed: of the split and of the bootstrap.
SEED = 20261125
#: kappa's grid: 0, 0.05, ..., 2.00 (41 values).
GRID: tuple[float, ...] = tuple(k / 20 for k in range(41))
#: Bootstrap replicates and confidence of the check.
RESAMPLES = 10_000
CONFIDENCE = 0.95
#: The Council's voting rules as the DEU reader gives them.
RULES = ("QMV", "Unan")
#: The name candidate B's forecasts are scored under (it is not a registered model).
BY_RULE = "anchored-by-rule"
REFERENCE = "compromise"


# ------------------------------------------------------------------ the split


def split(proposals: Iterable[str], seed: int = SEED) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fitting and checking parts of ``proposals`` (ids; repeats count once): the
    distinct ids sorted as strings, shuffled with ``numpy.random.default_rng(seed).
    permutation``; the first ``ceil(P / 2)`` fit, the rest check. Each part is returned
    sorted."""
    ids = sorted({str(p) for p in proposals})
    if not ids:
        raise InputError("no proposal to split")
    shuffled = [str(p) for p in np.random.default_rng(seed).permutation(np.array(ids))]
    k = math.ceil(len(ids) / 2)
    return tuple(sorted(shuffled[:k])), tuple(sorted(shuffled[k:]))


def _part(cases: Sequence[Case], ids: Iterable[str]) -> tuple[Case, ...]:
    keep = set(ids)
    return tuple(c for c in cases if c.cluster in keep)


# ------------------------------------------------------------------ forecasts


def forecasts(cases: Sequence[Case], kappas: Sequence[float]) -> np.ndarray:
    """The anchored compromise's forecast of each case for each kappa, (len(kappas), n),
    run as the back-test runs models (the cases as the columns of a few batches)."""
    inputs = [issue_input(c.scenario, c.issue)[1] for c in cases]
    grouped = batches(inputs)
    out = np.full((len(kappas), len(cases)), np.nan)
    for r, kappa in enumerate(kappas):
        for index, inp in grouped:
            out[r, list(index)] = ANCHORED.run(inp, kappa=kappa, details=False).forecast
    return out


def _compromise(cases: Sequence[Case]) -> np.ndarray:
    spec = get(REFERENCE)
    inputs = [issue_input(c.scenario, c.issue)[1] for c in cases]
    out = np.full(len(cases), np.nan)
    for index, inp in batches(inputs):
        out[list(index)] = spec.run(inp, details=False).forecast
    return out


def _outcomes(cases: Sequence[Case]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([c.outcome for c in cases]), np.array([c.span for c in cases])


def _mae(forecast: np.ndarray, outcome: np.ndarray, span: np.ndarray) -> float:
    return metrics(errors(forecast, outcome, span))["mae"]


def _voting(cases: Sequence[Case]) -> np.ndarray:
    rules = []
    for c in cases:
        rule = c.groups.get("voting")
        if rule not in RULES:
            raise InputError(
                f"{c.id}: no Council voting rule ({' or '.join(RULES)}) in the case's "
                f"groups (got {rule!r}); candidate B needs the DEU reader's `counvte`"
            )
        rules.append(rule)
    return np.array(rules, dtype=object)


def _grid(grid: Sequence[float]) -> tuple[float, ...]:
    g = tuple(float(k) for k in grid)
    if not g:
        raise InputError("the grid of kappa is empty")
    if any(not (math.isfinite(k) and k >= 0) for k in g):
        raise InputError(f"every kappa of the grid must be a finite number >= 0, got {grid!r}")
    return g


# ------------------------------------------------------------------ the fits


@dataclass(frozen=True)
class AnchoredFit:
    """Candidate A fitted: kappa, the fitting part's MAE at it, the MAE at every grid value
    (in the grid's order), and how many grid values share the minimum."""

    kappa: float
    mae: float
    grid: tuple[float, ...]
    maes: tuple[float, ...]
    ties: int

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "kappa": self.kappa,
                "mae": self.mae,
                "ties": self.ties,
                "grid": list(self.grid),
                "maes": list(self.maes),
            }
        )


@dataclass(frozen=True)
class ByRuleFit:
    """Candidate B fitted: kappa per voting rule, the fitting part's MAE at it, the issues of
    each rule, and how many pairs share the minimum."""

    kappa_qmv: float
    kappa_unan: float
    mae: float
    issues: Mapping[str, int]
    ties: int

    @property
    def kappas(self) -> dict[str, float]:
        return {"QMV": self.kappa_qmv, "Unan": self.kappa_unan}

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "kappa_qmv": self.kappa_qmv,
                "kappa_unan": self.kappa_unan,
                "mae": self.mae,
                "issues": dict(self.issues),
                "ties": self.ties,
            }
        )


def fit_anchored(cases: Sequence[Case], grid: Sequence[float] = GRID) -> AnchoredFit:
    """kappa of the anchored compromise on ``grid`` minimising the MAE over ``cases``; ties
    go to the smallest kappa."""
    if not cases:
        raise InputError("no case to fit on")
    g = _grid(grid)
    outcome, span = _outcomes(cases)
    fc = forecasts(cases, g)
    maes = tuple(_mae(f, outcome, span) for f in fc)
    best = min(maes)
    tied = [k for k, m in zip(g, maes, strict=True) if m == best]
    return AnchoredFit(min(tied), best, g, maes, len(tied))


def fit_by_rule(cases: Sequence[Case], grid: Sequence[float] = GRID) -> ByRuleFit:
    """(kappa_QMV, kappa_Unan) on ``grid`` x ``grid`` minimising the MAE over ``cases``,
    each case's kappa chosen by its Council voting rule (``case.groups["voting"]``, from the
    DEU reader); ties go to the smallest kappa_QMV + kappa_Unan, then kappa_QMV."""
    if not cases:
        raise InputError("no case to fit on")
    g = _grid(grid)
    rule = _voting(cases)
    qmv = rule == "QMV"
    outcome, span = _outcomes(cases)
    fc = forecasts(cases, g)
    best: tuple[float, float, float] | None = None
    ties = 0
    for i, kq in enumerate(g):
        for j, ku in enumerate(g):
            m = _mae(np.where(qmv, fc[i], fc[j]), outcome, span)
            if best is None or m < best[0]:
                best, ties = (m, kq, ku), 1
            elif m == best[0]:
                ties += 1
                if (kq + ku, kq) < (best[1] + best[2], best[1]):
                    best = (m, kq, ku)
    assert best is not None
    issues = {r: int((rule == r).sum()) for r in RULES}
    return ByRuleFit(best[1], best[2], best[0], issues, ties)


def by_rule_forecasts(cases: Sequence[Case], kappa_qmv: float, kappa_unan: float) -> np.ndarray:
    """Candidate B's forecast of each case: the anchored compromise with the kappa of the
    case's voting rule."""
    qmv = _voting(cases) == "QMV"
    fc = forecasts(cases, (kappa_qmv, kappa_unan))
    return np.where(qmv, fc[0], fc[1])


# ------------------------------------------------------------------ the check


def _sizes(cases: Sequence[Case], ids: Sequence[str] | None) -> dict[str, int]:
    scored = {c.cluster for c in cases}
    return {
        "proposals": len(ids) if ids is not None else len(scored),
        "proposals_scored": len(scored),
        "issues": len(cases),
        "qmv": sum(1 for c in cases if c.groups.get("voting") == "QMV"),
        "unan": sum(1 for c in cases if c.groups.get("voting") == "Unan"),
        "with_reference_point": sum(
            1 for c in cases if c.scenario.issue(c.issue).status_quo is not None
        ),
    }


@dataclass(frozen=True, eq=False)
class CandidateResult:
    """The protocol's result: the two fits, the parts' sizes (``fit`` and ``check``:
    proposals, proposals with a scored issue, issues, by voting rule, with a reference
    point), the proposal ids of each part, and the check scored as the back-test scores
    (``scored``: A under ``anchored-compromise``, B under ``anchored-by-rule``, and the
    compromise model)."""

    anchored: AnchoredFit
    by_rule: ByRuleFit
    fit_sizes: Mapping[str, int]
    check_sizes: Mapping[str, int]
    fit_ids: tuple[str, ...]
    check_ids: tuple[str, ...]
    scored: Backtest

    def row(self, name: str) -> Score:
        """The check part's score of ``name`` over all its issues."""
        return next(s for s in self.scored.leaderboard() if s.name == name)

    def beats(self, name: str = "anchored-compromise") -> bool:
        """Whether ``name`` beats the compromise model as the protocol defines it: the
        interval of its MAE minus the compromise model's lies below 0."""
        d = self.row(name).diff
        return bool(d is not None and d["mae"].high is not None and d["mae"].high < 0)

    def to_dict(self) -> dict[str, Any]:
        rows = {}
        for name in (ANCHORED.name, BY_RULE, REFERENCE):
            s = self.row(name)
            rows[name] = {
                "n": s.n,
                **{m: jsonable(s.metric(m)) for m in METRICS},
                "diff": None if s.diff is None else {k: v.to_dict() for k, v in s.diff.items()},
            }
        return {
            "protocol": "docs/explanation/candidate-model-protocol.md",
            "source": jsonable(
                {k: self.scored.source.get(k) for k in ("file", "sha256", "rows", "citation")}
            ),
            "seed": self.scored.seed,
            "resamples": self.scored.resamples,
            "confidence": self.scored.confidence,
            "fit": {
                "sizes": dict(self.fit_sizes),
                "proposals": list(self.fit_ids),
                "anchored": self.anchored.to_dict(),
                "by_rule": self.by_rule.to_dict(),
            },
            "check": {
                "sizes": dict(self.check_sizes),
                "proposals": list(self.check_ids),
                "scores": rows,
            },
            "verdict": {name: self.beats(name) for name in (ANCHORED.name, BY_RULE)},
        }


def check(
    fit_cases: Sequence[Case],
    check_cases: Sequence[Case],
    *,
    grid: Sequence[float] = GRID,
    seed: int = SEED,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    source: Mapping[str, Any] | None = None,
    fit_ids: Sequence[str] | None = None,
    check_ids: Sequence[str] | None = None,
) -> CandidateResult:
    """Fit A and B on ``fit_cases`` (nothing of ``check_cases`` is seen), then score A, B
    and the compromise model on ``check_cases``, once, with :func:`~realpolitik.analysis.
    backtest.score` (paired cluster bootstrap against the compromise model, ``resamples``
    replicates from ``seed``). ``fit_ids`` and ``check_ids``, the parts' proposals, are
    recorded (default: the clusters of the cases)."""
    if not check_cases:
        raise InputError("no case to check on")
    if {c.cluster for c in fit_cases} & {c.cluster for c in check_cases}:
        raise InputError("a proposal has issues in both parts; split by proposal")
    a = fit_anchored(fit_cases, grid)
    b = fit_by_rule(fit_cases, grid)
    fcs = {
        REFERENCE: _compromise(check_cases),
        ANCHORED.name: forecasts(check_cases, (a.kappa,))[0],
        BY_RULE: by_rule_forecasts(check_cases, b.kappa_qmv, b.kappa_unan),
    }
    scored = score(
        check_cases,
        fcs,
        dict.fromkeys(fcs, "model"),
        source={**(source or {}), "part": "check"},
        parameters={
            REFERENCE: {},
            ANCHORED.name: {"kappa": a.kappa},
            BY_RULE: {"kappa_qmv": b.kappa_qmv, "kappa_unan": b.kappa_unan},
        },
        reference=REFERENCE,
        seed=seed,
        resamples=resamples,
        confidence=confidence,
    )
    fid = tuple(fit_ids) if fit_ids is not None else tuple(sorted({c.cluster for c in fit_cases}))
    cid = (
        tuple(check_ids)
        if check_ids is not None
        else tuple(sorted({c.cluster for c in check_cases}))
    )
    return CandidateResult(
        anchored=a,
        by_rule=b,
        fit_sizes=_sizes(fit_cases, fid),
        check_sizes=_sizes(check_cases, cid),
        fit_ids=fid,
        check_ids=cid,
        scored=scored,
    )


def run_protocol(path: str | Path, *, seed: int = SEED) -> CandidateResult:
    """The whole protocol on a DEU III file: read it with the back-test's defaults (Council
    weighting, the treaty at the introduction, actors without a salience left out), split
    its proposals, fit on the fitting part, check once on the checking part."""
    from ..scenario.deu import load_deu
    from .backtest import cases_from_deu

    deu = load_deu(path)
    cases, source = cases_from_deu(deu)
    fit_ids, check_ids = split(deu.table.proposals, seed)
    return check(
        _part(cases, fit_ids),
        _part(cases, check_ids),
        seed=seed,
        source=source,
        fit_ids=fit_ids,
        check_ids=check_ids,
    )


# ------------------------------------------------------------------ the entry point


def _interval(s: Score) -> str:
    if s.diff is None:
        return ""
    d = s.diff["mae"]
    if d.low is None or d.high is None:
        return f"{d.point:+.2f}"
    return f"{d.point:+.2f} [{d.low:.2f}, {d.high:.2f}]"


def format_result(res: CandidateResult) -> str:
    """The fit and the check as plain text."""
    f, c = res.fit_sizes, res.check_sizes
    a, b = res.anchored, res.by_rule
    lines = [
        f"file: {res.scored.source.get('file')} (sha256 {res.scored.source.get('sha256')})",
        f"split (seed {res.scored.seed}): fitting part {f['proposals']} proposals "
        f"({f['proposals_scored']} with a scored issue, {f['issues']} issues: "
        f"{f['qmv']} QMV, {f['unan']} Unan, {f['with_reference_point']} with a reference point)"
        f"; checking part {c['proposals']} proposals ({c['proposals_scored']} with a scored "
        f"issue, {c['issues']} issues: {c['qmv']} QMV, {c['unan']} Unan, "
        f"{c['with_reference_point']} with a reference point)",
        f"A anchored-compromise: kappa = {a.kappa:.2f} (fitting-part MAE {a.mae:.2f}; "
        f"{a.ties} grid value(s) at the minimum)",
        f"B anchored-by-rule: kappa_QMV = {b.kappa_qmv:.2f}, kappa_Unan = {b.kappa_unan:.2f} "
        f"(fitting-part MAE {b.mae:.2f}; {b.ties} pair(s) at the minimum)",
        f"check ({res.scored.resamples:,} proposal resamples, seed {res.scored.seed}; "
        f"errors in points of 0-100; delta: minus the compromise model, "
        f"{100 * res.scored.confidence:.0f}% interval):",
        f"  {'':22} {'issues':>6} {'MAE':>6} {'median':>6} {'RMSE':>6}  delta MAE",
    ]
    for name in (ANCHORED.name, BY_RULE, REFERENCE):
        s = res.row(name)
        lines.append(
            f"  {name:22} {s.n:6d} {s.mae:6.2f} {s.median_ae:6.2f} {s.rmse:6.2f}  {_interval(s)}"
        )
    for name in (ANCHORED.name, BY_RULE):
        verdict = "beats" if res.beats(name) else "does not beat"
        lines.append(f"verdict: {name} {verdict} the compromise model on the checking part")
    cite = res.scored.source.get("citation")
    if cite:
        lines.append(f"data: {cite}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m realpolitik.analysis.candidate",
        description="Fit and check the candidate models of "
        "docs/explanation/candidate-model-protocol.md on a DEU III file.",
    )
    parser.add_argument("path", help="the DEU III development file (deu3-dev.tsv)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    res = run_protocol(args.path)
    if args.json:
        sys.stdout.write(json.dumps(res.to_dict(), indent=2, allow_nan=False) + "\n")
    else:
        sys.stdout.write(format_result(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
