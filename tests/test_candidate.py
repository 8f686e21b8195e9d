"""The candidate models of docs/explanation/candidate-model-protocol.md: the split is the
declared rule, the anchored compromise is its equation, the grid fits recover a kappa that
generated the data, and (with ../shared) the fit and the check on the DEU III development file
give the numbers the docs and the model's docstring state.

DEU III: Arregui & Perarnaud (2022), The Decision-making in the European Union (DEU III)
dataset (1999-2019), doi:10.34810/data53, CC BY 4.0.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis import candidate
from realpolitik.analysis.backtest import Case, backtest, cases_from_deu
from realpolitik.models import REGISTRY, ModelInput, anchored, compromise, get
from realpolitik.models.plan import model_names
from realpolitik.scenario.deu import COLUMNS, load_deu

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


# ------------------------------------------------------------------ the split


def test_the_split_is_the_declared_rule():
    ids = [f"d{k:05d}" for k in range(85)]
    fit, check = candidate.split(reversed(ids + ids[:7]))  # order and repeats do not matter
    # the rule, written out: sorted as strings, permuted by the seed's generator, first ceil(P/2)
    order = np.random.default_rng(20261125).permutation(np.array(sorted(ids)))
    assert candidate.SEED == 20261125
    assert len(fit) == math.ceil(85 / 2) == 43 and len(check) == 42
    assert set(fit) == set(order[:43].tolist()) and set(check) == set(order[43:].tolist())
    assert fit == tuple(sorted(fit)) and check == tuple(sorted(check))
    assert not set(fit) & set(check) and set(fit) | set(check) == set(ids)
    # permuting the ids is permuting their positions: the same draws
    perm = np.random.default_rng(20261125).permutation(85)
    assert order.tolist() == [sorted(ids)[k] for k in perm]


def test_the_split_depends_on_the_seed_and_the_parity():
    ids = [str(k) for k in range(10)]  # sorted as strings: "0", "1", ..., "9"
    assert candidate.split(ids, seed=1) != candidate.split(ids, seed=2)
    fit, check = candidate.split(ids[:7])
    assert (len(fit), len(check)) == (4, 3)
    assert candidate.split(["only"]) == (("only",), ())
    with pytest.raises(ValueError, match="no proposal"):
        candidate.split([])


def _issue_row(cells: dict[str, str]) -> str:
    return "\t".join(cells.get(c, "") for c in COLUMNS)


def synthetic_deu(path: Path, kappa_qmv: float, kappa_unan: float, n: int = 40, seed: int = 1):
    """A DEU-format file whose outcomes are the anchored compromise's forecasts (equal
    capabilities) with kappa_QMV for QMV issues and kappa_Unan for Unan ones; every fifth
    issue has no reference point (its outcome is the compromise forecast). Two issues per
    proposal."""
    rng = np.random.default_rng(seed)
    actors = ("com", "ep", "de", "fr", "it", "nl")
    lines = ["\t".join(COLUMNS)]
    for i in range(n):
        prop = f"p{i // 2:03d}"
        rule = "QMV" if i % 3 else "Unan"
        x = rng.integers(0, 101, len(actors)).astype(float)
        s = rng.integers(10, 101, len(actors)).astype(float)
        c = float((s * x).sum() / s.sum())
        q = float(rng.integers(0, 101)) if i % 5 else None
        k = kappa_qmv if rule == "QMV" else kappa_unan
        out = c if q is None else (c + k * q) / (1 + k)
        cells = {
            "prnr": prop,
            "prname": "synthetic",
            "isnr": f"{prop}i{i}",
            "type": "Dir",
            "council": "IM",
            "proc": "COD",
            "counvte": rule,
            "intro": "15-03-99",
            "rp": "" if q is None else repr(q),
            "out": repr(out),
        }
        for a, xv, sv in zip(actors, x, s, strict=True):
            cells[f"p{a}"], cells[f"s{a}"] = repr(float(xv)), repr(float(sv))
        lines.append(_issue_row(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cases(path: Path):
    return cases_from_deu(load_deu(path, weights="equal"))


def test_no_proposal_is_on_both_sides(tmp_path):
    cases, _ = _cases(synthetic_deu(tmp_path / "s.tsv", 0.3, 0.3))
    fit_ids, check_ids = candidate.split(c.cluster for c in cases)
    fit, check = candidate._part(cases, fit_ids), candidate._part(cases, check_ids)
    assert len(fit) + len(check) == len(cases)
    assert not {c.cluster for c in fit} & {c.cluster for c in check}
    by = {}
    for c in cases:
        by.setdefault(c.cluster, set()).add(c in fit)
    assert all(len(sides) == 1 for sides in by.values())  # every issue goes with its proposal
    with pytest.raises(ValueError, match="both parts"):
        candidate.check(cases[:3], cases[2:5], resamples=10)


# ------------------------------------------------------------------ the model


def test_kappa_zero_and_no_status_quo_are_the_compromise_model():
    rng = np.random.default_rng(3)
    inp = ModelInput(
        capability=rng.uniform(0.1, 1, 7),
        position=rng.uniform(0, 100, (7, 4)),
        salience=rng.uniform(0, 1, (7, 4)),
        scale_min=np.zeros(4),
        scale_max=np.full(4, 100.0),
        status_quo=np.array([10.0, np.nan, 90.0, 50.0]),
    )
    c = compromise.run(inp).forecast
    assert anchored.run(inp, kappa=0).forecast.tobytes() == c.tobytes()
    f = anchored.run(inp, kappa=1.5).forecast
    assert f[1] == c[1]  # no status quo: the compromise forecast
    np.testing.assert_allclose(f[[0, 2, 3]], (c[[0, 2, 3]] + 1.5 * inp.status_quo[[0, 2, 3]]) / 2.5)


def test_the_equation_on_three_actors_by_hand():
    # capabilities 2, 1, 1 at 20, 90, 60 with saliences .8, .5, .3; status quo 10
    inp = ModelInput.single_issue([2, 1, 1], [20, 90, 60], [0.8, 0.5, 0.3], 0, 100, 10.0)
    w = np.array([1.6, 0.5, 0.3])
    c = (1.6 * 20 + 0.5 * 90 + 0.3 * 60) / 2.4  # 39.583...
    # kappa 0.5: the status quo as a pseudo-actor of weight 0.5 x 2.4 = 1.2
    by_hand = (1.6 * 20 + 0.5 * 90 + 0.3 * 60 + 1.2 * 10) / (w.sum() + 1.2)
    assert by_hand == pytest.approx((c + 0.5 * 10) / 1.5)
    traj = anchored.run(inp, kappa=0.5)
    assert traj.forecast[0] == pytest.approx(by_hand, rel=1e-14)
    assert traj.forecast[0] == pytest.approx(29.7222222222222, abs=1e-10)
    assert traj.per_round["compromise"][0, 0] == pytest.approx(c)
    assert traj.details["anchored"].tolist() == [1.0]


@pytest.mark.parametrize("bad", [-0.05, math.nan, math.inf, "1", None, True])
def test_kappa_must_be_a_finite_number_at_least_zero(bad):
    inp = ModelInput.single_issue([1, 1], [0, 100], [1, 1], status_quo=50.0)
    with pytest.raises(ValueError, match="kappa must be"):
        anchored.run(inp, kappa=bad)


def test_it_is_registered_with_its_fitted_kappa_and_standing():
    spec = get("anchored-compromise")
    assert spec.defaults == {"kappa": anchored.KAPPA} and spec.standing == anchored.STANDING
    assert not spec.dynamic and spec.reference
    assert ("anchored-compromise" in model_names("all")) == spec.in_all
    assert model_names("all") == [n for n, s in REGISTRY.items() if s.in_all]
    assert model_names(["anchored-compromise"]) == ["anchored-compromise"]


def test_it_runs_by_name_in_forecast_and_backtest(tmp_path):
    fc = rp.forecast(rp.load(ROOT / "tests" / "data" / "minimal.yaml"), model="anchored-compromise")
    assert fc.models == ("anchored-compromise",)
    bt = backtest(
        ROOT / "tests" / "data" / "deu-synthetic.tsv",
        model="anchored-compromise",
        seed=1,
        resamples=50,
    )
    assert "anchored-compromise" in bt.names


# ------------------------------------------------------------------ the fits


@pytest.mark.parametrize("kappa", [0.0, 0.35, 1.2, 2.0])
def test_the_grid_fit_recovers_the_kappa_that_made_the_outcomes(tmp_path, kappa):
    cases, _ = _cases(synthetic_deu(tmp_path / "s.tsv", kappa, kappa))
    fit = candidate.fit_anchored(cases)
    assert fit.kappa == kappa and fit.mae < 1e-9 and fit.ties == 1
    assert len(fit.maes) == len(candidate.GRID) == 41
    assert candidate.GRID[0] == 0 and candidate.GRID[-1] == 2 and candidate.GRID[7] == 0.35
    b = candidate.fit_by_rule(cases)
    assert (b.kappa_qmv, b.kappa_unan) == (kappa, kappa) and b.mae < 1e-9


def test_the_fit_by_rule_recovers_a_kappa_per_rule(tmp_path):
    cases, _ = _cases(synthetic_deu(tmp_path / "s.tsv", 0.3, 1.2))
    b = candidate.fit_by_rule(cases)
    assert (b.kappa_qmv, b.kappa_unan) == (0.3, 1.2) and b.mae < 1e-9
    assert b.issues == {"QMV": 26, "Unan": 14}
    a = candidate.fit_anchored(cases)
    assert 0.3 <= a.kappa <= 1.2 and a.mae > 0.1


def test_ties_go_to_the_smallest_kappa(tmp_path):
    cases, _ = _cases(synthetic_deu(tmp_path / "s.tsv", 0.5, 0.5))
    qmv_only = [c for c in cases if c.groups["voting"] == "QMV"]
    b = candidate.fit_by_rule(qmv_only)  # kappa_Unan changes nothing: every value ties
    assert (b.kappa_qmv, b.kappa_unan) == (0.5, 0.0) and b.ties == 41
    no_q = [c for c in cases if c.scenario.issue(c.issue).status_quo is None]
    a = candidate.fit_anchored(no_q)  # without a reference point kappa changes nothing
    assert a.kappa == 0.0 and a.ties == 41


def test_bad_grids_and_cases_without_a_voting_rule_are_refused(tmp_path):
    cases, _ = _cases(synthetic_deu(tmp_path / "s.tsv", 0.2, 0.2))
    for grid in ([], [-0.05], [math.inf]):
        with pytest.raises(ValueError, match="grid"):
            candidate.fit_anchored(cases, grid=grid)
    bare = [Case(c.id, c.scenario, c.issue, c.cluster) for c in cases]
    with pytest.raises(ValueError, match="voting rule"):
        candidate.fit_by_rule(bare)


def test_the_check_scores_as_the_backtest_does(tmp_path):
    path = synthetic_deu(tmp_path / "s.tsv", 0.4, 0.4, n=60, seed=5)
    cases, source = _cases(path)
    fit_ids, check_ids = candidate.split(c.cluster for c in cases)
    res = candidate.check(
        candidate._part(cases, fit_ids),
        candidate._part(cases, check_ids),
        resamples=300,
        source=source,
    )
    assert res.anchored.kappa == 0.4 and res.beats("anchored-compromise")
    checked = candidate._part(cases, check_ids)
    bt = backtest(
        (checked, source),
        model=["compromise", "anchored-compromise"],
        params={"anchored-compromise": {"kappa": 0.4}},
        seed=candidate.SEED,
        resamples=300,
    )
    mine, theirs = (
        res.row("anchored-compromise"),
        next(s for s in bt.leaderboard() if s.name == "anchored-compromise"),
    )
    assert (mine.mae, mine.median_ae, mine.rmse) == (theirs.mae, theirs.median_ae, theirs.rmse)
    assert mine.diff is not None and theirs.diff is not None
    assert mine.diff["mae"] == theirs.diff["mae"]  # same replicates: the same interval
    d = res.to_dict()
    assert d["check"]["sizes"]["issues"] == len(checked)
    assert json.loads(json.dumps(d))["verdict"]["anchored-compromise"] is True


# ------------------------------------------------------------------ the measured result


@functools.lru_cache(maxsize=1)
def _protocol(path: str) -> candidate.CandidateResult:
    return candidate.run_protocol(path)


@pytest.fixture
def measured(shared):
    return _protocol(str(shared / "data" / "deu3" / "deu3-dev.tsv"))


def _printed(res: candidate.CandidateResult) -> list[str]:
    """The numbers the docs print: kappa, the parts' sizes, the check table."""
    out = [
        f"{res.anchored.kappa:.2f}",
        f"{res.by_rule.kappa_qmv:.2f}",
        f"{res.by_rule.kappa_unan:.2f}",
    ]
    for name in ("anchored-compromise", candidate.BY_RULE, "compromise"):
        s = res.row(name)
        out += [f"{s.mae:.2f}", f"{s.median_ae:.2f}", f"{s.rmse:.2f}"]
        if s.diff is not None:
            d = s.diff["mae"]
            out.append(f"{d.point:+.2f} [{d.low:.2f}, {d.high:.2f}]")
    return out


def test_the_fit_on_the_real_fitting_part_gives_the_documented_kappa(measured):
    assert measured.anchored.kappa == anchored.KAPPA
    maes = measured.anchored.maes  # the docs say: rising at every step of the grid
    assert all(b > a for a, b in itertools.pairwise(maes))
    page = (DOCS / "explanation" / "candidate-model.md").read_text(encoding="utf-8")
    for text in (f"from {maes[0]:.2f} at", f"to {maes[-1]:.2f} at"):
        assert text in page and text in (anchored.__doc__ or "")
    assert f"MAE {measured.by_rule.mae:.2f}" in page
    assert measured.anchored.ties == 1 and "not a tie" in page
    assert get("anchored-compromise").defaults["kappa"] == anchored.KAPPA
    assert get("anchored-compromise").in_all == measured.beats("anchored-compromise")


def test_the_check_numbers_are_the_documented_ones(measured):
    page = (DOCS / "explanation" / "candidate-model.md").read_text(encoding="utf-8")
    doc = anchored.__doc__ or ""
    for text in _printed(measured):
        assert text in page, f"candidate-model.md lacks {text}"
    a = measured.row("anchored-compromise")
    assert a.diff is not None
    d = a.diff["mae"]
    for text in (
        f"{measured.anchored.kappa:.2f}",
        f"{a.mae:.2f}",
        f"{d.point:+.2f} [{d.low:.2f}, {d.high:.2f}]",
    ):
        assert text in doc and text in anchored.STANDING
    sizes = measured.fit_sizes, measured.check_sizes
    for s in sizes:
        assert f"{s['proposals']} proposals" in page and f"{s['issues']} issues" in page
        assert f"{s['proposals']} proposals" in doc and f"{s['issues']} issues" in doc
