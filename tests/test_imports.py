"""What importing realpolitik costs, held structurally (no clock): ``import realpolitik``,
and a first load and forecast, import none of the heavy libraries, and the command line's
``simulate`` imports neither the games, the report, the dashboard nor the back-test. The
public names stay where they were (imported when first used: ``realpolitik._lazy``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src"

#: Libraries that ``import realpolitik`` (and a first load and forecast) must not import.
HEAVY = (
    "scipy",
    "pandas",
    "SALib",
    "matplotlib",
    "jinja2",
    "typer",
    "rich",
    "fastapi",
    "dask",
    "distributed",
    "pygambit",
    "openpyxl",
)


def imported(*args: str) -> set[str]:
    """The modules a fresh Python imports running ``args`` (``-X importtime``), its
    standard error a pipe that rich takes for no terminal."""
    env = dict(os.environ)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):  # (which make a pipe a terminal to rich)
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    res = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in res.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    } - {"imported package"}


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_import_realpolitik_is_light():
    modules = imported("-c", "import realpolitik")
    assert "realpolitik" in modules
    assert not heavy(modules)
    # nor the analyses, the scenario readers or the models: they come with the names
    assert not {m for m in modules if m.startswith(("realpolitik.analysis", "realpolitik.games"))}
    assert "realpolitik.scenario.yaml_io" not in modules and "pydantic" not in modules


def test_a_first_forecast_imports_no_heavy_library():
    code = (
        "import realpolitik as rp; sc = rp.load('ec-emissions-1994'); "
        "rp.forecast(sc).to_json(); rp.simulate(sc, 'eum', draws=20, seed=1, workers=1)"
    )
    modules = imported("-c", code)
    assert not heavy(modules)
    assert "realpolitik.analysis.backtest" not in modules
    # a valid file is read without the models (realpolitik.scenario.shape)
    assert "pydantic" not in modules and "realpolitik.scenario.schema" not in modules


def test_the_command_line_simulate_imports_only_what_it_runs():
    modules = imported(
        "-m", "realpolitik", "simulate", "ec-emissions-1994", "-n", "20", "--seed", "1",
        "--json", "--no-store",
    )  # fmt: skip
    assert "realpolitik.analysis.ensemble" in modules
    unwanted = ("realpolitik.games", "realpolitik.report", "realpolitik.app")
    assert not sorted(m for m in modules if m.startswith(unwanted))
    assert "realpolitik.analysis.backtest" not in modules
    assert not [m for m in heavy(modules) if m.split(".")[0] not in ("typer", "rich")]
    # numpy's masked arrays (40 ms; np.unique imports them) and typer's pydantic adapters
    # (built per option on every run from typer 0.29: pinned below it) are not needed
    assert "numpy.ma" not in modules and "typer._adapters" not in modules
    assert "pydantic" not in modules  # (a valid scenario is read without it)


PUBLIC = """
import realpolitik.analysis.backtest, realpolitik.analysis.levers  # the modules first
import realpolitik as rp
from realpolitik import analysis, scenario
from realpolitik.analysis import backtest, levers, sensitivity, simulate
assert callable(backtest) and callable(levers) and callable(sensitivity), (backtest, levers)
assert analysis.backtest is backtest and rp.simulate is simulate
for package in (rp, analysis, scenario):
    for name in package.__all__:
        assert getattr(package, name) is not None, name
        assert name in dir(package), name
assert rp.MODELS is __import__("realpolitik.models", fromlist=["REGISTRY"]).REGISTRY
try:
    rp.no_such_name
except AttributeError as e:
    assert "no_such_name" in str(e)
else:
    raise AssertionError("no AttributeError")
"""


def test_the_public_names_are_where_they_were():
    """Every name of ``__all__`` resolves, and a module named like its function
    (``analysis.backtest``) leaves the package's name the function, as before."""
    imported("-c", PUBLIC)


@pytest.mark.parametrize("package", ["realpolitik", "realpolitik.analysis"])
def test_lazy_names_cover_all(package):
    import importlib

    mod = importlib.import_module(package)
    assert set(mod.__all__) <= set(dir(mod))


def test_one_model_imports_that_model_alone():
    """The registry imports a model's module when the model is first asked for: a run of
    the EUM imports neither the SMP (eight modules) nor the command line's renderer (nor
    rich) when it writes JSON."""
    modules = imported(
        "-m", "realpolitik", "simulate", "ec-emissions-1994", "-n", "20", "--seed", "1",
        "-m", "eum", "--json", "--no-store",
    )  # fmt: skip
    assert "realpolitik.models.eum.engine" in modules
    assert not [m for m in modules if m.startswith("realpolitik.models.smp")]
    assert "realpolitik.cli.render" not in modules
    # nor rich: nothing is printed on a console (its consoles are made on first use) and
    # standard error is no terminal (no progress display)
    assert not [m for m in modules if m.split(".")[0] == "rich"]
    from realpolitik.models import REGISTRY

    assert all(REGISTRY[name].name == name for name in REGISTRY)  # WHERE names each spec


def test_simulate_in_process_starts_no_pool_and_the_command_forks_its_pool():
    """`simulate --workers 1` starts no pool; `--workers 2` runs on a pool forked from the
    command (nothing else runs in it), with no forkserver to start (its imports took a
    third of a second of every pooled command)."""
    from realpolitik.runner import backends

    if not backends.FORK:
        pytest.skip("pools fork only on Linux")
    args = ("-m", "realpolitik", "simulate", "ec-emissions-1994", "-n", "400", "--seed", "1")
    args += ("-m", "compromise", "--json", "--no-store", "--workers")
    one, two = imported(*args, "1"), imported(*args, "2")
    assert not {"multiprocessing.forkserver", "multiprocessing.popen_fork"} & one
    assert "multiprocessing.popen_fork" in two and "multiprocessing.forkserver" not in two


def test_the_lazy_registry_answers_as_the_dict_it_replaced():
    """REGISTRY imports a model's module on first use, and answers as the dict it was: the
    same names in the same order, copied, pickled and compared as one; an unknown name is
    an UnknownNameError from `get` and a miss from `REGISTRY.get`."""
    import json
    import pickle

    from realpolitik.errors import UnknownNameError
    from realpolitik.models import REGISTRY, get

    names = ["compromise", "median", "eum", "eum-pair", "anchored-compromise", "smp"]
    names.append("compromise-smp")
    assert list(REGISTRY) == list(REGISTRY.keys()) == names and len(REGISTRY) == len(names)
    as_dict = dict(REGISTRY)
    assert list(as_dict) == names and all(as_dict[n] is REGISTRY[n] is get(n) for n in names)
    assert REGISTRY == as_dict and pickle.loads(pickle.dumps(REGISTRY)) == as_dict
    assert json.loads(json.dumps(list(REGISTRY))) == names
    assert REGISTRY.get("nope") is None and "nope" not in REGISTRY and "eum" in REGISTRY
    with pytest.raises(UnknownNameError, match="unknown model 'nope'; known models: anch"):
        get("nope")
    with pytest.raises(KeyError):
        REGISTRY["nope"]
