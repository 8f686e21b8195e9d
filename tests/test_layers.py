"""The layering the architecture page states (docs/explanation/architecture.md), held by
the code: a module imports only from its own layer or lower ones, and never a private
name (``_x``) of another package, by ``from ... import`` or by attribute."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src"

#: The layers, lowest first (the architecture page's order). A module not listed under a
#: package takes its package's layer.
LAYERS: dict[str, int] = {
    "realpolitik._version": 0,
    "realpolitik._packaged": 0,
    "realpolitik._lazy": 0,
    "realpolitik.errors": 0,
    "realpolitik.files": 0,
    "realpolitik.escapes": 0,
    "realpolitik.scenario": 1,
    "realpolitik.draft": 1,  # input side: from an article to a draft scenario (uses scenario)
    "realpolitik.models": 2,
    "realpolitik.results": 3,
    "realpolitik.arrays": 3,
    "realpolitik.forecasting": 3,
    "realpolitik.games": 3,
    "realpolitik.runner": 4,
    "realpolitik.analysis": 5,
    "realpolitik.report": 6,
    "realpolitik.cli": 6,
    "realpolitik.app": 6,
    "realpolitik.__main__": 6,
    "realpolitik": 6,  # the package's __init__: the public verbs
}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for f in sorted(SRC.rglob("*.py")):
        parts = list(f.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), f))
    return out


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rsplit(".", 1)[0]


def _layer(module: str) -> int:
    parts = module.split(".")
    for k in range(len(parts), 0, -1):
        key = ".".join(parts[:k])
        if key in LAYERS:
            return LAYERS[key]
    raise KeyError(module)


def _is_package(module: str) -> bool:
    return SRC.joinpath(*module.split(".")).is_dir()


def _imports(module: str, path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, target module, names) of every import of this package's modules."""
    pkg = _package(module, path)
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = tuple(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("realpolitik"):
                    out.append((node.lineno, a.name, ()))
            continue
        else:
            continue
        if target == "realpolitik" or target.startswith("realpolitik."):
            out.append((node.lineno, target, names))
    return out


MODULES = _modules()


def test_the_layers_cover_every_module():
    for module, _ in MODULES:
        _layer(module)  # raises for a module of no layer


def layer_violations(module: str, path: Path) -> list[str]:
    mine = _layer(module)
    wrong = []
    for line, target, names in _imports(module, path):
        targets = [target]
        if _is_package(target):  # from a package import its modules
            targets = [
                f"{target}.{n}"
                if _is_package(target)
                and (
                    SRC.joinpath(*target.split("."), f"{n}.py").exists()
                    or _is_package(f"{target}.{n}")
                )
                else target
                for n in names
            ] or [target]
        for t in targets:
            if _layer(t) > mine:
                wrong.append(f"{path.name}:{line} imports {t} (layer {_layer(t)} > {mine})")
    return wrong


@pytest.mark.parametrize("module,path", MODULES, ids=[m for m, _ in MODULES])
def test_no_module_imports_a_higher_layer(module, path):
    wrong = layer_violations(module, path)
    assert not wrong, "\n".join(wrong)


def private_violations(module: str, path: Path) -> list[str]:
    pkg = _package(module, path)
    wrong = []
    aliases: dict[str, str] = {}
    for line, target, names in _imports(module, path):
        home = target if _is_package(target) else target.rsplit(".", 1)[0]
        for n in names:
            if n.startswith("_") and not n.startswith("__") and home != pkg:
                wrong.append(f"line {line}: from {target} import {n}")
            sub = f"{target}.{n}"
            if SRC.joinpath(*sub.split(".")).with_suffix(".py").exists() or _is_package(sub):
                aliases[n] = sub
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            target = aliases[node.value.id]
            home = target if _is_package(target) else target.rsplit(".", 1)[0]
            if home != pkg:
                wrong.append(f"line {node.lineno}: {node.value.id}.{node.attr} ({target})")
    return wrong


@pytest.mark.parametrize("module,path", MODULES, ids=[m for m, _ in MODULES])
def test_no_private_name_of_another_package(module, path):
    """``from x import _y`` and ``x._y`` where x is another package's module fail: what
    another package needs is public (named without the underscore, in its ``__all__``)."""
    wrong = private_violations(module, path)
    assert not wrong, "\n".join(wrong)


def test_the_checks_find_what_they_look_for(tmp_path):
    """A model module that imports higher layers, other packages' private helpers, and
    reads a private constant of another package's module is caught each time."""
    f = tmp_path / "fake.py"
    f.write_text(
        "from ..analysis.ensemble import simulate\n"
        "from ..results import _frozen\n"
        "from .eum import _helper\n"
        "from ..scenario import uncertainty\n"
        "x = uncertainty._private\n"
    )
    module = "realpolitik.models.fake"
    assert layer_violations(module, f) == [
        "fake.py:1 imports realpolitik.analysis.ensemble (layer 5 > 2)",
        "fake.py:2 imports realpolitik.results (layer 3 > 2)",
    ]
    assert private_violations(module, f) == [
        "line 2: from realpolitik.results import _frozen",
        "line 3: from realpolitik.models.eum import _helper",
        "line 5: uncertainty._private (realpolitik.scenario.uncertainty)",
    ]
