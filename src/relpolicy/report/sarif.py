"""SARIF 2.1.0 for code scanning: every rule's metadata and every finding, with stable fingerprints.

GitHub code scanning reads ``tool.driver.rules`` for the alert's title and help, and needs a
location on every result, repository-relative URIs and 1-based regions. Fingerprints come from
the rule id and the finding's line-independent subject, so an alert keeps its identity when
unrelated edits move it to another line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import PurePosixPath
from typing import Any, Final
from urllib.parse import quote

from relpolicy import __version__
from relpolicy.engine import Report
from relpolicy.findings import Finding, Location, Severity
from relpolicy.rules import RULES, Rule

SARIF_SCHEMA: Final = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI: Final = "https://github.com/relpolicy/relpolicy"
RULES_DOC_URI: Final = f"{INFORMATION_URI}/blob/main/docs/rules.md"
"""Rule help lives in ``docs/rules.md``; each rule has an anchor named after its lowercase id."""
URI_BASE_ID: Final = "%SRCROOT%"
FINGERPRINT_KEY: Final = "relpolicySubject/v1"
"""Bump the version suffix if the fingerprint's recipe ever changes, so old alerts are not matched wrongly."""

_URI_SAFE: Final = "/!$&'()*+,;=@"
"""Characters a URI path keeps as they are (RFC 3986 sub-delims); ``:`` is encoded, as it could read as a scheme."""

LEVELS: Final = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM_SEVERITY: Final = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
"""GitHub's own severity scale (``problem.severity``), shown beside the alert."""


def help_uri(rule: Rule) -> str:
    """The rule's section of the rules documentation (``docs/rules.md#rp303``)."""
    return f"{RULES_DOC_URI}#{rule.id.lower()}"


def _unwrap(text: str) -> str:
    """Join a docstring's hard-wrapped lines: plain-text viewers wrap paragraphs themselves."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))


def _help_markdown(rule: Rule) -> str:
    return (
        f"{rule.doc.rationale}\n\n"
        f"Failing example:\n\n```yaml\n{rule.doc.failing}```\n\n"
        f"Passing example:\n\n```yaml\n{rule.doc.passing}```\n\n"
        f"[{rule.id} {rule.name}]({help_uri(rule)})"
    )


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _unwrap(rule.doc.rationale)},
        "help": {"text": f"{_unwrap(rule.doc.rationale)}\n\nSee {help_uri(rule)}", "markdown": _help_markdown(rule)},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["reliability"], "problem.severity": _PROBLEM_SEVERITY[rule.severity]},
    }


def artifact_location(path: str) -> dict[str, str]:
    """A percent-encoded URI: relative to the checkout root, or a ``file:`` URI for a path outside it."""
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path, safe=_URI_SAFE)}
    return {"uri": quote(path, safe=_URI_SAFE), "uriBaseId": URI_BASE_ID}


def _physical(location: Location) -> dict[str, Any]:
    return {
        "artifactLocation": artifact_location(location.path),
        "region": {
            "startLine": location.line,
            "startColumn": location.col,
            "endLine": location.end_line,
            "endColumn": location.end_col,
        },
    }


def fingerprint(finding: Finding, occurrence: int = 1) -> str:
    """A hash of the rule id and the subject; ``occurrence`` tells apart findings that share both."""
    identity = f"{finding.rule_id}\0{finding.subject}\0{occurrence}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, rule_index: int, occurrence: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.location)}],
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": _physical(r.location), "message": {"text": r.message}}
            for number, r in enumerate(finding.related, start=1)
        ]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(finding, occurrence)}
    return result


def as_data(report: Report, rules: tuple[Rule, ...] = RULES) -> dict[str, Any]:
    """The SARIF log as JSON-ready data: one run, every rule, every finding in report order."""
    index = {rule.id: number for number, rule in enumerate(rules)}
    seen: Counter[tuple[str, str]] = Counter()
    results = []
    for finding in report.findings:
        seen[finding.rule_id, finding.subject] += 1
        results.append(_result(finding, index[finding.rule_id], seen[finding.rule_id, finding.subject]))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "relpolicy",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "automationDetails": {"id": "relpolicy/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"asOf": report.as_of.isoformat()},
            }
        ],
    }


def render(report: Report) -> str:
    """The SARIF log, indented, with a final newline."""
    return json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"
