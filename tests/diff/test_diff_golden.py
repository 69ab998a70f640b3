"""Golden tests: each commit of the fixture repository changes one promise; its diff is pinned in three formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from tests.conftest import REPO
from tests.diff._repo import AS_OF, STEPS

from relpolicy.cli import main

PAIRS = [("base" if i == 0 else STEPS[i - 1][0], step[0]) for i, step in enumerate(STEPS)]
SCHEMA = json.loads((REPO / "schemas" / "diff" / "v1.json").read_text(encoding="utf-8"))
SUFFIXES = {"text": "txt", "markdown": "md", "json": "json"}


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize(("base", "head"), PAIRS, ids=[head for _, head in PAIRS])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_each_step(
    base: str, head: str, fmt: str, golden: Callable[[str, str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """The diff of one commit, through the CLI, equals its golden file (and the JSON is valid)."""
    code = main(["diff", base, head, "--format", fmt, "--as-of", AS_OF])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    golden(f"{head}.{SUFFIXES[fmt]}", out)
    if fmt == "json":
        jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(out))


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize(("base", "head"), PAIRS, ids=[head for _, head in PAIRS])
def test_every_step_weakens_or_strengthens(base: str, head: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every step of the fixture is classified: each weakens a promise except the owner change."""
    code = main(["diff", base, head, "--format", "json", "--fail-on", "weakens", "--as-of", AS_OF])
    data = json.loads(capsys.readouterr().out)
    expected = 0 if head == "owner-changed" else 1
    assert (code, data["summary"]["weakens"] > 0) == (expected, bool(expected))


def test_whole_series(in_repo: Path, golden: Callable[[str, str], None], capsys: pytest.CaptureFixture[str]) -> None:
    """base -> the last commit, in Markdown: every step's change at once, the weakened promises first."""
    assert main(["diff", "base", STEPS[-1][0], "--format", "markdown", "--as-of", AS_OF, "--", "policies"]) == 0
    golden("whole-series.md", capsys.readouterr().out)
    assert in_repo.is_dir()


def test_the_schema_is_published_and_valid(capsys: pytest.CaptureFixture[str]) -> None:
    """schemas/diff/v1.json passes the 2020-12 metaschema, and `relpolicy schema diff` prints it."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert main(["schema", "diff"]) == 0
    assert capsys.readouterr() == ((REPO / "schemas" / "diff" / "v1.json").read_text(encoding="utf-8"), "")
