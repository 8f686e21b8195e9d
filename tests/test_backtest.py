"""Back-tests: metrics computed by hand equal the Backtest's, the cluster bootstrap is
deterministic and sound, breakdowns add up, batching and chunking change nothing, the
result round-trips through JSON, and a sealed forecast is graded (or refused).

DEU III figures come from ../shared when present (Arregui & Perarnaud 2022, The
Decision-making in the European Union (DEU III) dataset (1999-2019), doi:10.34810/data53,
CC BY 4.0); the rest runs on the made-up rows of tests/data/deu-synthetic.tsv.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis.backtest import (
    FORMAT,
    Backtest,
    backtest,
    grade_sealed,
    load_cases,
)
from realpolitik.analysis.bootstrap import _weighted_metrics, cluster_bootstrap, metrics
from realpolitik.runner.store import (
    RunStore,
    StoreError,
    read_sealed,
    record_forecast,
    seal_forecast,
)
from realpolitik.scenario.deu import load_deu

DATA = Path(__file__).parent / "data"
SYNTHETIC = DATA / "deu-synthetic.tsv"
FAST = {"resamples": 500, "seed": 7}


@pytest.fixture(scope="module")
def synthetic() -> Backtest:
    return backtest(SYNTHETIC, **FAST)


def _row(bt: Backtest, name: str, dimension: str = "all", group: str = "all"):
    return next(s for s in bt.leaderboard(dimension, group) if s.name == name)


# ------------------------------------------------------------------ by hand


def test_metrics_by_hand_equal_the_backtests(synthetic):
    # Compromise forecasts from the file's numbers (c x s weighted means):
    # x99001i1: pre-Nice, COD: com 10, ep 10, de 10, lu 2
    f1 = (10 * 0.5 * 100 + 10 * 0.5 * 0 + 10 * 1.0 * 0 + 2 * 1.0 * 100) / (5 + 5 + 10 + 2)
    # x99001i2: com 10 (50, s 100), de 10 (100, s 50), fr 10 (0, s 50)
    f2 = (10 * 1.0 * 50 + 10 * 0.5 * 100 + 10 * 0.5 * 0) / (10 + 5 + 5)
    # x04002i1: 2004 transition, CNS: com 10, ep 0, pl 8; Malta (salience 999) left out
    f3 = (10 * 0.8 * 20 + 0 * 1.0 * 100 + 8 * 0.6 * 80) / (8 + 0 + 4.8)
    err = np.abs(np.array([f1, f2, f3]) - [40, 60, 50])
    s = _row(synthetic, "compromise")
    assert s.n == 3
    assert s.mae == pytest.approx(err.mean())
    assert s.median_ae == pytest.approx(np.median(err))
    assert s.rmse == pytest.approx(math.sqrt((err**2).mean()))
    mean = _row(synthetic, "unweighted-mean")
    mean_err = np.abs(np.array([50, 50, (20 + 100 + 80) / 3]) - [40, 60, 50])
    assert mean.mae == pytest.approx(mean_err.mean())
    ref = _row(synthetic, "reference-point")  # none on x99001i2
    assert ref.n == 2 and ref.mae == pytest.approx((40 + 30) / 2)
    assert ref.n_paired == 2
    assert ref.diff["mae"].point == pytest.approx(35 - (err[0] + err[2]) / 2)
    c50 = _row(synthetic, "constant-50")
    assert c50.median_ae == pytest.approx(10) and c50.rmse == pytest.approx(math.sqrt(200 / 3))
    assert synthetic.cases == ("x99001i1", "x99001i2", "x04002i1")
    assert synthetic.clusters == ("x99001", "x99001", "x04002")


def test_errors_are_points_of_a_0_100_scale():
    sc = rp.load(DATA / "minimal.yaml")
    data = sc.to_dict()
    data["outcomes"] = [
        {"issue": "i1", "value": 50, "source": {"judgement": "test"}},
        {"issue": "i2", "value": 5, "source": {"judgement": "test"}},
    ]
    with_outcomes = rp.Scenario.from_dict(data)
    bt = backtest(with_outcomes, "compromise", **FAST)
    fc = rp.forecast(sc, "compromise")
    spans = np.array([sc.issue("i1").span, sc.issue("i2").span])
    want = np.abs(fc.run("compromise").forecast - [50, 5]) / spans * 100
    assert np.allclose(bt.errors("compromise"), want)
    assert bt.cases == ("minimal:i1", "minimal:i2")
    assert any("1 cluster: no bootstrap interval" in n for n in bt.notes)
    assert _row(bt, "unweighted-mean").diff["mae"].low is None


def test_weighted_metrics_equal_the_metrics_of_repeated_errors():
    rng = np.random.default_rng(3)
    e = rng.uniform(0, 60, size=11)
    w = rng.integers(0, 4, size=(50, 11)).astype(float)
    w[0] = 1.0
    got = _weighted_metrics(e, w)
    for b in range(50):
        rep = np.repeat(e, w[b].astype(int))
        want = metrics(rep)
        for m in ("mae", "median_ae", "rmse"):
            if rep.size:
                assert got[m][b] == pytest.approx(want[m])
            else:
                assert math.isnan(got[m][b])


def test_cluster_bootstrap_is_seeded_and_needs_two_clusters():
    e = np.array([1.0, 2.0, 3.0, 10.0])
    r = np.array([2.0, 2.0, 2.0, 2.0])
    a = cluster_bootstrap(e, r, ["p", "p", "q", "s"], np.random.default_rng(1), 300)
    b = cluster_bootstrap(e, r, ["p", "p", "q", "s"], np.random.default_rng(1), 300)
    assert a == b
    assert a["mae"][0] <= a["mae"][1]
    assert cluster_bootstrap(e, r, ["p"] * 4, np.random.default_rng(1), 300)["mae"] == (
        None,
        None,
    )


def test_a_constant_difference_has_the_point_interval():
    # every error of b is a's plus 1: whatever the replicate, MAE and median differ by 1
    e = np.random.default_rng(4).integers(0, 60, size=23).astype(float)
    clusters = [f"p{k % 7}" for k in range(23)]
    ci = cluster_bootstrap(e + 1, e, clusters, np.random.default_rng(2), 3000)
    for m in ("mae", "median_ae"):
        assert ci[m][0] == pytest.approx(1, abs=1e-12) and ci[m][1] == pytest.approx(1, abs=1e-12)
    assert ci["rmse"][0] < ci["rmse"][1]  # not constant


def test_the_bootstrap_equals_a_plain_loop_over_whole_clusters():
    """Each replicate draws K of the K clusters with replacement (one multinomial draw per
    replicate, clusters in order of first appearance), takes every issue of each cluster as
    often as the cluster was drawn, and scores both forecasts on the issues so drawn; the
    interval is the percentiles of the differences. 2,500 replicates: two blocks."""
    rng = np.random.default_rng(9)
    sizes = [1, 4, 2, 7, 3, 1, 5, 2]
    clusters = [f"c{j}" for j, n in enumerate(sizes) for _ in range(n)]
    order = rng.permutation(len(clusters))
    clusters = [clusters[k] for k in order]  # issues of one cluster need not be adjacent
    a = rng.uniform(0, 80, size=len(clusters))
    r = rng.uniform(0, 80, size=len(clusters))
    got = cluster_bootstrap(a, r, clusters, np.random.default_rng(6), 2500, 0.9)
    labels = list(dict.fromkeys(clusters))
    members = {c: [k for k, x in enumerate(clusters) if x == c] for c in labels}
    loop = np.random.default_rng(6)
    diffs: dict[str, list[float]] = {"mae": [], "median_ae": [], "rmse": []}
    for _ in range(2500):
        counts = loop.multinomial(len(labels), np.full(len(labels), 1 / len(labels)))
        drawn = [
            k for c, n in zip(labels, counts, strict=True) for _ in range(n) for k in members[c]
        ]
        ma, mr = metrics(a[drawn]), metrics(r[drawn])
        for m in diffs:
            diffs[m].append(ma[m] - mr[m])
    for m, d in diffs.items():
        want = np.quantile(d, [0.05, 0.95])
        assert got[m] == (pytest.approx(want[0], abs=1e-9), pytest.approx(want[1], abs=1e-9)), m


def test_intervals_from_fewer_than_ten_clusters_are_noted(synthetic):
    assert len(set(synthetic.clusters)) == 2 and synthetic.few_clusters
    assert synthetic.to_dict()["few_clusters"] is True
    note = next(n for n in synthetic.notes if n.startswith("fewer than 10 clusters"))
    assert "all issues (2 clusters)" in note and "procedure COD" not in note  # one cluster: none
    assert Backtest.from_json(synthetic.to_json()).notes == synthetic.notes


# ------------------------------------------------------------------ the result


def test_same_seed_same_bytes_whatever_the_chunks(synthetic):
    again = backtest(SYNTHETIC, **FAST)
    assert again.to_json() == synthetic.to_json()
    chunked = backtest(SYNTHETIC, chunk_size=1, workers=1, **FAST)
    assert chunked.to_json() == synthetic.to_json()
    other = backtest(SYNTHETIC, resamples=500, seed=8)
    assert other.to_json() != synthetic.to_json()
    assert _row(other, "eum").mae == _row(synthetic, "eum").mae  # the seed moves only CIs


def test_chunks_on_a_pool_equal_one_process():
    pooled = backtest(SYNTHETIC, chunk_size=1, workers=2, **FAST)
    assert pooled.to_json() == backtest(SYNTHETIC, **FAST).to_json()


def test_batched_forecasts_equal_forecast_issue_by_issue():
    deu = load_deu(SYNTHETIC)
    bt = backtest(deu, **FAST)
    for k, case in enumerate(bt.cases):
        sc = next(d.scenario for d in deu.issues if d.row.issue == case)
        fc = rp.forecast(sc, "all")
        for m in fc.models:
            assert bt.forecasts[m][k] == fc.value(m, case)  # bit for bit


def test_breakdowns_add_up(synthetic):
    assert synthetic.tables() == (
        "all=all",
        "procedure=CNS",
        "procedure=COD",
        "voting=QMV",
        "voting=Unan",
    )
    for name in synthetic.names:
        total = _row(synthetic, name)
        for dim in ("procedure", "voting"):
            parts = [s for s in synthetic.scores if s.dimension == dim and s.name == name]
            assert sum(s.n for s in parts) == total.n
            done = [s for s in parts if s.n]
            assert sum(s.n * s.mae for s in done) == pytest.approx(total.n * total.mae)


def test_json_round_trip_and_format(synthetic):
    text = synthetic.to_json()
    data = json.loads(text)
    assert data["format"] == FORMAT
    assert data["source"]["kind"] == "deu"
    assert "10.34810/data53" in data["source"]["citation"]
    assert data["seed"] == 7 and data["resamples"] == 500
    assert data["parameters"]["eum"]["rounds"] == 40
    assert data["leaderboard"][0]["name"] == synthetic.leaderboard()[0].name
    back = Backtest.from_json(text)
    assert back.to_json() == text
    with pytest.raises(ValueError, match="not a realpolitik back-test"):
        Backtest.from_dict({"format": "x"})


def test_the_reference_is_run_even_when_not_asked_for():
    bt = backtest(SYNTHETIC, "median", **FAST)
    assert bt.names[:2] == ("median", "compromise")
    assert any("compromise was added" in n for n in bt.notes)
    assert _row(bt, "median").diff is not None


def test_bad_arguments():
    with pytest.raises(ValueError, match="resamples"):
        backtest(SYNTHETIC, resamples=0)
    with pytest.raises(ValueError, match="seed"):
        backtest(SYNTHETIC, seed=-1)
    with pytest.raises(KeyError, match="unknown model"):
        backtest(SYNTHETIC, "nope", **FAST)


def test_scenario_folders(tmp_path):
    text = (DATA / "minimal.yaml").read_text()
    (tmp_path / "a.yaml").write_text(
        text + "outcomes:\n  - {issue: i1, value: 40, date: 2024-01-01, source: {judgement: t}}\n"
    )
    (tmp_path / "b.yaml").write_text(text.replace("id: minimal", "id: other"))
    cases, source = load_cases(tmp_path)
    assert [c.id for c in cases] == ["minimal:i1"]
    assert source["without_outcomes"] == ["other"]
    (tmp_path / "c.yaml").write_text(text.replace("id: minimal", "id: minimal"))
    with pytest.raises(rp.ScenarioError, match="also in"):
        load_cases(tmp_path)


# ------------------------------------------------------------------ sealing


def _sealed_setup(tmp_path: Path):
    sc = rp.load(DATA / "minimal.yaml")
    store = RunStore(tmp_path / "runs.sqlite")
    fc = rp.forecast(sc, "all")
    run_id = seal_forecast(store, sc, fc)
    data = sc.to_dict()
    data["outcomes"] = [
        {"issue": "i1", "value": 45, "date": "2099-01-01", "source": {"judgement": "t"}},
        {"issue": "i2", "value": 3, "date": "2000-01-01", "source": {"judgement": "t"}},
    ]
    return sc, store, fc, run_id, rp.Scenario.from_dict(data)


def test_seal_then_grade(tmp_path):
    sc, store, fc, run_id, later = _sealed_setup(tmp_path)
    sealed = read_sealed(store, run_id)
    assert sealed.scenario_hash == sc.content_hash() == later.without_outcomes().content_hash()
    assert sealed.models == ("compromise", "median", "eum")
    bt = grade_sealed(sealed, later, **FAST)
    assert bt.forecasts["eum"][0] == fc.value("eum", "i1")
    lead = bt.source["sealed"]["issues"]
    assert lead["i1"]["lead_days"] > 0 and lead["i2"]["lead_days"] < 0
    assert any("sealed after the outcome of i2" in n for n in bt.notes)
    assert bt.kinds["reference-point"] == "baseline"
    store.close()


def test_a_changed_scenario_is_refused(tmp_path):
    _, store, _, run_id, later = _sealed_setup(tmp_path)
    data = later.to_dict()
    data["stances"][0]["position"] = 21
    changed = rp.Scenario.from_dict(data)
    with pytest.raises(ValueError, match=r"graded only on the scenario it was made on") as exc:
        grade_sealed(read_sealed(store, run_id), changed, **FAST)
    assert "position: 20.0 -> 21" in str(exc.value)
    store.close()


def test_a_seal_is_checked_and_only_sealed_runs_grade(tmp_path):
    sc, store, fc, run_id, _ = _sealed_setup(tmp_path)
    with pytest.raises(ValueError, match="records outcomes"):
        seal_forecast(store, _sealed_setup(tmp_path / "x")[4], fc)
    plain = record_forecast(store, sc, fc)
    with pytest.raises(StoreError, match="not a sealed forecast"):
        read_sealed(store, plain)
    store.close()
    con = sqlite3.connect(tmp_path / "runs.sqlite")
    row = con.execute("SELECT summary FROM runs WHERE id = ?", (run_id,)).fetchone()
    summary = json.loads(row[0])
    summary["forecasts"]["eum"]["i1"] += 1.0
    con.execute("UPDATE runs SET summary = ? WHERE id = ?", (json.dumps(summary), run_id))
    con.commit()
    con.close()
    with RunStore(tmp_path / "runs.sqlite") as st, pytest.raises(StoreError, match="changed"):
        read_sealed(st, run_id)


# ------------------------------------------------------------------ DEU III


@functools.lru_cache(maxsize=1)
def _dev(path: Path) -> Backtest:
    return backtest(path, seed=20260224, resamples=2000)


@pytest.fixture
def dev_backtest(shared) -> Backtest:
    return _dev(shared / "data" / "deu3" / "deu3-dev.tsv")


def test_dev_file_leaderboard(dev_backtest):
    bt = dev_backtest
    assert len(bt.cases) == 201 and len(set(bt.clusters)) == 82
    comp = _row(bt, "compromise")
    assert comp.mae == pytest.approx(23.05, abs=0.005)  # the figure in docs/explanation
    assert _row(bt, "reference-point").n == 135
    for s in bt.scores:
        if s.diff is None:
            continue
        for iv in s.diff.values():
            assert iv.low is not None and iv.high is not None and iv.low <= iv.high
        # a percentile interval of a difference of means holds its point in practice; of
        # medians (a jumpy statistic) it need not, so only the MAE's is checked
        mae = s.diff["mae"]
        assert mae.low <= mae.point <= mae.high, (s.dimension, s.group, s.name)


def test_dev_forecasts_equal_forecast_issue_by_issue(shared, dev_backtest):
    deu = load_deu(shared / "data" / "deu3" / "deu3-dev.tsv")
    by_id = {d.row.issue: d.scenario for d in deu.issues}
    for k in range(0, len(dev_backtest.cases), 10):
        case = dev_backtest.cases[k]
        fc = rp.forecast(by_id[case], "all")
        for m in fc.models:  # nan (undetermined) where the forecast gives none
            np.testing.assert_equal(dev_backtest.forecasts[m][k], fc.value(m, case))


def test_issues_with_shocks_run_alone_and_equal_forecast():
    sc = rp.intervene(rp.load(DATA / "minimal.yaml"), ["a.capability*=3@2"])
    data = sc.to_dict()
    data["outcomes"] = [
        {"issue": "i1", "value": 50, "source": {"judgement": "t"}},
        {"issue": "i2", "value": 5, "source": {"judgement": "t"}},
    ]
    bt = backtest(rp.Scenario.from_dict(data), **FAST)
    fc = rp.forecast(sc, "all")
    for m in fc.models:
        assert list(bt.forecasts[m]) == [fc.value(m, "i1"), fc.value(m, "i2")]


def test_the_backtest_reports_how_sure_with_a_spread():
    """With a spread, each issue's forecast becomes a distribution over draws and the
    back-test says, per model, how often the outcome fell inside its 50% and 90% intervals
    and how wide they were; without one (and no ranges in the cases) it says nothing."""
    from realpolitik.analysis.calibration import coverage, intervals
    from realpolitik.models.plan import plan_models

    bt = backtest(SYNTHETIC, ["compromise", "median"], spread=20, draws=40, **FAST)
    assert [c.model for c in bt.coverage] == ["compromise", "median"]
    cases, _ = load_cases(SYNTHETIC)
    want = intervals(cases, plan_models(["compromise", "median"]), 20, draws=40, seed=7)
    for c in bt.coverage:
        assert c == coverage(c.model, 20, want[c.model], cases)
        assert 0 <= c.covered["50"] <= c.covered["90"] <= 1 and c.width["90"] > 0
    assert Backtest.from_json(bt.to_json()).to_json() == bt.to_json()
    assert backtest(SYNTHETIC, "compromise", **FAST).coverage == ()


def test_the_backtest_cli_prints_coverage(tmp_path):
    from typer.testing import CliRunner

    from realpolitik.cli import app

    args = ["backtest", str(SYNTHETIC), "--spread", "20", "--draws", "30", "--seed", "1"]
    r = CliRunner().invoke(app, [*args, "--resamples", "200", "--no-store"], env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    assert "How sure: intervals from a spread of ±20" in r.output and "covered 90%" in r.output
