"""Games within bounds: the size of each form before solving, the default methods chosen by
it, pygambit in a worker process (a time limit, a memory cap, a crash contained, no
orphan), and untrusted ``.efg`` files read by our own bounded parser.

The real games are examples of the Gambit project (tests/data/games/README.md)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import needs_gambit
from test_games_cli import invoke

from realpolitik.games import GameError, parse_efg, read_efg, solve_game, to_efg
from realpolitik.games.efgfile import MAX_DEPTH, parse_efg_text
from realpolitik.games.errors import SolveLimitError, SolverCrashError
from realpolitik.games.size import BUDGETS, estimate, measure
from realpolitik.games.validate import MAX_NODES
from realpolitik.games.worker import call

DATA = Path(__file__).parent / "data" / "games"
ROOT = Path(__file__).resolve().parents[1]


def chain(depth: int) -> str:
    """A perfect-information chain: at each level the mover goes on or stops."""
    lines = ['EFG 2 R "chain" { "A" "B" }', '""', ""]
    for k in range(depth):
        lines.append(f'p "" {k % 2 + 1} {k // 2 + 1} "" {{ "stop" "go" }} 0')
        lines.append(f't "" {k + 1} "o{k}" {{ {k % 3}, 1 }}')
    lines.append(f't "" {depth + 1} "end" {{ 5, 5 }}')
    return "\n".join(lines) + "\n"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def gone(pid: int, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------ sizes


def test_sizes_by_hand():
    # the Monty Hall game: the contestant picks one of 3 doors, then stays or switches at
    # the 2 sets (which door the host opened) that follow that pick: 3 x 2 x 2 = 12 reduced
    # strategies; the host has 9 sets of 2 actions, none excluded by an earlier move of its
    # own: 2**9 = 512. Sequences: 1 + 3 + 6 x 2 and 1 + 9 x 2.
    g = read_efg(DATA / "montyhal.efg")
    size = measure(g.tree())
    assert size.strategies == (12, 512)
    assert size.profiles == 6144
    assert size.sequences == (1 + 3 + 6 * 2, 1 + 9 * 2)
    assert size.actions == 33 and size.nodes == 67
    # tic-tac-toe: astronomically many reduced strategies, counted exactly
    ttt = measure(read_efg(DATA / "ttt.efg").tree())
    assert ttt.strategies == (16529, 668360)
    assert not estimate(ttt, "enumpure").within and estimate(ttt, "enumpure").hopeless
    assert estimate(ttt, "backward").within


@needs_gambit
@pytest.mark.parametrize("name", ["montyhal", "bayes2a", "artist1", "cs"])
def test_strategy_counts_are_gambits(name):
    import pygambit as gbt

    ours = measure(read_efg(DATA / f"{name}.efg").tree()).strategies
    theirs = gbt.read_efg(str(DATA / f"{name}.efg"))
    assert ours == tuple(len(p.strategies) for p in theirs.players)


# ------------------------------------------------------------------ .efg reading


def test_a_deep_chain_is_refused_by_line_without_a_crash():
    text = chain(14_000)  # the chain that killed pygambit's reader: 700 KB
    assert len(text) > 600_000
    with pytest.raises(GameError) as info:
        parse_efg(text, "deep.efg")
    (problem,) = info.value.problems
    assert f"deeper than {MAX_DEPTH:,} levels" in problem.message
    assert problem.line == 5 + 2 * MAX_DEPTH  # the first node beyond the bound


def test_a_long_chain_within_the_bounds_is_read():
    g = parse_efg(chain(1500), "chain.efg")
    assert len(g.nodes) == 3001
    assert measure(g.tree()).depth == 1500


def test_too_many_nodes_are_refused():
    # a flat fan of ends: shallow, but more nodes than a game may have
    n = MAX_NODES + 5
    actions = " ".join(f'"a{k}"' for k in range(n))
    head = f'EFG 2 R "fan" {{ "A" }}\n""\np "" 1 1 "" {{ {actions} }} 0\n'
    text = head + "".join(f't "" {k + 1} "o{k}" {{ {k} }}\n' for k in range(n))
    with pytest.raises(GameError, match=f"more than {MAX_NODES:,} nodes"):
        parse_efg(text, "fan.efg")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "starts with EFG"),
        ('EFG 3 R "x" { "A" }', "version 2"),
        ('EFG 2 R "x" { }\n""\nt "" 0', "without players"),
        ('EFG 2 R "x" { "A" }\n""\np "" 2 1 "" { "a" } 0\nt "" 0', "player 2"),
        ('EFG 2 R "x" { "A" }\n""\np "" 1 1 0\nt "" 0', "used before its actions"),
        ('EFG 2 R "x" { "A" }\n""\nt "" 3', "outcome 3 is used before"),
        ('EFG 2 R "x" { "A" }\n""\nt "" 1 "o" { 1e999999 }', "exponent"),
        ('EFG 2 R "x" { "A" }\n""\nt "" 1 "o" { 1/0 }', "divides by zero"),
        ('EFG 2 R "x" { "A" }\n""\nt "" 1 "o" { 99999999999999999999 }', "beyond -1e15"),
        ('EFG 2 R "x" { "A" }\n""\nt "" 1 "o" { 1 } extra', "end of the file"),
        ('EFG 2 R "x" { "A" }\n""\nt "unclosed', "not closed"),
        ('EFG 2 R "x" { "A" }\n""\nc "" 1 "" { "h" 1/2 "t" 1/2 } 0\nt "" 0', "end of file"),
        (
            'EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" "b" } 0\np "" 1 1 "" { "c" "d" } 0',
            "node 2: .*information set 1 of player 1 is given other actions, label or "
            "probabilities than where it first appears",
        ),
        (
            'EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" "b" } 0\nt "" 1 "o" { 1 }\n'
            't "" 1 "o" { 2 }',
            "node 3: .*outcome 1 is given other payoffs or another label than where it first "
            "appears",
        ),
    ],
)
def test_bad_efg_text_is_located(text, expected):
    with pytest.raises(GameError, match=expected) as info:
        parse_efg(text, "bad.efg")
    (problem,) = info.value.problems
    assert problem.file == "bad.efg" and problem.line is not None
    assert problem.message.startswith("not a readable Gambit .efg file")


@needs_gambit
@pytest.mark.parametrize("name", ["montyhal", "bayes2a", "artist1", "ttt", "cs"])
def test_our_reader_reads_what_pygambits_reads(name):
    """Node for node, the same tree and the same payoffs at every end as pygambit's own
    reader (run here on trusted files only)."""
    import pygambit as gbt

    path = DATA / f"{name}.efg"
    theirs = gbt.read_efg(str(path))
    f = parse_efg_text(path.read_text(), str(path))
    assert f.players == tuple(p.label for p in theirs.players)

    def preorder(root):
        stack = [root]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(list(n.children)))

    nodes = list(preorder(theirs.root))
    assert len(nodes) == len(f.nodes)
    tree = read_efg(path).tree()
    for ours_id, theirs_node, node in zip(tree.order, nodes, f.nodes, strict=True):
        assert len(list(theirs_node.children)) == len(tree.children[ours_id])
        assert node.label == theirs_node.label
        if theirs_node.is_terminal:
            pay = [Fraction(0)] * len(f.players)
            step = theirs_node
            while step is not None:
                if step.outcome:
                    for j, p in enumerate(theirs.players):
                        pay[j] += Fraction(str(step.outcome[p]))
                step = step.parent
            assert tuple(pay) == tree.payoffs[ours_id]
        elif theirs_node.player.is_chance:
            probs = tuple(Fraction(str(a.prob)) for a in theirs_node.infoset.actions)
            assert probs == tree.chance[ours_id]


# ------------------------------------------------------------------ method choice


@needs_gambit
def test_monty_hall_solves_by_default_with_the_methods_its_size_allows():
    sol = solve_game(read_efg(DATA / "montyhal.efg"))
    assert sol.methods == ("lcp", "logit")
    notes = " ".join(sol.notes)
    assert "enumpure was left out: 3,219,456 payoff evaluations" in notes
    assert "enummixed was left out: 6,144 strategic-form cells" in notes
    assert "12 x 512 = 6,144 profiles" in notes
    # switching wins the car 2/3 of the time: the contestant's payoff at the equilibrium
    assert all(float(e.regret) <= e.tolerance for e in sol.equilibria)
    assert float(sol.headline.payoffs[sol.game.player_ids[0]]) == pytest.approx(200 / 3, 1e-4)


@needs_gambit
def test_small_games_keep_every_method():
    sol = solve_game(read_efg(DATA / "artist1.efg"))
    assert sol.methods == ("enumpure", "enummixed", "lcp", "logit")
    assert not any("left out" in n for n in sol.notes)
    for name in ("karabakh-leverage-2022", "entry-deterrence"):
        tree_sol = solve_game(name)
        assert tree_sol.methods[:3] == ("enumpure", "enummixed", "lcp")


@needs_gambit
def test_tic_tac_toe_by_default_leaves_out_the_enumerations():
    sol = solve_game(read_efg(DATA / "ttt.efg"))
    assert sol.methods == ("lcp", "backward")
    assert sol.headline is not None and sol.headline.subgame_perfect


def test_a_hopeless_method_is_refused_at_once_with_advice():
    g = read_efg(DATA / "ttt.efg")
    t = time.monotonic()
    with pytest.raises(SolveLimitError, match="would not finish") as info:
        solve_game(g, method="enumpure")
    assert time.monotonic() - t < 5
    assert info.value.limit == "size"
    assert "'backward'" in str(info.value)


@needs_gambit
def test_the_time_limit_stops_a_long_solve_with_advice():
    g = parse_efg(chain(400), "chain.efg")  # 80,601 profiles: lcp takes minutes
    t = time.monotonic()
    with pytest.raises(SolveLimitError, match="stopped at the time limit of 1 s") as info:
        solve_game(g, method="lcp", time_limit=1)
    assert time.monotonic() - t < 10
    assert info.value.limit == "time"
    assert "'backward' (backward induction" in str(info.value)
    # the worker was killed; the next solve starts another
    assert solve_game("entry-deterrence", method="lcp").equilibria


def test_limits_are_checked():
    with pytest.raises(ValueError, match="`time_limit` must be"):
        solve_game("entry-deterrence", time_limit=0)
    with pytest.raises(ValueError, match="`memory_limit` must be"):
        solve_game("entry-deterrence", memory_limit=1.5)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the worker


@needs_gambit
def test_a_memory_hog_stops_at_the_memory_limit():
    with pytest.raises(SolveLimitError, match="memory limit of 64 MiB") as info:
        call("builtins:bytearray", (4 << 30,), time_limit=30, memory_limit=64, what="hog")
    assert info.value.limit == "memory"


@needs_gambit
@pytest.mark.parametrize(
    ("function", "args", "signame"),
    [("os:abort", (), "SIGABRT"), ("ctypes:string_at", (0,), "SIGSEGV")],
)
def test_a_crash_in_the_worker_is_an_error_not_the_end(function, args, signame):
    with pytest.raises(SolverCrashError, match=signame):
        call(function, args, time_limit=30, memory_limit=256, what="crash")
    assert call("math:factorial", (5,), time_limit=30, memory_limit=256, what="after") == 120


@needs_gambit
def test_ctrl_c_while_waiting_kills_the_worker():
    from realpolitik.games import worker

    call("math:factorial", (3,), time_limit=30, memory_limit=256, what="warm")
    pid = worker._local.worker.proc.pid

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            call("time:sleep", (60,), time_limit=120, memory_limit=256, what="sleep")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert gone(pid)


@needs_gambit
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_worker_dies_with_its_killed_parent():
    script = (
        "from realpolitik.games import worker\n"
        "w = worker._worker()\n"
        "print(w.proc.pid, flush=True)\n"
        "worker.call('time:sleep', (120,), time_limit=300, memory_limit=256, what='sleep')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert alive(pid)
        time.sleep(0.3)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert gone(pid), "the worker outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()


# ------------------------------------------------------------------ the command line


@needs_gambit
def test_cli_time_limit_exits_2_with_advice(tmp_path):
    path = tmp_path / "chain.efg"
    path.write_text(chain(400))
    r = invoke("game", "solve", str(path), "--method", "lcp", "--time-limit", "1")
    assert r.exit_code == 2, r.output
    assert "time limit of 1 s" in r.output and "'backward'" in r.output
    assert "or a longer --time-limit" in r.output  # the library's parameter, as a flag


def test_cli_bad_limits_exit_2():
    r = invoke("game", "solve", "entry-deterrence", "--method", "backward", "--time-limit", "0")
    assert r.exit_code == 2 and "--time-limit must be" in r.output
    r = invoke("game", "solve", "entry-deterrence", "--method", "backward", "--memory-limit", "1")
    assert r.exit_code == 2 and "--memory-limit must be" in r.output


def test_cli_deep_efg_exits_2(tmp_path):
    path = tmp_path / "deep.efg"
    path.write_text(chain(14_000))
    r = invoke("game", "import", str(path))
    assert r.exit_code == 2, r.output
    assert "deeper than 2,000 levels" in r.output


@needs_gambit
def test_export_runs_in_the_worker_and_round_trips():
    g = read_efg(DATA / "artist1.efg")
    again = parse_efg(to_efg(g), "again.efg")
    assert again.tree().payoffs == dict(g.tree().payoffs)


def test_budgets_are_what_the_docs_say():
    text = (ROOT / "docs" / "how-to" / "games.md").read_text()
    for method, budget in BUDGETS.items():
        assert re.search(rf"^\| `{method}` \|.*\| {budget:,} \|$", text, re.M), method


def test_a_worker_that_cannot_start_is_an_error(monkeypatch):
    import threading

    from realpolitik.games import worker

    monkeypatch.setattr(worker, "_local", threading.local())  # no worker yet
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(SolverCrashError, match="did not start"):
        call("math:factorial", (3,), time_limit=30, memory_limit=256, what="start")


def test_sweep_checks_its_limits():
    from realpolitik.games import sweep

    with pytest.raises(ValueError, match="`time_limit` must be"):
        sweep("entry-deterrence", "fight", -2, 2, time_limit=-1)


@needs_gambit
def test_a_four_player_game_solves_or_stops_cleanly_within_the_limit():
    """The chain store with three entrants: 1.3e8 profiles, so only the logit limit runs;
    under a short limit it stops with advice, under the default it finishes or stops."""
    g = read_efg(DATA / "cs.efg")
    t = time.monotonic()
    try:
        sol = solve_game(g, time_limit=3)
    except SolveLimitError as exc:
        assert exc.limit == "time" and "time limit of 3 s" in str(exc)
    else:
        assert sol.methods == ("logit",)
    assert time.monotonic() - t < 3 + 15  # the limit, and the worker's start on a busy machine


def test_a_payoff_beyond_float_range_is_an_error_not_a_crash(tmp_path):
    """Numbers written are at most 1e15, but an expression multiplies them: a payoff of
    1e600 (fight * fight at fight = 1e300) or a plain 1.7e308 beside -1.7e308 (whose
    range overflows) ended in an OverflowError, exit 1, in `game solve` and `game show`."""
    from importlib.resources import files

    from realpolitik.games import parse_game
    from realpolitik.games.tree import build_tree

    text = (files("realpolitik.games.builtins") / "entry-deterrence.yaml").read_text()
    big = text.replace("    value: -1\n    low: -2\n    high: 2", "    value: 1e300\n"
                       "    low: -1e300\n    high: 1e301").replace(
        "incumbent: fight}", "incumbent: fight * fight}"
    )  # fmt: skip
    assert big != text
    path = tmp_path / "big.yaml"
    path.write_text(big, encoding="utf-8")
    for command in ("solve", "show"):
        r = invoke("game", command, str(path))
        assert r.exit_code == 2, r.output
        assert "payoffs.incumbent: the payoff is 1.00e+600; expected a number from -1e150" in (
            r.output
        )
    game = parse_game(text.replace("incumbent: fight}", "incumbent: fight * fight}"), "e.yaml")
    tree = build_tree(game, {"fight": 10**15})  # 1e30: large, but a float
    assert max(tree.payoffs["war"]) == 10**30
