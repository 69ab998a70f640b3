"""The pre-commit hook, run by pre-commit itself on a temporary repository: it blocks a broken policy.

The `relpolicy-system` hook runs the relpolicy installed beside these tests, so the round trip
needs no network; the `relpolicy` hook differs only in letting pre-commit build its environment,
which a separate test keeps in step.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.ci.conftest import Git, write
from tests.conftest import REPO

HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"
BROKEN_TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: web}
spec:
  coverage: nights
  members: [{name: Ana Lima, email: ana@example.com}]
"""


def hooks() -> dict[str, dict[str, object]]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}


def test_both_hooks_run_the_same_check() -> None:
    """The installed-relpolicy hook is the python hook with only the language changed."""
    python, system = hooks()["relpolicy"], hooks()["relpolicy-system"]
    assert python["language"] == "python"
    assert system["language"] == "system"
    keys = ("entry", "pass_filenames", "always_run", "require_serial")
    assert [python[k] for k in keys] == [system[k] for k in keys] == ["relpolicy check", False, True, True]


@pytest.fixture
def hook_repo(tmp_path: Path, git_env: None) -> tuple[Path, str]:
    """A git repository holding this checkout's .pre-commit-hooks.yaml, as pre-commit fetches hooks from one."""
    path = tmp_path / "hooks"
    path.mkdir()
    (path / ".pre-commit-hooks.yaml").write_text(HOOKS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    for args in (["init", "--quiet"], ["add", "."], ["commit", "--quiet", "-m", "hooks"]):
        subprocess.run(["git", *args], cwd=path, check=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, check=True, capture_output=True, text=True)
    return path, sha.stdout.strip()


def test_hook_blocks_a_broken_policy_then_lets_the_fix_through(
    repo: Path, git: Git, hook_repo: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git commit` fails with the finding in its output, succeeds once fixed, and skips the hook for other files."""
    hooks_path, sha = hook_repo
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    config = f"""\
repos:
  - repo: {hooks_path}
    rev: {sha}
    hooks:
      - id: relpolicy-system
        args: [--as-of, "2026-11-26", --color, never]
"""
    write(repo, {".pre-commit-config.yaml": config, "policies/team.yaml": BROKEN_TEAM})
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True)
    git("add", ".")

    def commit(message: str) -> tuple[int, str]:
        args = ["git", "commit", "-m", message]
        done = subprocess.run(args, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        return done.returncode, done.stdout

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
    repo: Path, git: Git, hook_repo: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting the calendar a team names stages no file pre-commit could match, yet the hook runs and blocks it."""
    hooks_path, sha = hook_repo
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    config = f"""\
repos:
  - repo: {hooks_path}
    rev: {sha}
    hooks:
      - id: relpolicy-system
        args: [--as-of, "2026-11-26", --color, never]
"""
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
    git("commit", "--quiet", "-m", "a team and its calendar")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True)

    git("rm", "--quiet", "policies/nights.yaml")
    assert git("diff", "--staged", "--name-only", "--diff-filter=d") == ""  # nothing left for `files:` to match
    done = subprocess.run(
        ["git", "commit", "-m", "drop the calendar"],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    assert "relpolicy check (installed)" in done.stdout
    assert "Failed" in done.stdout
    assert "policies/team.yaml:5:13  RP201  error  no Calendar `nights`" in done.stdout
    assert git("rev-list", "--count", "HEAD") == "1\n"
