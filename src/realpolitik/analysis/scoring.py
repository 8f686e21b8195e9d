"""A back-test's scores and its result: per model and baseline the errors of its forecasts
against the outcomes (MAE, median absolute error, RMSE, in points of a 0-100 scale), the
difference of each to the reference with its paired cluster-bootstrap interval, per table
(all issues, then each breakdown group), and the frozen :class:`Backtest` that holds them
with how they were made (:mod:`realpolitik.analysis.backtest` explains the method).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..errors import (
    InputError,
    UnknownNameError,
    check_whole,
    seed_or_fresh,
)
from ..results import (
    JsonResult,
    Provenance,
    ProvenanceFields,
    Subject,
    SubjectError,
    field_values,
    freeze,
    from_field_values,
    jsonable,
    readonly,
)
from ..scenario import Scenario
from .bootstrap import (
    DEFAULT_RESAMPLES,
    METRICS,
    metrics,
    paired_bootstrap,
)
from .cases import Case

__all__ = [
    "FORMAT",
    "MAX_RESAMPLES",
    "MIN_CLUSTERS",
    "Backtest",
    "Interval",
    "Score",
    "errors",
    "score",
    "source_subject",
]

FORMAT = "realpolitik-backtest/1"
MAX_RESAMPLES = 1_000_000
#: Fewer clusters than this behind a table's intervals are noted (``few_clusters`` in the
#: JSON): a bootstrap of a handful of proposals or scenarios says little.
MIN_CLUSTERS = 10


@dataclass(frozen=True)
class Interval:
    """A difference to the reference model (this minus the reference: negative is better)
    and its bootstrap interval (``None`` where there is none)."""

    point: float
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"point": self.point, "low": self.low, "high": self.high})  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Score:
    """One model's (or baseline's) metrics over the issues of one table: all issues
    (``dimension`` and ``group`` ``"all"``) or one group of a breakdown. ``n`` issues were
    forecast; ``diff`` maps each metric to its difference to the reference model over the
    ``n_paired`` issues both forecast (``None`` for the reference itself)."""

    dimension: str
    group: str
    name: str
    kind: str
    n: int
    mae: float
    median_ae: float
    rmse: float
    n_paired: int = 0
    diff: Mapping[str, Interval] | None = None

    def metric(self, name: str) -> float:
        return float(getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        return field_values(
            self,
            **dict.fromkeys(METRICS, jsonable),
            diff=lambda diff: None if diff is None else {k: v.to_dict() for k, v in diff.items()},
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Score:
        def num(x: Any) -> float:
            return math.nan if x is None else float(x)

        def diff(given: Mapping[str, Any] | None) -> dict[str, Interval] | None:
            if given is None:
                return None
            return {k: Interval(num(v["point"]), v["low"], v["high"]) for k, v in given.items()}

        return from_field_values(
            cls, d, n=int, **dict.fromkeys(METRICS, num), n_paired=int, diff=diff
        )


def errors(forecast: np.ndarray, outcome: np.ndarray, span: np.ndarray) -> np.ndarray:
    return np.abs(forecast - outcome) / span * 100.0


def _tables(groups: Mapping[str, Sequence[str]], n: int) -> list[tuple[str, str, np.ndarray]]:
    tables = [("all", "all", np.ones(n, dtype=bool))]
    for dim, labels in groups.items():
        arr = np.array(labels, dtype=object)
        for g in sorted(set(labels)):
            tables.append((dim, g, arr == g))
    return tables


def _score(
    *,
    forecasts: Mapping[str, np.ndarray],
    kinds: Mapping[str, str],
    outcomes: np.ndarray,
    spans: np.ndarray,
    clusters: Sequence[str],
    groups: Mapping[str, Sequence[str]],
    reference: str | None,
    seed: int,
    resamples: int,
    confidence: float,
) -> tuple[Score, ...]:
    errs = {name: errors(f, outcomes, spans) for name, f in forecasts.items()}
    rows: list[Score] = []
    for t, (dim, group, mask) in enumerate(_tables(groups, len(outcomes))):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(t,)))
        cl = [c for c, keep in zip(clusters, mask, strict=True) if keep]
        ref = errs[reference][mask] if reference in errs else None
        others = {name: e[mask] for name, e in errs.items() if name != reference}
        cis = {}
        if ref is not None:
            cis = paired_bootstrap(others, ref, cl, rng, resamples, confidence)
        for name, e_all in errs.items():
            e = e_all[mask]
            m = metrics(e)
            diff: dict[str, Interval] | None = None
            paired = 0
            if ref is not None and name != reference:
                both = ~np.isnan(e) & ~np.isnan(ref)
                paired = int(both.sum())
                mm, mr = metrics(e[both]), metrics(ref[both])
                diff = {k: Interval(mm[k] - mr[k], *cis[name][k]) for k in METRICS}
            rows.append(
                Score(
                    dimension=dim,
                    group=group,
                    name=name,
                    kind=kinds[name],
                    n=int((~np.isnan(e)).sum()),
                    mae=m["mae"],
                    median_ae=m["median_ae"],
                    rmse=m["rmse"],
                    n_paired=paired,
                    diff=diff,
                )
            )
    return tuple(rows)


@dataclass(frozen=True, eq=False)
class Backtest(ProvenanceFields, JsonResult):
    """Models and baselines scored against observed outcomes, and how it was done.

    Per issue (``cases``, in order): its cluster, outcome, scale span, groups, and each
    entry's forecast (``forecasts[name]``, ``nan`` where it made none). ``scores`` holds
    every table (all issues, then each breakdown group); ``source`` says what was read
    (file and its hash, rows, weights, missing values, ...); ``parameters`` each model's
    parameters; ``seed``, ``resamples`` and ``confidence`` the bootstrap's; ``states`` the
    EUM's per issue (1 settled, 2 cycle, 0 unsettled).
    """

    format_id: ClassVar[str] = FORMAT
    kind: ClassVar[str] = "back-test"
    record_kind: ClassVar[str] = "backtest"

    provenance: Provenance
    source: Mapping[str, Any]
    cases: tuple[str, ...]
    clusters: tuple[str, ...]
    outcomes: np.ndarray
    spans: np.ndarray
    groups: Mapping[str, tuple[str, ...]]
    forecasts: Mapping[str, np.ndarray]
    kinds: Mapping[str, str]
    reference: str | None
    resamples: int
    confidence: float
    scores: tuple[Score, ...]
    states: Mapping[str, np.ndarray] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    coverage: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        freeze(
            self,
            outcomes=readonly(self.outcomes),
            spans=readonly(self.spans),
            forecasts=MappingProxyType({k: readonly(v) for k, v in self.forecasts.items()}),
            states=MappingProxyType({k: readonly(v) for k, v in self.states.items()}),
            groups=MappingProxyType({k: tuple(v) for k, v in self.groups.items()}),
            kinds=MappingProxyType(dict(self.kinds)),
            source=MappingProxyType(dict(self.source)),
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The models, then the baselines, in the order run."""
        return tuple(self.forecasts)

    def errors(self, name: str) -> np.ndarray:
        """The absolute errors of ``name`` per issue, in points of a 0-100 scale."""
        if name not in self.forecasts:
            raise UnknownNameError(
                f"{name!r} was not scored; this back-test has {', '.join(self.names)}"
            )
        return errors(self.forecasts[name], self.outcomes, self.spans)

    def leaderboard(self, dimension: str = "all", group: str = "all") -> tuple[Score, ...]:
        """The scores of one table, best (lowest MAE) first; entries with no forecast last."""
        rows = [s for s in self.scores if s.dimension == dimension and s.group == group]
        if not rows:
            raise UnknownNameError(
                f"no table {dimension}={group}; tables: {', '.join(self.tables())}"
            )
        return tuple(sorted(rows, key=lambda s: (math.isnan(s.mae), s.mae, s.name)))

    @property
    def few_clusters(self) -> bool:
        """Whether the intervals of the whole set rest on fewer than :data:`MIN_CLUSTERS`
        clusters (at least two: with fewer there are none)."""
        return 2 <= len(set(self.clusters)) < MIN_CLUSTERS

    def tables(self) -> tuple[str, ...]:
        """The tables scored, as ``dimension=group`` (``all=all`` first)."""
        return tuple(dict.fromkeys(f"{s.dimension}={s.group}" for s in self.scores))

    def run_parameters(self) -> dict[str, Any]:
        """The models run (not the baselines) and their parameters, the bootstrap
        ``resamples``, the ``sealed`` run graded (``None`` for none) and, for a DEU III table,
        its ``weights``, ``treaty_rule``, ``missing_salience`` and ``source_sha256``."""
        params: dict[str, Any] = {
            "models": [n for n, k in self.kinds.items() if k == "model"],
            "model_parameters": {k: dict(v) for k, v in self.parameters.items()},
            "resamples": self.resamples,
            "sealed": (self.source.get("sealed") or {}).get("run"),
        }
        if self.source.get("kind") == "deu":
            params.update(
                weights=(self.source.get("weights") or {}).get("name"),
                treaty_rule=self.source.get("treaty_rule"),
                missing_salience=self.source.get("missing_salience"),
                source_sha256=self.source.get("sha256"),
            )
        return params

    def run_subject(self, scenario: Scenario | None) -> Scenario | Mapping[str, Any]:
        """What the run history files a back-test under: the scenario file it read, when it
        read one (``scenario`` must be it, outcomes included); else a description of the
        table or folder (its name, kind, hash and rows, and the scenarios' hashes)."""
        src = self.source
        scenarios = [s.get("hash") for s in src.get("scenarios", ())]
        if src.get("kind") == "scenarios" and len(scenarios) == 1 and "folder" not in src:
            if scenario is None or scenario.content_hash() != scenarios[0]:
                given = (
                    "none was given"
                    if scenario is None
                    else f"not {scenario.id!r} ({scenario.content_hash()[:19]})"
                )
                raise SubjectError(
                    f"the back-test read scenario {src['scenarios'][0].get('id')!r} "
                    f"({str(scenarios[0])[:19]}); expected that scenario, {given}"
                )
            return scenario
        where = str(src.get("folder") or src.get("file") or self.scenario_id)
        name = Path(where).name or where
        return {
            "id": f"backtest:{name}",
            "name": f"back-test of {name}",
            "source": {k: src.get(k) for k in ("kind", "file", "sha256", "rows", "folder")},
            "scenarios": scenarios,
        }

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: the overall leaderboard and the counts."""
        return {
            "cases": len(self.cases),
            "clusters": len(set(self.clusters)),
            "leaderboard": [s.to_dict() for s in self.leaderboard()],
            "breakdown": [s.to_dict() for s in self.scores if s.dimension != "all"],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.provenance.to_dict(),
            "source": jsonable(dict(self.source)),
            "reference": self.reference,
            "resamples": self.resamples,
            "confidence": self.confidence,
            "few_clusters": self.few_clusters,
            "kinds": dict(self.kinds),
            "notes": list(self.notes),
            "coverage": [c.to_dict() for c in self.coverage],
            "leaderboard": [s.to_dict() for s in self.leaderboard()],
            "scores": [s.to_dict() for s in self.scores],
            "cases": {
                "id": list(self.cases),
                "cluster": list(self.clusters),
                "outcome": jsonable(self.outcomes),
                "span": jsonable(self.spans),
                "groups": {k: list(v) for k, v in self.groups.items()},
                "forecasts": {k: jsonable(v) for k, v in self.forecasts.items()},
                "states": {k: jsonable(v) for k, v in self.states.items()},
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Backtest:
        cls.check_format(d)
        c = d["cases"]

        def arr(x: Any) -> np.ndarray:
            return np.array([math.nan if v is None else v for v in x], dtype=float)

        return cls(
            provenance=Provenance.from_dict(d, "data"),
            source=d["source"],
            cases=tuple(c["id"]),
            clusters=tuple(c["cluster"]),
            outcomes=arr(c["outcome"]),
            spans=arr(c["span"]),
            groups=c["groups"],
            forecasts={k: arr(v) for k, v in c["forecasts"].items()},
            kinds=d["kinds"],
            reference=d["reference"],
            resamples=d["resamples"],
            confidence=d["confidence"],
            scores=tuple(Score.from_dict(s) for s in d["scores"]),
            states={k: arr(v) for k, v in c.get("states", {}).items()},
            notes=tuple(d.get("notes", ())),
            coverage=tuple(_coverage_from(c) for c in d.get("coverage", ())),
        )


def check_settings(seed: int | None, resamples: int, confidence: float) -> int:
    seed = seed_or_fresh(seed)
    check_whole(resamples, "resamples", low=1, high=MAX_RESAMPLES)
    if isinstance(confidence, bool) or not (
        isinstance(confidence, (int, float, np.integer, np.floating)) and 0 < confidence < 1
    ):
        raise InputError(f"confidence must lie between 0 and 1, got {confidence!r}")
    return seed


def source_subject(source: Mapping[str, Any]) -> Subject:
    """What a back-test was computed from, named as results name their input: a DEU file
    (its name and SHA-256) or scenarios (their ids; the hash of their content hashes)."""
    if source.get("kind") == "deu":
        return Subject("data", str(source.get("file")), "DEU", str(source.get("sha256")))
    ids = [str(s.get("id")) for s in source.get("scenarios", ())]
    digest = hashlib.sha256(
        "\n".join(str(s.get("hash")) for s in source.get("scenarios", ())).encode()
    ).hexdigest()
    return Subject("data", ",".join(ids), "scenarios", f"sha256:{digest}")


def score(
    cases: Sequence[Case],
    forecasts: Mapping[str, np.ndarray],
    kinds: Mapping[str, str],
    *,
    source: Mapping[str, Any],
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    reference: str | None = "compromise",
    seed: int | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    states: Mapping[str, np.ndarray] | None = None,
    notes: Iterable[str] = (),
) -> Backtest:
    """Score given ``forecasts`` (name -> one per case, ``nan`` for none) of ``cases``."""
    seed = check_settings(seed, resamples, confidence)
    if not cases:
        raise InputError("no case to score: expected at least one issue with an outcome")
    ids = [c.id for c in cases]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise InputError(f"case ids given twice: {', '.join(twice)}")
    dims = sorted({d for c in cases for d in c.groups})
    groups = {d: tuple(c.groups.get(d, "(none)") for c in cases) for d in dims}
    outcomes = np.array([c.outcome for c in cases])
    spans = np.array([c.span for c in cases])
    clusters = tuple(c.cluster for c in cases)
    # what is scored, and kept in the result beside the scores
    data: dict[str, Any] = {
        "forecasts": {k: np.asarray(v, dtype=float) for k, v in forecasts.items()},
        "kinds": kinds,
        "outcomes": outcomes,
        "spans": spans,
        "clusters": clusters,
        "groups": groups,
        "reference": reference if reference in forecasts else None,
        "resamples": int(resamples),
        "confidence": float(confidence),
    }
    scores = _score(**data, seed=seed)
    notes = list(notes)
    if len(set(clusters)) < 2:
        notes.append(
            f"{len(set(clusters))} cluster: no bootstrap interval (it resamples whole "
            "proposals or scenarios)"
        )
    few = []
    for dim, group, mask in _tables(groups, len(cases)):
        k = len({c for c, keep in zip(clusters, mask, strict=True) if keep})
        if 2 <= k < MIN_CLUSTERS:
            few.append(f"{'all issues' if dim == 'all' else f'{dim} {group}'} ({k} clusters)")
    if few:
        notes.append(
            f"fewer than {MIN_CLUSTERS} clusters (whole proposals or scenarios) behind the "
            f"intervals of {', '.join(few)}: a bootstrap of so few is rough, and its "
            f"intervals are not to be read as {confidence:.0%} intervals"
        )
    return Backtest(
        provenance=Provenance(source_subject(source), parameters or {}, seed),
        source=source,
        cases=tuple(ids),
        **data,
        scores=scores,
        states=states or {},
        notes=tuple(notes),
    )


def _coverage_from(d: Mapping[str, Any]) -> Any:
    from .calibration import Coverage

    spread = math.nan if d["spread"] is None else float(d["spread"])
    return Coverage(d["model"], spread, d["cases"], d["of"], d["covered"], d["width"])
