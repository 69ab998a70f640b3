"""SARIF details: rule metadata from the registry, levels, URIs and fingerprints that survive unrelated edits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

from tests.report.conftest import BROKEN
from tests.report.test_report_formats import sarif_validator

from relpolicy.engine import Report, check
from relpolicy.findings import Finding, Location, Related, Severity, Suppressed
from relpolicy.report import sarif
from relpolicy.rules import RULES

AS_OF = dt.date(2026, 11, 26)


def finding(severity: Severity = Severity.ERROR, line: int = 3, subject: str = "Team/a:spec.coverage") -> Finding:
    return Finding(
        "RP201",
        "unknown-reference",
        severity,
        "no Calendar `x`",
        Location("policies/a.yaml", line, 5, line, 9),
        subject,
        (Related(Location("policies/b.yaml", 1, 1, 1, 4), "see here"),),
    )


def report(*findings: Finding) -> Report:
    return Report(findings=findings, sources={}, files=1, documents=1, resources=1, as_of=AS_OF)


def test_every_rule_is_described_from_the_registry() -> None:
    """Each registered rule has its summary, rationale, examples, help link and default level."""
    rules = sarif.as_data(report())["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(RULES)
    for data, rule in zip(rules, RULES, strict=True):
        assert data["shortDescription"] == {"text": rule.summary}
        full = data["fullDescription"]["text"]
        assert (full.split(), full.count("\n")) == (rule.doc.rationale.split(), 2 * rule.doc.rationale.count("\n\n"))
        assert data["helpUri"] == f"https://github.com/relpolicy/relpolicy/blob/main/docs/rules.md#{rule.id.lower()}"
        assert f"```yaml\n{rule.doc.failing}```" in data["help"]["markdown"]
        assert f"```yaml\n{rule.doc.passing}```" in data["help"]["markdown"]
        assert data["defaultConfiguration"] == {"level": sarif.LEVELS[rule.severity]}


def test_levels_map_error_warning_info_to_error_warning_note() -> None:
    """SARIF has no info level; info findings are notes."""
    log = sarif.as_data(report(finding(Severity.ERROR), finding(Severity.WARNING), finding(Severity.INFO)))
    assert [r["level"] for r in log["runs"][0]["results"]] == ["error", "warning", "note"]
    sarif_validator().validate(log)


def test_result_locations_and_related_locations() -> None:
    """A result has the region of the finding and numbered related locations with their messages."""
    result = sarif.as_data(report(finding()))["runs"][0]["results"][0]
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "policies/a.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9},
            }
        }
    ]
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "policies/b.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 4},
            },
            "message": {"text": "see here"},
        }
    ]


def test_uris_are_percent_encoded_and_absolute_paths_are_file_uris() -> None:
    """Spaces and ``%`` are encoded; a path outside the checkout becomes a ``file:`` URI with no base."""
    assert sarif.artifact_location("policies/a b%.yaml") == {"uri": "policies/a%20b%25.yaml", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("/srv/policies/a.yaml") == {"uri": "file:///srv/policies/a.yaml"}


def test_fingerprint_ignores_lines_and_tells_duplicates_apart() -> None:
    """Moving a finding keeps its fingerprint; two findings with the same rule and subject get different ones."""
    assert sarif.fingerprint(finding(line=3)) == sarif.fingerprint(finding(line=30))
    assert sarif.fingerprint(finding(subject="Team/a:spec")) != sarif.fingerprint(finding(subject="Team/b:spec"))
    results = sarif.as_data(report(finding(line=3), finding(line=4)))["runs"][0]["results"]
    first, second = (r["partialFingerprints"]["relpolicySubject/v1"] for r in results)
    assert first != second


def test_fingerprints_survive_unrelated_edits(tmp_path: Path) -> None:
    """Inserting comment lines at the top of every file changes every line number but no fingerprint."""
    shutil.copytree(BROKEN / "policies", tmp_path / "policies")

    def fingerprints() -> list[tuple[str, str, int]]:
        log = sarif.as_data(check([tmp_path / "policies"], as_of=AS_OF, base=tmp_path))
        return sorted(
            (
                r["ruleId"],
                r["partialFingerprints"]["relpolicySubject/v1"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in log["runs"][0]["results"]
        )

    before = fingerprints()
    for path in (tmp_path / "policies").rglob("*.yaml"):
        path.write_text("# an unrelated comment\n# and another\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = fingerprints()
    assert [(rule, fp) for rule, fp, _ in after] == [(rule, fp) for rule, fp, _ in before]
    assert [line for *_, line in after] == [line + 2 for *_, line in before]


def test_category_goes_into_the_automation_id() -> None:
    """``--sarif-category`` keeps two uploads in one workflow apart; without it the id is ``relpolicy/``."""
    assert sarif.as_data(report())["runs"][0]["automationDetails"] == {"id": "relpolicy/"}
    log = sarif.as_data(report(), category="staging")
    assert log["runs"][0]["automationDetails"] == {"id": "relpolicy/staging/"}
    assert sarif.automation_id("/prod/eu/") == "relpolicy/prod/eu/"
    sarif_validator().validate(log)


def test_uris_are_relative_to_the_repository_root_from_any_working_directory() -> None:
    """From a subfolder, with absolute paths or with ``..``, a file in the checkout gets the same URI."""
    root, sub = "/work/repo", "/work/repo/infra"
    expected = {"uri": "infra/policies/a.yaml", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("policies/a.yaml", root, sub) == expected
    assert sarif.artifact_location("/work/repo/infra/policies/a.yaml", root, "/elsewhere") == expected
    assert sarif.artifact_location("../infra/policies/a.yaml", root, "/work/repo/docs") == expected
    assert sarif.artifact_location("/etc/a.yaml", root, sub) == {"uri": "file:///etc/a.yaml"}
    assert sarif.artifact_location("/work/repository/a.yaml", root, sub) == {"uri": "file:///work/repository/a.yaml"}


def test_the_repository_root_is_named_in_original_uri_base_ids() -> None:
    """Viewers resolve ``%SRCROOT%`` with ``originalUriBaseIds``: the root as a ``file:`` URI ending in a slash."""
    log = sarif.as_data(report(finding()), root="/work/my repo", cwd="/work/my repo")
    assert log["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/my%20repo/"}}
    assert "originalUriBaseIds" not in sarif.as_data(report())["runs"][0]
    sarif_validator().validate(log)


def test_a_file_name_that_is_not_utf8_is_percent_encoded_byte_by_byte() -> None:
    """``os.fsdecode`` gives an undecodable byte as a lone surrogate; the URI carries the byte itself."""
    assert sarif.artifact_location("policies/caf\udce9.yaml") == {
        "uri": "policies/caf%E9.yaml",
        "uriBaseId": "%SRCROOT%",
    }


def test_suppressed_findings_are_results_with_an_in_source_suppression() -> None:
    """A finding an inline comment hides is a result with ``suppressions``, in order among the others."""
    hidden = finding(line=5, subject="Team/b:spec")
    comment = Location("policies/a.yaml", 4, 3, 4, 60)
    rep = dataclasses.replace(
        report(finding(line=3), finding(line=7)),
        suppressions=(Suppressed(hidden, "the calendar comes from HR", comment),),
        suppressed=1,
    )
    log = sarif.as_data(rep)
    sarif_validator().validate(log)
    results = log["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == [3, 5, 7]
    assert [("suppressions" in r) for r in results] == [False, True, False]
    assert results[1]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "the calendar comes from HR",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "policies/a.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 4, "startColumn": 3, "endLine": 4, "endColumn": 60},
                }
            },
        }
    ]


def test_suppressed_findings_of_a_real_check(tmp_path: Path) -> None:
    """Through the engine: the comment's reason is the justification; the finding is not among the reported ones."""
    (tmp_path / "teams.yaml").write_text(
        "apiVersion: relpolicy.dev/v1\n"
        "kind: Team\n"
        "metadata:\n"
        "  name: payments\n"
        "spec:\n"
        "  members: [{name: Ann, email: ann@example.com}]\n"
        "  # relpolicy: ignore[RP201] the calendar is shared from HR's repository\n"
        "  coverage: hr-hours\n",
        encoding="utf-8",
    )
    rep = check([tmp_path], as_of=AS_OF, base=tmp_path)
    assert [s.finding.rule_id for s in rep.suppressions] == ["RP201"]
    assert "RP201" not in [f.rule_id for f in rep.findings]
    results = [r for r in sarif.as_data(rep)["runs"][0]["results"] if r["ruleId"] == "RP201"]
    assert [r["suppressions"][0]["justification"] for r in results] == ["the calendar is shared from HR's repository"]
