"""The `relpolicy-fmt` hook, run by pre-commit itself: it formats staged policy files, failing until restaged."""

from __future__ import annotations

from pathlib import Path

import yaml
from tests.ci.conftest import HOOKS_FILE, Commit, Git, hook_config, write

MESSY = "kind: Team  # the team\napiVersion: relpolicy.dev/v1\nmetadata: {name: web}\nspec:\n    coverage: always\n"
FORMATTED = "apiVersion: relpolicy.dev/v1\nkind: Team  # the team\nmetadata: {name: web}\nspec:\n  coverage: always\n"


def test_fmt_hook_is_declared_beside_the_check() -> None:
    """relpolicy-fmt runs `relpolicy fmt` on the staged policy files."""
    hook = {h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}["relpolicy-fmt"]
    assert (hook["entry"], hook["language"], hook["files"]) == ("relpolicy fmt", "python", r"^policies/.*\.ya?ml$")
    assert hook.get("pass_filenames", True)


def test_fmt_hook_formats_then_lets_the_commit_through(
    repo: Path, git: Git, hook_repo: tuple[Path, str], commit: Commit
) -> None:
    """A messy policy fails the commit and is rewritten; staged again, it passes; other YAML is not touched."""
    # language: system runs the relpolicy beside these tests: no environment to build
    config = hook_config(hook_repo, "id: relpolicy-fmt\nlanguage: system")
    write(repo, {".pre-commit-config.yaml": config, "policies/team.yaml": MESSY, "other.yaml": "a:    1\n"})
    git("add", ".")
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
