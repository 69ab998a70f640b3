"""Real temporary git repositories for the CI-integration tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import REPO

GIT_ENV = {
    "GIT_AUTHOR_NAME": "relpolicy tests",
    "GIT_AUTHOR_EMAIL": "tests@relpolicy.invalid",
    "GIT_COMMITTER_NAME": "relpolicy tests",
    "GIT_COMMITTER_EMAIL": "tests@relpolicy.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}

Git = Callable[..., str]


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Identity and configuration for git that do not depend on the machine's own."""
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> Path:
    """An empty git repository with ``main`` as its branch."""
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(path)], check=True)
    return path


@pytest.fixture
def git(repo: Path) -> Git:
    """Run git in the repository and return its standard output."""

    def run(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
        return done.stdout

    return run


def write(root: Path, files: dict[str, str | None]) -> None:
    """Write (or, for None, delete) files under ``root``."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"
BROKEN_TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: web}
spec:
  coverage: nights
  members: [{name: Ana Lima, email: ana@example.com}]
"""
"""A team on a calendar that does not exist: RP201 at 5:13."""
Commit = Callable[[str], tuple[int, str]]


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


def hook_config(hook_repo: tuple[Path, str], hook: str) -> str:
    """A .pre-commit-config.yaml using one hook of ``hook_repo`` (``hook``: its YAML lines under ``- id:``)."""
    path, sha = hook_repo
    lines = "".join(f"        {line}\n" for line in hook.splitlines())
    return f"repos:\n  - repo: {path}\n    rev: {sha}\n    hooks:\n      - {lines.lstrip()}"


@pytest.fixture
def commit(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Commit:
    """Install pre-commit in the repository (its home under tmp_path, this Python's relpolicy on PATH); then
    ``commit(message)`` runs ``git commit`` and returns its exit code and output (hooks included)."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)

    def run(message: str) -> tuple[int, str]:
        subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True)
        args = ["git", "commit", "-m", message]
        done = subprocess.run(args, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        return done.returncode, done.stdout

    return run
