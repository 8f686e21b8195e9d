"""Reading, validating and writing scenarios: the YAML and CSV formats and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.errors import ScenarioError
from realpolitik.scenario import builtins, dump_yaml, json_schema, parse_yaml

DATA = Path(__file__).parent / "data"


def test_minimal_scenario_loads_with_its_parts():
    sc = rp.load(DATA / "minimal.yaml")
    assert sc.id == "minimal"
    assert sc.actor_ids == ("a", "b", "c")
    assert sc.issue_ids == ("i1", "i2")
    assert sc.issue("i2").scale_max == 10
    assert sc.stance("b", "i1").salience == 50
    assert sc.stance("c", "i2") is None
    assert sc.participants("i2") == ("a", "b")
    assert sc.stance("b", "i1").source.quote == "a short phrase"


def test_yaml_written_back_reads_to_the_same_scenario():
    sc = rp.load(DATA / "minimal.yaml")
    again = parse_yaml(dump_yaml(sc), "roundtrip.yaml")
    assert again == sc
    assert again.content_hash() == sc.content_hash()


@pytest.mark.parametrize("text", ["1e5", "1.0e5", "-2E3", ".5e1", "007", "TRUE", "12"])
def test_a_text_that_reads_as_a_number_is_written_quoted(text):
    """The reader takes YAML 1.2's numbers (``1e5`` is one); PyYAML's dumper asks YAML
    1.1's resolvers and wrote ``1e5`` plain, so an exported scenario whose name or
    description was such a text (from a CSV cell, say) failed to read back."""
    d = rp.load(DATA / "minimal.yaml").to_dict()
    d["actors"][0]["name"] = text
    d["actors"][0]["description"] = text
    sc = rp.Scenario.from_dict(d)
    again = parse_yaml(dump_yaml(sc), "roundtrip.yaml")
    assert again.actor("a").name == text
    assert again.content_hash() == sc.content_hash()


def test_content_hash_ignores_layout_but_not_numbers(write):
    text = (DATA / "minimal.yaml").read_text()
    relaid = write(
        "relaid.yaml",
        "# a comment\n" + text.replace("{actor: a, issue: i1", "{issue: i1, actor: a"),
    )
    changed = write("changed.yaml", text.replace("position: 20", "position: 21"))
    base = rp.load(DATA / "minimal.yaml").content_hash()
    assert rp.load(relaid).content_hash() == base
    assert rp.load(changed).content_hash() != base


def test_every_builtin_loads_and_is_listed():
    names = builtins.names()
    assert names[0] == builtins.DEFAULT == "caucasus-2022"
    assert "ec-emissions-1994" in names
    for name in names:
        sc = rp.load(name)
        assert sc.id == name
        assert sc.origin == f"builtin:{name}"


def test_default_is_loaded_when_no_scenario_is_named():
    assert rp.load().id == "caucasus-2022"


def test_csv_table_reads_as_one_issue_scenario(write):
    p = write(
        "car-emissions.csv",
        "actor,capability,position,salience\nNetherlands,0.08,4,80\nUnited Kingdom,0.16,10,90\n",
    )
    sc = rp.load(p)
    assert sc.issue_ids == ("car-emissions",)
    assert sc.actor_ids == ("netherlands", "united-kingdom")
    assert sc.actor("united-kingdom").name == "United Kingdom"
    issue = sc.issue("car-emissions")
    assert (issue.scale_min, issue.scale_max, issue.status_quo) == (4, 10, None)
    assert sc.stance("netherlands", "car-emissions").source.note == "line 2"


def test_the_shipped_ec_table_reads_like_the_shared_one(shared):
    shipped = rp.load(Path(str(builtins._folder())) / "ec-car-emissions-1994.csv")
    original = rp.load(shared / "data/ec-emissions/ec-car-emissions-1994.csv")
    assert shipped.stances == original.stances
    yaml_form = rp.load("ec-emissions-1994")
    assert [s.position for s in yaml_form.stances] == [s.position for s in original.stances]
    assert [s.salience for s in yaml_form.stances] == [s.salience for s in original.stances]
    assert [a.capability for a in yaml_form.actors] == [a.capability for a in original.actors]


def test_json_schema_accepts_every_builtin_and_rejects_a_bad_file():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=None)
    for name in builtins.names():
        data = json.loads(json.dumps(rp.load(name).to_dict(), default=str))
        errors = list(validator.iter_errors(data))
        assert not errors, f"{name}: {errors[0].message}"
    bad = rp.load("ec-emissions-1994").to_dict()
    bad["stances"][0]["salience"] = 150
    bad["actors"][0]["colour"] = "red"
    assert len(list(validator.iter_errors(bad))) == 2


def test_several_problems_are_reported_together(write):
    text = (DATA / "minimal.yaml").read_text()
    text = text.replace("position: 20", "position: 120").replace("salience: 100", "salience: 101")
    text = text.replace("capability: 1, source", "capability: -3, source", 1)
    with pytest.raises(ScenarioError) as info:
        rp.load(write("three.yaml", text))
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["actors[1].capability", "stances[0].position", "stances[4].salience"]
    assert all(p.line is not None for p in info.value.problems)


def test_from_dict_validates_like_a_file():
    data = rp.load(DATA / "minimal.yaml").to_dict()
    assert (
        rp.Scenario.from_dict(data).content_hash() == rp.load(DATA / "minimal.yaml").content_hash()
    )
    data["actors"][0]["capability"] = float("nan")
    with pytest.raises(ScenarioError, match="finite number"):
        rp.Scenario.from_dict(data)


def test_yaml_numbers_follow_the_yaml_1_2_core_schema(write):
    text = (DATA / "minimal.yaml").read_text()
    text = text.replace("salience: 80", "salience: 050").replace("capability: 2", "capability: 1e3")
    text = text.replace("name: Beta", "name: NO")
    sc = rp.load(write("core.yaml", text))
    assert sc.stance("a", "i1").salience == 50  # decimal, not octal 40
    assert sc.actor("a").capability == 1000.0  # 1e3 is a number, not text
    assert sc.actor("b").name == "NO"  # not the boolean false


def test_markup_in_names_is_shown_as_written(write):
    from typer.testing import CliRunner

    from realpolitik.cli import app

    text = (DATA / "minimal.yaml").read_text().replace("name: Beta", 'name: "Beta [red]x[/]"')
    p = write("markup [b].yaml", text)
    result = CliRunner().invoke(app, ["forecast", str(p)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Beta [red]x[/]" in result.output
    result = CliRunner().invoke(app, ["validate", str(p)], env={"COLUMNS": "200"})
    assert "markup [b].yaml" in result.output


def test_huge_and_tiny_capabilities_keep_forecasts_finite(write):
    text = (DATA / "minimal.yaml").read_text()
    text = text.replace("capability: 2", "capability: 1.0e+307")
    text = text.replace("capability: 1,", "capability: 1.0e+307,")
    sc = rp.load(write("huge.yaml", text))
    fc = rp.forecast(sc)
    for run in fc.runs:
        assert np.isfinite(run.forecast).all()
        assert ((run.forecast >= 0) & (run.forecast <= [100, 10])).all()
    json.loads(fc.to_json())  # no infinite values
    # equal huge capabilities weigh like equal small ones
    small = rp.load(write("small.yaml", text.replace("1.0e+307", "1")))
    np.testing.assert_allclose(
        fc.run("compromise").forecast, rp.forecast(small).run("compromise").forecast
    )


def test_csv_one_actor_full_agreement_and_non_latin_names(write):
    one = rp.load(write("one.csv", "actor,capability,position,salience\nA,1,5,50\n"))
    issue = one.issues[0]
    assert (issue.scale_min, issue.scale_max) == (4, 6)
    assert rp.forecast(one).value("eum", "one") == 5
    names = rp.load(
        write("names.csv", "actor,capability,position,salience\nРоссия,2,1,50\nУкраїна,1,3,50\n")
    )
    assert names.actor_ids == ("actor-2", "actor-3")
    assert [a.name for a in names.actors] == ["Россия", "Україна"]


def test_csv_scenario_written_as_yaml_reads_back(write):
    sc = rp.load(write("table.csv", "actor,capability,position,salience\nA,1,4,80\nB,2,10,50\n"))
    again = parse_yaml(dump_yaml(sc), "again.yaml")
    assert again.stances == sc.stances and again.date is None


def _with_question(question):
    import yaml

    d = yaml.safe_load((DATA / "minimal.yaml").read_text())
    d["question"] = question
    return d


def test_a_scenario_states_its_question_and_contestants():
    """The question and its contestants are read, kept in the content (and the hash), and
    written back; the built-in caucasus-2022 asks the op-ed's question of Russia and
    Azerbaijan."""
    plain = rp.load(DATA / "minimal.yaml")
    assert plain.question is None and "question" not in plain.to_dict()
    sc = rp.Scenario.from_dict(
        _with_question({"text": "Alpha or Beta?", "contestants": ["b", "a"]})
    )
    assert sc.question == rp.scenario.Question("Alpha or Beta?", ("b", "a"))
    assert sc.content_hash() != plain.content_hash()
    assert rp.Scenario.from_dict(parse_yaml(dump_yaml(sc), "<yaml>").to_dict()) == sc
    cauc = rp.load("caucasus-2022")
    assert cauc.question is not None and cauc.question.contestants == ("russia", "azerbaijan")
    assert cauc.question.source is not None and cauc.question.source.ref == "oped-2022-02-23"


@pytest.mark.parametrize(
    ("question", "where", "says"),
    [
        (
            {"text": "?", "contestants": ["a", "zz"]},
            "question.contestants[1]",
            "unknown actor 'zz'",
        ),
        ({"text": "?", "contestants": ["a", "a"]}, "question.contestants[1]", "named twice"),
        (
            {"text": "?", "contestants": ["c", "a"]},
            "question.contestants[0]",
            "no stance on an issue with a status quo",
        ),
        ({"text": "?", "contestants": ["a"]}, "question.contestants", "at least 2"),
        ({"contestants": ["a", "b"]}, "question.text", "missing"),
        (
            {"text": "?", "contestants": ["a", "b"], "source": {"ref": "nope"}},
            "question.source.ref",
            "unknown source",
        ),
        ({"text": "?", "contestants": ["a", "b"], "who": 1}, "question.who", "unknown field"),
    ],
)
def test_a_bad_question_is_located(question, where, says):
    d = _with_question(question)
    if "status quo" in says:  # c holds a stance on i1 only: take i1's status quo away
        del d["issues"][0]["status_quo"], d["issues"][0]["status_quo_source"]
    with pytest.raises(ScenarioError) as info:
        rp.Scenario.from_dict(d)
    text = str(info.value)
    assert f"{where}:" in text and says in text, text


def _yaml_texts() -> list[str]:
    """Scenario and game texts: the built-ins, the test data, and seeded mutations of them
    (lines dropped, doubled, swapped, cut, indented)."""
    import random

    here = Path(__file__).parent / "data"
    texts = [builtins.path(n).read_text(encoding="utf-8") for n in builtins.names()]
    texts += [p.read_text(encoding="utf-8") for p in sorted(here.rglob("*.yaml"))]
    rng = random.Random(20261207)
    mutated = []
    for text in texts:
        lines = text.splitlines(keepends=True)
        for _ in range(40):
            out = list(lines)
            k = rng.randrange(len(out))
            action = rng.choice(["drop", "double", "swap", "cut", "indent", "dedent", "char"])
            if action == "drop":
                del out[k]
            elif action == "double":
                out.insert(k, out[k])
            elif action == "swap" and k + 1 < len(out):
                out[k], out[k + 1] = out[k + 1], out[k]
            elif action == "cut":
                out[k] = out[k][: rng.randrange(len(out[k]) + 1)]
            elif action == "indent":
                out[k] = "  " + out[k]
            elif action == "dedent":
                out[k] = out[k].lstrip(" ")
            else:
                at = rng.randrange(len(out[k]) + 1)
                out[k] = out[k][:at] + rng.choice(":-[]{}#&*'\",|> ") + out[k][at:]
            mutated.append("".join(out))
    return [t for t in texts + mutated if "!" not in t]


def test_libyamls_parser_reads_what_pyyamls_reads():
    """A text without ``!`` is parsed by libyaml (in C, ten times faster), others by
    PyYAML's own parser, which sees the tags a text gives: on the same text both give the
    same data, lines and problems, or both refuse it at the same line."""
    import yaml

    from realpolitik.scenario import yaml_io

    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML was built without libyaml here")
    texts = _yaml_texts()
    assert len(texts) > 100
    refused = 0
    for text in texts:
        results = []
        for loader in (yaml_io._Loader, yaml_io._FastLoader):
            try:
                original = yaml_io._loader
                yaml_io._loader = loader  # type: ignore[assignment]
                try:
                    results.append(yaml_io.parse_document(text, "t.yaml"))
                finally:
                    yaml_io._loader = original
            except ScenarioError as exc:
                results.append(("refused", [p.line for p in exc.problems]))
        if results[0][0] == "refused":
            refused += 1
            assert results[1] == results[0], text
            continue
        py, c = results
        assert c[0] == py[0] and c[1] == py[1] and c[2] == py[2], text
    assert 0 < refused < len(texts)  # the mutations made both kinds


def test_a_text_libyaml_refuses_is_refused_as_pyyaml_refuses_it():
    """What libyaml's parser refuses is read again by PyYAML's, which says why in its words
    and at its line, as every release did: libyaml placed an error at the end of a text
    with no line break after it on a line past the last, counted a control character's line
    by bytes, refused what PyYAML reads (a ``%YAML 1.3`` or unknown directive) and could
    not take a lone surrogate (a traceback)."""
    from realpolitik.scenario.yaml_io import parse_document

    # the last line's flow mapping unclosed, and no line break after it
    text = (DATA / "minimal.yaml").read_text(encoding="utf-8").rstrip("\n")[:-1]
    last = text.count("\n") + 1
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "t.yaml")
    (problem,) = info.value.problems
    assert problem.line == last  # libyaml: the line after the last
    assert "expected ',' or '}', but got '<stream end>'" in problem.message
    # a text given to the API (the dashboard's upload), not checked as a file's is
    for text, line, code in (
        ("id: x\nname: Ève à Orléans\nnote: a\x01\nrest: 1\n", 3, "U+0001"),
        ("id: x\nname: a\ud800b\n", 2, "U+D800"),
    ):
        with pytest.raises(ScenarioError) as info:
            parse_yaml(text, "t.yaml")
        (problem,) = info.value.problems
        assert problem.line == line
        assert f"the control character {code} is not allowed" in problem.message
    for text in ("%YAML 1.3\n---\na: 1\n", "%FOO bar\n---\na: 1\n"):
        assert parse_document(text, "t.yaml")[0] == {"a": 1}


@pytest.mark.parametrize(
    "text",
    [
        "id: x\nname:\tX\n",  # a tab after a colon
        "id: x  \t# a comment after a tab\n",
        "id: [a,\tb]\n",  # a tab in a flow list
        "# a scenario\n\ufeffid: x\n",  # a BOM starting a line but the first
        "id: x\nlist:\n\ufeff- 1\n",
        "id: x\nnote: |# no space before the comment\n  text\n",
        "stances:\n  - {actor: a, issue: i, note: will it hold? yes}\n",  # `?` in flow text
        "ids: [a, b?]\n",
    ],
)
def test_what_libyaml_reads_otherwise_reads_as_with_pyyaml(text):
    """A text reads the same whichever parser reads it: one holding what libyaml reads
    otherwise than PyYAML (a tab, a BOM, ``|#``, a ``?`` in a flow list's text) is read by
    PyYAML's, as one with a ``!`` in a comment is (and as every release read it); libyaml
    took the tab for a space, dropped the BOM (PyYAML keeps it in the key) and read the
    rest, where a ``!`` anywhere in the file made the same text refused."""
    from realpolitik.scenario.yaml_io import parse_document

    def read(text: str) -> object:
        try:
            data, lines, problems = parse_document(text, "t.yaml")
        except ScenarioError as exc:
            return [(p.line, p.message) for p in exc.problems]
        return data, lines, [str(p) for p in problems]

    assert read(text) == read(text + "# !\n")


@pytest.mark.parametrize("text", ["---", "# a scenario\n---", "---\n# nothing yet"])
def test_an_empty_document_is_placed_on_the_files_last_line(text):
    """libyaml placed the null of a document with nothing in it, at the end of a text with
    no line break after it, on a line past the last: a problem named line 2 of a file of
    one line."""
    from realpolitik.scenario.yaml_io import parse_document

    last = text.count("\n") + 1
    assert parse_document(text, "t.yaml")[1][()] == last
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "t.yaml")
    assert info.value.problems[0].line == last


@pytest.mark.parametrize(
    ("text", "got"),
    [
        ("---\n", "nothing"),
        ("just a sentence\n", "a text"),
        ("- a\n- b\n", "a list"),
        ("12\n", "the number 12"),
        ("2022-01-01\n", "a date"),
    ],
)
def test_a_file_that_is_no_mapping_says_what_it_is_in_plain_words(text, got):
    """A scenario or game file whose top is not a mapping says what it is (it said ``got
    NoneType``, ``got str``: Python's names for them)."""
    from realpolitik.games import GameError, parse_game

    for parse, error, kind in (
        (parse_yaml, ScenarioError, "scenario"),
        (parse_game, GameError, "game"),
    ):
        with pytest.raises(error) as info:
            parse(text, "t.yaml")
        (problem,) = info.value.problems
        assert problem.message == f"expected a mapping of {kind} fields at the top, got {got}"


@pytest.mark.parametrize("depth", [350, 800])
def test_nesting_beyond_the_limit_is_refused_by_either_parser(depth):
    """libyaml reads nesting to 1,000 levels where PyYAML's parser ran out of recursion at
    about 330: a file nested 350 or 800 deep was refused or not by whether it held a `!`
    (which picks the parser). Both refuse beyond MAX_DEPTH, with the same message."""
    from realpolitik.scenario import yaml_io

    text = (Path(__file__).parent / "data" / "minimal.yaml").read_text(encoding="utf-8")
    deep = "[" * depth + "1" + "]" * depth
    text = text.replace("status_quo: 50", f"status_quo: {deep}", 1)
    assert deep in text and depth > yaml_io.MAX_DEPTH
    for variant in (text, text + "# !\n"):
        with pytest.raises(ScenarioError, match="nested too deeply"):
            parse_yaml(variant, "deep.yaml")
