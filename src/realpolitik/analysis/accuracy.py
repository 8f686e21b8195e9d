"""The accuracy check of docs/explanation/accuracy-protocol.md, run once, as declared.

``python -m realpolitik.analysis.accuracy ../shared/data/deu3/deu3-dev.tsv`` back-tests the
models of the protocol on every issue of the DEU III development file with the back-test's
defaults, and prints, per model: the issues it forecasts (its coverage), MAE, median absolute
error and RMSE, and its MAE difference to the compromise model and to the constant-50
baseline over the issues both forecast, with proposal-clustered paired bootstrap intervals
(:func:`~realpolitik.analysis.bootstrap.paired_bootstrap`, 10,000 resamples, seed
20261206). Its last lines are each candidate's one-line standing, as registered.

Complexity: that of the back-test (:func:`~realpolitik.analysis.backtest.backtest`), plus a
second bootstrap for the differences to the constant-50 baseline.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .backtest import Backtest, Score, backtest, load_cases, score

__all__ = ["CANDIDATES", "MODELS", "SEED", "Check", "check", "main", "standing"]

#: The protocol's candidates, and the models scored beside them for context.
CANDIDATES = ("smp", "compromise-smp", "eum-pair")
MODELS = ("compromise", "median", "eum", *CANDIDATES)
#: The bootstrap's seed, fixed by the protocol.
SEED = 20261206
RESAMPLES = 10_000


@dataclass(frozen=True)
class Check:
    """The back-test with differences to the compromise model (``vs_compromise``) and the
    same forecasts scored with differences to the constant-50 baseline (``vs_constant``)."""

    vs_compromise: Backtest
    vs_constant: Backtest

    def row(self, name: str) -> tuple[Score, Score]:
        """The model's score over all issues, against each reference."""
        return _all(self.vs_compromise, name), _all(self.vs_constant, name)


def _all(bt: Backtest, name: str) -> Score:
    return next(s for s in bt.scores if s.dimension == "all" and s.name == name)


def check(
    path: str | Path,
    *,
    seed: int = SEED,
    resamples: int = RESAMPLES,
    workers: int | None = None,
    models: Sequence[str] = MODELS,
) -> Check:
    """The protocol's check of the back-test file ``path`` (DEU III's table), of ``models``
    (the protocol's; ``scripts/standing.py`` gives every registered model)."""
    cases, source = load_cases(path)
    bt = backtest((cases, source), model=list(models), seed=seed, resamples=resamples,
                  workers=workers)  # fmt: skip
    vs50 = score(
        cases,
        bt.forecasts,
        bt.kinds,
        source=source,
        parameters=bt.parameters,
        reference="constant-50",
        seed=seed,
        resamples=resamples,
    )
    return Check(bt, vs50)


def _interval(s: Score) -> str:
    d = s.diff["mae"] if s.diff else None
    if d is None:
        return "-"
    ci = "" if d.low is None or d.high is None else f" [{d.low:+.1f}, {d.high:+.1f}]"
    return f"{d.point:+.1f}{ci}"


def standing(result: Check, name: str) -> str:
    """One line of ``name``'s measured standing (what its ``ModelSpec.standing`` says)."""
    c, k = result.row(name)
    total = len(result.vs_compromise.cases)
    cover = "" if c.n == total else f"; forecasts {c.n} of {total} issues"
    return (
        f"DEU III dev: MAE {c.mae:.1f}; vs compromise {_interval(c)}; vs constant 50 "
        f"{_interval(k)}{cover} (docs/explanation/accuracy.md)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("file", help="DEU III's development table (deu3-dev.tsv)")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    result = check(args.file, workers=args.workers)
    total = len(result.vs_compromise.cases)
    print(f"{total} issues, {len(set(result.vs_compromise.clusters))} proposals; seed {SEED}")
    print(f"{'model':<16}{'issues':>7}{'MAE':>7}{'median':>8}{'RMSE':>7}  "
          f"{'vs compromise':<20}{'vs constant 50':<20}")  # fmt: skip
    names = [*MODELS, *(n for n in result.vs_compromise.forecasts if n not in MODELS)]
    for name in names:
        c, k = result.row(name)
        print(
            f"{name:<16}{c.n:>7}{c.mae:>7.1f}{c.median_ae:>8.1f}{c.rmse:>7.1f}  "
            f"{_interval(c):<20}  {_interval(k):<20}"
        )
    print()
    for note in result.vs_compromise.notes:
        print(f"note: {note}")
    print()
    for name in CANDIDATES:
        print(f"{name}: {standing(result, name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
