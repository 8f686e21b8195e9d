"""Observed outcomes in scenarios: the ``outcomes:`` list is validated (the issue exists,
once, the value lies on its scale, a source is given), written back and read again, part
of the content hash when present and absent from it otherwise, in the JSON Schema, and kept
by what-if edits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.errors import ScenarioError
from realpolitik.scenario import Outcome, dump_yaml, json_schema, parse_yaml

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text()
OUTCOMES = """outcomes:
  - issue: i1
    value: 45
    date: 2024-06-30
    note: the agreed figure
    source: {url: "https://example.org/agreement"}
  - {issue: i2, value: 7, source: {judgement: "reported by both sides"}}
"""


def test_outcomes_are_read(write):
    sc = rp.load(write("o.yaml", MINIMAL + OUTCOMES))
    assert [o.issue for o in sc.outcomes] == ["i1", "i2"]
    o = sc.outcome("i1")
    assert o.value == 45 and o.date == dt.date(2024, 6, 30) and o.note == "the agreed figure"
    assert o.source.url == "https://example.org/agreement"
    assert sc.outcome("i2").date is None
    assert rp.load(DATA / "minimal.yaml").outcomes == ()
    assert rp.load(DATA / "minimal.yaml").outcome("i1") is None


def test_outcomes_round_trip_and_count_in_the_hash(write):
    sc = rp.load(write("o.yaml", MINIMAL + OUTCOMES))
    again = parse_yaml(dump_yaml(sc), "again.yaml")
    assert again == sc and again.content_hash() == sc.content_hash()
    bare = rp.load(DATA / "minimal.yaml")
    assert sc.content_hash() != bare.content_hash()
    assert sc.without_outcomes().content_hash() == bare.content_hash()
    assert bare.without_outcomes() is bare


def test_a_scenario_without_outcomes_keeps_its_hash():
    # The hash of tests/data/minimal.yaml, computed before outcomes existed.
    assert rp.load(DATA / "minimal.yaml").content_hash() == (
        "sha256:6ef1431ab68c14280f495200c5f3f479df0ab0b64448f42abe9c462e9ec91de2"
    )
    assert "outcomes" not in rp.load("caucasus-2022").to_dict()


@pytest.mark.parametrize(
    ("entry", "fragments"),
    [
        ("{issue: nope, value: 1, source: {judgement: x}}", ["outcomes[0].issue", "unknown issue"]),
        ("{issue: i1, value: 140, source: {judgement: x}}", ["outcomes[0].value", "off the scale"]),
        ("{issue: i1, value: 40}", ["outcomes[0].source", "missing"]),
        ("{issue: i1, value: 40, source: {ref: nope}}", ["outcomes[0].source.ref", "unknown"]),
        ("{issue: i1, value: 40, source: {note: x}}", ["outcomes[0].source", "at least one"]),
        ("{issue: i1, value: x, source: {judgement: x}}", ["outcomes[0].value", "number"]),
        ("{issue: i1, value: 4, date: 2024-13-01, source: {judgement: x}}", ["outcomes[0].date"]),
        ("{issue: i1, value: 4, colour: red, source: {judgement: x}}", ["outcomes[0].colour"]),
    ],
)
def test_bad_outcomes_are_located(write, entry, fragments):
    f = write("bad.yaml", MINIMAL + f"outcomes:\n  - {entry}\n")
    with pytest.raises(ScenarioError) as exc:
        rp.load(f)
    text = str(exc.value)
    line = len(MINIMAL.splitlines()) + 2
    assert f"bad.yaml:{line}" in text
    for frag in fragments:
        assert frag in text


def test_an_issue_has_one_outcome(write):
    twice = "  - {issue: i1, value: 1, source: {judgement: x}}\n"
    with pytest.raises(ScenarioError, match=r"outcomes\[1\].issue: a second outcome of 'i1'"):
        rp.load(write("twice.yaml", MINIMAL + "outcomes:\n" + twice + twice))


def test_outcomes_are_in_the_json_schema(write):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra")
    import yaml

    schema = json_schema()
    assert "outcomes" in schema["properties"]
    validator = jsonschema.Draft202012Validator(schema)
    data = yaml.safe_load(MINIMAL + OUTCOMES)
    data["date"] = "2022-02-23"  # (PyYAML reads dates as dates; JSON has strings)
    data["outcomes"][0]["date"] = "2024-06-30"
    assert not list(validator.iter_errors(data))
    data["outcomes"][0]["colour"] = "red"
    assert list(validator.iter_errors(data))


def test_what_if_edits_keep_the_outcomes(write):
    sc = rp.load(write("o.yaml", MINIMAL + OUTCOMES))
    edited = rp.intervene(sc, ["a.capability*=2"])
    assert edited.outcomes == sc.outcomes


def test_outcome_is_exported():
    assert rp.Outcome is Outcome
    assert "Outcome" in rp.__all__


def test_validate_lists_the_outcomes(write):
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(write("o.yaml", MINIMAL + OUTCOMES))])
    assert result.exit_code == 0, result.output
    assert "2 outcomes" in result.output
    assert "i1: 45, 2024-06-30; source: https://example.org/agreement" in result.output
    assert "i2: 7, date not given; source: judgement: reported by both sides" in result.output
    bare = runner.invoke(app, ["validate", str(DATA / "minimal.yaml")])
    assert bare.exit_code == 0 and "outcome" not in bare.output
