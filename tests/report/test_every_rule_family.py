"""Every machine format on the organisation that breaks every rule family (tests/fixtures/broken-org).

The golden files of tests/report cover the formats' exact shape on loading findings; this checks
that findings of every rule (graph, time, priority... with related locations and severities
changed by a rule, such as a soft cycle's warning) stay valid against the published schemas.
"""

from __future__ import annotations

import json

import pytest
import xmlschema
from tests.conftest import REPO
from tests.report.conftest import DATA
from tests.report.test_report_formats import report_validator, sarif_validator

from relpolicy.cli import main

ARGS = ["check", "tests/fixtures/broken-org", "--as-of", "2026-11-26", "--format"]


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def run(fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = main([*ARGS, fmt])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    return out


def test_sarif_is_valid_and_names_every_rule_it_uses(capsys: pytest.CaptureFixture[str]) -> None:
    log = json.loads(run("sarif", capsys))
    sarif_validator().validate(log)
    results = log["runs"][0]["results"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert {rules[r["ruleIndex"]]["id"] for r in results} == {r["ruleId"] for r in results}
    assert {r["ruleId"][:3] for r in results} == {f"RP{n}" for n in range(1, 10)}
    assert len({json.dumps(r["partialFingerprints"], sort_keys=True) for r in results}) == len(results)


def test_json_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    report_validator().validate(json.loads(run("json", capsys)))


def test_junit_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    xmlschema.XMLSchema(DATA / "junit-10.xsd").validate(run("junit", capsys))


def test_github_has_one_annotation_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    findings = json.loads(run("json", capsys))["findings"]
    annotations = [line for line in run("github", capsys).splitlines() if line.startswith("::")]
    assert [a.split(" ", 1)[0] for a in annotations] == [
        {"error": "::error", "warning": "::warning", "info": "::notice"}[f["severity"]] for f in findings
    ]
