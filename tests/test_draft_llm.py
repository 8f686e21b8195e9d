"""The language-model extractor, through a replay backend and a fake local server: the
model proposes, the program quotes; bad servers and bad answers get clear errors and no
file."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from realpolitik.cli import app
from realpolitik.draft import DraftError, draft_article
from realpolitik.draft.article import read_article
from realpolitik.draft.findings import grounding
from realpolitik.draft.llm import (
    LlamaCppFile,
    LLMExtractor,
    OpenAIServer,
    Recorder,
    Replay,
    check_local,
    prompt,
    prompt_hash,
    response_schema,
)
from realpolitik.draft.rules import actors_of

EXAMPLE = Path(__file__).parents[1] / "examples" / "belgrade-pristina-2023.txt"
DAY = dt.date(2023, 2, 27)
runner = CliRunner()

ANSWER = {
    "issues": [
        {
            "id": "kosovo-recognition",
            "question": "Does Serbia recognise Kosovo?",
            "low_end": "no recognition",
            "high_end": "mutual recognition",
            "evidence": ["s5", "s6"],
        }
    ],
    "stances": [
        {
            "actor": "serbia",
            "issue": "kosovo-recognition",
            "position": "min",
            "salience": "high",
            "evidence": "s6",
        },
        {
            "actor": "kosovo",
            "issue": "kosovo-recognition",
            "position": "max",
            "salience": "high",
            "evidence": "s5",
        },
    ],
}


def _article():
    return read_article(EXAMPLE, when=DAY)


def _messages():
    art = _article()
    return prompt(art, actors_of(art))


def _replay_file(tmp_path: Path, answer: object) -> Path:
    p = tmp_path / "answers.json"
    text = answer if isinstance(answer, str) else json.dumps(answer)
    p.write_text(
        json.dumps({"model": {"backend": "test"}, "answers": {prompt_hash(_messages()): text}}),
        encoding="utf-8",
    )
    return p


def test_the_model_proposes_and_the_program_quotes(tmp_path):
    d = draft_article(_article(), LLMExtractor(Replay(_replay_file(tmp_path, ANSWER))))
    f = d.findings
    art = f.article
    assert [i.id for i in f.issues] == ["kosovo-recognition"]
    assert f.issues[0].evidence == (5, 6)
    for s in f.stances:
        assert s.quote in art.sentence(s.evidence).text  # cut from the cited sentence
    assert {(s.actor, s.position) for s in f.stances} == {("serbia", "min"), ("kosovo", "max")}
    assert grounding(f)[1] == []
    st = f.settings
    assert st["prompt_sha256"] == prompt_hash(_messages())
    assert len(str(st["schema_sha256"])) == 64 and st["temperature"] == 0.0
    assert "prompt_sha256" in d.text  # recorded in the draft's source note
    assert d.scenario.stances[0].source.note.startswith("DRAFT")


def test_the_schema_makes_ids_enums():
    schema = response_schema(["s1", "s2"], ["russia", "ukraine"])
    stance = schema["properties"]["stances"]["items"]["properties"]
    assert stance["actor"] == {"enum": ["russia", "ukraine"]}
    assert stance["evidence"] == {"enum": ["s1", "s2"]}
    issue = schema["properties"]["issues"]["items"]["properties"]
    assert issue["evidence"]["items"] == {"enum": ["s1", "s2"]}
    assert "quote" not in stance  # the program quotes, not the model


@pytest.mark.parametrize(
    "answer,expected",
    [
        ("Sure! Here is the JSON you asked for", "not JSON"),
        ([1, 2], "not a JSON object"),
        ({"issues": []}, "no list 'stances'"),
        (
            {**ANSWER, "stances": [{**ANSWER["stances"][0], "actor": "narnia"}]},
            "stances[0].actor: 'narnia' is not one of the actors offered",
        ),
        (
            {**ANSWER, "stances": [{**ANSWER["stances"][0], "evidence": "s999"}]},
            "stances[0].evidence: 's999' is not a sentence id",
        ),
        (
            {**ANSWER, "stances": [{**ANSWER["stances"][0], "position": "very much"}]},
            "stances[0].position",
        ),
        ({**ANSWER, "issues": [{"id": "x"}]}, "issues[0]: missing question"),
        (
            {**ANSWER, "issues": [{**ANSWER["issues"][0], "low_end": ""}]},
            "issues[0].low_end: expected a text",
        ),
    ],
)
def test_junk_answers_are_refused(tmp_path, answer, expected):
    ex = LLMExtractor(Replay(_replay_file(tmp_path, answer)))
    with pytest.raises(DraftError, match="nothing was written") as e:
        draft_article(_article(), ex)
    assert expected in str(e.value)


def test_replay_for_another_prompt(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"answers": {"0" * 64: "{}"}}), encoding="utf-8")
    with pytest.raises(DraftError, match="holds no answer to this prompt"):
        draft_article(_article(), LLMExtractor(Replay(p)))
    p.write_text("[]", encoding="utf-8")
    with pytest.raises(DraftError, match="is not a recording"):
        Replay(p)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:11434/v1", "http://localhost:8080/v1/", "http://[::1]:8080"]
)
def test_loopback_addresses_are_allowed(url):
    assert check_local(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:11434/v1", "https://api.example.com/v1"])
def test_other_machines_are_refused_unless_allowed(url):
    with pytest.raises(DraftError, match="is not this machine"):
        check_local(url)
    assert check_local(url, allow_remote=True) == url
    with pytest.raises(DraftError, match="http:// or https://"):
        check_local("ftp://127.0.0.1/x")


# ---------------------------------------------------------------------- a fake server


class _Handler(BaseHTTPRequestHandler):
    behaviour = "ok"
    seen: ClassVar[list[dict]] = []

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.seen.append(body)
        if self.behaviour == "slow":
            time.sleep(3)
        if self.behaviour == "404":
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b'{"error": "model not found"}')
            return
        if self.behaviour == "junk":
            payload = b"<html>oops</html>"
        else:
            payload = json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": json.dumps(ANSWER)}}]}
            ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server():
    srv = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    _Handler.seen = []
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


def test_a_local_server(server, tmp_path):
    _, url = server
    _Handler.behaviour = "ok"
    rec = tmp_path / "rec.json"
    d = draft_article(_article(), LLMExtractor(Recorder(OpenAIServer(url, "m"), rec)))
    assert [i.id for i in d.findings.issues] == ["kosovo-recognition"]
    sent = _Handler.seen[0]
    assert sent["model"] == "m" and sent["temperature"] == 0.0
    schema = sent["response_format"]["json_schema"]["schema"]
    assert "serbia" in schema["properties"]["stances"]["items"]["properties"]["actor"]["enum"]
    # the recording replays without the server
    again = draft_article(_article(), LLMExtractor(Replay(rec)))
    assert again.findings.stances == d.findings.stances


@pytest.mark.parametrize(
    "behaviour,expected",
    [
        ("junk", "not an OpenAI chat completion"),
        ("404", "answered HTTP 404"),
        ("slow", "did not answer within 1 s"),
    ],
)
def test_a_bad_server(server, behaviour, expected):
    _, url = server
    _Handler.behaviour = behaviour
    with pytest.raises(DraftError, match=expected):
        draft_article(_article(), LLMExtractor(OpenAIServer(url, timeout=1)))


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_a_server_that_is_down():
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(DraftError, match="is not answering"):
        draft_article(_article(), LLMExtractor(OpenAIServer(url)))


def test_cli_with_a_server_that_is_down_writes_nothing(tmp_path):
    out = tmp_path / "d.yaml"
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    r = runner.invoke(
        app,
        [
            "draft",
            str(EXAMPLE),
            "--date",
            "2023-02-27",
            "-e",
            "llm",
            "--llm-url",
            url,
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 2, r.output
    assert "is not answering" in r.stderr and "--llm-url" in " ".join(r.stderr.split())
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_with_a_replay(tmp_path):
    out = tmp_path / "d.yaml"
    rp = _replay_file(tmp_path, ANSWER)
    r = runner.invoke(
        app,
        [
            "draft",
            str(EXAMPLE),
            "--date",
            "2023-02-27",
            "-e",
            "llm",
            "--replay",
            str(rp),
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "llm extractor" in r.stderr
    r = runner.invoke(app, ["validate", str(out)])
    assert r.exit_code == 0, r.output


def test_a_model_file(tmp_path, monkeypatch):
    with pytest.raises(DraftError, match="is not a file"):
        LlamaCppFile(tmp_path / "none.gguf")
    f = tmp_path / "m.gguf"
    f.write_bytes(b"GGUF not really")
    backend = LlamaCppFile(f)
    desc = backend.describe()
    assert desc["model_sha256"] == __import__("hashlib").sha256(b"GGUF not really").hexdigest()
    monkeypatch.setitem(__import__("sys").modules, "llama_cpp", None)  # not installed
    with pytest.raises(DraftError, match=r"pip install 'realpolitik\[llm\]'"):
        draft_article(_article(), LLMExtractor(backend))


def test_a_model_file_is_run_as_llama_cpp_python_is_called(tmp_path, monkeypatch):
    """The in-process backend against a stand-in for llama-cpp-python (the `llm` extra is
    not installed in CI: it compiles for many minutes): the model file, a fixed seed and
    context, the JSON schema as the response format, temperature 0; its answer drafted
    like a server's, with the file's hash recorded."""
    import hashlib
    import sys
    import types

    calls: dict[str, object] = {}

    class Llama:
        def __init__(self, **kwargs: object) -> None:
            calls["init"] = kwargs

        def create_chat_completion(self, **kwargs: object) -> dict[str, object]:
            calls["chat"] = kwargs
            return {"choices": [{"message": {"content": json.dumps(ANSWER)}}]}

    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=Llama))
    f = tmp_path / "m.gguf"
    f.write_bytes(b"GGUF stand-in")
    d = draft_article(_article(), LLMExtractor(LlamaCppFile(f)))
    init, chat = calls["init"], calls["chat"]
    assert isinstance(init, dict) and init["model_path"] == str(f) and "seed" in init
    assert isinstance(chat, dict) and chat["temperature"] == 0.0
    assert chat["response_format"]["type"] == "json_object"  # type: ignore[index]
    schema = chat["response_format"]["schema"]  # type: ignore[index]
    stance = schema["properties"]["stances"]["items"]["properties"]
    art = _article()
    assert stance["evidence"] == {"enum": [f"s{s.index}" for s in art.sentences]}
    assert set(stance["actor"]["enum"]) >= {"serbia", "kosovo"}
    assert {(s.actor, s.position) for s in d.findings.stances} == {
        ("serbia", "min"),
        ("kosovo", "max"),
    }
    assert d.findings.settings["model_sha256"] == hashlib.sha256(b"GGUF stand-in").hexdigest()
