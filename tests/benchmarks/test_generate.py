"""The benchmark generator, and the fast path of `check` that the benchmark measures.

The generator must be deterministic (a benchmark compares runs) and its repos must load cleanly
(a benchmark of error paths would not measure what CI runs). The fast path parses without
recording positions and resolves them only for findings; on random repos with random faults it
must report exactly what the reference path (every position recorded while parsing) reports.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import generate
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import AS_OF

from relpolicy.engine import Report, check
from relpolicy.source import loader
from relpolicy.source.parse import parse_yaml


def _contents(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml"))}


def test_the_same_seed_writes_the_same_repo(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 60, seed=7)
    second = generate(tmp_path / "b", 60, seed=7)
    assert first == second
    assert _contents(tmp_path / "a") == _contents(tmp_path / "b")


def test_another_seed_writes_another_repo(tmp_path: Path) -> None:
    generate(tmp_path / "a", 60, seed=7)
    generate(tmp_path / "b", 60, seed=8)
    assert _contents(tmp_path / "a") != _contents(tmp_path / "b")


def test_the_summary_counts_what_was_written(tmp_path: Path) -> None:
    summary = generate(tmp_path, 120, seed=3)
    contents = _contents(tmp_path)
    assert summary.files == len(contents)
    assert summary.lines == sum(text.count("\n") for text in contents.values())
    assert summary.services == len(list((tmp_path / "services").rglob("*.yaml")))
    assert 0 < summary.hard_edges < summary.edges


def test_a_service_file_looks_like_a_real_one(tmp_path: Path) -> None:
    generate(tmp_path, 200, seed=1)
    files = sorted((tmp_path / "services").rglob("*.yaml"))
    lines = [path.read_text(encoding="utf-8").count("\n") for path in files]
    assert 40 <= sum(lines) / len(lines) <= 75  # ~55 lines, like the example policies
    texts = [path.read_text(encoding="utf-8") for path in files]
    assert any(text.startswith("#") for text in texts)
    assert any("anyOf:" in text for text in texts)
    assert any("kind: SLO" in text for text in texts)


def test_generated_repos_load_and_resolve_cleanly(tmp_path: Path) -> None:
    generate(tmp_path / "policies", 150, seed=11, cycles=1)
    report = check([tmp_path / "policies"], as_of=AS_OF, base=tmp_path)
    assert report.files > 150
    loading_or_references = [f for f in report.findings if f.rule_id[:3] in ("RP1", "RP2")]
    assert loading_or_references == []


def test_a_generated_service_has_a_hard_dependency_graph_without_cycles(tmp_path: Path) -> None:
    # Dependencies only point to services generated earlier, so only `cycles` adds any.
    generate(tmp_path / "policies", 150, seed=5)
    report = check([tmp_path / "policies"], as_of=AS_OF, base=tmp_path)
    assert [f for f in report.findings if f.rule_id == "RP301"] == []


# --- The fast path and the reference path agree -------------------------------------------------

MUTATIONS: tuple[tuple[str, str], ...] = (
    ("type: hard", "type: hrad"),  # RP103 literal
    ("  owner: ", "  ownr: "),  # RP103 unknown field with a suggestion
    ("- service: ", "- service: no-such-"),  # RP201 unknown reference
    ("  lifecycle: production\n", "  lifecycle: production\n  lifecycle: deprecated\n"),  # RP102 duplicate key
    ("metadata:\n", "metadata: [\n"),  # RP101 syntax error
    ("  objective: ", "  objective: high # was "),  # RP103 wrong type
    ("    rto: ", "    rto: soon # was "),  # RP103 bad duration
    ("kind: SLO", "kind: Slo"),  # RP104 unknown kind
    ("apiVersion: relpolicy.dev/v1\nkind: Service", "apiVersion: relpolicy.dev/v1\nkind: Service\n---\n"),  # RP103
)


def _findings(report: Report) -> list[tuple[Any, ...]]:
    return [(f.rule_id, f.location, f.message, f.subject, f.related, f.severity) for f in report.findings]


def _eager(text: str, file: str, *, lazy_positions: bool = False) -> Any:
    del lazy_positions
    return parse_yaml(text, file)


@settings(max_examples=12)
@given(
    seed=st.integers(0, 2**16),
    faults=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(MUTATIONS)), max_size=6),
)
def test_the_fast_path_reports_what_the_reference_path_reports(
    tmp_path_factory: pytest.TempPathFactory, seed: int, faults: list[tuple[int, tuple[str, str]]]
) -> None:
    root = tmp_path_factory.mktemp("repo")
    generate(root / "policies", 25, seed=seed)
    services = sorted((root / "policies" / "services").rglob("*.yaml"))
    for pick, (old, new) in faults:
        path = services[pick % len(services)]
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    fast = check([root / "policies"], as_of=AS_OF, base=root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "parse_yaml", functools.partial(_eager))
        reference = check([root / "policies"], as_of=AS_OF, base=root)
    assert _findings(fast) == _findings(reference)


def test_lazy_positions_are_the_recorded_ones(tmp_path: Path) -> None:
    generate(tmp_path, 30, seed=2)
    for path in sorted(tmp_path.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        eager = parse_yaml(text, path.name)
        lazy = parse_yaml(text, path.name, lazy_positions=True)
        assert [d.data for d in lazy.documents] == [d.data for d in eager.documents]
        for fast, reference in zip(lazy.documents, eager.documents, strict=True):
            assert fast.positions.values == reference.positions.values
            assert fast.positions.keys == reference.positions.keys
