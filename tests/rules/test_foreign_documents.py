"""RP107 foreign-document: other tools' documents in a policy tree, and the `exclude` setting that leaves them out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import AS_OF

from relpolicy.config import load_settings
from relpolicy.engine import Report, check
from relpolicy.errors import RelpolicyError

_FOREIGN = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout}
spec: {description: Checkout.}
---
version: prometheus/v1
service: checkout
slos: []
---
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: checkout}
spec: {service: checkout, slos: []}
---
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: old}
spec: {}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, owner: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout}
spec: {}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: checkout}
spec: {groups: []}
---
apiVersion: relpolicy.dev/v2
kind: Team
metadata: {name: typo}
spec: {}
"""


def _found(report: Report) -> list[tuple[int, int, str, str, str]]:
    return [
        (f.location.line, f.location.col, f.rule_id, f.severity.name.lower(), f.message)
        for f in report.findings
        if f.rule_id in {"RP104", "RP107"}
    ]


_EXCLUDE = "or leave it out of the policy tree with the `exclude` setting"


def test_known_foreign_documents_are_info_findings_that_say_what_reads_them(
    write_policy: Callable[..., Path], run_check: Callable[[Path], Report]
) -> None:
    """Each foreign document is one RP107 at its apiVersion (or Sloth's `version`); a relpolicy typo stays RP104."""
    report = run_check(write_policy(_FOREIGN, "mixed.yaml"))
    assert _found(report) == [
        (
            1,
            13,
            "RP107",
            "info",
            "an OpenSLO v1 `Service`, not a relpolicy policy document: `relpolicy import openslo "
            f"FILE --out DIR` reads it, {_EXCLUDE}",
        ),
        (
            6,
            10,
            "RP107",
            "info",
            "a Sloth spec (prometheus/v1), not a relpolicy policy document: `relpolicy import "
            f"sloth FILE --out DIR` reads it, {_EXCLUDE}",
        ),
        (
            10,
            13,
            "RP107",
            "info",
            "a Sloth `PrometheusServiceLevel`, not a relpolicy policy document: `relpolicy "
            f"import sloth FILE --out DIR` reads it, {_EXCLUDE}",
        ),
        (
            15,
            13,
            "RP107",
            "info",
            "an OpenSLO v1alpha `SLO`, not a relpolicy policy document: convert it to "
            f"openslo/v1 (`oslo convert`), then `relpolicy import openslo` reads it, {_EXCLUDE}",
        ),
        (
            20,
            13,
            "RP107",
            "info",
            "a Backstage catalog `Component`, not a relpolicy policy document: relpolicy does "
            f"not import it, {_EXCLUDE}",
        ),
        (
            25,
            13,
            "RP107",
            "info",
            f"a Kubernetes `Deployment`, not a relpolicy policy document: relpolicy does not import it, {_EXCLUDE}",
        ),
        (
            30,
            13,
            "RP107",
            "info",
            f"a Kubernetes `PrometheusRule`, not a relpolicy policy document: relpolicy does not import it, {_EXCLUDE}",
        ),
        (35, 13, "RP104", "error", "unknown apiVersion `relpolicy.dev/v2`; supported: relpolicy.dev/v1"),
    ]


def test_a_foreign_document_does_not_declare_a_policy_name(
    write_policy: Callable[..., Path], run_check: Callable[[Path], Report]
) -> None:
    """An OpenSLO Service `checkout` is not a relpolicy Service: an SLO naming it still has a dangling reference."""
    slo = (
        "---\napiVersion: relpolicy.dev/v1\nkind: SLO\nmetadata: {name: checkout-availability}\n"
        "spec: {service: checkout, indicator: {type: availability}, objective: 99.9}\n"
    )
    report = run_check(write_policy(_FOREIGN.split("---\n", maxsplit=1)[0] + slo, "mixed.yaml"))
    assert [(f.rule_id, f.location.line) for f in report.findings if f.rule_id in {"RP107", "RP201"}] == [
        ("RP107", 1),
        ("RP201", 9),
    ]


def test_excluded_files_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`exclude` globs leave files out of the walk of a policy folder (no RP107, the file is not counted)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies" / "openslo").mkdir(parents=True)
    (tmp_path / "policies" / "openslo" / "checkout.yaml").write_text(_FOREIGN, encoding="utf-8")
    (tmp_path / "policies" / "team.yaml").write_text(
        "apiVersion: relpolicy.dev/v1\nkind: Team\nmetadata: {name: web}\n"
        "spec: {coverage: always, members: [{name: Ana Lima, email: ana@example.com}]}\n",
        encoding="utf-8",
    )
    (tmp_path / "relpolicy.yaml").write_text('exclude: ["policies/openslo/*"]\n', encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.exclude == ("policies/openslo/*",)
    report = check([Path("policies")], as_of=AS_OF, settings=settings)
    assert [f for f in report.findings if f.rule_id.startswith("RP1")] == []
    assert report.files == 1
    without = check([Path("policies")], as_of=AS_OF)
    assert {f.rule_id for f in without.findings} >= {"RP104", "RP107"}


def test_exclude_must_be_a_list_of_globs(tmp_path: Path) -> None:
    """A bad `exclude` is a located configuration error."""
    (tmp_path / "relpolicy.yaml").write_text("exclude: policies/openslo\n", encoding="utf-8")
    with pytest.raises(RelpolicyError) as error:
        load_settings(tmp_path)
    assert str(error.value).endswith("`exclude`: Input should be a valid list")
