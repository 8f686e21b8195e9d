"""The language-model extractor: a local model proposes issues and stances, the program
quotes.

* **Local only, by default.** The backends are an OpenAI-compatible server on this machine
  (Ollama: ``http://127.0.0.1:11434/v1``; llama.cpp's ``llama-server``:
  ``http://127.0.0.1:8080/v1``), reached with the standard library (no new dependency), or
  llama-cpp-python with a GGUF model file the user supplies (the ``llm`` extra). An address
  that is not this machine is refused unless ``allow_remote`` is given: the article would be
  sent there. No cloud service is ever the default.
* **Constrained output.** The model answers in JSON under a schema whose sentence ids
  (``s1`` ... ``sN``) and actor ids (the actors the gazetteer found) are enums, and whose
  position and salience are the buckets of :mod:`.findings`; the answer is checked against
  the same rules here (a server may ignore the schema), and one that breaks them is an
  error naming the field, never a partial draft.
* **The model proposes, the program quotes.** The model cites sentences by id; every quote
  is cut by the program from the cited sentence (:func:`~.article.cut_quote`) and checked
  verbatim, so a draft can never carry words the article does not hold.
* **Recorded.** The findings' settings hold the backend, the model (its name, or for a
  model file its SHA-256), the SHA-256 of the prompt and of the schema, the temperature,
  seed and token limit. A :class:`Recorder` saves the answers by prompt hash, and
  :class:`Replay` plays them back: the tests run through it, with no model.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from . import DraftError, write_atomically
from .article import Article, cut_quote
from .findings import (
    POSITIONS,
    SALIENCES,
    ActorFinding,
    Findings,
    IssueFinding,
    StanceFinding,
)
from .gazetteer import Gazetteer, gazetteer, slug

__all__ = [
    "SETTINGS",
    "Backend",
    "LLMExtractor",
    "LlamaCppFile",
    "OpenAIServer",
    "Recorder",
    "Replay",
    "check_local",
    "extractor_from",
    "prompt",
    "response_schema",
]

#: The sampling settings (recorded with every draft).
SETTINGS: Mapping[str, Any] = {"temperature": 0.0, "seed": 0, "max_tokens": 4096}

_INSTRUCTIONS = """\
You read a news article or statement about a political contest and code it for a
bargaining model. Answer in JSON only, following the schema.
- issues: the questions the actors disagree about (at most 8). For each: an id (lower case,
  words joined by '-'), the question, what the low end (0) and the high end (100) of its
  scale mean, and the ids of the sentences that show the issue.
- stances: for each actor that states or clearly implies a position on an issue: the actor's
  id (only from the list given), the issue's id, the position relative to the issue's ends
  (min, leans-min, middle, leans-max, max, or unknown), the salience (high: a priority for
  the actor, shown by costly action, emphasis or repeated demands; medium: stated plainly;
  low: in passing; unknown: no signal) and the id of the ONE sentence that shows it.
- Code conservatively, from the text alone: no stance without a sentence that shows it.
- Do not quote: cite sentence ids; the program quotes them.
"""


class Backend(Protocol):
    """Where the answers come from: a server, a model file, or a recording."""

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str: ...

    def describe(self) -> dict[str, Any]: ...


def check_local(url: str, allow_remote: bool = False) -> str:
    """``url`` if it is an http(s) address on this machine (localhost or a loopback
    address), or any http(s) address when ``allow_remote``; else a :class:`DraftError`."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DraftError(
            f"`llm_url` must be an http:// or https:// address such as "
            f"http://127.0.0.1:11434/v1, got {url!r}"
        )
    host = parts.hostname
    local = host == "localhost"
    try:
        local = local or ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if not local and not allow_remote:
        raise DraftError(
            f"`llm_url`: {host} is not this machine, and the article would be sent to it; "
            "use a server on this machine (127.0.0.1 or localhost), or give "
            "`allow_remote` if you mean to"
        )
    return url.rstrip("/")


class OpenAIServer:
    """An OpenAI-compatible chat-completions server (Ollama, llama.cpp's server, vLLM...),
    asked with the standard library."""

    def __init__(
        self,
        url: str,
        model: str | None = None,
        *,
        timeout: float = 300,
        allow_remote: bool = False,
    ) -> None:
        self.url = check_local(url, allow_remote)
        self.model = model or "default"
        self.timeout = timeout

    def describe(self) -> dict[str, Any]:
        return {"backend": "openai-compatible server", "url": self.url, "model": self.model}

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        body = {
            "model": self.model,
            "messages": messages,
            **SETTINGS,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "findings", "schema": schema, "strict": True},
            },
        }
        req = urllib.request.Request(
            self.url + "/chat/completions",
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode("utf-8", "replace")
            raise DraftError(
                f"the model server at {self.url} answered HTTP {exc.code} ({detail.strip()}); "
                "is the model name right?"
            ) from None
        except TimeoutError:
            raise DraftError(
                f"the model server at {self.url} did not answer within {self.timeout:g} s; "
                "try a smaller model or a longer `timeout`; nothing was written"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError | socket.timeout):
                raise DraftError(
                    f"the model server at {self.url} did not answer within "
                    f"{self.timeout:g} s; nothing was written"
                ) from None
            raise DraftError(
                f"the model server at {self.url} is not answering ({reason}); start it "
                "(ollama serve, or llama-server -m MODEL.gguf) or check `llm_url`"
            ) from None
        try:
            data = json.loads(raw)
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise DraftError(
                f"the model server at {self.url} gave an answer that is not an OpenAI "
                f"chat completion: {raw[:120]!r}"
            ) from None
        if not isinstance(content, str):
            raise DraftError(f"the model server at {self.url} gave no text in its answer")
        return content


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class LlamaCppFile:
    """A GGUF model file run in this process with llama-cpp-python (the ``llm`` extra)."""

    def __init__(self, model_file: str | Path, *, n_ctx: int = 16384) -> None:
        self.path = Path(model_file)
        if not self.path.is_file():
            raise DraftError(f"`model_file`: {self.path} is not a file; expected a .gguf model")
        self.n_ctx = n_ctx
        self._sha: str | None = None

    def describe(self) -> dict[str, Any]:
        if self._sha is None:
            self._sha = _sha256_file(self.path)
        return {
            "backend": "llama-cpp-python",
            "model_file": self.path.name,
            "model_sha256": self._sha,
        }

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        try:
            from llama_cpp import Llama  # type: ignore[import-not-found]
        except ImportError:
            raise DraftError(
                "a model file needs llama-cpp-python: pip install 'realpolitik[llm]' "
                "(or run the model in a local server and give `llm_url`)"
            ) from None
        llm = Llama(
            model_path=str(self.path), n_ctx=self.n_ctx, seed=SETTINGS["seed"], verbose=False
        )
        out = llm.create_chat_completion(
            messages=messages,
            response_format={"type": "json_object", "schema": schema},
            temperature=SETTINGS["temperature"],
            max_tokens=SETTINGS["max_tokens"],
        )
        return str(out["choices"][0]["message"]["content"])


def prompt_hash(messages: Sequence[Mapping[str, str]]) -> str:
    """The SHA-256 of a prompt (its messages as canonical JSON)."""
    canon = json.dumps(list(messages), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


class Replay:
    """Answers recorded earlier (a JSON file: ``{"model": {...}, "answers": {prompt sha256:
    answer}}``), played back instead of a model: tests, and re-drafting without one."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.answers: dict[str, str] = dict(data["answers"])
            self.model: dict[str, Any] = dict(data.get("model", {}))
        except OSError as exc:
            raise DraftError(f"`replay`: cannot read {self.path}: {exc.strerror}") from None
        except (ValueError, KeyError, TypeError):
            raise DraftError(
                f"`replay`: {self.path} is not a recording of answers (expected JSON with "
                '"answers": {prompt sha256: answer})'
            ) from None

    def describe(self) -> dict[str, Any]:
        return {**self.model, "replayed_from": self.path.name}

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        key = prompt_hash(messages)
        if key not in self.answers:
            raise DraftError(
                f"`replay`: {self.path} holds no answer to this prompt (sha256 {key[:16]}...): "
                "it was recorded for another article, date or version"
            )
        return self.answers[key]


class Recorder:
    """A backend whose answers are saved to ``path`` (for :class:`Replay`)."""

    def __init__(self, inner: Backend, path: str | Path) -> None:
        self.inner = inner
        self.path = Path(path)

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        answer = self.inner.complete(messages, schema)
        answers: dict[str, str] = {}
        if self.path.is_file():
            try:
                answers = json.loads(self.path.read_text(encoding="utf-8"))["answers"]
            except (ValueError, KeyError):
                answers = {}
        answers[prompt_hash(messages)] = answer
        doc = {"model": self.inner.describe(), "answers": answers}
        write_atomically(self.path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return answer


# ---------------------------------------------------------------------- the prompt


def response_schema(sentence_ids: Sequence[str], actor_ids: Sequence[str]) -> dict[str, Any]:
    """The JSON schema of the answer: sentence and actor ids as enums, buckets as enums."""
    text = {"type": "string", "minLength": 1, "maxLength": 300}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["issues", "stances"],
        "properties": {
            "issues": {
                "type": "array",
                "maxItems": 8,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "question", "low_end", "high_end", "evidence"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,59}$"},
                        "question": text,
                        "low_end": text,
                        "high_end": text,
                        "evidence": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"enum": list(sentence_ids)},
                        },
                    },
                },
            },
            "stances": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["actor", "issue", "position", "salience", "evidence"],
                    "properties": {
                        "actor": {"enum": list(actor_ids)},
                        "issue": {"type": "string"},
                        "position": {"enum": list(POSITIONS)},
                        "salience": {"enum": list(SALIENCES)},
                        "evidence": {"enum": list(sentence_ids)},
                    },
                },
            },
        },
    }


def prompt(article: Article, actors: Sequence[ActorFinding]) -> list[dict[str, str]]:
    """The messages sent to the model: the instructions, the numbered sentences and the
    actors it may name."""
    lines = [f"Article: {article.title or article.name}"]
    if article.date:
        lines.append(f"Date: {article.date.isoformat()}")
    lines.append("")
    lines.append("Actors (use these ids only):")
    for a in actors:
        extra = f", of {a.state}" if a.state and a.kind != "state" else ""
        lines.append(f"- {a.id}: {a.name} ({a.kind}{extra})")
    lines.append("")
    lines.append("Sentences:")
    for s in article.sentences:
        lines.append(f"{s.id}: {s.text}")
    return [
        {"role": "system", "content": _INSTRUCTIONS},
        {"role": "user", "content": "\n".join(lines)},
    ]


class _Answer:
    """The model's answer, checked against the schema's rules field by field."""

    def __init__(self, raw: str, sentences: set[str], actors: set[str]) -> None:
        try:
            data = json.loads(raw)
        except ValueError:
            raise DraftError(
                f"the model's answer is not JSON: {raw[:120]!r}; nothing was written"
            ) from None
        self.problems: list[str] = []
        if not isinstance(data, dict):
            raise DraftError("the model's answer is not a JSON object; nothing was written")
        issues = self._list(data, "issues")
        stances = self._list(data, "stances")
        self.issues: list[dict[str, Any]] = []
        seen: set[str] = set()
        for k, i in enumerate(issues):
            where = f"issues[{k}]"
            if not self._fields(i, where, ("id", "question", "low_end", "high_end", "evidence")):
                continue
            blank = [
                f
                for f in ("id", "question", "low_end", "high_end")
                if not isinstance(i[f], str) or not i[f].strip() or len(i[f]) > 300
            ]
            if blank:
                self.problems.append(f"{where}.{blank[0]}: expected a text of 1-300 characters")
                continue
            ev = i["evidence"]
            if not isinstance(ev, list) or not ev or any(e not in sentences for e in ev):
                self.problems.append(
                    f"{where}.evidence: expected sentence ids s1-s{len(sentences)}"
                )
                continue
            iid = slug(str(i["id"]))[:60]
            if iid in seen:
                self.problems.append(f"{where}.id: {iid!r} given twice")
                continue
            seen.add(iid)
            self.issues.append({**i, "id": iid})
        self.stances: list[dict[str, Any]] = []
        for k, s in enumerate(stances):
            where = f"stances[{k}]"
            if not self._fields(s, where, ("actor", "issue", "position", "salience", "evidence")):
                continue
            checks = (
                ("actor", s["actor"] in actors, "one of the actors offered"),
                ("issue", slug(str(s["issue"])) in seen, "the id of one of its issues"),
                ("position", s["position"] in POSITIONS, "one of " + ", ".join(POSITIONS)),
                ("salience", s["salience"] in SALIENCES, "one of " + ", ".join(SALIENCES)),
                ("evidence", s["evidence"] in sentences, "a sentence id"),
            )
            bad = [f"{where}.{f}: {s[f]!r} is not {want}" for f, ok, want in checks if not ok]
            if bad:
                self.problems.extend(bad)
                continue
            self.stances.append({**s, "issue": slug(str(s["issue"]))})
        if self.problems:
            shown = "; ".join(self.problems[:3])
            more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
            raise DraftError(
                f"the model's answer is not what was asked: {shown}{more}; nothing was written"
            )

    def _list(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            raise DraftError(
                f"the model's answer has no list {key!r} (expected issues and stances); "
                "nothing was written"
            )
        return value

    def _fields(self, item: Any, where: str, need: Sequence[str]) -> bool:
        if not isinstance(item, dict):
            self.problems.append(f"{where}: expected an object")
            return False
        missing = [f for f in need if f not in item]
        if missing:
            self.problems.append(f"{where}: missing {', '.join(missing)}")
            return False
        return True


@dataclass(frozen=True)
class LLMExtractor:
    """The language-model extractor (see the module's docstring)."""

    backend: Backend
    gaz: Gazetteer | None = None
    name: str = "llm"

    def extract(self, article: Article) -> Findings:
        from .rules import actors_of

        gaz = self.gaz or gazetteer()
        actors = actors_of(article, gaz)
        if not actors:
            return Findings(article, (), (), (), self.name, {})
        messages = prompt(article, actors)
        sentence_ids = [s.id for s in article.sentences]
        schema = response_schema(sentence_ids, [a.id for a in actors])
        raw = self.backend.complete(messages, schema)
        answer = _Answer(raw, set(sentence_ids), {a.id for a in actors})
        issues = tuple(
            IssueFinding(
                i["id"],
                str(i["question"]),
                str(i["low_end"]),
                str(i["high_end"]),
                tuple(int(e[1:]) for e in dict.fromkeys(i["evidence"])),
                "llm",
            )
            for i in answer.issues
        )
        by_id = {a.id: a for a in actors}
        stances: dict[tuple[str, str], StanceFinding] = {}
        for s in answer.stances:
            sentence = article.sentence(s["evidence"])
            spans = [
                (m.start, m.end) for m in by_id[s["actor"]].mentions if m.sentence == sentence.index
            ]
            quote = cut_quote(sentence, spans[0] if spans else None)
            if quote not in sentence.text:  # the program quotes, and checks
                raise DraftError(f"a quote of {sentence.id} is not verbatim; nothing was written")
            stances.setdefault(
                (s["actor"], s["issue"]),
                StanceFinding(
                    s["actor"],
                    s["issue"],
                    s["position"],
                    s["salience"],
                    sentence.index,
                    quote,
                    "model",
                ),
            )
        settings = {
            **self.backend.describe(),
            "prompt_sha256": prompt_hash(messages),
            "schema_sha256": hashlib.sha256(
                json.dumps(schema, sort_keys=True).encode("utf-8")
            ).hexdigest(),
            **SETTINGS,
        }
        return Findings(
            article, tuple(actors), issues, tuple(stances.values()), self.name, settings
        )


def extractor_from(
    *,
    llm_url: str | None = None,
    llm_model: str | None = None,
    model_file: str | Path | None = None,
    replay: str | Path | None = None,
    record: str | Path | None = None,
    timeout: float = 300,
    allow_remote: bool = False,
) -> LLMExtractor:
    """The language-model extractor for exactly one of a server address, a model file or a
    recording (``record``: also save the answers there)."""
    given = [
        n for n, v in (("llm_url", llm_url), ("model_file", model_file), ("replay", replay)) if v
    ]
    if len(given) != 1:
        raise DraftError(
            "the llm extractor needs exactly one of `llm_url` (a local OpenAI-compatible "
            "server), `model_file` (a GGUF file) or `replay` (recorded answers)"
            + (f"; got {', '.join(f'`{g}`' for g in given)}" if given else "")
        )
    backend: Backend
    if llm_url:
        backend = OpenAIServer(llm_url, llm_model, timeout=timeout, allow_remote=allow_remote)
    elif model_file:
        backend = LlamaCppFile(model_file)
    else:
        assert replay is not None
        backend = Replay(replay)
    if record:
        backend = Recorder(backend, record)
    return LLMExtractor(backend)
