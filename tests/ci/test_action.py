"""The composite action's shell steps, run by bash as the runner runs them, against this checkout's relpolicy.

The runner is imitated where the steps touch it: ``RUNNER_TEMP`` holds the virtual environment the
install step would make (here, links to the relpolicy under test), ``GITHUB_OUTPUT`` collects the
outputs, and each step gets the ``env`` that action.yml maps its inputs to.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.ci.conftest import BROKEN_TEAM, write
from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = {step["name"]: step for step in ACTION["runs"]["steps"]}
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def test_used_actions_are_pinned_by_commit_with_their_version() -> None:
    """Every `uses:` names a full commit hash, and a `# vN.N.N` comment says which release it is."""
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)@(\S+)(.*)", text)
    assert [name for name, _, _ in uses] == ["actions/setup-python", "github/codeql-action/upload-sarif"]
    for name, ref, comment in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), name
        assert re.fullmatch(r" # v[0-9]+\.[0-9]+\.[0-9]+", comment), name


def test_outputs_cover_the_verdict_the_counts_and_the_report() -> None:
    """The action's outputs: the exit code, one count per severity, the SARIF file, the diff's exit code and file."""
    assert list(ACTION["outputs"]) == [
        "exit-code",
        "errors",
        "warnings",
        "infos",
        "sarif-file",
        "diff-exit-code",
        "diff-file",
    ]


class Runner:
    """Runs one step's script in ``workdir`` with the inputs given, as a composite action's bash step."""

    def __init__(self, tmp_path: Path) -> None:
        self.workdir = tmp_path / "work"
        self.temp = tmp_path / "runner-temp"
        self.output = tmp_path / "github-output"
        venv_bin = self.temp / "relpolicy-venv" / "bin"
        venv_bin.mkdir(parents=True)
        (venv_bin / "python").symlink_to(sys.executable)
        relpolicy = venv_bin / "relpolicy"
        relpolicy.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m relpolicy "$@"\n', encoding="utf-8")
        relpolicy.chmod(0o755)
        self.workdir.mkdir()

    def run(self, step: str, **inputs: str) -> subprocess.CompletedProcess[str]:
        self.output.write_text("", encoding="utf-8")
        values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | inputs
        env = {
            name: EXPRESSION.sub(lambda match: values[match[1].removeprefix("inputs.")], value)
            for name, value in STEPS[step].get("env", {}).items()
        }
        env |= {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/"),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(self.output),
            "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],
        }
        script = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", STEPS[step]["run"]]
        return subprocess.run(script, cwd=self.workdir, env=env, capture_output=True, text=True, check=False)

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.output.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path)


def summary(runner: Runner, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "relpolicy", "check", "--format", "json", "--fail-on", "never", *args],
        cwd=runner.workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)["summary"]


def test_check_step_counts_findings_and_passes_arguments_with_spaces(runner: Runner) -> None:
    """`args` one per line reaches relpolicy intact (a path with a space); the counts are the JSON report's."""
    write(
        runner.workdir,
        {
            "policies/team.yaml": BROKEN_TEAM,
            "ci config/relpolicy.yaml": "severity: {RP201: warning}\n",
        },
    )
    args = "\n  --config\n\n  ci config/relpolicy.yaml  \n--no-cache\n"
    done = runner.run("Check policies (annotations)", args=args, **{"fail-on": "error"})
    assert done.returncode == 0, done.stderr
    assert "::warning file=policies/team.yaml,line=5,col=13," in done.stdout
    expected = summary(runner, "--config", "ci config/relpolicy.yaml")
    assert expected["error"] == 0
    assert expected["warning"] >= 1
    assert runner.outputs() == {
        "exit-code": "0",
        "errors": str(expected["error"]),
        "warnings": str(expected["warning"]),
        "infos": str(expected["info"]),
    }


def test_check_step_fails_on_errors_and_still_counts(runner: Runner) -> None:
    """With an error the exit code is 1 (the verdict step fails the job later), and the counts are written."""
    write(runner.workdir, {"policies/team.yaml": BROKEN_TEAM})
    done = runner.run("Check policies (annotations)", paths="policies")
    assert done.returncode == 0, done.stderr
    expected = summary(runner, "policies")
    assert expected["error"] >= 1
    assert runner.outputs() == {
        "exit-code": "1",
        "errors": str(expected["error"]),
        "warnings": str(expected["warning"]),
        "infos": str(expected["info"]),
    }


def test_check_step_after_a_usage_error_reports_only_the_exit_code(runner: Runner) -> None:
    """A bad option gives exit code 2 and no counts, which the later steps test for."""
    write(runner.workdir, {"policies/team.yaml": BROKEN_TEAM})
    done = runner.run("Check policies (annotations)", args="--no-such-option")
    assert done.returncode == 0, done.stderr
    assert runner.outputs() == {"exit-code": "2"}


def test_sarif_step_reuses_the_arguments_and_sets_the_category(runner: Runner) -> None:
    """The SARIF report gets the same arguments as the check, and the category in its automation id."""
    write(
        runner.workdir,
        {"policies/team.yaml": BROKEN_TEAM, "ci config/relpolicy.yaml": "severity: {RP201: warning}\n"},
    )
    runner.run("Check policies (annotations)", args="--config\nci config/relpolicy.yaml")
    done = runner.run("Write the SARIF report", **{"sarif-file": "out.sarif", "category": "infra"})
    assert done.returncode == 0, done.stderr
    sarif = json.loads((runner.workdir / "out.sarif").read_text(encoding="utf-8"))
    (run,) = sarif["runs"]
    assert run["automationDetails"] == {"id": "relpolicy/infra/"}
    levels = {result["ruleId"]: result["level"] for result in run["results"]}
    assert levels["RP201"] == "warning"
