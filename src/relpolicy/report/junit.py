"""JUnit XML for CI test dashboards (GitLab, Jenkins, Azure DevOps): policy files as test suites.

The layout, valid against the Jenkins xUnit plugin's ``junit-10.xsd``:

- one ``<testsuite>`` per policy file read (``name`` and ``file`` are its path), in path order;
- in it, one ``<testcase>`` per rule with findings in that file, named ``RP201 unknown-reference``;
  it fails (one ``<failure>`` listing every finding of that rule in that file) when a finding is
  at least as severe as ``fail_on`` (``--fail-on``), and passes with the findings in
  ``<system-out>`` otherwise, so the dashboard's verdict matches the exit code;
- a file with no finding at all has a single passing test case, ``relpolicy check``.

No times or host names are written: the output depends on the findings only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby
from typing import Final

from relpolicy.engine import Report
from relpolicy.findings import Finding, Severity

CLEAN_CASE: Final = "relpolicy check"
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry even escaped; hostile input may put them in a message."""


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _finding_line(finding: Finding) -> str:
    lines = [f"{finding.location}: {finding.severity.label}: {finding.message}"]
    lines += [f"  {r.location}: {r.message}" for r in finding.related]
    return "\n".join(lines)


def _testcase(suite: ET.Element, path: str, findings: Sequence[Finding], fail_on: Severity | None) -> bool:
    """Add the test case of one rule in one file; True when it fails."""
    first = findings[0]
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{first.rule_id} {first.rule_name}",
        classname=path,
        file=path,
        line=str(first.location.line),
    )
    body = _xml_text("\n".join(_finding_line(f) for f in findings) + "\n")
    worst = max(f.severity for f in findings)
    if fail_on is None or worst < fail_on:
        ET.SubElement(case, "system-out").text = body
        return False
    message = f"{first.location}: {first.message}" if len(findings) == 1 else f"{len(findings)} findings"
    failure = ET.SubElement(case, "failure", type=worst.label, message=_xml_text(message))
    failure.text = body
    return True


def render(report: Report, *, fail_on: Severity | None = Severity.ERROR) -> str:
    """The JUnit XML document; ``fail_on=None`` (``--fail-on never``) fails no test case."""
    by_path: defaultdict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_path[finding.location.path].append(finding)
    root = ET.Element("testsuites")
    total_tests = total_failures = 0
    for path in sorted(set(report.sources) | set(by_path)):
        suite = ET.SubElement(root, "testsuite")
        findings = sorted(by_path.get(path, []), key=lambda f: (f.rule_id, f.sort_key))
        verdicts = [_testcase(suite, path, list(group), fail_on) for _, group in groupby(findings, lambda f: f.rule_id)]
        if not verdicts:
            ET.SubElement(suite, "testcase", name=CLEAN_CASE, classname=path, file=path)
            verdicts = [False]
        tests, failures = len(verdicts), sum(verdicts)
        suite.attrib |= {"name": path, "tests": str(tests), "failures": str(failures), "errors": "0"}
        suite.attrib |= {"skipped": "0", "file": path}
        total_tests += tests
        total_failures += failures
    root.attrib |= {"name": "relpolicy", "tests": str(total_tests), "failures": str(total_failures), "errors": "0"}
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
