"""Resource bounds: near-miss names, floods of suppressions, huge flat lists, the parser's memory, templates.

Before the bounds: 1,000 dangling names among 1,000 look-alikes took 54 s ("did you mean"),
20,000 suppression comments 22-37 s, a 7.9 MB flat list 2.4 GB, every parse leaked its JSON's
size, and ``{{ 'x' * 10**9 }}`` in a user template 3 GB.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import REPO
from tests.hostile._trees import SIBLING_FINDING, TIME_LIMIT, run_check, write_tree

from relpolicy.cli import main
from relpolicy.render import sandbox
from relpolicy.source import fastparse
from relpolicy.source.parse import _NODE_EVENTS, _NODE_MARKS, MAX_NODES, _Composer, parse_yaml
from relpolicy.suggestions import Budget, Names

MEMORY_LIMIT: Final = 500 * 2**20
"""Bytes of peak memory any hostile input may cost (generous: the flat list took 2.4 GB)."""


def _services(count: int, dependency: str) -> str:
    """``count`` services named alike in one file, each depending on ``dependency`` (formatted with its number)."""
    return "---\n".join(
        "apiVersion: relpolicy.dev/v1\nkind: Service\n"
        f"metadata: {{name: checkout-service-{i:05d}}}\n"
        "spec:\n  description: Takes orders.\n  tier: 3\n  owner: web\n"
        f"  dependsOn:\n    - service: {dependency.format(i)}\n"
        for i in range(count)
    )


def test_thousands_of_near_miss_names(tmp_path: Path) -> None:
    """1,500 dangling names among 1,500 look-alikes: each an RP201, in bounded time, the first ones with a hint."""
    checked = run_check(tmp_path, _services(1500, "checkout-servise-{:05d}x"))
    unknown = sorted(f for f in checked.found if f[3] == "RP201")
    assert len(unknown) == 1500
    assert unknown[0] == (
        "bad.yaml",
        9,
        16,
        "RP201",
        "no Service `checkout-servise-00000x`, did you mean `checkout-service-00000`?",
    )
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


def test_a_typo_repeated_is_looked_up_once(tmp_path: Path) -> None:
    """3,000 references to one misspelt name all get the suggestion (the answer is kept per word)."""
    checked = run_check(tmp_path, _services(3000, "checkout-servise-00001"))
    hinted = [f for f in checked.found if f[3] == "RP201" and "did you mean `checkout-service-00001`" in f[4]]
    assert len(hinted) == 3000
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


_WORDS = st.text(alphabet="abcde-01", max_size=10)


@given(word=_WORDS, names=st.lists(_WORDS, max_size=30), n=st.integers(1, 3), cutoff=st.sampled_from([0.0, 0.6, 0.7]))
def test_suggestions_are_difflibs(word: str, names: list[str], n: int, cutoff: float) -> None:
    """The bounded search gives exactly ``difflib.get_close_matches``'s answer, in its order."""
    expected = difflib.get_close_matches(word, list(dict.fromkeys(names)), n=n, cutoff=cutoff)
    assert [name for _, name in Names(names).ranked(word, cutoff, n)] == expected


def test_a_spent_budget_suggests_nothing() -> None:
    """Once the shared budget is spent, lookups answer nothing rather than keep working."""
    budget = Budget(5)
    names = Names([f"service-{i}" for i in range(10)], budget)
    assert names.closest("servise-1") is None
    assert budget.left == 0
    assert Names([f"service-{i}" for i in range(10)]).closest("servise-1") == "service-1"


def test_twenty_thousand_suppressions(tmp_path: Path) -> None:
    """20,000 suppression comments in a row: each an RP901 (it suppresses nothing), in linear time."""
    comments = "".join(f"    # relpolicy: ignore[RP302] reason {i}\n" for i in range(20_000))
    team = (
        "apiVersion: relpolicy.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec:\n  coverage: always\n"
        f"  members:\n{comments}    - {{name: Ana Lima, email: ana@example.com}}\n"
    )
    checked = run_check(tmp_path, team)
    unused = [f for f in checked.found if f[3] == "RP901"]
    assert len(unused) == 20_000
    assert ("bad.yaml", 7, 5, "RP901", "suppression of RP302 suppresses nothing: remove it") in checked.found
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


def test_twenty_thousand_suppressions_of_one_document(tmp_path: Path) -> None:
    """20,000 comments above a ``kind:`` line cover a document of 2,000 findings: every finding suppressed, fast."""
    comments = "".join(f"# relpolicy: ignore[RP201] reason {i}\n" for i in range(20_000))
    dependencies = "".join(f"    - service: nowhere-{i}\n" for i in range(2000))
    policy = (
        f"apiVersion: relpolicy.dev/v1\n{comments}kind: Service\nmetadata: {{name: shop}}\n"
        f"spec:\n  description: The shop.\n  tier: 3\n  owner: web\n  dependsOn:\n{dependencies}"
    )
    checked = run_check(tmp_path, policy)
    assert [f for f in checked.found if f[0] == "bad.yaml" and f[3] == "RP201"] == []
    assert len(checked.report.suppressions) >= 2000
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


def _peak(argv: list[str], cwd: Path) -> tuple[int, str, str, float, int]:
    """Exit code, stdout, stderr, seconds and peak RSS (bytes) of ``relpolicy argv`` in its own process."""
    code = (
        "import resource, sys\nfrom relpolicy.cli import main\n"
        "try:\n    code = main(sys.argv[1:])\nfinally:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=open('peak', 'w'))\n"
        "raise SystemExit(code)\n"
    )
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False, cwd=cwd, env=env, timeout=120
    )
    seconds = time.perf_counter() - started
    return done.returncode, done.stdout, done.stderr, seconds, int((cwd / "peak").read_text()) * 1024


def test_a_huge_flat_list_is_a_located_finding(tmp_path: Path) -> None:
    """3.9 million list items in 7.8 MB: RP101 at the first node past MAX_NODES, in bounded time and memory."""
    write_tree(tmp_path, "-\n" * 3_900_000)
    code, out, err, seconds, peak = _peak(["check", "policies", "--format", "json"], tmp_path)
    found = (
        {
            (f["location"]["path"], f["location"]["line"], f["location"]["column"], f["ruleId"], f["message"])
            for f in json.loads(out)["findings"]
        }
        if out
        else set()
    )
    assert (code, err) == (1, "")
    message = (
        f"the file holds more than {MAX_NODES:,} YAML nodes (values, keys, lists and mappings); "
        "policy files need far fewer, so split it"
    )
    assert ("policies/bad.yaml", MAX_NODES, 2, "RP101", message) in found
    assert any(path == "policies/sibling.yaml" and rule == "RP103" for path, _, _, rule, _ in found)
    assert seconds < TIME_LIMIT
    assert peak < MEMORY_LIMIT


@pytest.mark.parametrize(
    ("text", "fast"),
    [("[" + "1," * (MAX_NODES - 1) + "1]\n", True), ("[&a 1, " + "*a," * (MAX_NODES - 2) + "1]\n", False)],
    ids=["flow-list", "aliases"],
)
def test_the_node_cap_is_the_same_on_both_parsers(text: str, *, fast: bool) -> None:
    """A file one node past the cap is refused whether rapidyaml or PyYAML would have read it; one at the cap is not."""
    refused = parse_yaml(text, "f.yaml", lazy_positions=fast)
    assert [(p.rule_id, p.location.line) for p in refused.problems] == [("RP101", 1)]
    assert refused.documents == []
    under = text.replace("1,", "", 1) if fast else text.replace("*a,", "", 1)
    accepted = parse_yaml(under, "f.yaml", lazy_positions=fast)
    assert [p.rule_id for p in accepted.problems if "YAML nodes" in p.message] == []


@given(st.text(alphabet="a{}[],:- \n*&!|>'\"#?", max_size=12))
def test_the_byte_estimate_bounds_the_nodes(text: str) -> None:
    """Twice the characters that may begin a node (plus one) is never fewer than the nodes libyaml reads."""
    events = _Composer(text)
    nodes = 0
    try:
        while (event := events.get_event()) is not None:
            nodes += type(event) in _NODE_EVENTS
    except Exception:  # noqa: S110 - a syntax error ends the count, as in the loader
        pass
    finally:
        events.dispose()
    assert nodes <= 2 * (sum(map(text.count, _NODE_MARKS)) + 1)


def _rss() -> int:
    """Resident memory of this process, in bytes (from /proc, no psutil)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc (Linux)")
def test_the_fast_parser_does_not_leak() -> None:
    """300 fast parses of a 100 KB file: memory stays flat (ryml.emit_json leaked its 130 KB of JSON each time)."""
    text = "".join(f"- {{name: service-{i:06d}, owner: team-{i % 50}, tier: {i % 4}}}\n" for i in range(2000))
    assert fastparse.fast_documents(text) is not None
    before = _rss()
    for _ in range(300):
        fastparse.fast_documents(text)
    assert _rss() - before < 16 * 2**20


def test_json_longer_than_the_first_buffer_is_emitted_whole() -> None:
    """A document whose JSON outgrows twice its text (keys without values) is emitted again at the size it needs."""
    text = "".join(f"k{i}:\n" for i in range(3000))
    fast = fastparse.fast_documents(text)
    assert fast is not None
    assert fast == [(d.index, d.data) for d in parse_yaml(text, "f.yaml").documents]


TEMPLATE_ABUSES: Final = {
    "string-times": ("{{ 'x' * 10**9 }}", "the result of `*` would be longer than 20,000,000 (MAX_TEMPLATE_CHARS)"),
    "list-times": ("{{ ['x'] * 10**9 }}", "the result of `*` would be longer than 20,000,000 (MAX_TEMPLATE_CHARS)"),
    "power": (
        "{{ 2 ** 100000 }}",
        "the result of `**` would be an integer of more than 4,096 bits (MAX_INTEGER_BITS)",
    ),
    "nested-loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "its loops ran more than 5,000,000 times (MAX_LOOP_ITERATIONS)",
    ),
    "str-method": ("{{ 'x'.ljust(10**9) }}", "an argument of 1,000,000,000 is above 20,000,000 (MAX_TEMPLATE_CHARS)"),
    "filter-width": (
        "{{ 'x'|center(999999999) }}",
        "an argument of 999,999,999 is above 20,000,000 (MAX_TEMPLATE_CHARS)",
    ),
    "format-width": (
        "{{ '{:>999999999}'.format(1) }}",
        "a format string asks for a width above 20,000,000 (MAX_TEMPLATE_CHARS)",
    ),
    "percent-width": (
        "{{ '%999999999s' % 'x' }}",
        "a format string asks for a width above 20,000,000 (MAX_TEMPLATE_CHARS)",
    ),
    "doubling": (
        "{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "a joined text would be longer than 20,000,000 (MAX_TEMPLATE_CHARS)",
    ),
    "replace": (
        "{{ ('a' * 1000000)|replace('a', 'a' * 1000) }}",
        "the result of `replace` would be longer than 20,000,000 (MAX_TEMPLATE_CHARS)",
    ),
    "output": (
        "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
        "its output would be longer than 20,000,000 (MAX_TEMPLATE_CHARS)",
    ),
    "range": ("{{ range(10**9)|list }}", "an argument of 1,000,000,000 is above 20,000,000 (MAX_TEMPLATE_CHARS)"),
    "recursion": ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "it recursed too deep"),
}


def _render_with(template: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, float]:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "runbook-index.md.j2").write_text(template + "\n", encoding="utf-8")
    started = time.perf_counter()
    code = main(
        ["render", "runbooks", str(REPO / "policies"), "--templates", str(folder), "--out", str(tmp_path / "out")]
    )
    out, err = capsys.readouterr()
    return code, out, err, time.perf_counter() - started


@pytest.mark.parametrize("case", sorted(TEMPLATE_ABUSES))
def test_template_abuse_stops_in_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each abuse of a user template ends with exit 2 and one line naming the template and the limit."""
    template, reason = TEMPLATE_ABUSES[case]
    code, out, err, seconds = _render_with(template, tmp_path, capsys)
    assert (code, out) == (2, "")
    assert err.endswith(f"template `runbook-index.md.j2` stopped: {reason}\n")
    assert err.count("\n") == 1
    assert "internal error" not in err
    # Five million loop steps are the limit itself: ~3 s bare, ~6 s under coverage on a busy 2-core machine.
    assert seconds < (4 * TIME_LIMIT if case == "nested-loops" else TIME_LIMIT)


def test_a_template_past_its_deadline_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loops under the iteration cap but past the deadline stop at the deadline (checked at each iteration)."""
    monkeypatch.setattr(sandbox, "MAX_RENDER_SECONDS", 0.2)
    code, out, err, seconds = _render_with(
        "{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}", tmp_path, capsys
    )
    assert (code, out) == (2, "")
    assert err.endswith("template `runbook-index.md.j2` stopped: it ran for more than 0.2 s (MAX_RENDER_SECONDS)\n")
    assert seconds < TIME_LIMIT


def test_large_numbers_are_still_formatted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A number is not a size: formatting 10**12 or multiplying large integers stays allowed."""
    code, _out, err, _ = _render_with(
        "{{ '{:,}'.format(10**12) }} {{ 10**12 * 10**6 }} {{ 'ab' * 3 }}", tmp_path, capsys
    )
    assert code == 0
    assert err.startswith("relpolicy: wrote ")
    index = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert index == "1,000,000,000,000 1000000000000000000 ababab\n"
