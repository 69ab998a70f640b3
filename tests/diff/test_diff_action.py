"""The action's diff step, run by bash as the runner runs it (see tests/ci/test_action.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.ci.test_action import Runner
from tests.diff._repo import build_repo


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    """A runner whose work directory is the fixture repository, at its last commit."""
    made = Runner(tmp_path)
    made.workdir.rmdir()
    build_repo(made.workdir)
    return made


@pytest.mark.parametrize(("fail_on", "code"), [("never", "0"), ("weakens", "1")])
def test_diff_step_writes_the_markdown_and_its_exit_code(runner: Runner, fail_on: str, code: str) -> None:
    """With diff-base, the step writes the Markdown diff to diff-file and its exit code to the outputs."""
    runner.run("Check policies (annotations)", paths="policies", **{"fail-on": "never"})
    done = runner.run(
        "Diff the promises", **{"diff-base": "rto-raised", "diff-file": "diff.md", "diff-fail-on": fail_on}
    )
    assert done.returncode == 0, done.stderr
    assert runner.outputs() == {"exit-code": code}
    text = (runner.workdir / "diff.md").read_text(encoding="utf-8")
    assert text.startswith("## relpolicy diff\n\n**1 promise weakened** (rto-raised → working tree)")
