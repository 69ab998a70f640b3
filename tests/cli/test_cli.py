"""The CLI through its real entry point: exit codes, stdout and stderr together."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import REPO

from relpolicy import __version__
from relpolicy.cli import main
from relpolicy.schema import schema_files

TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: COVERAGE
  members: [{name: Ana Lima, email: ana@example.com}]
"""


@pytest.fixture
def broken(write_policy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A policy root with one RP201 error, the working directory set to its parent."""
    root = write_policy(TEAM.replace("COVERAGE", "nights"))
    monkeypatch.chdir(root.parent)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return root


def test_text_report(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Text output: location, rule, severity, message, code frame and summary; exit 1 on an error."""
    code = main(["check", "policies", "--as-of", "2026-11-26"])
    assert (code, *capsys.readouterr()) == (
        1,
        "policies/policy.yaml (1 finding)\n"
        "\n"
        "policies/policy.yaml:5:13  RP201  error  no Calendar `nights`; known: always\n"
        "    4 | spec:\n"
        "  > 5 |   coverage: nights\n"
        "      |             ^^^^^^\n"
        "    6 |   members: [{name: Ana Lima, email: ana@example.com}]\n"
        "\n"
        "1 error, 0 warnings, 0 info in 1 file, 1 resource (as of 2026-11-26).\n",
        "",
    )


def test_summary_counts_suppressed_and_baselined_findings(
    broken: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a suppression or the baseline hides is still counted in the summary line."""
    policy = broken / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("coverage: nights", "coverage: nights  # relpolicy: ignore[RP201] rota moves in Q1")
    )
    assert main(["check", "--as-of", "2026-11-26"]) == 0
    assert capsys.readouterr().out.endswith("(as of 2026-11-26); 1 suppressed.\n")
    policy.write_text(policy.read_text().replace("  # relpolicy: ignore[RP201] rota moves in Q1", ""))
    assert main(["check", "--as-of", "2026-11-26", "--write-baseline", str(tmp_path / "baseline.json")]) == 0
    capsys.readouterr()
    assert main(["check", "--as-of", "2026-11-26", "--baseline", str(tmp_path / "baseline.json")]) == 0
    assert capsys.readouterr().out.endswith("(as of 2026-11-26); 1 in the baseline.\n")


def test_default_root_is_policies(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without paths, check reads policies/ in the working directory."""
    assert main(["check", "--as-of", "2026-11-26", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["files"] == 1


def test_json_report(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON output is the documented structure."""
    code = main(["check", "--format", "json", "--as-of", "2026-11-26"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    assert json.loads(out) == {
        "schemaVersion": 1,
        "tool": {"name": "relpolicy", "version": __version__},
        "asOf": "2026-11-26",
        "summary": {"files": 1, "documents": 1, "resources": 1, "error": 1, "warning": 0, "info": 0},
        "findings": [
            {
                "ruleId": "RP201",
                "ruleName": "unknown-reference",
                "severity": "error",
                "message": "no Calendar `nights`; known: always",
                "location": {"path": "policies/policy.yaml", "line": 5, "column": 13, "endLine": 5, "endColumn": 19},
                "subject": "Team/payments:spec.coverage",
                "related": [],
            }
        ],
        "suppressed": [],
    }


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on(broken: Path, fail_on: str, expected: int, capsys: pytest.CaptureFixture[str]) -> None:
    """--fail-on sets the severity that fails the run; never always exits 0."""
    assert main(["check", "--fail-on", fail_on, "--as-of", "2026-11-26"]) == expected


def test_clean_exits_zero(write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A clean tree exits 0 and says so."""
    root = write_policy(TEAM.replace("COVERAGE", "always"))
    assert main(["check", str(root), "--as-of", "2026-11-26"]) == 0
    assert capsys.readouterr().out.endswith("No findings in 1 file, 1 resource (as of 2026-11-26).\n")


def test_color_only_when_asked_and_never_with_no_color(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--color always paints; NO_COLOR wins over it; the default on a pipe is plain."""
    main(["check", "--as-of", "2026-11-26", "--color", "always"])
    assert "\x1b[31merror\x1b[0m" in capsys.readouterr().out
    main(["check", "--as-of", "2026-11-26"])
    assert "\x1b[" not in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    main(["check", "--as-of", "2026-11-26", "--color", "always"])
    assert "\x1b[" not in capsys.readouterr().out


OUTPUTS = ", ".join(schema.name for schema in schema_files() if "/" in schema.file)
"""The outputs (report...) whose schemas `relpolicy schema` prints besides the policy documents'."""


@pytest.mark.parametrize(
    ("argv", "stderr"),
    [
        (["check", "does-not-exist"], "relpolicy: error: does-not-exist: no such file or directory\n"),
        (
            ["check"],
            "relpolicy: error: no paths given and no policies/ directory here; "
            "pass the files or directories to check\n",
        ),
        (["explain", "RP999"], "relpolicy: error: unknown rule id `RP999`; `relpolicy rules` lists them\n"),
        (
            ["schema", "Nope"],
            "relpolicy: error: no schema `Nope`; choose one of Calendar, Team, EscalationPolicy, PriorityPolicy, "
            f"Service, SLO, MaintenanceWindow, ChangeFreeze, {OUTPUTS} (or none, for any policy document)\n",
        ),
    ],
)
def test_usage_errors_exit_two_with_one_line(
    argv: list[str], stderr: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Usage errors print one line on stderr and exit 2."""
    monkeypatch.chdir(tmp_path)
    assert (main(argv), *capsys.readouterr()) == (2, "", stderr)


def test_bad_option_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse errors exit 2 too."""
    assert main(["check", "--fail-on", "sometimes"]) == 2
    assert "invalid choice: 'sometimes'" in capsys.readouterr().err


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules` prints id, name, severity and summary for every rule."""
    from relpolicy.rules import RULES

    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines] == [[r.id, r.name, r.severity.label] for r in RULES]


def test_explain_shows_both_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """`explain` prints the doc with the failing and the passing example."""
    assert main(["explain", "unknown-reference"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("RP201 unknown-reference (error)\n")
    assert "Failing example:\n\n    apiVersion: relpolicy.dev/v1\n" in out
    assert "Passing example:\n\n    apiVersion: relpolicy.dev/v1\n" in out


def test_schema_check_detects_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`schema --out` writes the files; `--check` passes, then fails after a hand edit."""
    out = tmp_path / "schemas"
    assert main(["schema", "--out", str(out)]) == 0
    assert main(["schema", "--out", str(out), "--check"]) == 0
    (out / "team.json").write_text("{}\n")
    capsys.readouterr()
    assert main(["schema", "--out", str(out), "--check"]) == 1
    assert capsys.readouterr().err == f"{out / 'team.json'}: out of date; run `relpolicy schema --out {out}`\n"


def test_console_script_and_module_entry_points() -> None:
    """The installed `relpolicy` script and `python -m relpolicy` both run."""
    script = Path(sys.executable).with_name("relpolicy")
    for command in ([str(script), "--version"], [sys.executable, "-m", "relpolicy", "--version"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
        assert (done.returncode, done.stdout, done.stderr) == (0, f"relpolicy {__version__}\n", "")


def test_example_organisation_is_clean(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """policies/ passes `relpolicy check` with no finding at all (dogfood)."""
    monkeypatch.chdir(REPO)
    assert main(["check", "policies", "--fail-on", "info", "--as-of", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No findings in ")


def test_a_folder_without_policy_files_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty or mistyped policy folder fails (exit 2, one line) unless --allow-empty says it may be empty."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "README.md").write_text("# Policies\n")
    (tmp_path / "other").mkdir()
    error = "relpolicy: error: no policy files (*.yaml, *.yml) in {}: is the path right? (--allow-empty accepts this)\n"
    assert (main(["check", "--as-of", "2026-11-26"]), *capsys.readouterr()) == (2, "", error.format("policies"))
    assert (main(["check", "policies", "other", "--as-of", "2026-11-26"]), *capsys.readouterr()) == (
        2,
        "",
        error.format("policies, other"),
    )
    assert (main(["check", "--as-of", "2026-11-26", "--allow-empty"]), *capsys.readouterr()) == (
        0,
        "No findings in 0 files, 0 resources (as of 2026-11-26).\n",
        "",
    )


def test_the_library_checks_an_empty_folder_without_raising(tmp_path: Path) -> None:
    """The public check() on no files returns an empty report: refusing it is the command's decision."""
    from relpolicy import check

    report = check(str(tmp_path), as_of=dt.date(2026, 11, 26))
    assert (report.files, report.findings) == (0, ())


def test_impact_names_only_the_missing_service(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without SERVICE the usage error names SERVICE alone: PATH is optional."""
    monkeypatch.setenv("COLUMNS", "80")  # the usage lines wrap at the terminal's width
    assert (main(["impact"]), *capsys.readouterr()) == (
        2,
        "",
        "usage: relpolicy impact [-h] [--config FILE] [--format {text,json}]\n"
        "                        SERVICE [PATH ...]\n"
        "relpolicy impact: error: the following arguments are required: SERVICE\n",
    )


@pytest.mark.parametrize(
    ("rule", "stderr"),
    [
        ("unknown-referenc", "unknown rule name `unknown-referenc`, did you mean `unknown-reference`?"),
        (
            "infeasible-availabilty",
            "unknown rule name `infeasible-availabilty`, did you mean `infeasible-availability`?",
        ),
        ("no-such-thing", "unknown rule name `no-such-thing`; `relpolicy rules` lists them"),
        ("RP999", "unknown rule id `RP999`; `relpolicy rules` lists them"),
    ],
)
def test_explain_suggests_the_rule_a_typo_meant(rule: str, stderr: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A mistyped rule name gets a did-you-mean, as every other name lookup does."""
    assert (main(["explain", rule]), *capsys.readouterr()) == (2, "", f"relpolicy: error: {stderr}\n")


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_render_sla_refuses_a_table_its_format_cannot_choose(
    fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--table chooses the one table a CSV holds; with a format that holds every table it is an error, not ignored."""
    monkeypatch.chdir(REPO)
    assert (main(["render", "sla", "--format", fmt, "--table", "priorities"]), *capsys.readouterr()) == (
        2,
        "",
        f"relpolicy: error: --table applies to --format csv only: --format {fmt} holds every table\n",
    )
    assert main(["render", "sla", "--format", "csv", "--table", "priorities"]) == 0
    assert capsys.readouterr().out.startswith("policy,level,description,response,restore,clock,status_update_every\r\n")


NUMBERS_AS_NAMES = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: 1e999}
spec: {coverage: always, members: [{name: Ana Lima, email: ana@example.com}]}
---
apiVersion: relpolicy.dev/v1
kind: 0x1F
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_number_written_as_a_name_is_quoted_as_written(
    newline: str,
    write_policy: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """YAML reads `1e999` as infinity and `0x1F` as 31: the messages show what the file says."""
    root = write_policy(NUMBERS_AS_NAMES.replace("\n", newline).encode())
    monkeypatch.chdir(root.parent)
    code = main(["check", "--as-of", "2026-11-26", "--format", "json"])
    out, err = capsys.readouterr()
    found = [
        (f["ruleId"], f["location"]["line"], f["location"]["column"], f["message"]) for f in json.loads(out)["findings"]
    ]
    assert (code, found, err) == (
        1,
        [
            (
                "RP103",
                3,
                18,
                "`1e999` is not a valid name: use lowercase letters, digits and `-`, at most 63 characters, "
                "starting and ending with a letter or digit",
            ),
            (
                "RP104",
                7,
                7,
                "unknown kind `0x1F`; relpolicy.dev/v1 has: Calendar, ChangeFreeze, EscalationPolicy, "
                "MaintenanceWindow, PriorityPolicy, SLO, Service, Team",
            ),
        ],
        "",
    )
