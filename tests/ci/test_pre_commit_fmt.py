"""The `relpolicy-fmt` hook, run by pre-commit itself: it formats staged policy files, failing until restaged."""

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

MESSY = "kind: Team  # the team\napiVersion: relpolicy.dev/v1\nmetadata: {name: web}\nspec:\n    coverage: always\n"
FORMATTED = "apiVersion: relpolicy.dev/v1\nkind: Team  # the team\nmetadata: {name: web}\nspec:\n  coverage: always\n"


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


def test_fmt_hook_is_declared_beside_the_check() -> None:
    """relpolicy-fmt runs `relpolicy fmt` on the staged policy files."""
    hook = {h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}["relpolicy-fmt"]
    assert (hook["entry"], hook["language"], hook["files"]) == ("relpolicy fmt", "python", r"^policies/.*\.ya?ml$")
    assert hook.get("pass_filenames", True)


def test_fmt_hook_formats_then_lets_the_commit_through(
    repo: Path, git: Git, hook_repo: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A messy policy fails the commit and is rewritten; staged again, it passes; other YAML is not touched."""
    hooks_path, sha = hook_repo
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    config = f"""\
repos:
  - repo: {hooks_path}
    rev: {sha}
    hooks:
      - id: relpolicy-fmt
        language: system  # the relpolicy beside these tests: no environment to build
"""
    write(repo, {".pre-commit-config.yaml": config, "policies/team.yaml": MESSY, "other.yaml": "a:    1\n"})
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True)
    git("add", ".")

    def commit(message: str) -> tuple[int, str]:
        args = ["git", "commit", "-m", message]
        done = subprocess.run(args, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        return done.returncode, done.stdout

    code, output = commit("a messy policy")
    assert code == 1, output
    assert "relpolicy fmt" in output
    assert "files were modified by this hook" in output
    assert (repo / "policies" / "team.yaml").read_text() == FORMATTED
    assert (repo / "other.yaml").read_text() == "a:    1\n"
    git("add", ".")
    code, output = commit("the formatted policy")
    assert code == 0, output
    assert "Passed" in output
