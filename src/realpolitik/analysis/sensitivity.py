"""Which uncertain number matters: Sobol indices and a one-at-a-time tornado.

:func:`sensitivity` asks, for each issue's forecast under each model, how much of its
variance over the scenario's ranges (``{value, low, high, distribution}`` in the file) is
due to each ranged number:

* the **first-order** Sobol index S1 of input i is the share of the forecast's variance
  that input i explains alone, Var(E[Y | X_i]) / Var(Y);
* the **total-order** index ST is the share it takes part in, alone or in interaction
  with others, E[Var(Y | X_~i)] / Var(Y) (Sobol 2001, eqs. 3 and 9). ST >= S1; ST near 0
  means the number may be fixed at any value of its range without changing the forecast.

Both are estimated with Saltelli's design (Saltelli 2002; Saltelli et al. 2010, eqs. (b)
and (f) of their Table 2), as implemented by SALib (``SALib.sample.sobol`` and
``SALib.analyze.sobol``), with bootstrap 95% confidence half-widths. The design lives on
the unit hypercube [0, 1]^k, one axis per uncertain input in the order of
:func:`~realpolitik.scenario.uncertainty.uncertain_inputs`; a point becomes the scenario's
values through each input's inverse CDF (:func:`~realpolitik.scenario.uncertainty.
draw_values`), exactly as the draws of :func:`~realpolitik.analysis.ensemble.simulate`
do, and the points are evaluated in chunks on the same runner, by the same code
(:func:`~realpolitik.analysis.ensemble.run_chunk`).

The **tornado** is the one-at-a-time view: each input at the low and at the high end of its
range, every other number at its best estimate, and the forecast of each issue at both
ends; the inputs are sorted by the swing |high - low|. It shows direction (which end pulls
the forecast where) where the Sobol indices show shares of variance.

A forecast that does not move over the ranges (a median that stays on one actor's
position, say) has no variance to share out: SALib would answer ``nan``. Such an issue is
reported with ``constant=True`` and every index 0.

SALib is the optional extra ``realpolitik[sensitivity]``, imported only when an analysis
runs.

**Groups.** With many ranged numbers (``caucasus-2022`` has 139), n (k + 2) evaluations are
many, and 139 indices per issue are more than a reader takes in. ``by="actor"`` makes each
actor's ranged numbers one factor of the design: they move together from the same column of
the unit hypercube's resampling (Jacques, Lavergne & Devictor 2006; SALib's ``groups``), and
an index is the share of variance due to that actor's numbers, alone (S1) or with others
(ST). A ranged status quo, which is no actor's, is a factor of its own
(``ISSUE.status_quo``); a shock's value counts with its actor's numbers. The default
``by="auto"`` does so beyond :data:`AUTO_INPUTS` inputs. The tornado stays per input: it
costs 2k + 1 evaluations and shows which of an actor's numbers pulls where.

Complexity: n (g + 2) model evaluations for the Sobol indices (n base samples, g factors:
the k uncertain inputs, or the actors with a ranged number) plus 2k + 1 for the tornado
(each end of each input, and the best estimates), each evaluation being the models' own
cost per issue; the points are vectorised as the columns of one model input per chunk. The
analysis adds O(models x issues x g x n x resamples).

References: J. Jacques, C. Lavergne & N. Devictor (2006), Sensitivity analysis in presence
of model uncertainty and correlated inputs, *Reliab. Eng. Syst. Saf.* 91, 1126-1134;
I. M. Sobol' (2001), *Math. Comput. Simul.* 55, 271-280; A. Saltelli (2002),
*Comput. Phys. Commun.* 145, 280-297; A. Saltelli et al. (2010), *Comput. Phys. Commun.*
181, 259-270; J. Herman & W. Usher (2017), SALib, *JOSS* 2(9), 97.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..errors import RealpolitikError, UnknownNameError, seed_or_fresh
from ..models.plan import plan_models
from ..results import JsonResult, Provenance, ProvenanceFields, Subject, freeze, jsonable
from ..scenario import Scenario, load
from ..scenario.uncertainty import Values, draw_values, point_values, uncertain_inputs
from .ensemble import (
    Chunk,
    default_chunk_size,
    evaluate,
    run_chunk,
    unranged,
)

__all__ = [
    "FORMAT",
    "INSTALL_HINT",
    "IssueSobol",
    "Sensitivity",
    "SensitivityError",
    "Tornado",
    "TornadoBar",
    "sensitivity",
]

FORMAT = "realpolitik-sensitivity/2"
#: Formats still read: /1 had no ``by`` nor ``factors`` (its indices were over the inputs).
READS = ("realpolitik-sensitivity/1",)
INSTALL_HINT = "sensitivity needs the sensitivity extra: pip install 'realpolitik[sensitivity]'"
NO_RANGES = (
    "no number of this scenario has a range; give ranges ({value, low, high}) to the numbers "
    "you are unsure of (capabilities, positions, saliences, shock values), then ask which "
    "of them matter"
)
#: Confidence level of the bootstrap half-widths.
CONF_LEVEL = 0.95
#: A forecast whose spread over the design is below this share of the issue's scale is
#: constant (its Sobol indices are reported as 0, with ``constant=True``).
CONSTANT_RTOL = 1e-12
#: The largest number of base samples one analysis may ask for.
MAX_SAMPLES = 2**20
#: What the Sobol indices may be over: each ranged number, or each actor's numbers together.
BY = ("auto", "input", "actor")
#: ``by="auto"`` gives indices per input up to this many ranged numbers, per actor beyond.
AUTO_INPUTS = 24


class SensitivityError(RealpolitikError):
    """A sensitivity analysis that cannot run: no ranges, bad settings, no SALib."""


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class IssueSobol:
    """The Sobol indices of one issue's forecast under one model.

    ``s1``, ``s1_conf``, ``st``, ``st_conf``: one value per factor (the order of
    :attr:`Sensitivity.factors`: the uncertain inputs, or the actors whose numbers vary
    together), the ``_conf`` values being 95% confidence half-widths.
    ``mean`` and ``sd``: the forecast's mean and standard deviation over the design's
    sample (its base matrices A and B). ``constant``: the forecast did not move, so
    every index is reported as 0 (SALib would give ``nan``). ``undetermined``: the share of
    the design's evaluations in which the model gave no forecast (a dynamic model that does
    not settle); where it is above 0 the variance is not defined and every index is
    ``nan``; ``mean`` and ``sd`` are then over the others.
    """

    issue: str
    s1: tuple[float, ...]
    s1_conf: tuple[float, ...]
    st: tuple[float, ...]
    st_conf: tuple[float, ...]
    mean: float
    sd: float
    constant: bool = False
    undetermined: float = 0.0

    def to_dict(self, factors: Sequence[str]) -> dict[str, Any]:
        rows = [
            {"factor": name, "S1": a, "S1_conf": b, "ST": c, "ST_conf": d}
            for name, a, b, c, d in zip(
                factors, self.s1, self.s1_conf, self.st, self.st_conf, strict=True
            )
        ]
        return jsonable(  # type: ignore[no-any-return]
            {
                "issue": self.issue,
                "constant": self.constant,
                "undetermined": self.undetermined,
                "mean": self.mean,
                "sd": self.sd,
                "indices": rows,
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> IssueSobol:
        rows = d["indices"]

        def col(key: str) -> tuple[float, ...]:
            return tuple(math.nan if r[key] is None else float(r[key]) for r in rows)

        return cls(
            issue=d["issue"],
            s1=col("S1"),
            s1_conf=col("S1_conf"),
            st=col("ST"),
            st_conf=col("ST_conf"),
            mean=math.nan if d["mean"] is None else float(d["mean"]),
            sd=math.nan if d["sd"] is None else float(d["sd"]),
            constant=bool(d["constant"]),
            undetermined=float(d.get("undetermined", 0.0)),
        )


@dataclass(frozen=True)
class TornadoBar:
    """One input of a tornado: its ``low`` and ``high`` ends and the forecast at each."""

    input: str
    low: float
    high: float
    at_low: float
    at_high: float

    @property
    def swing(self) -> float:
        """``at_high - at_low``: signed, so that it shows which end pulls which way."""
        return self.at_high - self.at_low

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["swing"] = self.swing
        return jsonable(d)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Tornado:
    """The one-at-a-time tornado of one issue under one model: the forecast at the best
    estimates (``point``), and one bar per input, the largest |swing| first (ties in the
    order of the inputs)."""

    issue: str
    point: float
    bars: tuple[TornadoBar, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "point": jsonable(self.point),
            "bars": [b.to_dict() for b in self.bars],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Tornado:
        return cls(
            issue=d["issue"],
            point=float(d["point"]),
            bars=tuple(
                TornadoBar(b["input"], b["low"], b["high"], b["at_low"], b["at_high"])
                for b in d["bars"]
            ),
        )


@dataclass(frozen=True, eq=False)
class Sensitivity(ProvenanceFields, JsonResult):
    """The result of :func:`sensitivity`, with how it was made.

    ``sobol[model]`` holds one :class:`IssueSobol` per issue, ``tornado[model]`` one
    :class:`Tornado` per issue (both in the order of ``issues``); ``inputs`` are the
    uncertain inputs' labels (``--set`` style). Provenance: the scenario's content hash,
    each model's parameters, the base samples ``n``, the ``seed`` (of the design and of the
    bootstrap), the bootstrap ``resamples``, the number of model ``evaluations`` and the
    library version.

    The Sobol indices are over ``factors``: the inputs themselves (``by == "input"``) or
    the actors (``by == "actor"``: all of an actor's ranged numbers vary as one group, and
    an index is the share of variance due to that actor's numbers together; Jacques et
    al. 2006; a ranged status quo is a factor of its own, ``ISSUE.status_quo``). The
    tornado is always per input.
    """

    format_id: ClassVar[str] = FORMAT
    reads: ClassVar[tuple[str, ...]] = READS
    kind: ClassVar[str] = "sensitivity analysis"
    record_kind: ClassVar[str] = "sensitivity"

    provenance: Provenance
    issues: tuple[str, ...]
    inputs: tuple[str, ...]
    shocks: tuple[str, ...]
    n: int
    resamples: int
    sobol: Mapping[str, tuple[IssueSobol, ...]]
    tornado: Mapping[str, tuple[Tornado, ...]]
    conf_level: float = CONF_LEVEL
    evaluations: Mapping[str, int] = field(default_factory=dict)
    default_spread: float | None = None
    by: str = "input"
    factors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        k = len(self.inputs)
        factors = tuple(self.factors) or tuple(self.inputs)
        freeze(
            self,
            factors=factors,
            sobol=MappingProxyType({k: tuple(v) for k, v in self.sobol.items()}),
            tornado=MappingProxyType({k: tuple(v) for k, v in self.tornado.items()}),
            evaluations=MappingProxyType(
                {"sobol": self.n * (len(factors) + 2), "tornado": 2 * k + 1}
            ),
        )

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.sobol)

    def issue_sobol(self, model: str, issue: str) -> IssueSobol:
        """The Sobol indices of ``issue`` under ``model``."""
        return self._get(self.sobol, model)[self._issue_index(issue)]

    def issue_tornado(self, model: str, issue: str) -> Tornado:
        """The tornado of ``issue`` under ``model``."""
        return self._get(self.tornado, model)[self._issue_index(issue)]

    def ranked(self, model: str, issue: str) -> list[tuple[str, float, float]]:
        """``(factor, ST, S1)`` for ``issue`` under ``model``, the largest total-order index
        first (ties in the order of the factors)."""
        s = self.issue_sobol(model, issue)
        order = sorted(range(len(self.factors)), key=lambda i: (-_key(s.st[i]), i))
        return [(self.factors[i], s.st[i], s.s1[i]) for i in order]

    def _issue_index(self, issue: str) -> int:
        if issue not in self.issues:
            raise UnknownNameError(f"no issue {issue!r}; the issues are {', '.join(self.issues)}")
        return self.issues.index(issue)

    def _get(self, table: Mapping[str, Any], model: str) -> Any:
        if model not in table:
            raise UnknownNameError(
                f"model {model!r} was not analysed; this analysis has {', '.join(self.models)}"
            )
        return table[model]

    # ------------------------------------------------------------ serialising
    def run_parameters(self) -> dict[str, Any]:
        """The models and their parameters, the base samples ``n``, the bootstrap
        ``resamples``, the uncertain ``inputs`` varied and what the indices are ``by``."""
        return {
            **super().run_parameters(),
            "n": self.n,
            "resamples": self.resamples,
            "inputs": list(self.inputs),
            "by": self.by,
            **({} if self.default_spread is None else {"default_spread": self.default_spread}),
        }

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: ``forecasts`` (model -> issue -> the forecast at the
        best estimates) and ``sobol`` (model -> issue -> whether the forecast was constant,
        and each factor's S1 and ST)."""
        return {
            "forecasts": {m: {t.issue: t.point for t in self.tornado[m]} for m in self.models},
            "sobol": {
                m: {
                    s.issue: {
                        "constant": s.constant,
                        "ST": dict(zip(self.factors, s.st, strict=True)),
                        "S1": dict(zip(self.factors, s.s1, strict=True)),
                    }
                    for s in self.sobol[m]
                }
                for m in self.models
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.provenance.to_dict(),
            "n": self.n,
            "resamples": self.resamples,
            "conf_level": self.conf_level,
            "evaluations": dict(self.evaluations),
            "issues": list(self.issues),
            "default_spread": self.default_spread,
            "inputs": list(self.inputs),
            "by": self.by,
            "factors": list(self.factors),
            "shocks": list(self.shocks),
            "sobol": {m: [s.to_dict(self.factors) for s in v] for m, v in self.sobol.items()},
            "tornado": {m: [t.to_dict() for t in v] for m, v in self.tornado.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Sensitivity:
        cls.check_format(d)
        return cls(
            provenance=Provenance.from_dict(d),
            issues=tuple(d["issues"]),
            inputs=tuple(d["inputs"]),
            shocks=tuple(d["shocks"]),
            n=int(d["n"]),
            resamples=int(d["resamples"]),
            sobol={m: tuple(IssueSobol.from_dict(s) for s in v) for m, v in d["sobol"].items()},
            tornado={m: tuple(Tornado.from_dict(t) for t in v) for m, v in d["tornado"].items()},
            conf_level=float(d["conf_level"]),
            default_spread=d.get("default_spread"),
            by=str(d.get("by", "input")),
            factors=tuple(d.get("factors", d["inputs"])),
        )


def _key(x: float) -> float:
    return -math.inf if math.isnan(x) else x


# ------------------------------------------------------------------ the verb


def _import_salib() -> tuple[Any, Any]:
    """SALib's Sobol sampler and analyser; the install hint if the extra is missing."""
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError as exc:
        raise SensitivityError(INSTALL_HINT) from exc
    return sample, analyze


def _child_seed(seed: int, k: int) -> int:
    """A non-zero 63-bit seed derived from ``seed`` for purpose ``k`` (0: the design's
    scrambling, 1: the bootstrap). Non-zero because SALib's analyser treats a seed of 0 as
    no seed at all and would draw from numpy's global state."""
    state = np.random.SeedSequence(entropy=seed, spawn_key=(k,)).generate_state(2, np.uint32)
    value = (int(state[0]) << 31) ^ int(state[1])
    return value or 1


def sensitivity(
    scenario: Scenario | str | None = None,
    model: str | Sequence[str] = "all",
    *,
    n: int = 512,
    seed: int | None = None,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    resamples: int = 100,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    backend: Any = None,
    progress: Callable[[int, int], object] | None = None,
    unranged_spread: float | str | None = "calibrated",
    by: str = "auto",
) -> Sensitivity:
    """Sobol indices and a tornado of every issue's forecast, per model, with respect to
    the scenario's uncertain inputs (its ranged numbers).

    ``n`` is the number of base samples of Saltelli's design (a power of two, 4 to 2**20);
    the models are evaluated at n (g + 2) points for g factors, plus 2k + 1 for the tornado
    of the k uncertain inputs. ``by`` says what the factors are: ``"input"``, each ranged
    number (g = k); ``"actor"``, each actor's ranged numbers as one group (g = the actors
    with a ranged number: the indices say whose numbers matter, for far fewer evaluations
    when actors have many ranged numbers); ``"auto"`` (the default), by input up to
    :data:`AUTO_INPUTS` ranged numbers and by actor beyond. ``seed`` fixes the design's
    scrambling and the bootstrap of the confidence intervals (a fresh one is drawn and
    recorded if ``None``); ``resamples`` is the number of bootstrap resamples. The result
    is byte-identical for the same seed whatever ``workers`` (a local process pool; 1 runs
    in this process), ``scheduler`` (a Dask cluster address), ``backend`` or
    ``chunk_size``. ``progress(done, total)`` is called as
    chunks of points complete.

    An issue whose forecast does not move over the design gets ``constant=True`` and
    indices of 0, not the ``nan`` SALib would give.

    A scenario with no ranged number is analysed with ``unranged_spread`` on every position
    and salience (by default the calibrated default spread, recorded as ``default_spread``;
    as for :func:`~realpolitik.analysis.ensemble.simulate`).

    Raises :class:`SensitivityError` if the scenario has no ranged number (and
    ``unranged_spread`` is ``None``), if ``n`` or
    ``resamples`` is out of range, or if SALib (the ``sensitivity`` extra) is not installed;
    :class:`~realpolitik.errors.InputError` for a bad ``seed``.
    """
    from ..runner import chunks, run, session

    sample_mod, analyze_mod = _import_salib()
    given = load(scenario)
    sc, applied = unranged(given, unranged_spread)
    n = _whole(n, "n")
    if not 4 <= n <= MAX_SAMPLES or n & (n - 1):
        raise SensitivityError(
            f"n (the base samples) must be a power of two from 4 to {MAX_SAMPLES:,}, got {n}"
        )
    resamples = _whole(resamples, "resamples")
    if not 2 <= resamples <= 100_000:
        raise SensitivityError(f"resamples must be 2 to 100,000, got {resamples}")
    seed = seed_or_fresh(seed)
    inputs = uncertain_inputs(sc)
    if not inputs:
        raise SensitivityError(NO_RANGES)
    if by not in BY:
        raise SensitivityError(f"`by` must be one of {', '.join(BY)}, got {by!r}")
    if by == "auto":
        by = "input" if len(inputs) <= AUTO_INPUTS else "actor"
    plans = plan_models(model, rounds, params)
    k = len(inputs)
    labels = tuple(u.label for u in inputs)
    problem: dict[str, Any] = {"num_vars": k, "names": list(labels), "bounds": [[0.0, 1.0]] * k}
    factors = labels
    if by == "actor":
        # a status quo is no actor's: it is a factor of its own, named as the input is
        groups = [u.actor or u.label for u in inputs]
        problem["groups"] = groups
        factors = tuple(dict.fromkeys(groups))  # SALib's order: first appearance
    one_group = len(factors) == 1 and k > 1  # SALib ignores a single group
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = np.asarray(
            sample_mod.sample(
                {key: v for key, v in problem.items() if not (one_group and key == "groups")},
                n,
                calc_second_order=False,
                seed=_child_seed(seed, 0),
            ),
            dtype=float,
        )
    if one_group:
        # Saltelli's blocks for one group: A, A with the group's columns from B (= B), B
        blocks = design.reshape(n, k + 2, k)
        design = np.stack([blocks[:, 0], blocks[:, -1], blocks[:, -1]], axis=1).reshape(-1, k)
        problem = {"num_vars": 1, "names": list(factors), "bounds": [[0.0, 1.0]]}
    points = design.shape[0]  # n (g + 2)

    models = _child_seed(seed, 2)  # a stochastic model's own random numbers, draw by draw
    with session(backend, workers, scheduler) as runner:
        size = chunk_size or default_chunk_size(points, runner.workers)
        parts = chunks(points, size)
        tasks = [
            Chunk(sc, plans, r.start, r.stop, samples=design[r.start : r.stop], model_seed=models)
            for r in parts
        ]
        results = run(
            run_chunk, tasks, backend=runner, weights=[len(r) for r in parts], progress=progress
        )
    forecasts = {
        p.name: np.concatenate([results[i]["forecast"][p.name] for i in range(len(parts))])
        for p in plans
    }

    spans = np.array([i.span for i in sc.issues], dtype=float)
    boot = _child_seed(seed, 1)
    sobol: dict[str, tuple[IssueSobol, ...]] = {}
    for p in plans:
        f = forecasts[p.name]
        sobol[p.name] = tuple(
            _analyse(analyze_mod, problem, f[:, j], issue, spans[j], len(factors), resamples, boot)
            for j, issue in enumerate(sc.issue_ids)
        )

    tornado = _tornado(sc, plans, inputs, labels)
    return Sensitivity(
        provenance=Provenance(Subject.of(given), {p.name: p.parameters() for p in plans}, seed),
        default_spread=applied,
        issues=sc.issue_ids,
        inputs=labels,
        shocks=tuple(h.describe() for h in sc.shocks),
        n=n,
        resamples=resamples,
        sobol=sobol,
        tornado=tornado,
        by=by,
        factors=factors,
    )


def _whole(x: Any, name: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise SensitivityError(f"{name} must be a whole number, got {x!r}")
    return int(x)


def _analyse(
    analyze_mod: Any,
    problem: Mapping[str, Any],
    y: np.ndarray,
    issue: str,
    span: float,
    k: int,
    resamples: int,
    seed: int,
) -> IssueSobol:
    """SALib's first- and total-order indices of one output ``y`` (n (k + 2),), for ``k``
    factors (inputs, or groups of inputs)."""
    # Saltelli's design without second order: blocks of k + 2 rows, A first and B last.
    blocks = y.reshape(-1, k + 2)
    base = np.concatenate([blocks[:, 0], blocks[:, -1]])
    base = base[np.isfinite(base)]
    mean = float(base.mean()) if base.size else math.nan
    sd = float(base.std()) if base.size else math.nan
    scale = span if span > 0 else 1.0
    undetermined = float(np.mean(np.isnan(y))) if y.size else 0.0
    if not np.all(np.isfinite(y)) or float(np.ptp(y)) <= CONSTANT_RTOL * scale:
        zeros = (0.0,) * k
        constant = bool(np.all(np.isfinite(y)))
        nan = (math.nan,) * k
        return IssueSobol(
            issue,
            zeros if constant else nan,
            zeros if constant else nan,
            zeros if constant else nan,
            zeros if constant else nan,
            mean,
            sd,
            constant=constant,
            undetermined=undetermined,
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        si = analyze_mod.analyze(
            dict(problem),
            np.ascontiguousarray(y),
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=CONF_LEVEL,
            seed=seed,
        )

    def col(key: str) -> tuple[float, ...]:
        return tuple(float(v) for v in np.asarray(si[key], dtype=float))

    return IssueSobol(issue, col("S1"), col("S1_conf"), col("ST"), col("ST_conf"), mean, sd)


def _tornado(
    sc: Scenario,
    plans: Sequence[Any],
    inputs: Sequence[Any],
    labels: Sequence[str],
) -> dict[str, tuple[Tornado, ...]]:
    """Each input at each end of its range, the others at their best estimates: 2k + 1
    columns (the best estimates first) evaluated as one batch."""
    ends = np.array([[0.0], [1.0]])  # the inverse CDF at 0 and 1: the range's low and high
    parts = [point_values(sc, 1)] + [draw_values(sc, ends, (inp,)) for inp in inputs]
    values = Values.concat(parts)
    outcomes = evaluate(sc, values, plans)
    out: dict[str, tuple[Tornado, ...]] = {}
    for p in plans:
        f = outcomes[p.name].forecast  # (2k + 1, m)
        per_issue = []
        for j, issue in enumerate(sc.issue_ids):
            bars = [
                TornadoBar(
                    labels[c],
                    float(inp.range.low),
                    float(inp.range.high),
                    float(f[1 + 2 * c, j]),
                    float(f[2 + 2 * c, j]),
                )
                for c, inp in enumerate(inputs)
            ]
            order = sorted(range(len(bars)), key=lambda c: (-_key(abs(bars[c].swing)), c))
            per_issue.append(Tornado(issue, float(f[0, j]), tuple(bars[c] for c in order)))
        out[p.name] = tuple(per_issue)
    return out
