"""Write each model's standing on real outcomes into the package (src/realpolitik/models/
standing.json), from the accuracy check of docs/explanation/accuracy-protocol.md on DEU III's
development file:

    python scripts/standing.py ../shared/data/deu3/deu3-dev.tsv

The check (seed and resamples fixed by the protocol) back-tests every registered model and
the baselines, with MAE differences to the compromise model and to the constant-50 baseline
and their proposal-clustered bootstrap intervals; tests/test_accuracy.py re-runs it and holds
the shipped file to it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from realpolitik import __version__
from realpolitik.analysis import accuracy
from realpolitik.analysis.backtest import Score
from realpolitik.models import REGISTRY

OUT = Path(__file__).resolve().parents[1] / "src" / "realpolitik" / "models" / "standing.json"


def _diff(s: Score) -> dict[str, Any] | None:
    d = s.diff["mae"] if s.diff else None
    if d is None:
        return None

    def r(x: float | None) -> float | None:
        return None if x is None or math.isnan(x) else float(x)

    return {"point": r(d.point), "low": r(d.low), "high": r(d.high)}


def build(result: accuracy.Check) -> dict[str, Any]:
    """The JSON document of the standings measured by ``result``."""
    bt = result.vs_compromise
    models: dict[str, Any] = {}
    for name in bt.forecasts:
        c, k = result.row(name)
        models[name] = {
            "kind": bt.kinds[name],
            "issues": c.n,
            "mae": float(c.mae),
            "vs_compromise": _diff(c),
            "vs_constant": _diff(k),
        }
    return {
        "format": "realpolitik-standing/1",
        "source": {
            "data": "DEU III, development part (Arregui & Perarnaud 2022, doi:10.34810/data53, "
            "CC BY 4.0)",
            "file": bt.source.get("file"),
            "sha256": bt.source.get("sha256"),
            "issues": len(bt.cases),
            "proposals": len(set(bt.clusters)),
            "seed": bt.seed,
            "resamples": bt.resamples,
            "confidence": bt.confidence,
            "protocol": "docs/explanation/accuracy-protocol.md",
            "version": __version__,
            "command": "python scripts/standing.py ../shared/data/deu3/deu3-dev.tsv",
        },
        "models": models,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("file", help="DEU III's development table (deu3-dev.tsv)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    doc = build(accuracy.check(args.file, workers=args.workers, models=tuple(REGISTRY)))
    args.output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(doc['models'])} models and baselines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
