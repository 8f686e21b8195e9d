"""The pydantic-free check of a scenario's shape (:mod:`realpolitik.scenario.shape`) against
the models (:mod:`realpolitik.scenario.schema`): what it accepts, the models accept with
the same values, of the same types; a scenario read either way is the same scenario, or
the same problems. Held over the built-in scenarios, the test data, the Iran-talks tables
and 1,500 seeded mutations of them (values of every kind, fields removed and added,
entries emptied and repeated)."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import math
import random
from pathlib import Path
from typing import Any

import pytest

from realpolitik.errors import ScenarioError
from realpolitik.scenario import document as D
from realpolitik.scenario import shape
from realpolitik.scenario import validate as V
from realpolitik.scenario.builtins import path as builtin_path
from realpolitik.scenario.yaml_io import parse_document, read_text

HERE = Path(__file__).parent
ROOT = HERE.parent


def _documents() -> dict[str, Any]:
    out = {}
    for name in ("caucasus-2022", "ec-emissions-1994"):
        path = builtin_path(name)
        out[name] = parse_document(read_text(path), name)[0]
    for name in ("minimal.yaml", "uncertain.yaml"):
        path = HERE / "data" / name
        out[name] = parse_document(read_text(path), name)[0]
    return out


DOCUMENTS = _documents()


def _models(data: Any) -> tuple[Any, dict[str, list[tuple[int, Any]]], list[Any]]:
    from realpolitik.scenario.schema import LISTS, ScenarioHead

    c = D.Collector("t", {})
    head, items = D.validate_document(
        data, head=ScenarioHead, lists=LISTS, optional=shape.OPTIONAL_LISTS, collector=c
    )
    return head, items, c.problems


def _same(a: Any, b: Any, where: str = "") -> None:
    """Equal values of the same types, all the way down."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{k}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def _dump(part: Any) -> Any:
    """A part's fields as plain data, read attribute by attribute (a model's
    ``model_dump`` converts values on the way)."""
    if isinstance(part, shape.Parsed):
        return {k: _dump(v) for k, v in vars(part).items()}
    if hasattr(type(part), "model_fields"):
        return {k: _dump(getattr(part, k)) for k in type(part).model_fields}
    if isinstance(part, list):
        return [_dump(v) for v in part]
    return part


def _agree(data: Any) -> bool:
    """The shape check and the models agree on ``data``; whether the check accepted it."""
    fast = shape.document(copy.deepcopy(data))
    head, items, problems = _models(copy.deepcopy(data))
    if fast is None:
        return False
    assert not problems, [p.message for p in problems]
    f_head, f_items = fast
    _same(_dump(f_head), _dump(head), "head")
    assert list(f_items) == list(items)
    for key in items:
        assert [k for k, _ in f_items[key]] == [k for k, _ in items[key]], key
        for (k, a), (_, b) in zip(f_items[key], items[key], strict=True):
            _same(_dump(a), _dump(b), f"{key}[{k}]")
    return True


def _built(data: Any, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The scenario ``build_scenario`` makes of ``data``, or its problems; ``fast`` False
    reads it with the models only."""
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(V, "document", lambda data: None)
        try:
            sc = V.build_scenario(copy.deepcopy(data), file="t.yaml", lines={})
        except ScenarioError as e:
            return [(p.file, p.field, p.message, p.line) for p in e.problems]
    return sc.to_dict(), sc.content_hash()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_shape_check_accepts_the_built_in_and_test_scenarios(name, monkeypatch):
    """The common case takes the fast path: every shipped scenario is accepted, with the
    models' values, and read into the same scenario."""
    assert _agree(DOCUMENTS[name])
    assert _built(DOCUMENTS[name], True, monkeypatch) == _built(DOCUMENTS[name], False, monkeypatch)


def test_the_iran_tables_take_the_fast_path(monkeypatch):
    from realpolitik.scenario.tables import read_csv_folder as read_tables

    folder = ROOT / "examples" / "iran-2015"
    seen: list[bool] = []
    real = shape.document

    def spy(data: Any) -> Any:
        out = real(data)
        seen.append(out is not None)
        return out

    monkeypatch.setattr(V, "document", spy)
    sc = read_tables(folder)
    assert seen == [True] and sc.actors
    monkeypatch.setattr(V, "document", lambda data: None)
    assert read_tables(folder).to_dict() == sc.to_dict()


VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 0.5, -0.0, 7.25, 100, 100.0, 101, -5.5, 1e308, -1e-320,
    2**53, 2**53 + 1, -(2**53) - 1, 2**70, math.nan, math.inf, -math.inf,
    "", " ", "x", " x ", "x\n", "\tx", "\xa0x", "x\u2003", "x\x1c", "\x1cx", "x\x85", "a b",
    "A" * 64, "A" * 65, "id.with-dots_1", "-bad", "é", "<fill in>", "50", "1e3",
    "triangular", "uniform", " uniform", "Uniform", "set", "add", "multiply", "position",
    "salience", "capability", " set",
    "1994-01-01", "2030-06-30", "1994-1-1", "1994-02-30", "19940101", "1994-01-01T00:00:00",
    "0000-01-01", " 1994-01-01",
    dt.date(1990, 1, 1), dt.date(2030, 1, 1), dt.datetime(1994, 1, 1),
    dt.datetime(1994, 1, 1, 5), b"bytes", 999, 1000, 3000, 3001, 2022, 10_000, 10_001,
    [], [1], ["russia", "azerbaijan"], ["a"], ["a", " b"], ["x"] * 17, {},
    {"value": 5, "low": 0, "high": 10}, {"value": 50, "low": 40, "high": 60,
                                         "distribution": "uniform"},
    {"value": 5, "low": 6, "high": 10}, {"value": 5, "low": 5, "high": 5},
    {"value": 50, "low": 40, "high": 160}, {"value": 5, "low": 0, "high": 10, "extra": 1},
    {"value": 5, "low": 0, "high": 10, "distribution": "normal"},
    {"value": 5, "low": 0}, {"ref": "bdm-1994"}, {"judgement": "analyst"}, {"year": 2020},
    {"ref": "scholz-2011", "year": 1999}, {"url": " "}, {"name": "x", "lat": 40, "lon": 45,
                                                        "source": {"judgement": "j"}},
    {"reason": "looking back"}, {"text": "who?", "contestants": ["germany", "france"]},
    {"min": 0, "max": 10, "min_label": "a", "max_label": "b"},
]  # fmt: skip


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out += _paths(v, (*path, k))
    return out


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


def _mutate(data: Any, rng: random.Random) -> Any:
    data = copy.deepcopy(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        paths = _paths(data)[1:]
        path = rng.choice(paths)
        parent, key = _at(data, path[:-1]), path[-1]
        op = rng.random()
        if op < 0.6:
            parent[key] = copy.deepcopy(rng.choice(VALUES))
        elif op < 0.7 and isinstance(parent, dict):
            del parent[key]
        elif op < 0.8 and isinstance(parent, dict):
            parent[rng.choice(("extra", "notes", "Id", 3, "sources", "stances", "question"))] = (
                copy.deepcopy(rng.choice(VALUES))
            )
        elif op < 0.9 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif isinstance(parent, list):
            del parent[key]
        else:
            parent[key] = copy.deepcopy(rng.choice(VALUES))
    return data


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_shape_check_and_the_models_agree_on_mutations(name, monkeypatch):
    """Over seeded mutations: what the shape check accepts, the models accept with the
    same values of the same types, and the scenario read (or every problem found) is the
    same with the check as with the models alone. Many mutants are declined, and many
    accepted: both paths are exercised."""
    rng = random.Random(f"shape-{name}")
    accepted = declined = 0
    for _ in range(375):
        mutant = _mutate(DOCUMENTS[name], rng)
        if _agree(mutant):
            accepted += 1
        else:
            declined += 1
        assert _built(mutant, True, monkeypatch) == _built(mutant, False, monkeypatch)
    print(name, accepted, declined)
    assert accepted > 30 and declined > 100, (accepted, declined)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "\xa0Name"),  # Unicode whitespace: pydantic strips it, Python too
        ("name", "Name\x1c"),  # Python strips it, pydantic not
        ("date", "1994-01-01T00:00:00"),  # a date written with a time
        ("date", dt.datetime(1994, 1, 1)),
        ("name", "Name \ud800"),  # a lone surrogate: no UTF-8 text, pydantic refuses it
        ("description", "\udfff"),  # (the head's lax text too)
    ],
)
def test_the_shape_check_declines_what_needs_the_models(field, value, monkeypatch):
    """Values the models convert in ways this check does not copy are left to them; the
    scenario is then read by the models alone."""
    data = copy.deepcopy(DOCUMENTS["ec-emissions-1994"])
    data[field] = value
    assert shape.document(data) is None
    assert _built(data, True, monkeypatch) == _built(data, False, monkeypatch)


def test_parsed_parts_are_read_only():
    head, _ = shape.document(copy.deepcopy(DOCUMENTS["minimal.yaml"]))  # type: ignore[misc]
    with pytest.raises(AttributeError, match="read-only"):
        head.name = "other"
    with pytest.raises(AttributeError, match="read-only"):
        del head.name


def test_a_lone_surrogate_is_a_problem_on_either_path(monkeypatch):
    """A YAML escape such as ``"\\ud800"`` gives a Python text with a lone surrogate,
    which no UTF-8 text holds: the models refuse it, located, and so does the scenario read
    with the shape check (which leaves it to them)."""
    from realpolitik.scenario.yaml_io import parse_yaml

    text = read_text(HERE / "data" / "minimal.yaml")
    bad = text.replace("name: Alpha", 'name: "Al\\ud800pha"', 1)
    assert bad != text
    data = copy.deepcopy(DOCUMENTS["minimal.yaml"])
    data["actors"][0]["name"] = "Al\ud800pha"
    assert shape.document(data) is None
    got = _built(data, True, monkeypatch)
    assert got == _built(data, False, monkeypatch)
    assert [field for _, field, _, _ in got] == ["actors[0].name"]
    with pytest.raises(ScenarioError) as e:
        parse_yaml(bad, "t.yaml")
    assert [p.field for p in e.value.problems] == ["actors[0].name"]


def _fields(check: Any) -> dict[str, tuple[Any, Any]]:
    """The fields a model's check of :mod:`.shape` reads (name -> (check, default))."""
    return inspect.getclosurevars(check).nonlocals["fields"]


def test_the_shape_check_reads_the_models_fields():
    """Each model's check in :mod:`.shape` has the model's fields, in its order, required
    where the model's are, with its defaults, and the same options where a field is a
    choice: a field added to, dropped from or made required in :mod:`.schema` alone fails
    here (the mutations may not happen upon it)."""
    import typing

    from realpolitik.scenario import schema as S

    ranges = {
        "_UNCERTAIN": S.RangeSpec,
        "_SALIENCE": S.SalienceRangeSpec,
        "_CAPABILITY": S.CapabilityRangeSpec,
    }
    pairs = [
        (shape._SOURCE, S.SourceSpec),
        (shape._SOURCE_ENTRY, S.SourceEntrySpec),
        (shape._ACTOR, S.ActorSpec),
        (shape._SCALE, S.ScaleSpec),
        (shape._LOCUS, S.LocusSpec),
        (shape._ISSUE, S.IssueSpec),
        (shape._STANCE, S.StanceSpec),
        (shape._SHOCK, S.ShockSpec),
        (shape._OUTCOME, S.OutcomeSpec),
        (shape._QUESTION, S.QuestionSpec),
        (shape._RETROSPECTIVE, S.RetrospectiveSpec),
        (shape._HEAD, S.ScenarioHead),
    ]
    for name, model in ranges.items():
        pairs.append((inspect.getclosurevars(getattr(shape, name)).nonlocals["as_range"], model))
    for check, model in pairs:
        fields = _fields(check)
        assert list(fields) == list(model.model_fields), model.__name__
        for field, (_, default) in fields.items():
            info = model.model_fields[field]
            if default is shape._REQUIRED:
                assert info.is_required(), f"{model.__name__}.{field}"
            else:
                assert not info.is_required(), f"{model.__name__}.{field}"
                assert default == info.default, f"{model.__name__}.{field}"
    assert set(shape._ITEMS) == set(S.LISTS)
    assert list(shape._HEAD_FIELDS) == list(S.ScenarioHead.model_fields)
    assert set(shape.OPTIONAL_LISTS) == {
        k for k, f in S.ScenarioSpec.model_fields.items() if k in S.LISTS and not f.is_required()
    }
    for model, field, options in [
        (S.RangeSpec, "distribution", shape.DISTRIBUTIONS),
        (S.ShockSpec, "field", shape.SHOCK_FIELDS),
        (S.ShockSpec, "op", shape.SHOCK_OPS),
    ]:
        assert typing.get_args(model.model_fields[field].annotation) == options
