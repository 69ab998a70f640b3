"""JUnit layout: suites per file, a test case per rule and file, verdicts that follow --fail-on."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import xmlschema
from tests.report.conftest import DATA

from relpolicy.engine import Report
from relpolicy.findings import Finding, Location, Severity
from relpolicy.report import junit

SCHEMA = xmlschema.XMLSchema(DATA / "junit-10.xsd")


def finding(
    rule: str, severity: Severity, path: str = "policies/a.yaml", line: int = 2, message: str = "bad"
) -> Finding:
    return Finding(rule, f"rule-{rule.lower()}", severity, message, Location(path, line, 1, line, 4), f"{path}#{line}")


def report(*findings: Finding, sources: tuple[str, ...] = ("policies/a.yaml", "policies/b.yaml")) -> Report:
    return Report(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        sources=dict.fromkeys(sources, ""),
        files=len(sources),
        documents=1,
        resources=1,
        as_of=dt.date(2026, 11, 26),
    )


def render(rep: Report, fail_on: Severity | None = Severity.ERROR) -> ET.Element:
    text = junit.render(rep, fail_on=fail_on)
    SCHEMA.validate(text)
    return ET.fromstring(text)  # noqa: S314 - our own output, just validated


def cases(root: ET.Element) -> list[tuple[str, str, str]]:
    """(suite, case, verdict) for every test case."""
    verdict = {True: "failed", False: "passed"}
    return [
        (suite.get("name", ""), case.get("name", ""), verdict[case.find("failure") is not None])
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
    ]


def test_one_case_per_rule_and_file_and_one_for_a_clean_file() -> None:
    """Two findings of one rule in one file share a test case; a clean file has a passing `relpolicy check`."""
    root = render(
        report(
            finding("RP201", Severity.ERROR), finding("RP201", Severity.ERROR, line=5), finding("RP103", Severity.ERROR)
        )
    )
    assert cases(root) == [
        ("policies/a.yaml", "RP103 rule-rp103", "failed"),
        ("policies/a.yaml", "RP201 rule-rp201", "failed"),
        ("policies/b.yaml", "relpolicy check", "passed"),
    ]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "2", "0")
    failure = root.find("testsuite/testcase[@name='RP201 rule-rp201']/failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == ("error", "2 findings")
    assert failure.text == "policies/a.yaml:2:1: error: bad\npolicies/a.yaml:5:1: error: bad\n"


@pytest.mark.parametrize(
    ("fail_on", "verdicts"),
    [
        (Severity.ERROR, ["failed", "passed", "passed"]),
        (Severity.WARNING, ["failed", "failed", "passed"]),
        (Severity.INFO, ["failed", "failed", "failed"]),
        (None, ["passed", "passed", "passed"]),
    ],
)
def test_verdicts_follow_fail_on(fail_on: Severity | None, verdicts: list[str]) -> None:
    """A case fails when it holds a finding at least as severe as --fail-on; `never` fails none."""
    rep = report(finding("RP101", Severity.ERROR), finding("RP102", Severity.WARNING), finding("RP103", Severity.INFO))
    root = render(rep, fail_on)
    assert [verdict for *_, verdict in cases(root)][:3] == verdicts
    passed = [
        case for case in root.iter("testcase") if case.find("failure") is None and case.get("name") != "relpolicy check"
    ]
    assert all(case.findtext("system-out", "").startswith("policies/a.yaml:2:1: ") for case in passed)


def test_text_that_xml_cannot_hold_is_replaced() -> None:
    """Control characters from hostile input become U+FFFD instead of making the document invalid."""
    root = render(report(finding("RP101", Severity.ERROR, message="bad \x00\x1b byte")))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "policies/a.yaml:2:1: bad \ufffd\ufffd byte"


def test_empty_report_is_a_valid_empty_document() -> None:
    """Nothing read: an empty <testsuites> with zero tests."""
    root = render(report(sources=()))
    assert (root.tag, root.get("tests"), list(root)) == ("testsuites", "0", [])
