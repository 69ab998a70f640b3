"""Real temporary git repositories for the CI-integration tests."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

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
