"""`check --output`, the GitHub step summary, and exit codes 0 / 1 / 2 for every --fail-on."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.report.conftest import without_time

from relpolicy import engine
from relpolicy.cli import main
from relpolicy.cli._emit import repository_root
from relpolicy.findings import Severity
from relpolicy.rules import Rule

ARGS = ["check", "policies", "--as-of", "2026-11-26"]
SUMMARY = "5 errors, 0 warnings, 0 info in 4 files, 2 resources (as of 2026-11-26).\n"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_output_file_gets_the_report_and_the_terminal_the_summary(
    fmt: str, broken_cwd: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --output, the file holds exactly what stdout would have, and stdout holds the summary line."""
    assert main([*ARGS, "--format", fmt]) == 1
    expected = capsys.readouterr().out
    target = tmp_path / f"report.{fmt}"
    assert (main([*ARGS, "--format", fmt, "--output", str(target)]), *capsys.readouterr()) == (1, SUMMARY, "")
    assert without_time(target.read_text(encoding="utf-8")) == without_time(expected)


def test_output_to_an_unwritable_place_is_a_one_line_error(
    broken_cwd: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path below a file is exit 2 with one line naming the file (missing folders are created)."""
    (tmp_path / "taken").write_text("a file\n")
    target = tmp_path / "taken" / "report.sarif"
    assert (main([*ARGS, "--format", "sarif", "--output", str(target)]), *capsys.readouterr()) == (
        2,
        "",
        f"relpolicy: error: {target}: {tmp_path / 'taken'} is a file, not a folder\n",
    )


def test_github_format_appends_a_step_summary(
    broken_cwd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On GitHub Actions, every finding also goes to $GITHUB_STEP_SUMMARY, after what earlier steps wrote."""
    step_summary = tmp_path / "summary.md"
    step_summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    assert main([*ARGS, "--format", "github"]) == 1
    text = step_summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## relpolicy\n\n" + SUMMARY)
    assert text.count("| error | ") == 5
    assert main([*ARGS, "--format", "text"]) == 1
    assert step_summary.read_text(encoding="utf-8") == text, "only the github format writes the step summary"


def test_json_is_the_whole_stdout(broken_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Machine formats print the document alone, so that stdout can be piped to a parser."""
    main([*ARGS, "--format", "json"])
    assert json.loads(capsys.readouterr().out)["summary"]["error"] == 5


TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: nights
  members: [{name: Ana Lima, email: ana@example.com}]
"""


@pytest.mark.parametrize(
    ("severity", "fail_on", "code"),
    [
        (Severity.ERROR, "error", 1),
        (Severity.ERROR, "warning", 1),
        (Severity.ERROR, "info", 1),
        (Severity.ERROR, "never", 0),
        (Severity.WARNING, "error", 0),
        (Severity.WARNING, "warning", 1),
        (Severity.WARNING, "info", 1),
        (Severity.WARNING, "never", 0),
        (Severity.INFO, "error", 0),
        (Severity.INFO, "warning", 0),
        (Severity.INFO, "info", 1),
        (Severity.INFO, "never", 0),
    ],
)
def test_exit_code_for_each_fail_on(
    severity: Severity,
    fail_on: str,
    code: int,
    write_policy: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exit 1 exactly when a finding is at least as severe as --fail-on; `never` always exits 0.

    The one finding (RP201) is given each severity in turn by a registry that rates it so.
    """
    original = engine.by_id

    def rated(rule_id: str) -> Rule:
        return dataclasses.replace(original(rule_id), severity=severity)

    monkeypatch.setattr(engine, "by_id", rated)
    root = write_policy(TEAM)
    for fmt in ("text", "junit"):
        assert main(["check", str(root), "--as-of", "2026-11-26", "--fail-on", fail_on, "--format", fmt]) == code
    assert capsys.readouterr().err == ""


def test_exit_code_two_for_a_bad_format(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown format is a usage error."""
    assert main(["check", "--format", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_sarif_category_option(broken_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--sarif-category`` names the run, so that two uploads in one workflow keep their own alerts."""
    assert main([*ARGS, "--format", "sarif", "--sarif-category", "policies/eu"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert log["runs"][0]["automationDetails"] == {"id": "relpolicy/policies/eu/"}


def test_sarif_category_must_be_printable(broken_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A control character in the category is a usage error (exit 2), not part of an id."""
    assert main([*ARGS, "--format", "sarif", "--sarif-category", "eu\x1b[2J"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("argument --sarif-category: --sarif-category must be printable text, not 'eu\\x1b[2J'\n")


def test_repository_root_is_found_upwards_from_the_working_directory(tmp_path: Path) -> None:
    """The nearest ``.git`` (a directory, or a file in worktrees and submodules) marks the root; else the start."""
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    (tmp_path / "repo" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n", encoding="utf-8")
    assert repository_root(tmp_path / "repo" / "a" / "b") == tmp_path / "repo"
    assert repository_root(tmp_path / "repo") == tmp_path / "repo"
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert repository_root(lonely) == lonely  # pytest's temporary directories are in no repository
