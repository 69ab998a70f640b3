"""Baselines: `check --write-baseline FILE` then `--baseline FILE` fails only on new findings."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import AS_OF

from relpolicy.baseline import Baseline, identity
from relpolicy.cli import main
from relpolicy.findings import Finding, Location, Severity

POLICY = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: checkout}
spec:
  description: Takes orders.
  tier: 3
  owner: payments
  dependsOn:
    - service: recommendations
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: recommendations}
spec: {description: Suggests products., tier: 4, owner: payments}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: printers}
spec: {description: Office printers., tier: 4, owner: payments, dependsOn: [{service: scanners, type: soft}]}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: scanners}
spec: {description: Office scanners., tier: 4, owner: payments, dependsOn: [{service: printers}]}
"""
"""RP302 (error) at checkout's dependency on tier-4 recommendations (line 16) and RP301 (warning), a cycle
through a soft link, at printers' dependency on scanners (line 26)."""

BASELINE = {
    "version": 1,
    "findings": [
        {"rule": "RP301", "subject": "Service/printers:spec.dependsOn[0]", "count": 1},
        {"rule": "RP302", "subject": "Service/checkout:spec.dependsOn[0]", "count": 1},
    ],
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_policy: Callable[..., Path]) -> Path:
    """A project with POLICY in policies/, made the working directory."""
    monkeypatch.chdir(tmp_path)
    write_policy(POLICY)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[tuple[str, str, int]], str]:
    """`relpolicy check --format json` as of AS_OF: the exit code, (rule, path, line) of each finding, stderr."""
    code = main(["check", "--format", "json", "--as-of", AS_OF.isoformat(), *argv])
    out, err = capsys.readouterr()
    findings = json.loads(out)["findings"] if out else []
    return code, [(f["ruleId"], f["location"]["path"], f["location"]["line"]) for f in findings], err


def write_baseline(capsys: pytest.CaptureFixture[str], *argv: str, name: str = "baseline.json") -> str:
    """Write a baseline; it prints nothing on stdout, one line on stderr, and exits 0."""
    code = main(["check", "--as-of", AS_OF.isoformat(), "--write-baseline", name, *argv])
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    return err


def test_round_trip(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Writing a baseline records every finding; checking with it is clean and exits 0."""
    assert run(capsys) == (1, [("RP302", "policies/policy.yaml", 16), ("RP301", "policies/policy.yaml", 26)], "")
    assert write_baseline(capsys) == "relpolicy: wrote 2 finding(s) to baseline.json\n"
    text = (project / "baseline.json").read_text()
    assert json.loads(text) == BASELINE
    assert text.endswith("}\n")
    assert run(capsys, "--baseline", "baseline.json", "--fail-on", "info") == (0, [], "")


def test_baseline_file_is_deterministic(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same findings give the same bytes, whatever the order they are found in."""
    write_baseline(capsys, name="first.json")
    (project / "policies" / "policy.yaml").unlink()
    documents = POLICY.split("---\n")
    for index, document in enumerate(reversed(documents)):
        (project / "policies" / f"{index}.yaml").write_text(document)
    write_baseline(capsys, name="second.json")
    assert (project / "second.json").read_bytes() == (project / "first.json").read_bytes()


def test_new_finding_is_still_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A finding that is not in the baseline fails the check, alone."""
    write_baseline(capsys)
    policy = project / "policies" / "policy.yaml"
    policy.write_text(
        POLICY.replace("    - service: recommendations\n", "    - service: recommendations\n    - service: printers\n")
    )
    assert run(capsys, "--baseline", "baseline.json") == (1, [("RP302", "policies/policy.yaml", 17)], "")


def test_identity_survives_unrelated_edits_that_move_lines(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Lines inserted above a finding, or its resource moved to another file, keep it baselined."""
    write_baseline(capsys)
    edited = POLICY.replace(
        "  description: Takes orders.\n",
        "  # the web shop's order service\n  description: Takes orders.\n  customerFacing: false\n",
    )
    team, checkout, *others = edited.split("---\n")
    ops = team.replace("payments", "ops").replace("Ana Lima, email: ana@", "Bo Chen, email: bo@")
    header = "# Shop services\n# (checkout lives in its own file)\n\n---\n"
    (project / "policies" / "policy.yaml").write_text(header + "---\n".join([ops, team, *others]))
    (project / "policies" / "checkout.yaml").write_text(checkout)
    code, found, err = run(capsys)
    assert (code, found, err) == (
        1,
        [("RP302", "policies/checkout.yaml", 11), ("RP301", "policies/policy.yaml", 27)],
        "",
    )
    assert run(capsys, "--baseline", "baseline.json", "--fail-on", "info") == (0, [], "")


def test_an_edit_to_the_finding_itself_makes_it_new(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The identity is the rule and the key path: a dependency moved to another index is a new finding."""
    write_baseline(capsys)
    (project / "policies" / "policy.yaml").write_text(
        POLICY.replace(
            "    - service: recommendations\n",
            "    - {service: printers, type: soft}\n    - service: recommendations\n",
        )
    )
    assert run(capsys, "--baseline", "baseline.json") == (1, [("RP302", "policies/policy.yaml", 17)], "")


def test_fixed_findings_leave_harmless_entries(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A baseline entry whose finding was fixed is ignored (rewrite the baseline to drop it)."""
    write_baseline(capsys)
    (project / "policies" / "policy.yaml").write_text(
        POLICY.replace("Suggests products., tier: 4", "Suggests products., tier: 3")
    )
    assert run(capsys) == (0, [("RP301", "policies/policy.yaml", 26)], "")
    assert run(capsys, "--baseline", "baseline.json", "--fail-on", "info") == (0, [], "")
    assert write_baseline(capsys) == "relpolicy: wrote 1 finding(s) to baseline.json\n"
    assert json.loads((project / "baseline.json").read_text())["findings"] == BASELINE["findings"][:1]


def test_rewriting_a_baseline_keeps_what_the_old_one_hid(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--write-baseline records every current finding, even when --baseline is given too."""
    write_baseline(capsys, "--baseline", "baseline.json")  # a first run: the file does not exist yet
    (project / "policies" / "policy.yaml").write_text(
        POLICY.replace("    - service: recommendations\n", "    - service: recommendations\n    - service: printers\n")
    )
    assert write_baseline(capsys, "--baseline", "baseline.json") == "relpolicy: wrote 3 finding(s) to baseline.json\n"
    assert run(capsys, "--baseline", "baseline.json", "--fail-on", "info") == (0, [], "")


def test_identical_identities_are_counted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two findings with one identity need two baseline entries: with one, the second is reported."""
    unused = "    - service: recommendations  # relpolicy: ignore[RP302] raised in Q1\n"
    once = POLICY.replace("    - service: recommendations\n", unused).replace("  tier: 3\n", "  tier: 4\n")
    (project / "policies" / "policy.yaml").write_text(once)
    assert run(capsys) == (0, [("RP901", "policies/policy.yaml", 16), ("RP301", "policies/policy.yaml", 26)], "")
    write_baseline(capsys)
    twice = once.replace(
        "  owner: payments\n  dependsOn:", "  owner: payments  # relpolicy: ignore[RP302] raised in Q1\n  dependsOn:"
    )
    (project / "policies" / "policy.yaml").write_text(twice)
    # which of the two is "new" cannot be told: the baseline hides the first, the later one is reported
    assert run(capsys, "--baseline", "baseline.json") == (0, [("RP901", "policies/policy.yaml", 16)], "")
    write_baseline(capsys)
    assert json.loads((project / "baseline.json").read_text())["findings"][1] == {
        "rule": "RP901",
        "subject": "policies/policy.yaml:suppression:RP302",
        "count": 2,
    }
    assert run(capsys, "--baseline", "baseline.json", "--fail-on", "info") == (0, [], "")


def test_baseline_works_with_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The baseline is applied after the configuration: a baseline written with a rule ignored lacks it."""
    (project / "relpolicy.yaml").write_text("ignore: [RP302]\n")
    assert write_baseline(capsys) == "relpolicy: wrote 1 finding(s) to baseline.json\n"
    (project / "relpolicy.yaml").write_text("failOn: warning\n")
    assert run(capsys, "--baseline", "baseline.json") == (1, [("RP302", "policies/policy.yaml", 16)], "")


# Bad baseline files: one line, exit 2, nothing checked


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "cannot read the baseline: No such file or directory"),
        ("", "not a relpolicy baseline: not JSON (Expecting value: line 1 column 1 (char 0))"),
        (
            '{"version": 1, "findings": [',
            "not a relpolicy baseline: not JSON (Expecting value: line 1 column 29 (char 28))",
        ),
        ("[]", 'not a relpolicy baseline: expected an object with "version" and "findings"'),
        ('{"version": 1}', 'not a relpolicy baseline: expected an object with "version" and "findings"'),
        ('{"findings": []}', 'not a relpolicy baseline: expected an object with "version" and "findings"'),
        ('{"version": 2, "findings": []}', "unsupported baseline version 2 (expected 1)"),
        ('{"version": "1", "findings": []}', "unsupported baseline version '1' (expected 1)"),
        ('{"version": 1, "findings": {}}', 'not a relpolicy baseline: "findings" must be a list'),
        (
            '{"version": 1, "findings": [{"rule": "RP302"}]}',
            'not a relpolicy baseline: findings[0] must be an object with a "rule" and a "subject"',
        ),
        (
            '{"version": 1, "findings": [{"rule": "RP302", "subject": "a"}, ["RP302", "b"]]}',
            'not a relpolicy baseline: findings[1] must be an object with a "rule" and a "subject"',
        ),
        (
            '{"version": 1, "findings": [{"rule": 302, "subject": "a"}]}',
            'not a relpolicy baseline: findings[0] must be an object with a "rule" and a "subject"',
        ),
        *(
            (
                f'{{"version": 1, "findings": [{{"rule": "RP302", "subject": "a", "count": {count}}}]}}',
                f"not a relpolicy baseline: findings[0].count must be a whole number of at least 1, not {count}",
            )
            for count in ("0", "-1", "1.5", '"2"', "true", "null")
        ),
        (b"\xff\xfe", "not a relpolicy baseline: not UTF-8 text"),
    ],
)
def test_bad_baseline_is_one_line(
    project: Path, content: str | bytes | None, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing, corrupt or foreign baseline file stops the check with exit 2 and one line on stderr."""
    if isinstance(content, str):
        (project / "baseline.json").write_text(content)
    elif isinstance(content, bytes):
        (project / "baseline.json").write_bytes(content)
    assert main(["check", "--baseline", "baseline.json", "--as-of", AS_OF.isoformat()]) == 2
    assert capsys.readouterr() == ("", f"relpolicy: error: baseline.json: {error}\n")


def test_hostile_baseline_is_one_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A baseline nested too deeply for the JSON parser is an error, not a crash."""
    (project / "baseline.json").write_text("[" * 100_000)
    assert main(["check", "--baseline", "baseline.json", "--as-of", AS_OF.isoformat()]) == 2
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert err.startswith(
        "relpolicy: error: baseline.json: not a relpolicy baseline: not JSON (maximum recursion depth"
    )


def test_baseline_that_is_a_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory given as the baseline is a one-line error."""
    (project / "baseline.json").mkdir()
    assert main(["check", "--baseline", "baseline.json", "--as-of", AS_OF.isoformat()]) == 2
    assert capsys.readouterr() == ("", "relpolicy: error: baseline.json: cannot read the baseline: Is a directory\n")


def test_unwritable_baseline_is_one_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A baseline that cannot be written (here: below a file) is a one-line error with exit 2."""
    (project / "taken").write_text("a file\n")
    assert main(["check", "--write-baseline", "taken/dir/b.json", "--as-of", AS_OF.isoformat()]) == 2
    assert capsys.readouterr() == ("", "relpolicy: error: taken/dir/b.json: taken is a file, not a folder\n")


def test_baseline_folders_are_created(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Like every output, a baseline's missing folders are created."""
    assert main(["check", "--write-baseline", "no/such/dir/b.json", "--as-of", AS_OF.isoformat()]) == 0
    assert capsys.readouterr() == ("", "relpolicy: wrote 2 finding(s) to no/such/dir/b.json\n")
    assert Baseline.load(project / "no/such/dir/b.json").known


# The counting, on any findings

_FINDINGS = st.builds(
    lambda rule, subject, line: Finding(
        rule, "some-rule", Severity.ERROR, "m", Location("p.yaml", line, 1, line, 2), subject
    ),
    st.sampled_from(["RP301", "RP302", "RP901"]),
    st.sampled_from(["Service/a:spec", "Service/b:spec.dependsOn[0]", "p.yaml:suppression:RP302"]),
    st.integers(1, 50),
)


@given(st.lists(_FINDINGS, max_size=12), st.lists(_FINDINGS, max_size=12))
def test_filter_is_a_multiset_difference(known: list[Finding], current: list[Finding]) -> None:
    """Through a file, a baseline hides as many findings of each identity as it recorded, lines aside."""
    baseline = Baseline.loads(Baseline.of(known).dumps())
    new, hidden = baseline.filter(current)
    expected = Counter(map(identity, current)) - Counter(map(identity, known))
    assert Counter(map(identity, new)) == expected
    assert hidden == len(current) - len(new)
    assert Baseline.of(reversed(known)).dumps() == Baseline.of(known).dumps()
