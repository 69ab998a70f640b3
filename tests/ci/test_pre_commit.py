"""The pre-commit hook, run by pre-commit itself on a temporary repository: it blocks a broken policy.

The `relpolicy-system` hook runs the relpolicy installed beside these tests, so the round trip
needs no network; the `relpolicy` hook differs only in letting pre-commit build its environment,
which a separate test keeps in step.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from tests.ci.conftest import BROKEN_TEAM, HOOKS_FILE, Commit, Git, hook_config, write


def hooks() -> dict[str, dict[str, object]]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}


def test_both_hooks_run_the_same_check() -> None:
    """The installed-relpolicy hook is the python hook with only the language changed."""
    python, system = hooks()["relpolicy"], hooks()["relpolicy-system"]
    assert python["language"] == "python"
    assert system["language"] == "system"
    keys = ("entry", "pass_filenames", "always_run", "require_serial")
    assert [python[k] for k in keys] == [system[k] for k in keys] == ["relpolicy check", False, True, True]


def test_hook_blocks_a_broken_policy_then_lets_the_fix_through(
    repo: Path, git: Git, hook_repo: tuple[Path, str], commit: Commit
) -> None:
    """`git commit` fails with the finding in its output, succeeds once fixed, and skips the hook for other files."""
    config = hook_config(hook_repo, 'id: relpolicy-system\nargs: [--as-of, "2026-11-26", --color, never]')
    write(repo, {".pre-commit-config.yaml": config, "policies/team.yaml": BROKEN_TEAM})
    git("add", ".")
    code, output = commit("a broken policy")
    assert code == 1
    assert "relpolicy check (installed)" in output
    assert "Failed" in output
    assert "policies/team.yaml:5:13  RP201  error  no Calendar `nights`" in output
    assert git("rev-list", "--all") == ""

    write(repo, {"policies/team.yaml": BROKEN_TEAM.replace("nights", "always")})
    git("add", ".")
    code, output = commit("the fixed policy")
    assert code == 0, output
    assert "relpolicy check (installed)" in output
    assert "Passed" in output

    write(repo, {"README.md": "no policy here\n"})
    git("add", "README.md")
    code, output = commit("docs only")
    assert code == 0, output
    assert "relpolicy check (installed)" in output
    assert "Passed" in output


def test_hook_runs_on_a_commit_that_only_deletes_a_policy(
    repo: Path, git: Git, hook_repo: tuple[Path, str], commit: Commit
) -> None:
    """Deleting the calendar a team names stages no file pre-commit could match, yet the hook runs and blocks it."""
    config = hook_config(hook_repo, 'id: relpolicy-system\nargs: [--as-of, "2026-11-26", --color, never]')
    calendar = """\
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: nights}
spec:
  timezone: UTC
  hours: {mon: ["22:00-06:00"]}
"""
    write(
        repo, {".pre-commit-config.yaml": config, "policies/team.yaml": BROKEN_TEAM, "policies/nights.yaml": calendar}
    )
    git("add", ".")
    git("commit", "--quiet", "-m", "a team and its calendar")  # before pre-commit is installed

    git("rm", "--quiet", "policies/nights.yaml")
    assert git("diff", "--staged", "--name-only", "--diff-filter=d") == ""  # nothing left for `files:` to match
    code, output = commit("drop the calendar")
    assert code == 1, output
    assert "relpolicy check (installed)" in output
    assert "Failed" in output
    assert "policies/team.yaml:5:13  RP201  error  no Calendar `nights`" in output
    assert git("rev-list", "--count", "HEAD") == "1\n"
