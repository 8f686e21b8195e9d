"""How a run ends, and what it then forecasts: settled, a cycle, or still moving.

The EUM often does not come to rest: actors go round between positions, and the median
after the last round then depends on whether the number of rounds is even or odd. So
the end of a run is read from the rounds run, 0..T, with positions compared within
SETTLE_RTOL R (a tenth of a point on a 0-100 scale):

* **settled**: the positions of round T equal those of round T-1;
* **cycle** of period p: the smallest p >= 2 (2 p <= T + 1) such that each of the last p
  rounds equals the round p before it; its states are the medians of those p rounds;
* **moving**: neither (the run has not settled in the rounds given).

The band of an issue is the lowest and highest median over its final window: the last
round (settled), the cycle, or the last T//2 + 1 rounds, at least two (moving; with no
round run, T = 0, the input's median alone). A forecast is a point
only when that band is narrow, at most DETERMINATE_RTOL (5%) of the issue's scale: then
it is the last median (settled, moving) or the mean median over the cycle. A wider band is
**undetermined**: the model does not say where the issue ends, only between which states
it goes on moving, and the forecast is ``nan`` (no number stands for it: the mean of a
cycle between 5 and 100 is a position no one holds and the model never visits).

Complexity: O(T^2 n m) time at worst (usually O(T n m)), O(T m) memory.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DETERMINATE_RTOL", "SETTLE_RTOL", "settle"]

#: Positions within this fraction of R of each other count as repeated.
SETTLE_RTOL = 1e-3
#: A band of final medians at most this fraction of the issue's scale is read as a point.
DETERMINATE_RTOL = 0.05


def settle(
    positions: np.ndarray,
    medians: np.ndarray,
    span: np.ndarray,
    scale: np.ndarray | None = None,
    rtol: float = SETTLE_RTOL,
    band_rtol: float = DETERMINATE_RTOL,
) -> dict[str, np.ndarray]:
    """The end of each issue's run and its forecast (module docstring).

    ``positions`` (T+1, n, m), ``medians`` (T+1, m), ``span`` (m,) the issues' R,
    ``scale`` (m,) their scales' widths (R where None or 0). Returns, each (m,):
    ``forecast`` (``nan`` where undetermined), ``settled`` (1.0 where settled),
    ``cycle_period`` (p for a cycle, else 0; neither: moving), ``forecast_low`` and
    ``forecast_high`` (the band), ``determinate`` (1.0 where the forecast is a point).
    """
    big_t, m = positions.shape[0] - 1, positions.shape[2]
    span = np.asarray(span, dtype=float)
    tol = rtol * span
    settled = np.zeros(m, dtype=bool)
    period = np.zeros(m, dtype=np.int64)
    if big_t >= 1:
        by_issue = np.swapaxes(positions, 1, 2)  # (T + 1, m, n)
        # |x_T - x_(T-p)| for p = 1..T: the last round against each earlier one, a necessary
        # condition that rules most periods out at once.
        back = np.abs(by_issue[-1] - by_issue[-2::-1]).max(axis=2, initial=0.0) <= tol
        settled = back[0].copy()
        open_ = ~settled
        candidates = back[1 : (big_t + 1) // 2] & open_  # p = 2 .. (T + 1) // 2
        for p in np.flatnonzero(np.logical_or.reduce(candidates, axis=1)) + 2:
            cols = np.flatnonzero(open_ & candidates[p - 2])
            if cols.size == 0:
                continue
            tail = by_issue[big_t - 2 * p + 1 :, cols]  # the last 2 p rounds
            hit = np.abs(tail[p:] - tail[:p]).max(axis=(0, 2), initial=0.0) <= tol[cols]
            period[cols[hit]] = p
            open_[cols[hit]] = False
            if not open_.any():
                break
    # still moving: the last T//2 + 1 rounds, at least two (one round says nothing of a move)
    moving = min(big_t + 1, max(2, big_t // 2 + 1))
    window = np.where(settled, 1, np.where(period > 0, period, moving))
    tail = np.arange(big_t + 1)[:, None] >= (big_t + 1 - window)[None, :]
    low = np.where(tail, medians, np.inf).min(axis=0)
    high = np.where(tail, medians, -np.inf).max(axis=0)
    forecast = medians[-1].copy()
    for p in sorted(set(period[period > 0].tolist())):  # (np.unique imports numpy.ma)
        cols = np.flatnonzero(period == p)
        states = medians[big_t + 1 - p :, cols]
        forecast[cols] = np.add.accumulate(states, axis=0)[-1] / p  # in a fixed order
    width = span if scale is None else np.where(np.asarray(scale) > 0, scale, span)
    determinate = settled | (high - low <= band_rtol * width)
    forecast = np.where(determinate, forecast, np.nan)
    return {
        "forecast": forecast,
        "settled": settled.astype(float),
        "cycle_period": period.astype(float),
        "forecast_low": low,
        "forecast_high": high,
        "determinate": determinate.astype(float),
    }
