"""JUnit layout: suites per file, a test case per rule and file, verdicts that follow --fail-on."""

from __future__ import annotations

import dataclasses
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
    return [
        (suite.get("name", ""), case.get("name", ""), verdict(case))
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
    ]


def verdict(case: ET.Element) -> str:
    if case.find("failure") is not None:
        return "failed"
    return "skipped" if case.find("skipped") is not None else "passed"


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
        (Severity.ERROR, ["failed", "skipped", "passed"]),
        (Severity.WARNING, ["failed", "failed", "passed"]),
        (Severity.INFO, ["failed", "failed", "failed"]),
        (None, ["skipped", "skipped", "passed"]),
    ],
)
def test_verdicts_follow_fail_on(fail_on: Severity | None, verdicts: list[str]) -> None:
    """A case fails when it holds a finding at least as severe as --fail-on; below it, warnings are skipped cases."""
    rep = report(finding("RP101", Severity.ERROR), finding("RP102", Severity.WARNING), finding("RP103", Severity.INFO))
    root = render(rep, fail_on)
    assert [verdict for *_, verdict in cases(root)][:3] == verdicts
    for case in root.iter("testcase"):
        if case.get("name") == "relpolicy check":
            continue
        element = {"failed": "failure", "skipped": "skipped", "passed": "system-out"}[verdict(case)]
        assert case.findtext(element, "").startswith("policies/a.yaml:2:1: ")
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("skipped")) == (
        str(verdicts.count("failed")),
        str(verdicts.count("skipped")),
    )


def test_a_warning_below_fail_on_is_a_skipped_case_with_its_message() -> None:
    """Dashboards flag skipped tests without failing the build: the warning shows, the verdict matches the exit code."""
    root = render(report(finding("RP302", Severity.WARNING, message="tier inversion")))
    skipped = root.find("testsuite/testcase/skipped")
    assert skipped is not None
    assert (skipped.get("type"), skipped.get("message")) == ("warning", "policies/a.yaml:2:1: tier inversion")
    assert skipped.text == "policies/a.yaml:2:1: warning: tier inversion\n"
    assert root.get("failures") == "0"


def test_time_attributes() -> None:
    """The whole document has the check's wall time; suites and cases have 0, as the check is not timed per file."""
    rep = dataclasses.replace(report(finding("RP101", Severity.ERROR)), elapsed=1.23456)
    root = render(rep)
    assert root.get("time") == "1.235"
    assert {element.get("time") for element in [*root.iter("testsuite"), *root.iter("testcase")]} == {"0"}


def test_text_that_xml_cannot_hold_is_shown_escaped() -> None:
    """Control characters from hostile input are shown as escapes instead of making the document invalid."""
    root = render(report(finding("RP101", Severity.ERROR, message="bad \x00\x1b\ufffe byte")))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "policies/a.yaml:2:1: bad \\x00\\x1b\\ufffe byte"


def test_empty_report_is_a_valid_empty_document() -> None:
    """Nothing read: an empty <testsuites> with zero tests."""
    root = render(report(sources=()))
    assert (root.tag, root.get("tests"), list(root)) == ("testsuites", "0", [])
