"""Where the time of a report goes: each stage of ``realpolitik report`` on caucasus-2022,
against a plain forecast timed in the same run.

Run from the repository root::

    python benchmarks/bench_report.py           # the command's defaults, about a minute
    python benchmarks/bench_report.py --quick   # fewer draws and Sobol samples

The stages are those of :func:`realpolitik.report.build_report` (forecast, levers, view
from, linked games, simulation, sensitivity) and the rendering (charts and HTML), then the
PDF of the same HTML when WeasyPrint is installed. The reference is ``realpolitik.forecast`` of the
same scenario with every model (what ``realpolitik forecast`` computes); each stage is
reported in seconds and as a multiple of it, with the HTML's size. No target: the report is
a one-off per analysis; this says what to cut (``--draws``, ``--sobol-n``,
``--no-sensitivity``) when it is too slow.
"""

from __future__ import annotations

import argparse
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 draws, 16 Sobol samples")
    ap.add_argument("--workers", type=int, default=None, help="default: every core")
    args = ap.parse_args()
    draws, sobol_n = (100, 16) if args.quick else (1000, 64)

    import realpolitik as rp
    from realpolitik.report import build_report

    sc = rp.load("caucasus-2022")
    rp.forecast(sc)  # warm imports and caches
    t0 = time.perf_counter()
    reps = 5
    for _ in range(reps):
        rp.forecast(sc)
    ref = (time.perf_counter() - t0) / reps

    from realpolitik.analysis import levers, sensitivity, view_from
    from realpolitik.runner import backend

    def timed(fn):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - t

    runner = backend(args.workers, None)
    try:
        _, t_levers = timed(lambda: levers(sc, "azerbaijan"))
        _, t_view = timed(lambda: view_from(sc, "azerbaijan"))
        t_games = None
        try:
            from realpolitik.report.build import _linked_games

            _, t_games = timed(lambda: _linked_games(sc, None, []))
        except ImportError:
            pass
        _, t_sim = timed(lambda: rp.simulate(sc, draws=draws, seed=1, backend=runner))
        _, t_sens = timed(lambda: sensitivity(sc, n=sobol_n, seed=1, backend=runner))
    finally:
        runner.close()
    rep, built = timed(
        lambda: build_report(
            sc, actor="azerbaijan", draws=draws, sobol_n=sobol_n, seed=1, workers=args.workers
        )
    )
    html, rendered = timed(rep.html)
    pdf = None
    try:
        import io

        import weasyprint

        _, pdf = timed(lambda: weasyprint.HTML(string=html).write_pdf(io.BytesIO()))
    except (ImportError, OSError):
        pass

    rows = [
        ("reference: rp.forecast (all models)", ref),
        ("levers of azerbaijan", t_levers),
        ("view from azerbaijan", t_view),
        *([("linked game: solve + 21-step sweep", t_games)] if t_games is not None else []),
        (f"simulation ({draws} draws x 3 models)", t_sim),
        (f"sensitivity (n = {sobol_n})", t_sens),
        ("build_report (all of the above, new pool)", built),
        ("charts + HTML", rendered),
    ]
    if pdf is not None:
        rows.append(("PDF (WeasyPrint)", pdf))
    print(f"caucasus-2022 report, draws={draws}, sobol_n={sobol_n}, workers={args.workers}")
    for name, secs in rows:
        print(f"  {name:<42} {secs:8.2f} s  {secs / ref:8.0f} x forecast")
    print(f"  HTML: {len(html.encode()) / 1e6:.2f} MB, {html.count('<svg')} charts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
