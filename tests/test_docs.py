"""Every example in docs/ is executed, so the pages stay true.

In each page, in order: a ```yaml block whose first line is ``# file: NAME`` is written
to NAME (a ```csv block too, without that line); a ```python block is executed (one
namespace per page); in a ```console block each line ``$ realpolitik ...`` is run and must
exit 0, or N where the line ends with ``# exit N``; a ```text block right after a console
block is output that command must print.
Pages run in a fresh temporary folder. ```sh blocks (installation) are not run.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realpolitik.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


def test_docs_have_all_four_parts():
    for part in ("tutorial", "how-to", "reference", "explanation"):
        assert list((DOCS / part).glob("*.md")), f"docs/{part} has no page"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    namespace: dict[str, object] = {"__name__": "__docs__"}
    ran = 0
    last_output: str | None = None
    for lang, body in blocks(page):
        if lang == "text" and last_output is not None:
            assert body.strip() in last_output, f"{page.name}: output differs:\n{last_output}"
        last_output = None
        if lang in ("yaml", "csv") and body.startswith("# file: "):
            name = body.splitlines()[0].removeprefix("# file: ").strip()
            text = body if lang == "yaml" else body.split("\n", 1)[1]  # no comments in CSV
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
        elif lang == "python":
            exec(compile(body, f"{page.name}", "exec"), namespace)
            ran += 1
        elif lang == "console":
            for line in body.splitlines():
                if not line.startswith("$ realpolitik"):
                    continue
                command, _, comment = line[2:].partition("#")
                want = int(comment.split()[1]) if comment.strip().startswith("exit") else 0
                args = shlex.split(command)[1:]
                result = runner.invoke(app, args, env={"COLUMNS": "120"})
                assert result.exit_code == want, f"{page.name}: `{line}`\n{result.output}"
                assert "Traceback" not in result.output
                last_output = result.output
                ran += 1
    links = re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    for link in links:
        assert (page.parent / link).resolve().exists(), f"{page.name}: broken link {link}"
