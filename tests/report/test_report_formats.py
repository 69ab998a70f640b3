"""Every ``--format`` through the real CLI on the broken organisation: schema-valid and as in its golden file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from tests.report.conftest import BROKEN, DATA, without_time

from relpolicy import __version__
from relpolicy.cli import main
from relpolicy.rules import RULES

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
ARGS = ["check", "policies", "--as-of", "2026-11-26", "--format"]


def run(fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Check the broken organisation in this format; it has errors, so the exit code is 1 and stderr is empty."""
    code = main([*ARGS, fmt])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    return out


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def report_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO_SCHEMAS / "report" / "v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_text(broken_cwd: Path, capsys: pytest.CaptureFixture[str], golden: Callable[[str, str], None]) -> None:
    """The text report: findings grouped by file with code frames, then the summary."""
    golden("broken.txt", run("text", capsys))


def test_json(broken_cwd: Path, capsys: pytest.CaptureFixture[str], golden: Callable[[str, str], None]) -> None:
    """The JSON report is valid against schemas/report/v1.json and equal to its golden file."""
    data = json.loads(run("json", capsys))
    report_validator().validate(data)
    assert data["tool"]["version"] == __version__
    data["tool"]["version"] = "VERSION"
    golden("broken.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _only_used_rules(log: dict[str, Any]) -> dict[str, Any]:
    """The log with the rules that no result uses left out, so that rules added later change no golden file."""
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    used = sorted({result["ruleIndex"] for result in run_["results"]})
    driver["rules"] = [
        {key: driver["rules"][i][key] for key in ("id", "name", "helpUri", "defaultConfiguration")} for i in used
    ]
    for result in run_["results"]:
        result["ruleIndex"] = used.index(result["ruleIndex"])
    driver["version"] = driver["semanticVersion"] = "VERSION"
    return log


@pytest.fixture
def checkout_subfolder(broken_cwd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The broken organisation in ``sub/`` of a git checkout (a ``.git`` directory at its top), run from ``sub/``."""
    top = tmp_path / "checkout"
    shutil.copytree(BROKEN / "policies", top / "sub" / "policies")
    (top / ".git").mkdir()
    monkeypatch.chdir(top / "sub")
    return top


def test_sarif(
    checkout_subfolder: Path, capsys: pytest.CaptureFixture[str], golden: Callable[[str, str], None]
) -> None:
    """SARIF is valid against the official 2.1.0 schema, carries every rule, and matches its golden file.

    Run from a subfolder of the checkout, its URIs are still relative to the checkout's top.
    """
    log = json.loads(run("sarif", capsys))
    sarif_validator().validate(log)
    bases = log["runs"][0]["originalUriBaseIds"]
    assert bases == {"%SRCROOT%": {"uri": checkout_subfolder.as_uri() + "/"}}
    bases["%SRCROOT%"]["uri"] = "file:///CHECKOUT/"
    driver = log["runs"][0]["tool"]["driver"]
    assert [(r["id"], r["name"]) for r in driver["rules"]] == [(r.id, r.name) for r in RULES]
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    golden("broken.sarif", json.dumps(_only_used_rules(log), indent=2, ensure_ascii=False) + "\n")


def test_github(broken_cwd: Path, capsys: pytest.CaptureFixture[str], golden: Callable[[str, str], None]) -> None:
    """GitHub annotations, one per finding, then the summary line."""
    golden("broken.github.txt", run("github", capsys))


def test_junit(broken_cwd: Path, capsys: pytest.CaptureFixture[str], golden: Callable[[str, str], None]) -> None:
    """JUnit XML is valid against the Jenkins junit-10.xsd and matches its golden file."""
    out = run("junit", capsys)
    xmlschema.XMLSchema(DATA / "junit-10.xsd").validate(out)
    golden("broken.junit.xml", without_time(out))
