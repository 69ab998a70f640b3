"""SARIF 2.1.0 for code scanning: every rule's metadata and every finding, with stable fingerprints.

GitHub code scanning reads ``tool.driver.rules`` for the alert's title and help, and needs a
location on every result, repository-relative URIs and 1-based regions. Fingerprints come from
the rule id and the finding's line-independent subject, so an alert keeps its identity when
unrelated edits move it to another line.

URIs are relative to the repository root (``%SRCROOT%``) when the caller says where that is
(``root``, and the ``cwd`` that finding paths are relative to), whatever directory relpolicy ran
from; the bytes of a file name are percent-encoded, so a name that is not UTF-8 still maps to its
file. Findings that an inline comment suppresses are results too, with a ``suppressions`` entry
(``inSource``, the comment's reason as justification), so code scanning shows them as suppressed
rather than absent.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import Counter
from typing import Any, Final
from urllib.parse import quote

from relpolicy._version import __version__
from relpolicy.engine import Report
from relpolicy.findings import Finding, Location, Severity, Suppressed
from relpolicy.fixes import Fix
from relpolicy.report.escape import json_text
from relpolicy.rules import RULES, Rule

SARIF_SCHEMA: Final = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI: Final = "https://github.com/relpolicy/relpolicy"
RULES_DOC_URI: Final = f"{INFORMATION_URI}/blob/main/docs/rules.md"
"""Rule help lives in ``docs/rules.md``; each rule has an anchor named after its lowercase id."""
URI_BASE_ID: Final = "%SRCROOT%"
"""The base of every repository-relative URI: the repository root (``originalUriBaseIds`` says where)."""
AUTOMATION_ID: Final = "relpolicy/"
"""``automationDetails.id`` without a category; with one (``--sarif-category``) it is ``relpolicy/<category>/``."""
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


def _quote(path: str) -> str:
    """Percent-encode a path's bytes (``surrogateescape`` gives back a non-UTF-8 name's own bytes)."""
    return quote(path.encode("utf-8", "surrogateescape"), safe=_URI_SAFE)


def _file_uri(absolute: str) -> str:
    return "file://" + _quote(absolute if absolute.startswith("/") else "/" + absolute)


def _inside(absolute: str, root: str) -> str | None:
    """``absolute`` relative to the directory ``root``, or None when it is not below it."""
    prefix = root if root.endswith("/") else root + "/"
    return absolute[len(prefix) :] if absolute.startswith(prefix) else None


def artifact_location(path: str, root: str | None = None, cwd: str | None = None) -> dict[str, str]:
    """A percent-encoded URI: relative to the repository root, or a ``file:`` URI for a path outside it.

    ``root`` and ``cwd`` are absolute POSIX paths: the repository root, and the directory that
    relative finding paths start from. Without them a relative path is taken as relative to the root.
    """
    if root is None or cwd is None:
        if path.startswith("/"):
            return {"uri": _file_uri(path)}
        return {"uri": _quote(path), "uriBaseId": URI_BASE_ID}
    absolute = posixpath.normpath(posixpath.join(cwd, path))
    relative = _inside(absolute, root)
    if relative is None:
        return {"uri": _file_uri(absolute)}
    return {"uri": _quote(relative), "uriBaseId": URI_BASE_ID}


def _physical(location: Location, root: str | None, cwd: str | None) -> dict[str, Any]:
    return {
        "artifactLocation": artifact_location(location.path, root, cwd),
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
    # surrogateescape: a subject naming a file whose name is not UTF-8 hashes that name's own bytes.
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def automation_id(category: str = "") -> str:
    """The run's ``automationDetails.id``: ``relpolicy/``, or ``relpolicy/<category>/``."""
    category = category.strip("/")
    return f"{AUTOMATION_ID}{category}/" if category else AUTOMATION_ID


def _result(  # noqa: PLR0913 - one result's parts
    finding: Finding,
    rule_index: int,
    occurrence: int,
    *,
    suppression: Suppressed | None,
    root: str | None,
    cwd: str | None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.location, root, cwd)}],
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": _physical(r.location, root, cwd), "message": {"text": r.message}}
            for number, r in enumerate(finding.related, start=1)
        ]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(finding, occurrence)}
    if finding.fix is not None and suppression is None:
        result["fixes"] = [_fix(finding, finding.fix, root, cwd)]
    if suppression is not None:
        entry: dict[str, Any] = {"kind": "inSource", "status": "accepted"}
        if suppression.reason:
            entry["justification"] = suppression.reason
        entry["location"] = {"physicalLocation": _physical(suppression.location, root, cwd)}
        result["suppressions"] = [entry]
    return result


def _fix(finding: Finding, fix: Fix, root: str | None, cwd: str | None) -> dict[str, Any]:
    """What ``check --fix`` would change, as SARIF's ``fixes``: regions of the finding's file to replace."""
    replacements = []
    for r in fix.replacements:
        replacement: dict[str, Any] = {
            "deletedRegion": {"startLine": r.line, "startColumn": r.col, "endLine": r.end_line, "endColumn": r.end_col}
        }
        if r.text:
            replacement["insertedContent"] = {"text": r.text}
        replacements.append(replacement)
    change = {"artifactLocation": artifact_location(finding.location.path, root, cwd), "replacements": replacements}
    return {"description": {"text": fix.description}, "artifactChanges": [change]}


def as_data(
    report: Report,
    rules: tuple[Rule, ...] = RULES,
    *,
    category: str = "",
    root: str | None = None,
    cwd: str | None = None,
) -> dict[str, Any]:
    """The SARIF log as JSON-ready data: one run, every rule, every finding (suppressed ones too) in report order.

    ``category`` goes into ``automationDetails.id``, so that several uploads in one workflow do not
    replace each other's alerts; ``root`` and ``cwd`` make URIs repository-relative (see
    :func:`artifact_location`).
    """
    index = {rule.id: number for number, rule in enumerate(rules)}
    seen: Counter[tuple[str, str]] = Counter()
    results = []
    entries: list[tuple[Finding, Suppressed | None]] = [(f, None) for f in report.findings]
    if report.suppressions:
        entries += [(s.finding, s) for s in report.suppressions]
        entries.sort(key=lambda entry: entry[0].sort_key)
    for finding, suppression in entries:
        seen[finding.rule_id, finding.subject] += 1
        occurrence = seen[finding.rule_id, finding.subject]
        results.append(
            _result(finding, index[finding.rule_id], occurrence, suppression=suppression, root=root, cwd=cwd)
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "relpolicy",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "automationDetails": {"id": automation_id(category)},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"asOf": report.as_of.isoformat()},
    }
    if root is not None and cwd is not None:
        base = root if root.endswith("/") else root + "/"
        run["originalUriBaseIds"] = {URI_BASE_ID: {"uri": _file_uri(base)}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, category: str = "", root: str | None = None, cwd: str | None = None) -> str:
    """The SARIF log, indented, with a final newline (see :func:`as_data` for the options)."""
    return json_text(as_data(report, category=category, root=root, cwd=cwd)) + "\n"
