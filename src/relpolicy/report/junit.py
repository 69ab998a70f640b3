"""JUnit XML for CI test dashboards (GitLab, Jenkins, Azure DevOps): policy files as test suites.

The layout, valid against the Jenkins xUnit plugin's ``junit-10.xsd``:

- one ``<testsuite>`` per policy file read (``name`` and ``file`` are its path), in path order;
- in it, one ``<testcase>`` per rule with findings in that file, named ``RP201 unknown-reference``;
  it fails (one ``<failure>`` listing every finding of that rule in that file) when a finding is
  at least as severe as ``fail_on`` (``--fail-on``), so the dashboard's verdict matches the exit
  code. Below that, a case with a warning (or an error, under ``--fail-on never``) is *skipped*
  (``<skipped type="warning">`` with the findings): dashboards count and flag skipped tests
  without failing the build, whereas the output of a passing test is shown by none of them
  unless one opens it. A case with only info findings passes, with them in ``<system-out>``;
- a file with no finding at all has a single passing test case, ``relpolicy check``.

``time``: the tree is checked as a whole (a rule sees every file at once), so no part of the run
belongs to one file. ``<testsuites>`` carries the check's wall time; suites and cases carry
``time="0"``, so that sums over them never count it twice. No time stamps or host names are
written.

XML 1.0 cannot carry most control characters even escaped, so names and messages go through
:func:`~relpolicy.report.escape.visible` (``\\x1b``): the document is valid whatever the files
are called and whatever they contain.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby
from typing import Final

from relpolicy.engine import Report
from relpolicy.findings import Finding, Severity
from relpolicy.report.escape import visible

CLEAN_CASE: Final = "relpolicy check"
NO_TIME: Final = "0"
"""The ``time`` of a suite or a case: the check is not timed per file (see the module's notes)."""


def _finding_line(finding: Finding) -> str:
    lines = [f"{visible(str(finding.location))}: {finding.severity.label}: {visible(finding.message)}"]
    lines += [f"  {visible(str(r.location))}: {visible(r.message)}" for r in finding.related]
    return "\n".join(lines)


def _testcase(suite: ET.Element, path: str, findings: Sequence[Finding], fail_on: Severity | None) -> str:
    """Add the test case of one rule in one file; its verdict: ``failed``, ``skipped`` or ``passed``."""
    first = findings[0]
    shown = visible(path)
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{first.rule_id} {first.rule_name}",
        classname=shown,
        file=shown,
        line=str(first.location.line),
        time=NO_TIME,
    )
    body = "\n".join(_finding_line(f) for f in findings) + "\n"
    worst = max(f.severity for f in findings)
    message = f"{visible(str(first.location))}: {visible(first.message)}" if len(findings) == 1 else None
    message = message or f"{len(findings)} findings"
    if fail_on is not None and worst >= fail_on:
        ET.SubElement(case, "failure", type=worst.label, message=message).text = body
        return "failed"
    if worst >= Severity.WARNING:
        ET.SubElement(case, "skipped", type=worst.label, message=message).text = body
        return "skipped"
    ET.SubElement(case, "system-out").text = body
    return "passed"


def render(report: Report, *, fail_on: Severity | None = Severity.ERROR) -> str:
    """The JUnit XML document; ``fail_on=None`` (``--fail-on never``) fails no test case."""
    by_path: defaultdict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_path[finding.location.path].append(finding)
    root = ET.Element("testsuites")
    total_tests = total_failures = 0
    for path in sorted(set(report.sources) | set(by_path)):
        shown = visible(path)
        suite = ET.SubElement(root, "testsuite")
        findings = sorted(by_path.get(path, []), key=lambda f: (f.rule_id, f.sort_key))
        verdicts = [_testcase(suite, path, list(group), fail_on) for _, group in groupby(findings, lambda f: f.rule_id)]
        if not verdicts:
            ET.SubElement(suite, "testcase", name=CLEAN_CASE, classname=shown, file=shown, time=NO_TIME)
            verdicts = ["passed"]
        tests, failures, skipped = len(verdicts), verdicts.count("failed"), verdicts.count("skipped")
        suite.attrib |= {"name": shown, "tests": str(tests), "failures": str(failures), "errors": "0"}
        suite.attrib |= {"skipped": str(skipped), "time": NO_TIME, "file": shown}
        total_tests += tests
        total_failures += failures
    root.attrib |= {"name": "relpolicy", "tests": str(total_tests), "failures": str(total_failures), "errors": "0"}
    root.attrib["time"] = f"{report.elapsed:.3f}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
