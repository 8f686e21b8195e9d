"""Errors and their uncertainty: the metrics of absolute errors, and the paired bootstrap
of their differences that resamples whole clusters.

:func:`metrics` gives the mean absolute error (MAE), the median absolute error and the root
mean squared error (RMSE) of a set of absolute errors. :func:`cluster_bootstrap` gives the
percentile interval of the difference of each metric between two forecasts of the same
issues, resampling **clusters** of issues (the issues of one legislative proposal, of one
scenario) with replacement, not issues: issues negotiated together have correlated errors,
and resampling them as if independent understates the uncertainty (Cameron, Gelbach &
Miller 2008, "Bootstrap-based improvements for inference with clustered errors", REStat
90(3); Davison & Hinkley 1997, *Bootstrap Methods and their Application*, section 3.8).

A replicate draws K clusters from the K observed, with replacement: the number of times
each is drawn is one multinomial draw (K, 1/K, ..., 1/K), and an issue weighs as often as
its cluster is drawn. Each metric of a replicate is the metric of the errors repeated by
their weights (the median of T values: the mean of the values at ranks (T+1)//2 and
T//2+1). Both forecasts are scored on the same replicates (paired), over the issues both
forecast. The interval is the (1-c)/2 and (1+c)/2 quantiles of the replicates' differences
(the percentile interval), c the confidence.

Complexity: O(B (n + K)) time per pair for B replicates, n issues and K clusters (plus the
sort of the errors for the median, once), in blocks of :data:`BLOCK` replicates so that
memory stays O(BLOCK n).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["BLOCK", "METRICS", "cluster_bootstrap", "metrics", "paired_bootstrap"]

#: The metrics, in the order tables show them.
METRICS = ("mae", "median_ae", "rmse")
#: Replicates per block (bounds the memory: BLOCK x issues floats).
BLOCK = 2000
#: Replicates by default: on DEU the 2.5% and 97.5% quantiles of 10,000 replicates move
#: by a few hundredths of a point between seeds.
DEFAULT_RESAMPLES = 10_000


def metrics(errors: np.ndarray) -> dict[str, float]:
    """MAE, median absolute error and RMSE of ``errors`` (absolute errors; ``nan`` ignored);
    ``nan`` each for no error at all."""
    e = np.asarray(errors, dtype=float)
    e = e[~np.isnan(e)]
    if not e.size:
        return dict.fromkeys(METRICS, math.nan)
    return {
        "mae": float(np.mean(e)),
        "median_ae": float(np.median(e)),
        "rmse": float(np.sqrt(np.mean(e * e))),
    }


def _weighted_metrics(e: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """The metrics of errors ``e`` (n,) repeated ``w`` (B, n) times (whole numbers), per
    replicate; ``nan`` where a replicate holds none."""
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mae = (w @ e) / total
        rmse = np.sqrt((w @ (e * e)) / total)
    order = np.argsort(e, kind="stable")
    es, cum = e[order], np.cumsum(w[:, order], axis=1)
    lo = (total + 1) // 2  # the median of T values: the mean of the values at these ranks
    hi = total // 2 + 1
    i_lo = np.argmax(cum >= lo[:, None], axis=1)
    i_hi = np.argmax(cum >= hi[:, None], axis=1)
    med = np.where(total > 0, (es[i_lo] + es[i_hi]) / 2.0, np.nan)
    return {"mae": mae, "median_ae": med, "rmse": rmse}


def cluster_bootstrap(
    errors: np.ndarray,
    reference: np.ndarray,
    clusters: Sequence[Any],
    rng: np.random.Generator,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
) -> dict[str, tuple[float | None, float | None]]:
    """The percentile interval of each metric's difference ``errors`` minus ``reference``
    (absolute errors of two forecasts of the same issues; pairs with a ``nan`` are left
    out), resampling whole clusters with replacement (``clusters[k]`` is issue k's). ``None``
    bounds for fewer than two clusters."""
    return paired_bootstrap({"x": errors}, reference, clusters, rng, resamples, confidence)["x"]


def paired_bootstrap(
    errors: Mapping[str, np.ndarray],
    reference: np.ndarray,
    clusters: Sequence[Any],
    rng: np.random.Generator,
    resamples: int,
    confidence: float,
) -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """:func:`cluster_bootstrap` of several error arrays against one reference, all on the
    same replicates (drawn once)."""
    r = np.asarray(reference, dtype=float)
    labels = list(dict.fromkeys(clusters))
    none: dict[str, tuple[float | None, float | None]] = dict.fromkeys(METRICS, (None, None))
    if len(labels) < 2:
        return {name: dict(none) for name in errors}
    code = {c: k for k, c in enumerate(labels)}
    of = np.array([code[c] for c in clusters], dtype=np.intp)
    k = len(labels)
    masks = {
        name: ~np.isnan(np.asarray(e, dtype=float)) & ~np.isnan(r) for name, e in errors.items()
    }
    diffs: dict[str, dict[str, list[np.ndarray]]] = {
        name: {m: [] for m in METRICS} for name in errors
    }
    for start in range(0, resamples, BLOCK):
        b = min(BLOCK, resamples - start)
        counts = rng.multinomial(k, np.full(k, 1.0 / k), size=b).astype(float)
        ref_cache: dict[bytes, dict[str, np.ndarray]] = {}
        for name, e in errors.items():
            keep = masks[name]
            if not keep.any():
                continue
            w = counts[:, of[keep]]
            key = keep.tobytes()
            if key not in ref_cache:
                ref_cache[key] = _weighted_metrics(r[keep], w)
            a, c = _weighted_metrics(np.asarray(e, dtype=float)[keep], w), ref_cache[key]
            for m in METRICS:
                diffs[name][m].append(a[m] - c[m])
    alpha = (1.0 - confidence) / 2.0
    out: dict[str, dict[str, tuple[float | None, float | None]]] = {}
    for name in errors:
        out[name] = {}
        for m in METRICS:
            d = np.concatenate(diffs[name][m]) if diffs[name][m] else np.empty(0)
            d = d[~np.isnan(d)]
            if not d.size:
                out[name][m] = (None, None)
                continue
            lo, hi = np.quantile(d, [alpha, 1.0 - alpha])
            out[name][m] = (float(lo), float(hi))
    return out
