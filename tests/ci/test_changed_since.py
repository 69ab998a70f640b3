"""`check --changed-since REF` in real git repositories: findings the change caused, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.ci.conftest import Git, write

from relpolicy.cli import main

CALENDAR = """\
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: office-hours}
spec:
  timezone: Europe/London
  hours: {mon: ["09:00-17:00"], tue: ["09:00-17:00"]}
"""


def team(name: str, coverage: str) -> str:
    return f"""\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {{name: {name}}}
spec:
  coverage: {coverage}
  members: [{{name: Ana Lima, email: {name}@example.com}}]
"""


def reported(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[tuple[str, str, int]], str]:
    """Exit code, (rule, path, line) of each reported finding, and stderr."""
    code = main([*argv, "--format", "json", "--as-of", "2026-11-26"])
    out, err = capsys.readouterr()
    findings = [(f["ruleId"], f["location"]["path"], f["location"]["line"]) for f in json.loads(out)["findings"]]
    return code, findings, err


@pytest.fixture
def history(repo: Path, git: Git, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A base commit on main with a calendar, a team using it and an already broken team; a branch from it."""
    write(
        repo,
        {
            "policies/calendars.yaml": CALENDAR,
            "policies/teams/web.yaml": team("web", "office-hours"),
            "policies/teams/legacy.yaml": team("legacy", "nights"),
            "README.md": "policies\n",
        },
    )
    git("add", ".")
    git("commit", "--quiet", "-m", "base")
    git("switch", "--quiet", "-c", "change")
    monkeypatch.chdir(repo)
    return repo


def test_unchanged_tree_reports_nothing_but_counts_what_was_hidden(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no change, the old finding in legacy.yaml is not the change's fault: exit 0."""
    assert reported(["check", "--changed-since", "main"], capsys) == (
        0,
        [],
        "relpolicy: 0 policy files changed since main; left out: 1 older finding in unchanged files\n",
    )


def test_findings_in_changed_and_untracked_files_are_all_reported(
    history: Path, git: Git, capsys: pytest.CaptureFixture[str]
) -> None:
    """A committed edit, an unstaged edit and an untracked file: every finding in them is reported."""
    write(history, {"policies/teams/web.yaml": team("web", "offce-hours")})
    git("commit", "--quiet", "-am", "typo")
    write(history, {"policies/teams/ops.yaml": team("ops", "weekends")})
    code, findings, _ = reported(["check", "--changed-since", "main"], capsys)
    assert (code, findings) == (
        1,
        [("RP201", "policies/teams/ops.yaml", 5), ("RP201", "policies/teams/web.yaml", 5)],
    )


def test_a_finding_the_change_caused_in_an_unchanged_file_is_reported(
    history: Path, git: Git, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deleting the calendar breaks web.yaml, which the change did not touch; legacy.yaml stays hidden."""
    write(history, {"policies/calendars.yaml": None})
    git("commit", "--quiet", "-am", "drop the calendar")
    assert reported(["check", "policies", "--changed-since", "main"], capsys) == (
        1,
        [("RP201", "policies/teams/web.yaml", 5)],
        "relpolicy: 1 policy file changed since main; left out: 1 older finding in unchanged files\n",
    )


def test_compares_with_the_merge_base(history: Path, git: Git, capsys: pytest.CaptureFixture[str]) -> None:
    """Work merged into main after the branch started is not counted as the branch's change."""
    git("switch", "--quiet", "main")
    write(history, {"policies/teams/late.yaml": team("late", "never")})
    git("add", ".")
    git("commit", "--quiet", "-m", "main moves on")
    git("switch", "--quiet", "change")
    assert reported(["check", "--changed-since", "main"], capsys)[:2] == (0, [])


def test_works_from_a_subdirectory_and_with_a_root_that_did_not_exist(
    history: Path, git: Git, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paths are resolved from the working directory; a policy root new in the change has no old findings."""
    write(history, {"more/team.yaml": team("more", "nights")})
    monkeypatch.chdir(history / "policies")
    code, findings, _ = reported(["check", ".", "../more", "--changed-since", "main"], capsys)
    assert (code, findings) == (1, [("RP201", "../more/team.yaml", 5)])


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "relpolicy: error: --changed-since: unknown git revision `no-such-branch`\n"),
        ("--output=x", "relpolicy: error: --changed-since: unknown git revision `--output=x`\n"),
    ],
)
def test_unknown_revision_is_a_one_line_error(
    history: Path, ref: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ref git does not know (or one that looks like an option) exits 2 with one line."""
    assert (main(["check", f"--changed-since={ref}", "--as-of", "2026-11-26"]), *capsys.readouterr()) == (
        2,
        "",
        message,
    )


def test_outside_a_repository_is_a_one_line_error(
    tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not in a git work tree: exit 2 and say so."""
    write(tmp_path / "plain", {"policies/team.yaml": team("web", "always")})
    monkeypatch.chdir(tmp_path / "plain")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert (main(["check", "--changed-since", "main", "--as-of", "2026-11-26"]), *capsys.readouterr()) == (
        2,
        "",
        f"relpolicy: error: --changed-since needs a git repository, and {tmp_path / 'plain'} is not inside one\n",
    )


def test_a_path_outside_the_repository_is_a_one_line_error(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every checked path must be inside the repository whose history is compared."""
    write(tmp_path / "elsewhere", {"team.yaml": team("web", "always")})
    outside = tmp_path / "elsewhere"
    assert (
        main(["check", str(outside), "--changed-since", "main", "--as-of", "2026-11-26"]),
        *capsys.readouterr(),
    ) == (
        2,
        "",
        f"relpolicy: error: {outside}: --changed-since can only check paths inside the git repository at {history}\n",
    )


def test_only_policy_files_count_as_changed(history: Path, git: Git, capsys: pytest.CaptureFixture[str]) -> None:
    """Untracked JSON, a README, a settings file and files in hidden folders are not policy changes; a deletion is."""
    write(
        history,
        {
            "policies/report.json": "{}\n",
            "policies/notes.md": "notes\n",
            "policies/relpolicy.yaml": "failOn: error\n",
            "policies/.drafts/team.yaml": team("draft", "always"),
            "README.md": "policies, changed\n",
            "policies/teams/new.yml": team("new", "office-hours"),
            "policies/teams/legacy.yaml": None,
        },
    )
    assert reported(["check", "--changed-since", "main"], capsys) == (
        0,
        [],
        "relpolicy: 2 policy files changed since main; left out: 0 older findings in unchanged files\n",
    )
